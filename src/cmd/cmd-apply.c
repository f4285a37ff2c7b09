/*
 * cmd-apply.c - `rdsreconcile apply`: converge each desired object.
 *
 * Objects are reconciled one after another, each on its own: one that fails
 * or is blocked does not stop the others, and the exit code is the worst of
 * them (objects_exit_merge).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "desired.h"
#include "metrics.h"
#include "objects.h"
#include "reconcile.h"
#include "xmalloc.h"

enum { OPT_ONCE = 256, OPT_APPROVE, OPT_METRICS };

static const struct option apply_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "approve-cutover", no_argument, NULL, OPT_APPROVE },
	{ "metrics-file", required_argument, NULL, OPT_METRICS },
	{ "timeout", required_argument, NULL, OBJECTS_OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

/* The samples of --metrics-file, one per object that was run. */
struct apply_metrics {
	struct metrics_sample *s;
	size_t n, cap;
};

static void
add_sample(struct apply_metrics *m, const char *name, const char *phase,
    long lag_s, int rc)
{
	struct metrics_sample *x;

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 8;
		m->s = xreallocarray(m->s, m->cap, sizeof(*m->s));
	}
	x = &m->s[m->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->object, sizeof(x->object), "%s", name);
	snprintf(x->phase, sizeof(x->phase), "%s", phase ? phase : "");
	x->lag_s = lag_s;
	x->exit_code = rc;
	x->run_end = time(NULL);
}

/* The exit code of an outcome (cmd.h): the CLI's, not the loop's. */
static int
outcome_exit(enum reconcile_outcome out)
{
	switch (out) {
	case OUTCOME_CONVERGED: return EXIT_CONVERGED;
	case OUTCOME_PROGRESSING: return EXIT_PENDING;
	case OUTCOME_GATED: return EXIT_WAITING;
	case OUTCOME_BLOCKED: return EXIT_BLOCKED;
	case OUTCOME_LOCKED: return EXIT_LOCKED;
	case OUTCOME_FAILED: return EXIT_FAILED;
	}
	return EXIT_FAILED;
}

static int
apply_object(struct rr_ctx *c, void *arg)
{
	struct step last;
	int rc;

	rc = outcome_exit(reconcile(c, &last));
	if (arg != NULL)
		add_sample(arg, c->d->name, c->phase, c->lag_s, rc);
	return rc;
}

static void
apply_failed(const struct desired *d, const char *why, void *arg)
{
	if (arg != NULL && d != NULL)
		add_sample(arg, d->name, NULL, -1, EXIT_FAILED);
}

static int
apply_exec(const struct cmd_args *args)
{
	const char *metrics_file = cmd_args_get(args, OPT_METRICS);
	struct apply_metrics m = { NULL, 0, 0 };
	struct objects_visitor v = { apply_object, apply_failed, NULL };
	struct reconcile_opts opts;
	int rc;

	if ((rc = objects_opts_parse(args, &opts)) != EXIT_CONVERGED)
		return rc;
	opts.dry_run = cmd_args_count(args, 'n') > 0;
	opts.once = cmd_args_count(args, OPT_ONCE) > 0;
	opts.approve_cutover = cmd_args_count(args, OPT_APPROVE) > 0;
	opts.need_lock = !opts.dry_run;
	if (metrics_file != NULL && !opts.dry_run)
		v.arg = &m;
	rr_install_signals();
	rc = objects_run(args, &opts, &v);
	if (v.arg != NULL && metrics_write(metrics_file, m.s, m.n) != RR_OK) {
		fprintf(stderr, "rdsreconcile: %s\n", rr_lasterr());
		rc = objects_exit_merge(rc, EXIT_FAILED);
	}
	free(m.s);
	return rc;
}

const struct cmd_entry cmd_apply_entry = {
	.name = "apply",
	.usage =
	    "[--dry-run] [--once] [--approve-cutover] [--metrics-file FILE] "
	    "[--timeout SECONDS] FILE|DIR...",
	.summary = "converge the world to the desired files",
	.help =
	    "Observe RDS, KMS, Route 53 and MySQL replication, run the next "
	    "safe\nstep, and repeat until every object is converged, held by a "
	    "cut-over\ngate, blocked, or failed.  Each step prints one line: "
	    "what, why, and\nhow long it waited; long waits show their progress "
	    "(one live line on a\nterminal).  Safe to interrupt and run again, "
	    "from any machine: state\nlives in tags on the resources.  Runs on "
	    "one object are serialised by a\nlock on its source (GET_LOCK); a "
	    "second run exits 5 naming the holder.\n"
	    "\noptions:\n"
	    "  -n, --dry-run          print every step apply would run, in "
	    "order; mutate\n"
	    "                         nothing (the AWS client refuses too)\n"
	    "      --once             take at most one step, or observe one "
	    "wait, then\n"
	    "                         exit: for cron and CI; run it again "
	    "until it exits 0\n"
	    "      --approve-cutover  open the manual-approval gate for this "
	    "run\n"
	    "      --metrics-file F   write Prometheus metrics (phase, lag, last "
	    "success)\n"
	    "                         to F for node_exporter's textfile "
	    "collector\n"
	    "      --timeout S        stop after S seconds (exit 2; run again "
	    "to continue)\n"
	    "\ncut-over gates (spec.cutover): approval manual (--approve-cutover "
	    "or\napprovalFile), window, maxLagSeconds, postponeFile, and the "
	    "beforeCutover\nhook.  While one holds, everything up to the cut-over "
	    "runs, replication\nkeeps running, and apply exits 3 saying what it "
	    "waits for.\nBefore the cut-over and again before the fence: no "
	    "transaction on the source\nopen longer than maxTransactionSeconds, "
	    "no DDL running or waiting on a\nmetadata lock there (exit 3 naming "
	    "the session).\n"
	    "\nexit status: 0 converged, 1 failed, 2 progressing, 3 waiting on "
	    "a gate,\n4 blocked (needs a human), 5 locked by another run, 64 "
	    "usage.  With\nseveral objects the worst wins: 1, 4, 5, 3, 2, 0.\n"
	    "\nexamples:\n"
	    "  rdsreconcile apply --dry-run prod-db.yaml\n"
	    "  rdsreconcile apply --approve-cutover prod-db.yaml\n"
	    "  rdsreconcile --log-format json apply --once desired/   # cron\n",
	.optstring = "n",
	.longopts = apply_opts,
	.min_args = 1,
	.max_args = -1,
	.flags = CMD_NEEDS_AWS | CMD_MUTATES,
	.exec = apply_exec,
};
