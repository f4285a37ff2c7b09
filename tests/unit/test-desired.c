/*
 * test-desired.c - the desired-state parser.
 *
 * Runs from the repository root.  Every tests/desired/good file parses;
 * every bad and refused file fails with the message of its first line
 * ("# expect: LINE:COL: message", prefixed here with "PATH:"); the
 * examples parse to the values they declare; defaults, path resolution,
 * derived names and windows are checked one by one.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired.h"
#include "xmalloc.h"
#include "tap.h"

#define T0	1704067200	/* Monday 2024-01-01 00:00:00 UTC */
#define MIN	60
#define HOUR	3600
#define DAY	86400

static int
yaml_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0;
}

/* The text after "# expect: " on the first line, or NULL. */
static char *
expectation(const char *path)
{
	char line[1024], *r = NULL;
	FILE *f;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL &&
	    strncmp(line, "# expect: ", 10) == 0) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		r = strdup(line + 10);
	}
	fclose(f);
	return r;
}

/* For each .yaml file of dir: parse it and check the verdict. */
static void
corpus(const char *dir, int want_ok)
{
	struct dirent **names = NULL;
	struct desired *d;
	char path[512], want[1400], name[600];
	char *exp;
	size_t n;
	enum rr_err e;
	int i, count;

	count = scandir(dir, &names, yaml_name, alphasort);
	ok(count > 0, dir);
	for (i = 0; i < count; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		e = desired_parse_file(path, &d, &n);
		if (want_ok) {
			snprintf(name, sizeof(name), "%s parses", path);
			if (!ok(e == RR_OK && d != NULL && n >= 1, name))
				printf("#   %s\n", rr_lasterr());
		} else {
			exp = expectation(path);
			snprintf(name, sizeof(name), "%s is refused", path);
			ok(e == RR_ERR_PARSE && d == NULL && n == 0, name);
			snprintf(want, sizeof(want), "%s:%s", path,
			    exp ? exp : "(no '# expect:' line)");
			snprintf(name, sizeof(name), "%s: message", path);
			is_str(rr_lasterr(), want, name);
			free(exp);
		}
		desired_free(d);
		free(names[i]);
	}
	free(names);
}

static void
test_full(void)
{
	struct desired *d = NULL;
	size_t n;

	ok(desired_parse_file("examples/encrypt-full.yaml", &d, &n) == RR_OK,
	    "encrypt-full parses");
	if (d == NULL)
		return;
	is_int(n, 1, "one object");
	ok(d->next == NULL, "list of one");
	is_str(d->path, "examples/encrypt-full.yaml", "path");
	is_str(d->dir, "examples", "dir");
	is_int(d->doc, 0, "doc index");
	is_int(d->mark_name.line, 9, "mark of metadata.name: line");
	is_int(d->mark_name.col, 9, "mark of metadata.name: column");
	is_str(d->name, "prod-db", "name");
	is_str(d->region, "us-east-1", "region");
	is_int(d->strategy, DESIRED_STRATEGY_REPLICA_SNAPSHOT, "strategy");
	is_str(d->source_id, "prod-db", "source");
	is_str(d->target_id, "prod-db-enc", "target");
	is_str(d->kms_key_id,
	    "arn:aws:kms:us-east-1:123456789012:alias/rds-prod", "kms key");
	is_str(d->target_instance_class, "db.r6g.large", "instance class");
	is_str(d->zone_id, "Z0123456789ABC", "zone");
	is_str(d->endpoint_name, "db.internal.example.com.", "endpoint");
	is_int(d->ttl, 5, "ttl");
	is_int(d->binlog_retention_hours, 48, "binlog retention");
	is_str(d->repl_user, "rdsreconcile_repl", "repl user");
	is_int(d->approval, DESIRED_APPROVAL_MANUAL, "approval");
	is_str(d->window_text, "Sun 03:00-05:00, Sat 23:30-Sun 00:30 UTC",
	    "window text");
	is_int(d->windows.n, 2, "two ranges");
	if (d->windows.n == 2) {
		is_int(d->windows.v[0].start, 6 * 1440 + 180, "range 1 start");
		is_int(d->windows.v[0].end, 6 * 1440 + 300, "range 1 end");
		is_int(d->windows.v[1].start, 5 * 1440 + 1410, "range 2 start");
		is_int(d->windows.v[1].end, 6 * 1440 + 30, "range 2 end");
	}
	is_int(d->max_lag_seconds, 1, "max lag");
	is_str(d->postpone_file, "/run/rdsreconcile/prod-db.postpone",
	    "postpone file");
	is_int(d->cutover_timeout_seconds, 60, "cut-over timeout");
	ok(d->delete_temp_replica, "delete temp replica");
	ok(d->delete_unencrypted_snapshot, "delete unencrypted snapshot");
	is_str(d->admin_user, "admin", "admin user");
	is_str(d->admin_password_file, "examples/secrets/admin.sealed",
	    "password file resolved against the file's directory");
	is_str(d->private_key_file, "/etc/rdsreconcile/key", "private key");
	is_str(d->state_dir, "examples/state", "state dir, no final slash");
	is_str(d->hook_before_cutover, "examples/hooks/before.sh", "hook 1");
	is_str(d->hook_after_cutover, "examples/hooks/after.sh", "hook 2");
	is_str(d->hook_on_failure, "examples/hooks/fail.sh", "hook 3");
	is_str(d->temp_replica_id, "prod-db-enc-rr-tmp", "temp replica id");
	is_str(d->snapshot_id, "prod-db-enc-freeze", "snapshot id");
	is_str(d->encrypted_snapshot_id, "prod-db-enc-freeze-enc",
	    "encrypted snapshot id");
	is_str(d->param_group, "prod-db-enc-params", "parameter group");
	desired_free(d);
}

