/*
 * cmd-diff.c - `rdsreconcile diff`: observe and print every step that
 * remains, in order, from the same planner apply runs.  Mutates nothing.
 * Exit codes as terraform plan -detailed-exitcode: 0 converged, 1 error
 * (a blocked plan included), 2 changes pending.
 *
 * --output text prints each object as it is observed; json and markdown
 * collect every object and print one document at the end (report.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "desired.h"
#include "objects.h"
#include "reconcile.h"
#include "report.h"
#include "xmalloc.h"

#define DIFF_MAX_STEPS PLAN_MAX_STEPS

enum { OPT_OUTPUT = 'o' };

static const struct option diff_opts[] = {
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "timeout", required_argument, NULL, OBJECTS_OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

/* What one invocation collects for json and markdown. */
struct diff_run {
	enum report_format format;
	json_t *objects;	/* one report_plan_object() per object */
	char *error;		/* why the files could not be loaded */
};

static int
use_colour(void)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

static int
diff_object(struct rr_ctx *c, void *arg)
{
	struct diff_run *run = arg;
	struct step *steps;
	struct observed o;
	enum report_status st;
	size_t n;
	int rc = EXIT_FAILED;

	/* On the heap: a step carries every argument, tags included. */
	steps = xcalloc(DIFF_MAX_STEPS, sizeof(*steps));
	if (reconcile_observe_plan(c, NULL, &o, steps, DIFF_MAX_STEPS, &n) !=
	    RR_OK) {
		fprintf(stderr, "rdsreconcile: %s: observing: %s\n",
		    c->d->name, rr_lasterr());
		if (run->format != REPORT_TEXT)
			json_array_append_new(run->objects,
			    report_plan_error_object(c->d, rr_lasterr()));
		goto out;
	}
	if (run->format == REPORT_TEXT)
		report_plan_text(stdout, c->d, steps, n, use_colour());
	else
		json_array_append_new(run->objects,
		    report_plan_object(c->d, steps, n));
	st = report_plan_status(steps, n);
	rc = st == REPORT_CONVERGED ? EXIT_CONVERGED
	    : st == REPORT_PENDING  ? EXIT_PENDING
	                            : EXIT_FAILED;
out:
	free(steps);
	return rc;
}

static void
diff_failed(const struct desired *d, const char *why, void *arg)
{
	struct diff_run *run = arg;

	if (run->format == REPORT_TEXT)
		return;
	if (d == NULL) {
		free(run->error);
		run->error = xstrdup(why);
		return;
	}
	json_array_append_new(run->objects, report_plan_error_object(d, why));
}

/* Print the collected document; -1 on a write error. */
static int
diff_print(const struct diff_run *run, int rc)
{
	json_t *doc;
	int r = 0;

	doc = report_document(json_incref(run->objects), run->error, rc);
	if (run->format == REPORT_JSON)
		r = report_print_json(stdout, doc);
	else {
		report_plan_markdown(stdout, doc);
		r = fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
	}
	json_decref(doc);
	return r;
}

static int
diff_exec(const struct cmd_args *args)
{
	struct diff_run run = { REPORT_TEXT, NULL, NULL };
	struct objects_visitor v = { diff_object, diff_failed, &run };
	struct reconcile_opts opts;
	const char *fmt;
	int rc;

	if ((fmt = cmd_args_get(args, OPT_OUTPUT)) != NULL &&
	    report_format_parse(fmt, REPORT_ALLOW(REPORT_TEXT) |
	    REPORT_ALLOW(REPORT_JSON) | REPORT_ALLOW(REPORT_MARKDOWN),
	    &run.format) != 0) {
		fprintf(stderr, "rdsreconcile diff: --output takes text, json "
		    "or markdown, not '%s'\n", fmt);
		return EXIT_USAGE;
	}
	if ((rc = objects_opts_parse(args, &opts)) != EXIT_CONVERGED)
		return rc;
	/* diff never mutates: the AWS client refuses too. */
	opts.dry_run = 1;
	run.objects = json_array();
	rc = objects_run(args, &opts, &v);
	if (run.format != REPORT_TEXT && diff_print(&run, rc) != 0) {
		fprintf(stderr, "rdsreconcile diff: cannot write the output\n");
		rc = EXIT_FAILED;
	}
	json_decref(run.objects);
	free(run.error);
	return rc;
}

const struct cmd_entry cmd_diff_entry = {
	.name = "diff",
	.usage = "[--output text|json|markdown] FILE|DIR...",
	.summary = "print the steps that remain; mutate nothing",
	.help =
	    "Observe the world and print every step apply would still run, "
	    "in order,\nwith its symbol (+ create, ~ modify, - delete, … wait, "
	    "! blocked),\nthe AWS or SQL operation, and the reason.  Nothing "
	    "is changed.\n"
	    "\noptions:\n"
	    "  -o, --output FORMAT  text (the default: one block per object, "
	    "coloured\n"
	    "                       on a terminal unless NO_COLOR is set),\n"
	    "                       json (one document for all objects, "
	    "schema\n"
	    "                       schemas/plan-v1.schema.json), or markdown "
	    "(a\n"
	    "                       heading and a table per object, for a "
	    "pull-request\n"
	    "                       comment)\n"
	    "\nIn json, each object has a status: converged, pending, blocked, "
	    "or error\n(it could not be observed; the reason is in its error "
	    "field).  Messages\ngo to stderr in every format.\n"
	    "\nexit status: 0 converged, 1 error or blocked, 2 "
	    "changes pending,\n64 usage.  With several objects, the worst "
	    "wins.\n",
	.optstring = "o:",
	.longopts = diff_opts,
	.min_args = 1,
	.max_args = -1,
	.flags = CMD_NEEDS_AWS,
	.exec = diff_exec,
};
