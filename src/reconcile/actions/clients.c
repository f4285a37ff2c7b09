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
#include "ec2.h"
#include "rds.h"
#include "route53.h"
#include "strvec.h"
#include "xmalloc.h"

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
	/* The switch time, once: on the first pass after INSYNC. */
	if (o->target.switched_at == 0 &&
	    strcmp(o->target.phase, PHASE_CUTOVER) == 0) {
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

/*
 * The isolation group: no inbound rule (a new group has none, Amazon VPC
 * User Guide, "Security group rules"), in the source's VPC, tagged as ours
 * at creation.  A group of that name already there (a run that died
 * before observing it) is not an error: the next pass checks its tags.
 */
static enum rr_err
run_create_isolation_group(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	char *id = NULL, *desc;
	enum rr_err e;

	desc = xasprintf("rdsreconcile: no inbound rule, isolates the old "
	                 "source %s after the cut-over",
	    c->d->source_id);
	e = ec2_create_group(c->aws, &id, s->args.id, desc, s->args.from,
	    act_rds_tags(&s->args, v, &l));
	free(desc);
	free(id);
	return act_created(c, e, "InvalidGroup.Duplicate");
}

static void
resolve_create_isolation_group(const struct desired *d,
    const struct observed *o, struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->isolation_group);
	/* Made in the source's VPC: only a group of its VPC fits it. */
	snprintf(s->args.from, sizeof(s->args.from), "%s", o->source.vpc_id);
	act_args_tag(&s->args, "Name", d->isolation_group);
	act_args_tag(&s->args, OBS_TAG_OBJECT, d->name);
	act_args_tag(&s->args, OBS_TAG_ROLE, "isolate-source");
}

static void
assume_create_isolation_group(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->isolation.exists = o->isolation.ours = 1;
	o->isolation.n_inbound = 0;
	snprintf(o->isolation.id, sizeof(o->isolation.id), "isolation");
}

const struct action_entry action_create_isolation_group = {
	.action = ACT_CREATE_ISOLATION_GROUP,
	.name = "create-isolation-group",
	.symbol = "+",
	.mutates = MUTATES_AWS,
	.resource = RES_SOURCE,
	.op = "ec2:CreateSecurityGroup",
	.resolve = resolve_create_isolation_group,
	.run = run_create_isolation_group,
	.assume = assume_create_isolation_group,
};

/*
 * The source's groups go on the target first (to put them back by hand),
 * then the source gets the isolation group alone.  Sessions open before
 * the change go on (security groups track connections, Amazon EC2 User
 * Guide, "Security group connection tracking"), so every client session
 * is ended once more through this run's own connection; a new one is
 * refused from then on.
 */
static enum rr_err
run_isolate_source(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_modify m = RDS_MODIFY_INIT;
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	char *sg[8];
	struct strvec sgs = { sg, 0, 0 };
	unsigned killed = 0;
	struct db *src;
	enum rr_err e;
	int i;

	if ((e = rds_add_tags(c->aws, o->target.arn,
	         act_rds_tags(&s->args, v, &l))) != RR_OK)
		return e;
	for (i = 0; i < s->args.n_sg; i++)
		sg[sgs.n++] = (char *)s->args.sg_ids[i];
	m.vpc_security_group_ids = &sgs;
	m.apply_immediately = 1;
	if ((e = rds_modify_instance(c->aws, s->args.id, &m)) != RR_OK)
		return e;
	if (rr_ctx_source(c, &o->source, &src) == RR_OK &&
	    db_kill_client_connections(src, NULL, 0, &killed) == RR_OK &&
	    killed)
		log_info("ended %u client sessions on the isolated source",
		    killed);
	return RR_OK;
}

static void
resolve_isolate_source(const struct desired *d, const struct observed *o,
    struct step *s)
{
	struct step_args *a = &s->args;
	char prev[512];
	size_t n = 0;
	int i;

	snprintf(a->id, sizeof(a->id), "%s", d->source_id);
	snprintf(a->sg_ids[0], sizeof(a->sg_ids[0]), "%s", o->isolation.id);
	a->n_sg = 1;
	prev[0] = '\0';
	for (i = 0; i < o->source.n_sg && n < sizeof(prev); i++)
		n += (size_t)snprintf(prev + n, sizeof(prev) - n, "%s%s",
		    i ? "," : "", o->source.sg_ids[i]);
	act_args_tag(a, OBS_TAG_SOURCE_SGS, prev);
}

static void
assume_isolate_source(const struct desired *d, struct observed *o,
    const struct step *s)
{
	snprintf(o->source.sg_ids[0], sizeof(o->source.sg_ids[0]), "%s",
	    s->args.sg_ids[0]);
	o->source.n_sg = 1;
	o->srcdb.reachable = TRI_NO;
	o->srcdb.client_connections = 0;
}

const struct action_entry action_isolate_source = {
	.action = ACT_ISOLATE_SOURCE,
	.name = "isolate-source",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_SOURCE,
	.op = "AddTagsToResource, ModifyDBInstance",
	.resolve = resolve_isolate_source,
	.run = run_isolate_source,
	.assume = assume_isolate_source,
};
