/*
 * gates.c - the cut-over gates (DESIGN.md §2 step 7-8): lag, approval,
 * window, postpone file, the guardrails on the source's sessions and the
 * beforeCutover hook's answer, then the step that begins the cut-over.
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
	/* Not knowing is not clear: an unreadable source holds too. */
	g->transaction_open = o->srcdb.guard_error[0] == '\0' &&
	    (!o->srcdb.oldest_trx.seen ||
	        o->srcdb.oldest_trx.age_s <= d->max_transaction_seconds);
	g->ddl_open = o->srcdb.guard_error[0] == '\0' && !o->srcdb.ddl.seen;
}

/*
 * As the switchover guardrails of an RDS blue/green deployment check the
 * blue environment for long-running writes and DDL (Amazon RDS User Guide,
 * "Switching a blue/green deployment", Switchover guardrails): either
 * stalls SET GLOBAL read_only or fails against it, with writes down.
 */
int
plan_source_guards(const struct desired *d, const struct observed *o,
    struct step *s)
{
	const struct obs_session *t = &o->srcdb.oldest_trx, *x = &o->srcdb.ddl;
	struct gate_state g;

	plan_gates(d, o, &g);
	if (o->srcdb.guard_error[0] != '\0') {
		GATE(s, WAIT_GATE_TRANSACTION, POLL_GATE,
		    "the source must be known to be clear before it is fenced",
		    "cut-over waits until the source's transactions and DDL "
		    "can be read: %s",
		    o->srcdb.guard_error);
		return 1;
	}
	if (!g.transaction_open) {
		/* read_only waits for it to commit, or it fails to. */
		GATE(s, WAIT_GATE_TRANSACTION, POLL_GATE,
		    "a transaction open at the fence stalls it or loses its "
		    "writes",
		    "cut-over waits for a transaction open %lds on the source "
		    "(maxTransactionSeconds %d): thread %llu of '%s'@'%s', %s",
		    t->age_s, d->max_transaction_seconds,
		    (unsigned long long)t->id, t->user, t->host, t->state);
		return 1;
	}
	if (!g.ddl_open) {
		GATE(s, WAIT_GATE_DDL, POLL_GATE,
		    "DDL or a metadata-lock wait stalls the fence and the "
		    "target",
		    "cut-over waits for DDL on the source: thread %llu of "
		    "'%s'@'%s', %lds, %s%s",
		    (unsigned long long)x->id, x->user, x->host, x->age_s,
		    x->state, o->srcdb.n_ddl > 1 ? " (and others)" : "");
		return 1;
	}
	return 0;
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
	if (plan_source_guards(d, o, s))
		return;
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
