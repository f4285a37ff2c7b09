/*
 * test-report.c - diff's and status's output (report.h), the last-action
 * record (lastrun.h) and the gate helper (plan_gates()).
 *
 * Uses the planner cases of tests/plan/ as observations (run from the
 * repository root, as make unit does), and checks that the enums of
 * schemas/plan-v1.schema.json and schemas/status-v1.schema.json are
 * exactly the names the C code emits.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "desired.h"
#include "err.h"
#include "lastrun.h"
#include "observe.h"
#include "observed_json.h"
#include "plan.h"
#include "report.h"
#include "xmalloc.h"
#include "tap.h"

#define CASES		"tests/plan"
#define PLAN_SCHEMA	"schemas/plan-v1.schema.json"
#define STATUS_SCHEMA	"schemas/status-v1.schema.json"
#define MAX_STEPS	64

/* A planner case: its desired object and observation. */
struct pcase {
	struct desired *d;
	struct observed o;
};

static int
load_case(struct pcase *c, const char *name)
{
	char *dp = xasprintf("%s/%s/desired.yaml", CASES, name);
	char *op = xasprintf("%s/%s/observed.json", CASES, name);
	int ok = 0;

	memset(c, 0, sizeof(*c));
	if (desired_parse_file(dp, &c->d, NULL) != RR_OK) {
		printf("# %s: %s\n", dp, rr_lasterr());
		goto out;
	}
	if (observed_from_json(&c->o, op) != RR_OK) {
		printf("# %s: %s\n", op, rr_lasterr());
		goto out;
	}
	ok = 1;
out:
	free(dp);
	free(op);
	return ok;
}

static char *
slurp_stream(FILE *f)
{
	char *s = NULL;
	long n;

	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		return NULL;
	s = xmalloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		return NULL;
	}
	s[n] = '\0';
	return s;
}

/* Lines of text starting with prefix. */
static int
count_lines(const char *text, const char *prefix)
{
	const char *p = text;
	int n = 0;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return n;
}

static void
test_md_escape(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "plain text 'x' 48 hours", "plain text 'x' 48 hours" },
		{ "a|b", "a\\|b" },
		{ "`rm -rf`", "\\`rm -rf\\`" },
		{ "line1\nline2", "line1<br>line2" },
		{ "crlf\r\nend\r", "crlf<br>end<br>" },
		{ "<script>&amp;", "\\<script\\>\\&amp;" },
		{ "*x* _y_ [z](u) ~w~ #1 \\",
		    "\\*x\\* \\_y\\_ \\[z\\](u) \\~w\\~ \\#1 \\\\" },
		{ "", "" },
		{ "…", "…" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = report_md_escape(cases[i].in), name[96];

		snprintf(name, sizeof(name), "md escape case %zu", i + 1);
		is_str(got, cases[i].want, name);
		free(got);
	}
}

/* report_phase() of a case's observation, optionally edited by fn. */
static const char *
phase_of(const char *name, void (*fn)(struct observed *))
{
	static char buf[32];
	struct pcase c;
	struct step next;

	if (!load_case(&c, name)) {
		desired_free(c.d);
		return "(case did not load)";
	}
	if (fn != NULL)
		fn(&c.o);
	plan_next(c.d, &c.o, &next);
	snprintf(buf, sizeof(buf), "%s", report_phase(&c.o, &next));
	desired_free(c.d);
	return buf;
}

/* The snapshot is available and its encrypted copy is being made. */
static void
copying(struct observed *o)
{
	o->freeze.percent = 100;
	snprintf(o->freeze.status, sizeof(o->freeze.status), "available");
	o->copy = o->freeze;
	o->copy.percent = 30;
	snprintf(o->copy.status, sizeof(o->copy.status), "creating");
}

/* The target was just restored: creating, no parameter group yet. */
static void
restoring(struct observed *o)
{
	snprintf(o->target.status, sizeof(o->target.status), "creating");
	o->target_pg_exists = o->target_pg_ours = 0;
	o->target_pg_read_only = TRI_UNKNOWN;
	memset(&o->tgtrepl, 0, sizeof(o->tgtrepl));
	o->tgtrepl.reachable = TRI_NO;
	o->tgtrepl.seconds_behind = -1;
}

