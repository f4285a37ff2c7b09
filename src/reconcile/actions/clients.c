/*
 * clients.c - clients that still hold the source's address after the
 * switch (issue 11, "stale clients"): the record's TTL is lowered well
 * before the cut-over, so that resolvers cache the source's address only
 * briefly, and after the switch the sessions left on the old source are
 * ended until the old TTL has run out.  A DNS resolver may keep a record
 * for its TTL (RFC 1035 §3.2.1, RFC 2181 §8; Amazon Route 53 Developer
 * Guide, "Choosing values for TTL"), so the TTL a record had is how long
 * a client may still reach the source through it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions-int.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "route53.h"

/*
 * The tags first, then the UPSERT, then the change id: a crash after the
 * tags and before the UPSERT leaves a record still at its old TTL, which
 * the planner lowers again (a new time, never an earlier one); the change
 * id lets the wait before the cut-over see the change INSYNC.
 */
static enum rr_err
run_lower_ttl(struct rr_ctx *c, const struct observed *o, const struct step *s)
{
	const struct step_args *a = &s->args;
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	char *change = NULL;
	enum rr_err e;

	if ((e = rds_add_tags(c->aws, o->target.arn, act_rds_tags(a, v, &l))) !=
	    RR_OK)
		return e;
	if ((e = route53_upsert_record(c->aws, &change, a->zone_id, a->id,
	         a->record_type, a->ttl, a->value,
	         "rdsreconcile: TTL lowered before the cut-over")) != RR_OK)
		return e;
	e = act_tag_one(c, o->target.arn, OBS_TAG_CHANGE, change);
	free(change);
	return e;
}

/* The same record, value and type, with the short TTL; the old TTL kept
 * is the largest seen, should the record have been raised since. */
static void
resolve_lower_ttl(const struct desired *d, const struct observed *o,
    struct step *s)
{
	struct step_args *a = &s->args;
	long before = o->record.ttl;
	char n[32];

	if (o->target.ttl_before > before)
		before = o->target.ttl_before;
	snprintf(a->id, sizeof(a->id), "%s", d->endpoint_name);
	snprintf(a->zone_id, sizeof(a->zone_id), "%s", d->zone_id);
	snprintf(a->record_type, sizeof(a->record_type), "%s", o->record.type);
	snprintf(a->value, sizeof(a->value), "%s", o->record.value);
	a->ttl = d->cutover_ttl;
	snprintf(n, sizeof(n), "%lld", (long long)o->now);
	act_args_tag(a, OBS_TAG_TTL_LOWERED, n);
	snprintf(n, sizeof(n), "%ld", before);
	act_args_tag(a, OBS_TAG_TTL_BEFORE, n);
}

static void
assume_lower_ttl(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->target.ttl_before = strtol(s->args.tags[1].value, NULL, 10);
	o->target.ttl_lowered_at = o->now;
	o->record.ttl = s->args.ttl;
	snprintf(o->change_status, sizeof(o->change_status), "PENDING");
}

const struct action_entry action_lower_ttl = {
	.action = ACT_LOWER_TTL,
	.name = "lower-alias-ttl",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_ALIAS,
	.op = "AddTagsToResource, ChangeResourceRecordSets",
	.resolve = resolve_lower_ttl,
	.run = run_lower_ttl,
	.assume = assume_lower_ttl,
};

/*
 * End every client session on the old source (its clients resolved the
 * alias before the switch; the source is fenced, so they can only read
 * frozen data), then, on the first pass after INSYNC, tag the time of the
 * switch.  Unlike finish-cutover's best-effort kill, a failure here is
 * the step's failure: the next pass tries again.
 */
static enum rr_err
run_end_stale_sessions(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	unsigned killed = 0;
	struct db *src;
	enum rr_err e;

	if ((e = rr_ctx_source(c, &o->source, &src)) != RR_OK)
		return e;
	if ((e = db_kill_client_connections(src, NULL, 0, &killed)) != RR_OK)
		return e;
	if (killed)
		log_info("ended %u client sessions on the old source", killed);
	if (s->args.n_tags == 0)
		return RR_OK;
	return rds_add_tags(c->aws, o->target.arn,
	    act_rds_tags(&s->args, v, &l));
}

static void
resolve_end_stale_sessions(const struct desired *d, const struct observed *o,
    struct step *s)
{
	char at[32];

	snprintf(s->args.id, sizeof(s->args.id), "%s", d->source_id);
	if (o->target.switched_at == 0) {
		snprintf(at, sizeof(at), "%lld", (long long)o->now);
		act_args_tag(&s->args, OBS_TAG_SWITCHED, at);
	}
}

static void
assume_end_stale_sessions(const struct desired *d, struct observed *o,
    const struct step *s)
{
	if (o->target.switched_at == 0)
		o->target.switched_at = o->now;
	o->srcdb.client_connections = 0;
}

const struct action_entry action_end_stale_sessions = {
	.action = ACT_END_STALE_SESSIONS,
	.name = "end-stale-sessions",
	.symbol = "~",
	.mutates = MUTATES_SQL,
	.resource = RES_SOURCE,
	.op = "mysql.rds_kill, AddTagsToResource",
	.resolve = resolve_end_stale_sessions,
	.run = run_end_stale_sessions,
	.assume = assume_end_stale_sessions,
};
