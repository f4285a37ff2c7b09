/*
 * test-binlog-pos.c - binary log coordinates (binlog-pos.h): the one
 * parser and the one order the planner and the db layer share.
 */
#include <stdio.h>
#include <string.h>

#include "binlog-pos.h"
#include "tap.h"

static int
pos_cmp(const char *fa, unsigned long long pa, const char *fb,
    unsigned long long pb)
{
	struct binlog_pos a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	snprintf(a.file, sizeof(a.file), "%s", fa);
	snprintf(b.file, sizeof(b.file), "%s", fb);
	a.pos = pa;
	b.pos = pb;
	return binlog_pos_cmp(&a, &b);
}

static void
test_parse_and_order(void)
{
	struct binlog_pos p;

	ok(binlog_pos_parse(&p, "mysql-bin.000012", "4567") == 0 &&
	        strcmp(p.file, "mysql-bin.000012") == 0 && p.pos == 4567,
	    "binlog_pos_parse: file and position");
	ok(binlog_pos_parse(&p, NULL, NULL) == 0 && p.file[0] == '\0' &&
	        p.pos == 0,
	    "binlog_pos_parse: NULL columns are unknown");
	ok(binlog_pos_parse(&p, "f.1", "12x") == -1 &&
	        binlog_pos_parse(&p, "f.1", "-1") == -1 &&
	        binlog_pos_parse(&p, "f.1", "") == -1 &&
	        binlog_pos_parse(&p, "f.1", "99999999999999999999999") == -1,
	    "binlog_pos_parse: refuses a bad position");
	ok(binlog_pos_parse(&p,
	       "x.00000000000000000000000000000000000000000"
	       "0000000000000000000000000000000000000000000000000000000000000000"
	       "00000000000000000000000000000000000000000000000000000001",
	       "4") == -1,
	    "binlog_pos_parse: refuses a file name that does not fit");

	ok(pos_cmp("mysql-bin.000003", 9000, "mysql-bin.000010", 4) < 0,
	    "binlog_pos_cmp: numeric suffix first");
	ok(pos_cmp("mysql-bin.999999", 9, "mysql-bin.1000000", 4) < 0,
	    "binlog_pos_cmp: suffix compared as a number, not as text");
	ok(pos_cmp("mysql-bin.000010", 4, "mysql-bin.000003", 9000) > 0,
	    "binlog_pos_cmp: and the other way");
	ok(pos_cmp("mysql-bin.000003", 120, "mysql-bin.000003", 120) == 0,
	    "binlog_pos_cmp: equal");
	ok(pos_cmp("mysql-bin.000003", 120, "mysql-bin.000003", 121) < 0,
	    "binlog_pos_cmp: same file, by position");
	ok(pos_cmp("a-bin.000003", 5, "b-bin.000003", 4) < 0,
	    "binlog_pos_cmp: same number, by name");
	ok(pos_cmp("binlog", 5, "binlog", 4) > 0 &&
	        pos_cmp("binlog-a", 9, "binlog-b", 4) < 0,
	    "binlog_pos_cmp: no numeric suffix, by name then position");
	ok(pos_cmp("", 0, "mysql-bin.000001", 4) < 0,
	    "binlog_pos_cmp: unknown is before any file");
}

/* Roll-over: the number grows a digit; text order would go backwards. */
static void
test_rollover(void)
{
	ok(pos_cmp("mysql-bin-changelog.999999", 4,
	       "mysql-bin-changelog.1000000", 4) < 0,
	    "roll-over: .999999 before .1000000");
	ok(pos_cmp("mysql-bin-changelog.1000000", 4,
	       "mysql-bin-changelog.999999", 900) > 0,
	    "roll-over: and not the other way, whatever the positions");
	ok(pos_cmp("bin.000010", 4, "bin.000009", 900) > 0 &&
	        pos_cmp("bin.000009", 4, "bin.000009", 900) < 0,
	    "the file first, then the position");
	ok(pos_cmp("bin.9", 4, "bin.000010", 4) < 0,
	    "leading zeros do not count");
}

/* Two basenames (a server whose log-bin changed, or another server's
 * file): a total order that both callers agree on. */
static void
test_basenames(void)
{
	ok(pos_cmp("mysql-bin.000002", 4, "mysql-bin-changelog.000010", 4) < 0,
	    "basenames differ: the number decides");
	ok(pos_cmp("mysql-bin-changelog.000010", 4, "mysql-bin.000002", 4) > 0,
	    "basenames differ: and the other way");
	ok(pos_cmp("a-bin.000003", 5, "b-bin.000003", 4) < 0 &&
	        pos_cmp("b-bin.000003", 4, "a-bin.000003", 5) > 0,
	    "same number: the name decides, antisymmetric");
	ok(pos_cmp("binlog", 7, "mysql-bin.000001", 4) < 0 &&
	        pos_cmp("mysql-bin.000001", 4, "binlog", 7) > 0,
	    "a file without a number orders by name against one with it");
}

static void
test_set(void)
{
	struct binlog_pos p;
	char longname[200];

	ok(binlog_pos_set(&p, "mysql-bin.000012", 4567) == 0 &&
	        strcmp(p.file, "mysql-bin.000012") == 0 && p.pos == 4567,
	    "binlog_pos_set: file and position");
	ok(binlog_pos_set(&p, NULL, 9) == 0 && p.file[0] == '\0' && p.pos == 9,
	    "binlog_pos_set: NULL file is unknown");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ok(binlog_pos_set(&p, longname, 4) == -1,
	    "binlog_pos_set: refuses a file name that does not fit");
}

int
main(void)
{
	test_parse_and_order();
	test_rollover();
	test_basenames();
	test_set();
	return tap_done();
}