static void
test_phase(void)
{
	static const struct {
		const char *name, *want;
		void (*fn)(struct observed *);
	} cases[] = {
		{ "fresh-start", "not-started", NULL },
		{ "wait-source-modifying", "not-started", NULL },
		{ "build-temp-creating", "replica", NULL },
		{ "build-temp-running-stop", "replica", NULL },
		{ "build-temp-stopped-record", "replica", NULL },
		{ "build-snapshot-progress", "snapshot", NULL },
		{ "build-snapshot-progress", "copy", copying },
		{ "build-target-modify", "restore", restoring },
		{ "build-target-modify", "configure", NULL },
		{ "build-target-pending-reboot", "configure", NULL },
		{ "build-repl-create-user", "configure", NULL },
		{ "build-repl-start-at-tag", "configure", NULL },
		{ "build-repl-catching-up", "replicating", NULL },
		{ "build-repl-stopped-resume", "replicating", NULL },
		{ "gate-approval-pending", "replicating", NULL },
		{ "gate-window-outside", "replicating", NULL },
		{ "gate-approved", "replicating", NULL },
		{ "cutover-drop-user", "cutover", NULL },
		{ "cutover-target-behind", "cutover", NULL },
		{ "cutover-insync-wait", "cutover", NULL },
		{ "done-cleanup", "done", NULL },
		{ "done-converged", "done", NULL },
		{ "refuse-source-missing", "blocked", NULL },
		{ "build-repl-error", "blocked", NULL },
		{ "cutover-replication-error", "cutover", NULL },	/* next: abort */
		{ "done-alias-changed", "blocked", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[128];

		snprintf(name, sizeof(name), "phase of %s%s is %s",
		    cases[i].name, cases[i].fn == copying ? " (copying)" :
		    cases[i].fn == restoring ? " (restoring)" : "",
		    cases[i].want);
		is_str(phase_of(cases[i].name, cases[i].fn), cases[i].want,
		    name);
	}
}

static void
test_gates(void)
{
	struct gate_state g;
	struct pcase c;
	struct step s;

	if (!load_case(&c, "gate-window-outside")) {
		ok(0, "gate-window-outside loads");
		desired_free(c.d);
		return;
	}
	plan_gates(c.d, &c.o, &g);
	plan_next(c.d, &c.o, &s);
	ok(g.lag_open && g.approval_open && !g.window_open && g.postpone_open,
	    "gates outside the window: only the window is held");
	is_int(s.kind == STEP_GATE && s.wait == WAIT_GATE_WINDOW, 1,
	    "and the planner holds the cut-over on the window");
	/* Wednesday 2026-11-18 10:30 -> Sunday 03:00. */
	is_int(g.window_next, 1795316400, "window opens next Sun 03:00 UTC");
	c.o.tgtrepl.seconds_behind = (long)c.d->max_lag_seconds + 1;
	plan_gates(c.d, &c.o, &g);
	plan_next(c.d, &c.o, &s);
	ok(!g.lag_open && s.kind == STEP_WAIT && s.wait == WAIT_LAG,
	    "lag above maxLagSeconds: lag gate held, planner waits on lag");
	c.o.tgtrepl.seconds_behind = -1;
	plan_gates(c.d, &c.o, &g);
	ok(!g.lag_open, "unknown lag holds the lag gate");
	desired_free(c.d);

	if (load_case(&c, "gate-approval-pending")) {
		plan_gates(c.d, &c.o, &g);
		ok(!g.approval_open && g.window_open,
		    "manual approval not given: approval held, window open");
		is_int(g.window_next, c.o.now, "open window: next is now");
		c.o.approved = 1;
		plan_gates(c.d, &c.o, &g);
		ok(g.approval_open, "approved: approval open");
	} else
		ok(0, "gate-approval-pending loads");
	desired_free(c.d);

	if (load_case(&c, "done-converged")) {
		json_t *obj;

		plan_next(c.d, &c.o, &s);
		c.o.tgtrepl.seconds_behind = 0;	/* as observe() leaves it */
		plan_gates(c.d, &c.o, &g);
		ok(!c.o.tgtrepl.configured && !g.lag_open,
		    "no replication on the target: lag gate held");
		obj = report_status_object(c.d, &c.o, &s, NULL);
		ok(json_is_null(json_object_get(obj, "lagSeconds")),
		    "no replication on the target: lagSeconds null");
		json_decref(obj);
	} else
		ok(0, "done-converged loads");
	desired_free(c.d);

	if (load_case(&c, "gate-postponed")) {
		plan_gates(c.d, &c.o, &g);
		ok(!g.postpone_open, "postpone file present: postpone held");
	} else
		ok(0, "gate-postpone loads");
	desired_free(c.d);
}

/* The value at the path of keys (NULL-terminated) under v, or NULL. */
static const json_t *
at(const json_t *v, ...)
{
	const char *k;
	va_list ap;

	va_start(ap, v);
	while (v != NULL && (k = va_arg(ap, const char *)) != NULL)
		v = json_object_get(v, k);
	va_end(ap);
	return v;
}

static int
enum_has(const json_t *e, const char *s)
{
	size_t i;

	for (i = 0; i < json_array_size(e); i++)
		if (json_is_string(json_array_get(e, i)) && strcmp(
		    json_string_value(json_array_get(e, i)), s) == 0)
			return 1;
	return 0;
}

/* names[0..n) are exactly the strings of e (duplicates in names ok). */
static void
same_set(const json_t *e, const char *const *names, size_t n,
    const char *what)
{
	size_t i, strings = 0;
	int missing = 0;
	char name[128];

	for (i = 0; i < n; i++)
		if (!enum_has(e, names[i])) {
			printf("#   %s: '%s' missing from the schema\n", what,
			    names[i]);
			missing = 1;
		}
	for (i = 0; i < json_array_size(e); i++) {
		size_t k;
		int found = 0;

		if (!json_is_string(json_array_get(e, i)))
			continue;
		strings++;
		for (k = 0; k < n; k++)
			found |= strcmp(json_string_value(json_array_get(e, i)),
			    names[k]) == 0;
		if (!found) {
			printf("#   %s: schema has '%s', the code never says "
			    "it\n", what, json_string_value(
			    json_array_get(e, i)));
			missing = 1;
		}
	}
	snprintf(name, sizeof(name), "schema enum of %s is what the code "
	    "emits (%zu names)", what, strings);
	ok(strings > 0 && !missing, name);
}

static void
test_schema_enums(void)
{
	static const char *const phases[] = { "not-started", "replica",
		"snapshot", "copy", "restore", "configure", "replicating",
		"cutover", "done", "blocked" };
	const char *names[64];
	json_error_t jerr;
	json_t *plan, *status;
	size_t n;
	int i;

	plan = json_load_file(PLAN_SCHEMA, 0, &jerr);
	status = json_load_file(STATUS_SCHEMA, 0, &jerr);
	if (!ok(plan != NULL && status != NULL, "both schemas load"))
		goto out;

	for (n = 0, i = ACT_NONE + 1; i < ACT__COUNT; i++)
		names[n++] = action_name(i);
	same_set(at(plan, "$defs", "action", "enum", NULL), names, n,
	    "action");

	for (n = 0, i = WAIT_NONE + 1; i <= WAIT_GATE_DDL; i++)
		names[n++] = wait_name(i);
	same_set(at(plan, "$defs", "waitsOn", "enum", NULL), names, n,
	    "waitsOn");

	for (n = 0, i = STEP_CONVERGED; i <= STEP_BLOCKED; i++)
		names[n++] = step_kind_name(i);
	same_set(at(plan, "$defs", "kind", "enum", NULL), names, n, "kind");

	for (n = 0, i = REPORT_CONVERGED; i <= REPORT_ERROR; i++)
		names[n++] = report_status_name(i);
	same_set(at(plan, "$defs", "status", "enum", NULL), names, n,
	    "status");

	for (n = 0, i = RR_OK; i < RR_ERR__COUNT; i++)
		names[n++] = rr_errname(i);
	same_set(at(status, "$defs", "lastAction", "properties", "result",
	    "enum", NULL), names, n, "lastAction.result");

	same_set(at(status, "$defs", "statusObject", "properties", "phase",
	    "enum", NULL), phases, sizeof(phases) / sizeof(phases[0]),
	    "phase");
out:
	json_decref(plan);
	json_decref(status);
}

static void
test_plan_documents(void)
{
	struct step steps[MAX_STEPS];
	struct pcase c;
	json_t *objs, *doc, *obj;
	char *md = NULL;
	FILE *f;
	size_t n;

	if (!load_case(&c, "fresh-start")) {
		ok(0, "fresh-start loads");
		desired_free(c.d);
		return;
	}
	n = plan_all(c.d, &c.o, steps, MAX_STEPS);
	obj = report_plan_object(c.d, steps, n);
	is_str(json_string_value(json_object_get(obj, "status")), "pending",
	    "fresh-start: status pending");
	is_int(json_array_size(json_object_get(obj, "steps")), n,
	    "fresh-start: one JSON step per planned step");
	is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(obj, "steps"), 0), "action")),
	    "set-binlog-retention", "first step's action");
	ok(json_is_null(json_object_get(json_array_get(json_object_get(obj,
	    "steps"), 0), "waitsOn")), "an act step waits on null");
	is_int(json_integer_value(json_object_get(
	           json_object_get(json_array_get(json_object_get(obj, "steps"),
	                               0),
	               "arguments"),
	           "binlogRetentionHours")),
	    c.d->binlog_retention_hours,
	    "first step's arguments: the retention it sends");
	ok(json_is_null(
	       json_object_get(json_array_get(json_object_get(obj, "steps"),
	                           n - 1),
	           "arguments")),
	    "a converged step has no "
	    "arguments");

	objs = json_array();
	json_array_append_new(objs, obj);
	desired_free(c.d);
	if (load_case(&c, "done-converged")) {
		n = plan_all(c.d, &c.o, steps, MAX_STEPS);
		json_array_append_new(objs, report_plan_object(c.d, steps, n));
		json_array_append_new(objs, report_plan_error_object(c.d,
		    "observing: cannot reach 'x' | `y`"));
	}
	doc = report_document(objs, NULL, 2);
	if ((f = tmpfile()) != NULL) {
		report_plan_markdown(f, doc);
		md = slurp_stream(f);
		fclose(f);
	}
	ok(md != NULL, "markdown written");
	if (md != NULL) {
		is_int(count_lines(md, "| "), (long long)(1 +
		    json_array_size(json_object_get(json_array_get(objs, 0),
		    "steps"))), "markdown: a header and one row per step of "
		    "the pending object, none for converged or failed");
		ok(strstr(md, "| 1 | \\~ | **set-binlog-retention**: keep "
		    "binary logs 48 hours on the source | mysql.rds\\_set\\_"
		    "configuration |") != NULL, "markdown: first row");
		ok(strstr(md, "**shop-db** (shop-db → shop-db-enc): "
		    "converged: ") != NULL, "markdown: converged in one line");
		ok(strstr(md, "**error**: observing: cannot reach 'x' \\| "
		    "\\`y\\`") != NULL, "markdown: error escaped");
		ok(strstr(md, "3 objects: 1 pending, 1 error, 1 converged "
		    "(exit 2)") != NULL, "markdown: the counts");
		ok(strstr(md, "waits on **approval**: cutover.approval is "
		    "manual |") != NULL, "markdown: a gate says what it "
		    "waits on");
	}
	free(md);
	json_decref(doc);
	desired_free(c.d);
}

