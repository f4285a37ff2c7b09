/*
 * binlog-pos.c - binary log coordinates: parse and order them
 * (binlog-pos.h).  The planner's waits and the stop-replication safety
 * check both order positions here, so they cannot disagree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binlog-pos.h"
#include "err.h"

int
binlog_pos_parse(struct binlog_pos *p, const char *file, const char *pos)
{
	unsigned long long v = 0;
	size_t len;
	char *end;

	memset(p, 0, sizeof(*p));
	if (file == NULL)
		file = "";
	len = strlen(file);
	if (len >= sizeof(p->file)) {
		rr_seterr(RR_ERR_PARSE,
		    "binlog file name '%.40s...' is longer "
		    "than %zu bytes",
		    file, sizeof(p->file) - 1);
		return -1;
	}
	if (pos != NULL) {
		if (pos[0] < '0' || pos[0] > '9') {
			rr_seterr(RR_ERR_PARSE,
			    "binlog position '%.40s' is "
			    "not a decimal number",
			    pos);
			return -1;
		}
		errno = 0;
		v = strtoull(pos, &end, 10);
		if (errno != 0 || *end != '\0') {
			rr_seterr(RR_ERR_PARSE,
			    "binlog position '%.40s' is "
			    "not a decimal number",
			    pos);
			return -1;
		}
	}
	memcpy(p->file, file, len + 1);
	p->pos = v;
	return 0;
}

int
binlog_pos_set(struct binlog_pos *p, const char *file, uint64_t pos)
{
	size_t len = file != NULL ? strlen(file) : 0;

	memset(p, 0, sizeof(*p));
	if (len >= sizeof(p->file)) {
		rr_seterr(RR_ERR_PARSE,
		    "binlog file name '%.40s...' is longer "
		    "than %zu bytes",
		    file, sizeof(p->file) - 1);
		return -1;
	}
	if (len > 0)
		memcpy(p->file, file, len + 1);
	p->pos = pos;
	return 0;
}

/*
 * The numeric suffix of a file name: the digits after its last '.', as a
 * pointer into name with leading zeros skipped, and their count.  Returns 0
 * when there is none (no '.', nothing after it, or a non-digit).
 */
static int
numeric_suffix(const char *name, const char **digits, size_t *n)
{
	const char *dot = strrchr(name, '.'), *q;

	if (dot == NULL || dot[1] == '\0')
		return 0;
	for (q = dot + 1; *q != '\0'; q++)
		if (*q < '0' || *q > '9')
			return 0;
	for (q = dot + 1; *q == '0' && q[1] != '\0'; q++)
		;
	*digits = q;
	*n = strlen(q);
	return 1;
}

int
binlog_pos_cmp(const struct binlog_pos *a, const struct binlog_pos *b)
{
	const char *da, *db;
	size_t na, nb;
	int c;

	if (numeric_suffix(a->file, &da, &na) &&
	    numeric_suffix(b->file, &db, &nb)) {
		if (na != nb)
			return na < nb ? -1 : 1;
		if ((c = memcmp(da, db, na)) != 0)
			return c < 0 ? -1 : 1;
	}
	if ((c = strcmp(a->file, b->file)) != 0)
		return c < 0 ? -1 : 1;
	if (a->pos != b->pos)
		return a->pos < b->pos ? -1 : 1;
	return 0;
}
