/*
 * clients.c - stale clients (issue 11): a resolver may answer with the
 * source's address for as long as the TTL it was given (RFC 1035 §3.2.1;
 * Amazon Route 53 Developer Guide, "Choosing values for TTL").  So the
 * record's TTL is lowered as soon as the target replicates, the cut-over
 * begins only once the old TTL has passed since, and after the switch the
 * sessions on the old source are ended until the old TTL has passed
 * again.  The times live in tags on the target (observe.h,
 * OBS_TAG_TTL_LOWERED, OBS_TAG_TTL_BEFORE, OBS_TAG_SWITCHED), so that any
 * later run, from any machine, knows them.  Pure: the time is o->now.
 */
#include <string.h>

#include "plan-int.h"

/* How long a client may hold the source's address after the switch: the
 * TTL the record had before it was lowered, at least the lowered one. */
static long
stale_ttl(const struct desired *d, const struct observed *o)
{
	return o->target.ttl_before > d->cutover_ttl ? o->target.ttl_before
	                                             : d->cutover_ttl;
}

/* Seconds to wait for a deadline, polled at most every POLL_GATE. */
static int
poll_until(const struct observed *o, time_t deadline)
{
	long left = (long)(deadline - o->now);

	return left < 1 ? 1 : left > POLL_GATE ? POLL_GATE : (int)left;
}

time_t
plan_ttl_deadline(const struct desired *d, const struct observed *o)
{
	if (strcmp(o->target.phase, PHASE_CUTOVER) == 0)
		return o->target.switched_at + stale_ttl(d, o);
	return o->target.ttl_lowered_at + o->target.ttl_before;
}

void
plan_lower_ttl(const struct desired *d, const struct observed *o,
    struct step *s)
{
	/* No record (createRecord): no client has cached it. */
	if (!o->record.exists || o->record.ttl <= d->cutover_ttl)
		return;
	ACT(s, ACT_LOWER_TTL,
	    "a client may keep the source's address for the record's TTL "
	    "after the switch",
	    "lower the TTL of '%s' from %lds to %ds before the cut-over",
	    d->endpoint_name, o->record.ttl, d->cutover_ttl);
}

void
plan_ttl_wait(const struct desired *d, const struct observed *o, struct step *s)
{
	time_t deadline = plan_ttl_deadline(d, o);

	/* Never lowered: the record's TTL was short already. */
	if (o->target.ttl_lowered_at == 0)
		return;
	if (o->change_status[0] != '\0' &&
	    strcmp(o->change_status, "INSYNC") != 0) {
		WAIT(s, WAIT_INSYNC, POLL_INSYNC, "GetChange",
		    "resolvers get the short TTL once Route 53 is in sync",
		    "wait for the lowered TTL of '%s' to reach INSYNC",
		    d->endpoint_name);
		return;
	}
	if (o->now < deadline) {
		WAIT(s, WAIT_TTL, poll_until(o, deadline), "clock",
		    "a resolver may still hold an answer with the old TTL",
		    "wait out the old TTL of '%s' before the cut-over "
		    "(%lds, %lds left)",
		    d->endpoint_name, o->target.ttl_before,
		    (long)(deadline - o->now));
		return;
	}
}

void
plan_stale_clients(const struct desired *d, const struct observed *o,
    struct step *s)
{
	time_t deadline = plan_ttl_deadline(d, o);

	if (o->target.switched_at == 0) {
		ACT(s, ACT_END_STALE_SESSIONS,
		    "clients that resolved the alias before the switch still "
		    "reach the fenced source",
		    "end client sessions on the old source '%s' and note the "
		    "time of the switch",
		    d->source_id);
		return;
	}
	if (o->now < deadline) {
		if (o->srcdb.client_connections > 0) {
			ACT(s, ACT_END_STALE_SESSIONS,
			    "a client still holding the old address reads "
			    "frozen data",
			    "end %d client sessions on the old source '%s' "
			    "(%lds of the old TTL left)",
			    o->srcdb.client_connections, d->source_id,
			    (long)(deadline - o->now));
			return;
		}
		WAIT(s, WAIT_TTL,
		    poll_until(o, deadline) < POLL_LAG ? poll_until(o, deadline)
		                                       : POLL_LAG,
		    "SHOW PROCESSLIST",
		    "until the old TTL has passed a client may still resolve "
		    "the source",
		    "wait out the old TTL of '%s' after the switch (%lds, "
		    "%lds left)",
		    d->endpoint_name, stale_ttl(d, o),
		    (long)(deadline - o->now));
		return;
	}
	ACT(s, ACT_MARK_DONE,
	    "clients still on the fenced source must reconnect to the alias",
	    "end client sessions on the source and mark the cut-over done");
}

void
plan_isolate_source(const struct desired *d, const struct observed *o,
    struct step *s)
{
	const struct obs_instance *src = &o->source;
	const struct obs_group *g = &o->isolation;

	if (!src->exists)
		return;
	if (!g->exists) {
		ACT(s, ACT_CREATE_ISOLATION_GROUP,
		    "a group without inbound rules refuses every new client",
		    "create security group '%s' without inbound rules in '%s'",
		    d->isolation_group, src->vpc_id);
		return;
	}
	if (!g->ours) {
		BLOCK(s,
		    "only a group rdsreconcile made may isolate the source",
		    "security group '%s' (%s) in '%s' is not tagged as "
		    "belonging to '%s'",
		    d->isolation_group, g->id, src->vpc_id, d->name);
		return;
	}
	if (g->n_inbound > 0) {
		BLOCK(s, "a group with inbound rules does not isolate",
		    "security group '%s' (%s) has %d inbound rules",
		    d->isolation_group, g->id, g->n_inbound);
		return;
	}
	if (src->n_sg == 1 && strcmp(src->sg_ids[0], g->id) == 0) {
		if (!plan_is_status(src, "available"))
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
			    "the security group change is being applied",
			    "wait for '%s' to be available (%s)", d->source_id,
			    src->status);
		else if (o->srcdb.reachable == TRI_YES &&
		    o->srcdb.client_connections > 0)
			/* Only this run's own session still reaches it. */
			ACT(s, ACT_END_STALE_SESSIONS,
			    "sessions open before the change go on "
			    "(connection tracking)",
			    "end %d client sessions left on the isolated "
			    "source '%s'",
			    o->srcdb.client_connections, d->source_id);
		return;
	}
	if (!plan_is_status(src, "available")) {
		WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
		    "ModifyDBInstance needs an available instance",
		    "wait for '%s' to be available (%s)", d->source_id,
		    src->status);
		return;
	}
	ACT(s, ACT_ISOLATE_SOURCE,
	    "a client still holding the old address must fail, not read "
	    "frozen data",
	    "put the old source '%s' in security group '%s' (%s) alone",
	    d->source_id, d->isolation_group, g->id);
}