static void
test_status_object(void)
{
	struct lastrun last;
	struct pcase c;
	struct step next;
	json_t *obj, *g;

	if (!load_case(&c, "gate-window-outside")) {
		ok(0, "gate-window-outside loads");
		desired_free(c.d);
		return;
	}
	plan_next(c.d, &c.o, &next);
	memset(&last, 0, sizeof(last));
	snprintf(last.time, sizeof(last.time), "2026-11-18T10:00:00Z");
	snprintf(last.action, sizeof(last.action), "start-replication");
	snprintf(last.result, sizeof(last.result), "ok");
	obj = report_status_object(c.d, &c.o, &next, &last);
	g = json_object_get(obj, "gates");
	is_str(json_string_value(json_object_get(obj, "phase")), "replicating",
	    "status: phase");
	is_str(json_string_value(json_object_get(json_object_get(obj, "next"),
	    "waitsOn")), "window", "status: next step is the window gate");
	is_str(json_string_value(json_object_get(json_object_get(g, "window"),
	    "nextOpen")), "2026-11-22T03:00:00Z", "status: window nextOpen");
	is_str(json_string_value(json_object_get(json_object_get(g, "window"),
	    "state")), "held", "status: window held");
	is_str(json_string_value(json_object_get(json_object_get(g,
	    "approval"), "state")), "open", "status: auto approval open");
	is_str(json_string_value(json_object_get(json_object_get(obj,
	    "lastAction"), "action")), "start-replication",
	    "status: last action");
	json_decref(obj);
	desired_free(c.d);
}

