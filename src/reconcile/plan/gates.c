/*
 * gates.c - the cut-over gates (DESIGN.md §2 step 7-8): lag, approval,
 * window, postpone file and the beforeCutover hook's answer, then the
 * step that begins the cut-over.
 */
#include "plan-int.h"

void
plan_gates(const struct desired *d, const struct observed *o,
    struct gate_state *g)
{
	long lag = o->tgtrepl.seconds_behind;

	/* Without replication there is no lag to trust (observe() leaves
	 * seconds_behind 0 for a server that is not a replica). */
	g->lag_open =
	    o->tgtrepl.configured && lag >= 0 && lag <= d->max_lag_seconds;
	g->approval_open =
	    d->approval != DESIRED_APPROVAL_MANUAL || o->approved;
	g->window_open = desired_window_contains(d, o->now);
	g->window_next = desired_window_next(d, o->now);
	g->postpone_open = !o->postponed;
}

void
plan_cutover_gates(const struct desired *d, const struct observed *o,
    struct step *s)
{
	const struct obs_replication *r = &o->tgtrepl;
	struct gate_state g;

	plan_gates(d, o, &g);
	/* First, well before the cut-over: the lowered TTL must reach the
	 * resolvers before the old one is waited out. */
	plan_lower_ttl(d, o, s);
	if (plan_decided(s))
		return;
	if (!g.lag_open) {
		WAIT(s, WAIT_LAG, POLL_LAG, "SHOW SLAVE STATUS",
		    "the target is catching up",
		    "wait for replica lag <= %lds (now %s%lds)",
		    (long)d->max_lag_seconds,
		    r->seconds_behind < 0 ? "unknown, " : "",
		    r->seconds_behind < 0 ? 0 : r->seconds_behind);
		return;
	}
	/* Caught up: the gates hold the cut-over. */
	if (!g.approval_open) {
		GATE(s, WAIT_GATE_APPROVAL, POLL_GATE,
		    "cutover.approval is manual",
		    "cut-over waits for approval (apply --approve-cutover%s%s)",
		    d->approval_file ? " or a file at " : "",
		    d->approval_file ? d->approval_file : "");
		return;
	}
	if (!g.window_open) {
		GATE(s, WAIT_GATE_WINDOW, POLL_GATE,
		    "the cut-over runs only inside the window",
		    "cut-over waits for the window %s", d->window_text);
		return;
	}
	if (!g.postpone_open) {
		GATE(s, WAIT_GATE_POSTPONE, POLL_GATE,
		    "the postpone flag file exists",
		    "cut-over postponed while '%s' exists", d->postpone_file);
		return;
	}
	/* Usually long over: the TTL was lowered when replication began. */
	plan_ttl_wait(d, o, s);
	if (plan_decided(s))
		return;
	/* Asked last, by the loop, once every other gate is open. */
	if (o->before_cutover_hook == TRI_NO) {
		GATE(s, WAIT_GATE_HOOK, POLL_GATE, o->hook_error,
		    "cut-over held by the beforeCutover hook");
		return;
	}
	ACT(s, ACT_MARK_CUTOVER,
	    "the target is caught up and every gate is open",
	    "begin the cut-over of '%s' to '%s'", d->endpoint_name,
	    d->target_id);
}