static void
test_defaults(void)
{
	struct desired *d = NULL;
	size_t n;

	ok(desired_parse_file("examples/encrypt-basic.yaml", &d, &n) ==
	    RR_OK, "encrypt-basic parses");
	if (d == NULL)
		return;
	ok(d->region == NULL, "region from the environment");
	is_int(d->strategy, DESIRED_STRATEGY_REPLICA_SNAPSHOT,
	    "default strategy");
	ok(d->target_instance_class == NULL, "class: the source's");
	is_int(d->ttl, 60, "default ttl");
	is_int(d->binlog_retention_hours, 24, "default binlog retention");
	is_str(d->repl_user, "rdsreconcile_repl", "default repl user");
	is_int(d->approval, DESIRED_APPROVAL_MANUAL, "default approval");
	ok(d->window_text == NULL && d->windows.n == 0 &&
	    d->windows.v == NULL, "no window");
	ok(desired_window_contains(d, T0), "no window: any time");
	is_int(desired_window_next(d, T0 + 17), T0 + 17, "no window: now");
	is_int(d->max_lag_seconds, 1, "default max lag");
	is_int(d->max_transaction_seconds, 60, "default max transaction age");
	ok(d->postpone_file == NULL, "no postpone file");
	is_int(d->cutover_timeout_seconds, 60, "default cut-over timeout");
	ok(d->delete_temp_replica && d->delete_unencrypted_snapshot,
	    "default cleanup");
	ok(d->private_key_file == NULL, "key from the environment");
	is_str(d->state_dir, "examples", "default state dir");
	ok(d->hook_before_cutover == NULL && d->hook_after_cutover == NULL &&
	    d->hook_on_failure == NULL, "no hooks");
	desired_free(d);
}

static void
test_demo(void)
{
	struct desired *d = NULL;
	size_t n;

	ok(desired_parse_file("examples/demo.yaml", &d, &n) == RR_OK,
	    "demo parses");
	if (d == NULL)
		return;
	is_str(d->region, "us-east-1", "demo region");
	is_str(d->source_id, "demo-db", "demo source");
	is_str(d->target_id, "demo-db-enc", "demo target");
	is_str(d->kms_key_id, "alias/demo", "demo key");
	is_str(d->zone_id, "Z0000000000DEMO", "demo zone");
	is_int(d->approval, DESIRED_APPROVAL_AUTO, "demo approval");
	desired_free(d);
}

