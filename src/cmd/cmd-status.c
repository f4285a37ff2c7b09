/*
 * cmd-status.c - `rdsreconcile status`: where each object stands.
 *
 * Observes (read-only, like diff) and prints per object its phase, the
 * next step, the target's replication lag, snapshot and copy progress,
 * the cut-over gates as the planner weighs them (plan_gates()) and the
 * last action a run recorded (lastrun.h).  Exit 0 when every object
 * could be observed, 1 otherwise: status reports, it does not judge.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cmd.h"
#include "desired.h"
#include "lastrun.h"
#include "objects.h"
#include "reconcile.h"
#include "report.h"
#include "xmalloc.h"

enum { OPT_OUTPUT = 'o' };

static const struct option status_opts[] = {
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ NULL, 0, NULL, 0 },
};

struct status_run {
	enum report_format format;
	json_t *objects;	/* json: one report_status_object() each */
	char *error;		/* why the files could not be loaded */
};

/* d's last action into *last; NULL when there is none or it is unusable
 * (a warning then: it is audit only and must not fail status). */
static const struct lastrun *
last_action(const struct desired *d, struct lastrun *last)
{
	enum rr_err e;

	if ((e = lastrun_read(d, last)) == RR_OK)
		return last;
	if (e != RR_ERR_NOT_FOUND)
		fprintf(stderr, "rdsreconcile: %s: warning: %s\n", d->name,
		    rr_lasterr());
	return NULL;
}

/* Print obj (text) or keep it (json); the reference is stolen. */
static void
emit(struct status_run *run, json_t *obj)
{
	if (run->format == REPORT_TEXT) {
		report_status_text(stdout, obj);
		json_decref(obj);
		return;
	}
	json_array_append_new(run->objects, obj);
}

static int
status_object(struct rr_ctx *c, void *arg)
{
	struct status_run *run = arg;
	const struct lastrun *lp;
	struct lastrun last;
	struct observed o;
	struct step next;
	size_t n;

	if (reconcile_observe_plan(c, NULL, &o, &next, 1, &n) != RR_OK) {
		char *why = xstrdup(rr_lasterr());

		fprintf(stderr, "rdsreconcile: %s: observing: %s\n",
		    c->d->name, why);
		lp = last_action(c->d, &last);
		emit(run, report_status_error_object(c->d, why, lp));
		free(why);
		return EXIT_FAILED;
	}
	lp = last_action(c->d, &last);
	emit(run, report_status_object(c->d, &o, &next, lp));
	return EXIT_CONVERGED;
}

static void
status_failed(const struct desired *d, const char *why, void *arg)
{
	struct status_run *run = arg;
	const struct lastrun *lp;
	struct lastrun last;
	char *w = xstrdup(why);

	if (d == NULL) {
		free(run->error);
		run->error = w;
		return;
	}
	lp = last_action(d, &last);
	emit(run, report_status_error_object(d, w, lp));
	free(w);
}

static int
status_exec(const struct cmd_args *args)
{
	struct status_run run = { REPORT_TEXT, NULL, NULL };
	struct objects_visitor v = { status_object, status_failed, &run };
	struct reconcile_opts opts;
	const char *fmt;
	json_t *doc;
	int rc;

	if ((fmt = cmd_args_get(args, OPT_OUTPUT)) != NULL &&
	    report_format_parse(fmt, REPORT_ALLOW(REPORT_TEXT) |
	    REPORT_ALLOW(REPORT_JSON), &run.format) != 0) {
		fprintf(stderr, "rdsreconcile status: --output takes text or "
		    "json, not '%s'\n", fmt);
		return EXIT_USAGE;
	}
	if ((rc = objects_opts_parse(args, &opts)) != EXIT_CONVERGED)
		return rc;
	/* status never mutates: the AWS client refuses too. */
	opts.dry_run = 1;
	run.objects = json_array();
	rc = objects_run(args, &opts, &v);
	if (run.format == REPORT_JSON) {
		doc = report_document(json_incref(run.objects), run.error, rc);
		if (report_print_json(stdout, doc) != 0) {
			fprintf(stderr, "rdsreconcile status: cannot write the "
			    "output\n");
			rc = EXIT_FAILED;
		}
		json_decref(doc);
	}
	json_decref(run.objects);
	free(run.error);
	return rc;
}

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "[--output text|json] FILE|DIR...",
	.summary = "show where each object stands; mutate nothing",
	.help =
	    "Observe the world, as diff does, and show for each object:\n"
	    "  phase     not-started, replica, snapshot, copy, restore, "
	    "configure,\n"
	    "            replicating, cutover, done, or blocked\n"
	    "  next      the next step apply would take\n"
	    "  lag       the target's replication lag, seconds\n"
	    "  snapshot, copy   PercentProgress while they exist\n"
	    "  gates     approval, window (with its next opening, UTC), lag "
	    "against\n"
	    "            maxLagSeconds, postpone file, transaction (the "
	    "source's oldest\n"
	    "            against maxTransactionSeconds), ddl (DDL or a "
	    "metadata-lock\n"
	    "            wait on the source): open or held\n"
	    "  last      the last action a run took, when, and its result "
	    "(from\n"
	    "            STATE_DIR/NAME.last.json)\n"
	    "Nothing is changed.\n"
	    "\noptions:\n"
	    "  -o, --output FORMAT  text (the default: a block per object) or "
	    "json\n"
	    "                       (one document for all objects, schema\n"
	    "                       schemas/status-v1.schema.json)\n"
	    "\nexit status: 0 every object was observed (whatever its phase, "
	    "blocked\nincluded), 1 an object could not be observed or a file "
	    "not loaded,\n64 usage.\n",
	.optstring = "o:",
	.longopts = status_opts,
	.min_args = 1,
	.max_args = -1,
	.flags = CMD_NEEDS_AWS,
	.exec = status_exec,
};
