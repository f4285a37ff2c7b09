/*
 * cmd-diff.c - `rdsreconcile diff`: observe and print every step that
 * remains, in order, from the same planner apply runs.  Mutates nothing.
 * Exit codes as terraform plan -detailed-exitcode: 0 converged, 1 error
 * (a blocked plan included), 2 changes pending.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "desired.h"
#include "objects.h"
#include "reconcile.h"

#define DIFF_MAX_STEPS 64

static const struct option diff_opts[] = {
	{ "timeout", required_argument, NULL, OBJECTS_OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 },
};

static int
use_colour(void)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

static const char *
colour_of(const struct step *s)
{
	switch (step_symbol(s)[0]) {
	case '+': return "\033[32m";
	case '-': return "\033[31m";
	case '~': return "\033[33m";
	case '!': return "\033[1;31m";
	default: return "\033[36m";
	}
}

static int
diff_object(struct rr_ctx *c)
{
	struct step steps[DIFF_MAX_STEPS];
	struct observed o;
	size_t n, i;
	int colour = use_colour(), rc;

	if (observe(&o, c) != RR_OK) {
		fprintf(stderr, "rdsreconcile: %s: observing: %s\n",
		    c->d->name, rr_lasterr());
		return EXIT_FAILED;
	}
	n = plan_all(c->d, &o, steps, DIFF_MAX_STEPS);
	if (n == 1 && steps[0].kind == STEP_CONVERGED) {
		printf("%s: converged: %s\n", c->d->name, steps[0].what);
		return EXIT_CONVERGED;
	}
	rc = steps[n - 1].kind == STEP_BLOCKED ? EXIT_FAILED : EXIT_PENDING;
	printf("%s: %s\n", c->d->name, rc == EXIT_FAILED ?
	    "blocked; the plan stops at the refusal" : "steps to converge:");
	for (i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		const char *kind = s->kind == STEP_ACT ? action_name(s->action) :
		    s->kind == STEP_WAIT ? "wait" : s->kind == STEP_GATE ?
		    "gate" : s->kind == STEP_BLOCKED ? "blocked" : "converged";

		printf("  %s%s%s %-30s %s\n", colour ? colour_of(s) : "",
		    step_symbol(s), colour ? "\033[0m" : "", kind, s->what);
		if (s->op[0] || s->why[0])
			printf("    %s%s%s\n", s->op, s->op[0] && s->why[0] ?
			    ": " : "", s->why);
	}
	return rc;
}

static int
diff_exec(const struct cmd_args *args)
{
	struct reconcile_opts opts;
	int rc;

	if ((rc = objects_opts_parse(args, &opts)) != EXIT_CONVERGED)
		return rc;
	/* diff never mutates: the AWS client refuses too. */
	opts.dry_run = 1;
	return objects_run(args, &opts, diff_object);
}

const struct cmd_entry cmd_diff_entry = {
	.name = "diff",
	.usage = "FILE|DIR...",
	.summary = "print the steps that remain; mutate nothing",
	.help =
	    "Observe the world and print every step apply would still run, "
	    "in order,\nwith its symbol (+ create, ~ modify, - delete, … wait, "
	    "! blocked),\nthe AWS or SQL operation, and the reason.  Nothing "
	    "is changed.\n\nexit status: 0 converged, 1 error or blocked, 2 "
	    "changes pending.\n",
	.longopts = diff_opts,
	.min_args = 1,
	.max_args = -1,
	.flags = CMD_NEEDS_AWS,
	.exec = diff_exec,
};
