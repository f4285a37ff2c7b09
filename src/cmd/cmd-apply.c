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

#include "cmd.h"
#include "desired.h"
#include "objects.h"
#include "reconcile.h"

enum { OPT_ONCE = 256, OPT_APPROVE, OPT_TIMEOUT };

static const struct option apply_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "approve-cutover", no_argument, NULL, OPT_APPROVE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

/* Options shared with diff and status: --timeout and the poll scale. */
int apply_parse_common(const struct cmd_args *args, struct reconcile_opts *o);

int
apply_parse_common(const struct cmd_args *args, struct reconcile_opts *o)
{
	const char *v, *env;
	char *end;

	memset(o, 0, sizeof(*o));
	o->poll_scale = 1.0;
	/* For tests and demos against the stand-in's fast clock. */
	if ((env = getenv("RDSRECONCILE_POLL_SCALE")) != NULL) {
		o->poll_scale = strtod(env, &end);
		if (*end != '\0' || o->poll_scale <= 0 || o->poll_scale > 10) {
			fprintf(stderr, "rdsreconcile: RDSRECONCILE_POLL_SCALE "
			    "must be a number in (0, 10]\n");
			return EXIT_USAGE;
		}
	}
	if ((v = cmd_args_get(args, OPT_TIMEOUT)) != NULL) {
		o->timeout_s = strtol(v, &end, 10);
		if (*end != '\0' || o->timeout_s <= 0) {
			fprintf(stderr, "rdsreconcile: --timeout takes whole "
			    "seconds > 0, not '%s'\n", v);
			return EXIT_USAGE;
		}
	}
	return EXIT_CONVERGED;
}

static int
apply_exec(const struct cmd_args *args)
{
	struct desired *list = NULL, *d;
	struct reconcile_opts opts;
	int rc, worst = EXIT_CONVERGED;
	size_t n;

	if ((rc = apply_parse_common(args, &opts)) != EXIT_CONVERGED)
		return rc;
	opts.dry_run = cmd_args_count(args, 'n') > 0;
	opts.once = cmd_args_count(args, OPT_ONCE) > 0;
	opts.approve_cutover = cmd_args_count(args, OPT_APPROVE) > 0;
	opts.need_lock = !opts.dry_run;

	if (objects_load(args->argc, args->argv, &list, &n) != RR_OK) {
		fprintf(stderr, "rdsreconcile: %s\n", rr_lasterr());
		return EXIT_FAILED;
	}
	rr_install_signals();
	for (d = list; d != NULL && !rr_interrupted; d = d->next) {
		struct rr_ctx ctx;
		struct step last;

		if (rr_ctx_open(&ctx, d, &opts) != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: %s\n", d->name,
			    rr_lasterr());
			worst = objects_exit_merge(worst, EXIT_FAILED);
			continue;
		}
		rc = reconcile(&ctx, &last);
		rr_ctx_close(&ctx);
		worst = objects_exit_merge(worst, rc);
	}
	desired_free(list);
	return worst;
}

const struct cmd_entry cmd_apply_entry = {
	.name = "apply",
	.usage = "[--dry-run] [--once] [--approve-cutover] [--timeout SECONDS] "
	    "FILE|DIR...",
	.summary = "converge the world to the desired files",
	.help =
	    "Observe RDS, KMS, Route 53 and MySQL replication, run the next "
	    "safe\nstep, and repeat until every object is converged, held by a "
	    "cut-over\ngate, blocked, or failed.  Each step prints one line: "
	    "what, why, and\nhow long it waited.  Safe to interrupt and run "
	    "again, from any machine:\nstate lives in tags on the resources.\n"
	    "\noptions:\n"
	    "  -n, --dry-run        print the next step, mutate nothing\n"
	    "      --once           take at most one step (for cron), then "
	    "exit\n"
	    "      --approve-cutover  open the manual-approval gate for this "
	    "run\n"
	    "      --timeout S      stop after S seconds (exit 2; run again to "
	    "continue)\n"
	    "\nexit status: 0 converged, 1 failed, 2 progressing, 3 waiting on "
	    "a gate,\n4 blocked (needs a human), 5 locked by another run, 64 "
	    "usage.\n",
	.optstring = "n",
	.longopts = apply_opts,
	.min_args = 1,
	.max_args = -1,
	.flags = CMD_NEEDS_AWS | CMD_MUTATES,
	.exec = apply_exec,
};