static void
test_lastrun(void)
{
	char dir[] = "/tmp/rr-test-lastrun.XXXXXX", *path = NULL;
	struct lastrun r;
	struct pcase c;
	struct step s;
	struct stat st;
	FILE *f;

	if (mkdtemp(dir) == NULL || !load_case(&c, "fresh-start")) {
		ok(0, "lastrun: temporary directory and case");
		return;
	}
	free(c.d->state_dir);
	c.d->state_dir = xasprintf("%s/state", dir);
	path = lastrun_path(c.d);

	is_int(lastrun_read(c.d, &r), RR_ERR_NOT_FOUND,
	    "lastrun: none yet is RR_ERR_NOT_FOUND");
	plan_next(c.d, &c.o, &s);
	is_int(lastrun_write(c.d, &s, RR_OK, 1795316400), RR_OK,
	    "lastrun: written (state dir created)");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "lastrun: file mode 0600");
	is_int(lastrun_read(c.d, &r), RR_OK, "lastrun: read back");
	is_str(r.time, "2026-11-22T03:00:00Z", "lastrun: time RFC 3339 UTC");
	is_str(r.action, "set-binlog-retention", "lastrun: action");
	is_str(r.what, s.what, "lastrun: what");
	is_str(r.result, "ok", "lastrun: result ok");

	is_int(lastrun_write(c.d, &s, RR_ERR_DB, 1795316401), RR_OK,
	    "lastrun: replaced");
	is_int(lastrun_read(c.d, &r), RR_OK, "lastrun: read again");
	is_str(r.result, "db", "lastrun: result names the error code");
	{
		char *tmpl = xasprintf("%s/state", dir);
		char cmd[256];
		int leftovers;

		snprintf(cmd, sizeof(cmd), "ls -A '%s' | grep -vx "
		    "'shop-db.last.json' | grep -q .", tmpl);
		leftovers = system(cmd) == 0;
		ok(!leftovers, "lastrun: no temporary file left behind");
		free(tmpl);
	}

	s.kind = STEP_WAIT;
	s.action = ACT_NONE;
	is_int(lastrun_write(c.d, &s, RR_OK, 1), RR_ERR_INTERNAL,
	    "lastrun: a wait is not an action");

	if ((f = fopen(path, "w")) != NULL) {
		fputs("{\"time\": \"x\", \"action\": \"rm -rf\", \"what\": "
		    "\"\", \"result\": \"ok\"}\n", f);
		fclose(f);
	}
	is_int(lastrun_read(c.d, &r), RR_ERR_PARSE,
	    "lastrun: a record of an unknown action is refused");
	if ((f = fopen(path, "w")) != NULL) {
		fputs("not json", f);
		fclose(f);
	}
	is_int(lastrun_read(c.d, &r), RR_ERR_PARSE,
	    "lastrun: garbage is RR_ERR_PARSE");

	unlink(path);
	free(path);
	path = xasprintf("%s/state", dir);
	rmdir(path);
	rmdir(dir);
	free(path);
	desired_free(c.d);
}

int
main(void)
{
	test_md_escape();
	test_phase();
	test_gates();
	test_schema_enums();
	test_plan_documents();
	test_status_object();
	test_lastrun();
	return tap_done();
}
