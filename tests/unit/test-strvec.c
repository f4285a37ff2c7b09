/* test-strvec.c - the string vector: order, growth, ownership, release. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strvec.h"
#include "tap.h"

static void
test_empty(void)
{
	struct strvec sv = { NULL, 0, 0 }, z;

	ok(sv.v == NULL && sv.n == 0 && sv.alloc == 0,
	    "{ NULL, 0, 0 } is empty");
	strvec_clear(&sv);
	ok(sv.v == NULL && sv.n == 0 && sv.alloc == 0,
	    "clearing an empty vector leaves it empty");
	strvec_clear(NULL);
	ok(1, "strvec_clear(NULL) is a no-op");

	memset(&z, 0xa5, sizeof(z));
	strvec_init(&z);
	ok(z.v == NULL && z.n == 0 && z.alloc == 0,
	    "strvec_init empties whatever was there");
	memset(&z, 0, sizeof(z));
	strvec_push(&z, "x");
	is_str(z.v[0], "x", "a zeroed struct takes a push");
	strvec_clear(&z);
}

static void
test_order_and_copies(void)
{
	struct strvec sv = { NULL, 0, 0 };
	char buf[16];
	const char *got;

	snprintf(buf, sizeof(buf), "alpha");
	got = strvec_push(&sv, buf);
	ok(got == sv.v[0], "push returns the stored string");
	ok(got != buf, "push stores a copy, not the caller's pointer");
	snprintf(buf, sizeof(buf), "changed");
	is_str(sv.v[0], "alpha", "the copy does not follow the buffer");

	strvec_push(&sv, "beta");
	strvec_push(&sv, "");
	is_int(sv.n, 3, "three strings");
	is_str(sv.v[0], "alpha", "first in push order");
	is_str(sv.v[1], "beta", "second in push order");
	is_str(sv.v[2], "", "an empty string is kept");
	ok(sv.v[3] == NULL, "v[n] is NULL");
	ok(sv.alloc >= sv.n + 1, "alloc counts the terminator's slot");
	strvec_clear(&sv);
	ok(sv.v == NULL && sv.n == 0 && sv.alloc == 0, "clear empties it");

	strvec_push(&sv, "again");
	ok(sv.n == 1 && strcmp(sv.v[0], "again") == 0 && sv.v[1] == NULL,
	    "a cleared vector is reusable");
	strvec_clear(&sv);
}

static void
test_growth(void)
{
	struct strvec sv = { NULL, 0, 0 };
	char want[32];
	size_t i, bad = 0, grew = 0, alloc = 0;

	for (i = 0; i < 1000; i++) {
		snprintf(want, sizeof(want), "item-%zu", i);
		strvec_push(&sv, want);
		if (sv.alloc != alloc) {
			grew++;
			alloc = sv.alloc;
		}
		if (sv.v[sv.n] != NULL || sv.alloc < sv.n + 1)
			bad++;
	}
	is_int(sv.n, 1000, "1000 pushes, 1000 strings");
	is_int(bad, 0, "NULL-terminated with room after every push");
	ok(grew > 1 && grew < 20, "the array grows geometrically, not by one");
	for (i = 0; i < sv.n; i++) {
		snprintf(want, sizeof(want), "item-%zu", i);
		if (strcmp(sv.v[i], want) != 0)
			bad++;
	}
	is_int(bad, 0, "every string kept its place through the growth");
	strvec_clear(&sv);
}

static void
test_pushf(void)
{
	struct strvec sv = { NULL, 0, 0 };
	const char *got;

	got = strvec_pushf(&sv, "%s=%d", "KEY", 42);
	is_str(got, "KEY=42", "pushf formats");
	ok(got == sv.v[0] && sv.n == 1 && sv.v[1] == NULL,
	    "pushf appends like push");
	strvec_push(&sv, "plain");
	strvec_pushf(&sv, "%s", "");
	is_int(sv.n, 3, "push and pushf mix");
	is_str(sv.v[2], "", "pushf of an empty result is kept");
	strvec_clear(&sv);
}

static void
test_view(void)
{
	char *mine[] = { "a", "b" };
	struct strvec view = { mine, 2, 0 };
	const struct strvec *r = &view;

	ok(r->n == 2 && strcmp(r->v[1], "b") == 0,
	    "a borrowed view reads the caller's array");
	ok(r->v == mine, "and does not copy it");
}

int
main(void)
{
	test_empty();
	test_order_and_copies();
	test_growth();
	test_pushf();
	test_view();
	return tap_done();
}
