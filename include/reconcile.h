/*
 * reconcile.h - the loop: observe -> plan_next -> act, until converged,
 * held by a gate, blocked, or failed (DESIGN.md §3); and the one
 * observe-then-plan sequence that diff, status and the loop share.
 *
 * The loop returns an outcome; the CLI maps it to its exit code
 * (src/cmd/cmd-apply.c).  What a run holds is context.h; the actions are
 * action.h; the planner is plan.h.
 */
#ifndef RR_RECONCILE_H
#define RR_RECONCILE_H

#include <stddef.h>

#include "context.h"
#include "err.h"
#include "observe.h"
#include "plan.h"

/* How one object's run ended. */
enum reconcile_outcome {
	OUTCOME_CONVERGED,   /* nothing left to do */
	OUTCOME_PROGRESSING, /* steps remain: --once, --timeout, --dry-run */
	OUTCOME_GATED,       /* held by a cut-over gate or the hook */
	OUTCOME_BLOCKED,     /* a human must act: refused, or aborted */
	OUTCOME_LOCKED,      /* another run holds the object's lock */
	OUTCOME_FAILED,      /* an error, or interrupted */
};

/*
 * Observe the world for c->d, then plan from it: *o gets the observation
 * and steps[0 .. *n) the plan, the next step alone when max is 1 (apply,
 * status), else every step to convergence, at most max (diff, apply
 * --dry-run; plan_all()).  prev is this run's previous observation, or
 * NULL (it may be o): while it shows the source fenced and the alias not
 * moved, only what the cut-over moves is observed again
 * (observe_cutover()).  Read-only.  Errors are observe()'s; *n is 0 then.
 */
enum rr_err
reconcile_observe_plan(struct rr_ctx *c, const struct observed *prev,
    struct observed *o, struct step *steps, size_t max, size_t *n);

/*
 * The loop for one object.  Prints a line per step to stdout, messages to
 * stderr, and runs the hooks (hooks.h).  *last gets the final step (for
 * status and summaries).
 */
enum reconcile_outcome reconcile(struct rr_ctx *c, struct step *last);

/*
 * Set by SIGINT/SIGTERM; the loop stops between steps, except while the
 * source is fenced for the cut-over: then it first completes the switch
 * or lifts the fence (plan_fence_held()).
 */
extern volatile int rr_interrupted;
/*
 * Set with rr_interrupted unless the cut-over is shielded
 * (rr_shield()): the AWS client watches it and ends calls in flight.
 */
extern volatile int rr_cancel;
void rr_install_signals(void);
/*
 * Shield (1) the calls that resolve a fence from signals: they are not
 * cancelled, and a cancel already pending is withdrawn.  0 ends the
 * shield; a signal that came meanwhile then cancels at once.
 */
void rr_shield(int on);

#endif