static void
test_good_values(void)
{
	struct desired *d = NULL, *e;
	size_t n;

	ok(desired_parse_file("tests/desired/good/multi.yaml", &d, &n) ==
	    RR_OK, "multi parses");
	is_int(n, 2, "two objects");
	if (d != NULL && d->next != NULL) {
		is_str(d->name, "prod-db", "first object");
		is_str(d->next->name, "billing-db", "second object");
		is_int(d->next->doc, 1, "second document");
		is_int(d->next->mark_name.line, 27, "second name's line");
		ok(d->next->next == NULL, "end of list");
	}
	desired_free(d);

	ok(desired_parse_file("tests/desired/good/case-and-dot.yaml", &d,
	    &n) == RR_OK, "case-and-dot parses");
	if (d != NULL) {
		is_str(d->source_id, "prod-db", "source in lower case");
		is_str(d->target_id, "prod-db-enc", "target in lower case");
		is_str(d->temp_replica_id, "prod-db-enc-rr-tmp",
		    "derived from the lower-case target");
		is_str(d->endpoint_name, "db.internal.example.com.",
		    "endpoint in lower case, one final dot");
	}
	desired_free(d);

	ok(desired_parse_file("tests/desired/good/cleanup-false.yaml", &d,
	    &n) == RR_OK, "cleanup-false parses");
	if (d != NULL)
		ok(!d->delete_temp_replica && !d->delete_unencrypted_snapshot,
		    "false and False");
	desired_free(d);

	ok(desired_parse_file("tests/desired/good/absolute-paths.yaml", &d,
	    &n) == RR_OK, "absolute-paths parses");
	if (d != NULL) {
		is_str(d->admin_password_file, "/etc/rdsreconcile/admin.sealed",
		    "absolute path kept");
		is_str(d->state_dir, "/var/lib/rdsreconcile", "final / dropped");
		is_str(d->hook_on_failure, "tests/desired/good/../fail.sh",
		    "not made canonical");
	}
	desired_free(d);

	ok(desired_parse_file("tests/desired/good/bounds-low.yaml", &d, &n) ==
	    RR_OK, "bounds-low parses");
	if (d != NULL) {
		is_int(d->ttl, 0, "ttl 0");
		is_int(d->max_lag_seconds, 0, "lag 0");
		is_int(d->cutover_timeout_seconds, 1, "timeout 1");
		is_int(d->max_transaction_seconds, 1, "max transaction 1");
		is_int(d->binlog_retention_hours, 1, "retention 1");
	}
	desired_free(d);

	ok(desired_parse_file("tests/desired/good/comments-and-doc-start.yaml",
	    &d, &n) == RR_OK, "signed integer parses");
	if (d != NULL)
		is_int(d->ttl, 5, "+5");
	desired_free(d);

	/* Two lists that are fine alone but not together. */
	d = e = NULL;
	ok(desired_parse_file("tests/desired/good/minimal.yaml", &d, &n) ==
	    RR_OK && desired_parse_file("tests/desired/good/crlf.yaml", &e,
	    &n) == RR_OK, "two files parse");
	if (d != NULL && e != NULL) {
		d->next = e;
		ok(desired_check_set(d) == RR_ERR_PARSE, "same name twice");
		is_str(rr_lasterr(), "tests/desired/good/crlf.yaml:4:9: "
		    "metadata.name 'prod-db' is also the name of the object "
		    "'prod-db' at tests/desired/good/minimal.yaml:4:9",
		    "both positions named");
		desired_free(d);
	} else {
		desired_free(d);
		desired_free(e);
	}
}

