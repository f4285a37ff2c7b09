/*
 * test-lock.c - the run lock's name (rr_lock_name, context.h): the one
 * name GET_LOCK() takes and RELEASE_LOCK() gives back, at most 64
 * characters (MySQL Reference Manual, GET_LOCK()).
 */
#include <stdio.h>
#include <string.h>

#include "context.h"
#include "desired.h"
#include "tap.h"

static void
name_of(const char *object, char *buf, size_t len)
{
	struct desired d;

	memset(&d, 0, sizeof(d));
	d.name = (char *)object;
	rr_lock_name(&d, buf, len);
}

int
main(void)
{
	char a[80], b[80], obj[64];

	name_of("prod-db", a, sizeof(a));
	is_str(a, "rdsreconcile:prod-db", "a short name is kept as it is");

	/* 51 characters still fit beside the 13 of "rdsreconcile:". */
	memset(obj, 'a', 51);
	obj[51] = '\0';
	name_of(obj, a, sizeof(a));
	ok(strlen(a) == 64 && strncmp(a, "rdsreconcile:", 13) == 0 &&
	        strcmp(a + 13, obj) == 0,
	    "51 characters: kept, 64 in all");

	/* 52 to 63: hashed, and still at most 64 (these names were taken
	 * under one name and released under another). */
	memset(obj, 'a', 63);
	obj[63] = '\0';
	name_of(obj, a, sizeof(a));
	ok(strlen(a) <= 64 && strncmp(a, "rdsreconcile:", 13) == 0,
	    "63 characters: hashed to at most 64");
	name_of(obj, b, sizeof(b));
	is_str(b, a, "the same object gives the same name every time");
	obj[62] = 'b';
	name_of(obj, b, sizeof(b));
	ok(strcmp(a, b) != 0,
	    "two long names with a common prefix get different locks");
	return tap_done();
}