static void
test_windows(void)
{
	struct desired *d = NULL;
	size_t n;

	ok(desired_parse_file("tests/desired/good/window-wrap.yaml", &d, &n) ==
	    RR_OK, "window-wrap parses");
	if (d == NULL)
		return;
	is_int(d->approval, DESIRED_APPROVAL_AUTO, "auto");
	is_int(d->windows.n, 4, "four ranges");
	if (d->windows.n == 4) {
		is_int(d->windows.v[0].start, 6 * 1440 + 1380, "Sun 23:00");
		is_int(d->windows.v[0].end, 60, "Mon 01:00 (wraps)");
		is_int(d->windows.v[1].start, 5 * 1440 + 1320, "Sat 22:00");
		is_int(d->windows.v[1].end, 6 * 1440 + 120, "Sun 02:00");
		is_int(d->windows.v[2].start, 4 * 1440, "Fri 00:00");
		is_int(d->windows.v[2].end, 5 * 1440, "Fri 24:00");
		is_int(d->windows.v[3].start, 2 * 1440 + 720, "Wed 12:00");
		is_int(d->windows.v[3].end, 3 * 1440 + 720, "Thu 12:00");
	}
	ok(desired_window_contains(d, T0), "Mon 00:00 in (wrapped)");
	ok(desired_window_contains(d, T0 + HOUR - 1), "Mon 00:59:59 in");
	ok(!desired_window_contains(d, T0 + HOUR), "Mon 01:00 out");
	ok(desired_window_contains(d, T0 + 6 * DAY + 23 * HOUR),
	    "Sun 23:00 in");
	ok(!desired_window_contains(d, T0 + 6 * DAY + 2 * HOUR),
	    "Sun 02:00 out");
	ok(desired_window_contains(d, T0 + 4 * DAY + 23 * HOUR + 59 * MIN),
	    "Fri 23:59 in");
	ok(!desired_window_contains(d, T0 + 2 * DAY + 11 * HOUR),
	    "Wed 11:00 out");
	ok(desired_window_contains(d, T0 + 3 * DAY + 11 * HOUR),
	    "Thu 11:00 in");
	is_int(desired_window_next(d, T0 + HOUR + 30),
	    T0 + 2 * DAY + 12 * HOUR, "next after Mon 01:00:30: Wed 12:00");
	is_int(desired_window_next(d, T0 + 3 * DAY + 13 * HOUR),
	    T0 + 4 * DAY, "next after Thu 13:00: Fri 00:00");
	is_int(desired_window_next(d, T0 + 5 * DAY + HOUR),
	    T0 + 5 * DAY + 22 * HOUR, "next after Sat 01:00: Sat 22:00");
	is_int(desired_window_next(d, T0 + 5), T0 + 5, "inside: now");
	desired_free(d);
}

static const char base[] =
    "apiVersion: rdsreconcile/v1\n"
    "kind: EncryptedInstance\n"
    "metadata: {name: x}\n"
    "spec:\n"
    "  source: {dbInstanceIdentifier: a}\n"
    "  target: {dbInstanceIdentifier: b, kmsKeyId: alias/k}\n"
    "  endpoint: {hostedZoneId: Z1, name: a.b}\n"
    "  credentials: {admin: {user: u, passwordFile: p}}\n";

/* The binlog retention a document gets, and whether it warns; -1 when it
 * does not parse. */
static int
retention_of(const char *replication, int *warned)
{
	struct desired *d = NULL;
	char *text, warn[256];
	int h = -1;

	text = xasprintf("%s  replication: {%s}\n", base, replication);
	if (desired_parse_string("d.yaml", text, strlen(text), &d, NULL) ==
	    RR_OK) {
		h = d->binlog_retention_hours;
		*warned = desired_warning(d, warn, sizeof(warn));
	}
	desired_free(d);
	free(text);
	return h;
}

/* binlogRetentionHours as declared, else twice expectedBuildHours up to
 * RDS's 168, else 24; a warning when it is less than twice the build. */
static void
test_retention(void)
{
	int w = -1;

	ok(retention_of("", &w) == 24 && w == 0,
	    "retention: 24 hours by default, no warning");
	ok(retention_of("expectedBuildHours: 30", &w) == 60 && w == 0,
	    "retention: twice the expected build");
	ok(retention_of("expectedBuildHours: 84", &w) == 168 && w == 0,
	    "retention: 84 hours of build fit in 168");
	ok(retention_of("expectedBuildHours: 100", &w) == 168 && w == 1,
	    "retention: capped at 168, and a warning");
	ok(retention_of("binlogRetentionHours: 12, expectedBuildHours: 10",
	       &w) == 12 &&
	        w == 1,
	    "retention: as declared, with a warning when short");
	ok(retention_of("binlogRetentionHours: 48", &w) == 48 && w == 0,
	    "retention: as declared, no build declared");
	ok(retention_of("expectedBuildHours: 0", &w) == -1,
	    "retention: an expected build of 0 hours is refused");
}

static void
test_strings(void)
{
	struct desired *d = NULL;
	size_t n = 99;
	char *big;

	ok(desired_parse_string("d.yaml", base, sizeof(base) - 1, &d, &n) ==
	    RR_OK, "in-memory text parses");
	if (d != NULL) {
		is_str(d->dir, ".", "no directory: '.'");
		is_str(d->admin_password_file, "p", "relative kept relative");
		is_str(d->state_dir, ".", "state dir '.'");
		is_str(d->endpoint_name, "a.b.", "final dot added");
	}
	desired_free(d);

	ok(desired_parse_string("/d.yaml", base, sizeof(base) - 1, &d, &n) ==
	    RR_OK, "file at the root");
	if (d != NULL)
		is_str(d->admin_password_file, "/p", "resolved under /");
	desired_free(d);

	/* The length is honoured: cut before the credentials. */
	ok(desired_parse_string("d.yaml", base, strstr(base, "  cred") - base,
	    &d, &n) == RR_ERR_PARSE, "length honoured");
	is_str(rr_lasterr(),
	    "d.yaml:4:1: missing required key 'spec.credentials'",
	    "missing at the parent key");
	ok(d == NULL && n == 0, "nothing returned on error");

	ok(desired_parse_string("d.yaml", "", 0, &d, &n) == RR_ERR_PARSE,
	    "empty text");
	is_str(rr_lasterr(), "d.yaml:1:1: no document: the file is empty",
	    "empty text message");

	ok(desired_parse_file("tests/desired/no-such.yaml", &d, &n) ==
	    RR_ERR_IO, "missing file");
	is_str(rr_lasterr(),
	    "tests/desired/no-such.yaml: No such file or directory",
	    "missing file message");

	big = malloc(DESIRED_MAX_FILE + 10);
	if (big != NULL) {
		FILE *f = fopen("build/test-desired-big.yaml", "w");

		memset(big, '#', DESIRED_MAX_FILE + 10);
		if (f != NULL) {
			fwrite(big, 1, DESIRED_MAX_FILE + 10, f);
			fclose(f);
			ok(desired_parse_file("build/test-desired-big.yaml", &d,
			    &n) == RR_ERR_PARSE, "file too large");
			remove("build/test-desired-big.yaml");
		}
		free(big);
	}
	desired_free(NULL);
	ok(1, "desired_free(NULL)");
}

static void
test_helpers(void)
{
	is_str(desired_strategy_name(DESIRED_STRATEGY_REPLICA_SNAPSHOT),
	    "replica-snapshot", "strategy enum in schema order");
	is_str(desired_approval_name(DESIRED_APPROVAL_MANUAL), "manual",
	    "approval enum 0");
	is_str(desired_approval_name(DESIRED_APPROVAL_AUTO), "auto",
	    "approval enum 1");
	is_str(desired_approval_name((enum desired_approval)7), "?",
	    "approval out of range");
	ok(desired_valid_instance_id("a"), "id 'a'");
	ok(desired_valid_instance_id("Prod-db-1"), "id 'Prod-db-1'");
	ok(!desired_valid_instance_id(""), "id ''");
	ok(!desired_valid_instance_id("1a"), "id '1a'");
	ok(!desired_valid_instance_id("a--b"), "id 'a--b'");
	ok(!desired_valid_instance_id("a-"), "id 'a-'");
	ok(!desired_valid_instance_id("a_b"), "id 'a_b'");
	ok(desired_valid_instance_id(
	    "a12345678901234567890123456789012345678901234567890123456789012"),
	    "id of 63");
	ok(!desired_valid_instance_id(
	    "a123456789012345678901234567890123456789012345678901234567890123"),
	    "id of 64");
}

int
main(void)
{
	corpus("tests/desired/good", 1);
	corpus("tests/desired/bad", 0);
	corpus("tests/desired/refused", 0);
	corpus("examples", 1);
	test_full();
	test_defaults();
	test_demo();
	test_good_values();
	test_windows();
	test_strings();
	test_retention();
	test_helpers();
	return tap_done();
}
