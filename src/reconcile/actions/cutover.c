/*
 * cutover.c - the cut-over (DESIGN.md §2 step 8): mark it begun, fence the
 * source, stop replication at the source's final position, open the
 * target, switch the alias, mark it done; or abort it and give the writes
 * back to the source.  Dropping the replication user, the first thing the
 * cut-over does, is in replication.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions-int.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "route53.h"
#include "secret.h"

static enum rr_err
run_mark_cutover(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;

	return rds_add_tags(c->aws, o->target.arn,
	    act_rds_tags(&s->args, v, &l));
}

static void
resolve_mark_cutover(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->target_id);
	act_args_tag(&s->args, OBS_TAG_PHASE, PHASE_CUTOVER);
}

static void
assume_mark_cutover(const struct desired *d, struct observed *o,
    const struct step *s)
{
	snprintf(o->target.phase, sizeof(o->target.phase), PHASE_CUTOVER);
}

const struct action_entry action_mark_cutover = {
	.action = ACT_MARK_CUTOVER,
	.name = "begin-cutover",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_TARGET,
	.op = "AddTagsToResource",
	.resolve = resolve_mark_cutover,
	.run = run_mark_cutover,
	.assume = assume_mark_cutover,
};

/*
 * The time of the fence goes on the target first, so that every later
 * pass, from any machine, knows how long writes have been down
 * (cutover.timeoutSeconds); a crash between the two fences again with a
 * new time.
 */
static enum rr_err
run_fence_source(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	enum rr_err e;

	if ((e = rds_add_tags(c->aws, o->target.arn,
	         act_rds_tags(&s->args, v, &l))) != RR_OK)
		return e;
	return act_set_read_only(c, s->args.param_group, s->args.read_only);
}

/*
 * What read_only was in the source's group before the fence, for lifting
 * it: the tag a first attempt wrote (a retry observes its own 1), else
 * the observed user value, else the engine default.
 */
static const char *
fence_prev(const struct observed *o)
{
	if (o->target.fence_prev[0])
		return o->target.fence_prev;
	if (o->source_pg_read_only_set == TRI_YES)
		return o->source_pg_read_only == TRI_YES ? "1" : "0";
	return "default";
}

/* read_only=1 in the source's own group; the time of the observation
 * the fence is planned from, and what read_only was, go on the target. */
static void
resolve_fence_source(const struct desired *d, const struct observed *o,
    struct step *s)
{
	char at[32];

	snprintf(s->args.id, sizeof(s->args.id), "%s", d->source_id);
	snprintf(s->args.param_group, sizeof(s->args.param_group), "%s",
	    o->source.param_group);
	s->args.read_only = 1;
	snprintf(at, sizeof(at), "%lld", (long long)o->now);
	act_args_tag(&s->args, OBS_TAG_FENCED, at);
	act_args_tag(&s->args, OBS_TAG_FENCE_PREV, fence_prev(o));
}

static void
assume_fence_source(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->source_pg_read_only = TRI_YES;
	o->srcdb.read_only = TRI_YES;
	o->target.fenced_at = o->now;
}

const struct action_entry action_fence_source = {
	.action = ACT_FENCE_SOURCE,
	.name = "fence-source",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_SOURCE,
	.op = "AddTagsToResource, ModifyDBParameterGroup",
	.resolve = resolve_fence_source,
	.run = run_fence_source,
	.assume = assume_fence_source,
};

static enum rr_err
run_stop_replication(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct db_replica_status st;
	struct binlog_pos applied;
	struct db *db = NULL;
	enum rr_err e;

	memset(&st, 0, sizeof(st));
	if ((e = act_connect(c, &o->target, &db)) != RR_OK)
		goto out;
	/* Checked again here: stopping early would lose committed rows. */
	if ((e = db_replica_status(db, &st)) != RR_OK)
		goto out;
	if (!st.configured ||
	    binlog_pos_set(&applied, st.relay_source_log_file,
	        st.exec_source_log_pos) != 0 ||
	    binlog_pos_cmp(&applied, &s->pos) < 0) {
		e = rr_seterr(RR_ERR_INTERNAL,
		    "target has not applied "
		    "%s:%llu; not stopping replication",
		    s->pos.file, (unsigned long long)s->pos.pos);
		goto out;
	}
	if ((e = db_rds_stop_replication(db)) != RR_OK)
		goto out;
	e = db_rds_reset_external_master(db);
out:
	db_replica_status_release(&st);
	db_close(db);
	return e;
}

/* Stops only once the target has applied the fenced source's final
 * position. */
static void
resolve_stop_replication(const struct desired *d, const struct observed *o,
    struct step *s)
{
	s->pos = o->srcdb.binlog;
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->target_id);
}

static void
assume_stop_replication(const struct desired *d, struct observed *o,
    const struct step *s)
{
	memset(&o->tgtrepl.exec, 0, sizeof(o->tgtrepl.exec));
	o->tgtrepl.configured = 0;
	o->tgtrepl.io_running = o->tgtrepl.sql_running = 0;
}

const struct action_entry action_stop_replication = {
	.action = ACT_STOP_REPLICATION,
	.name = "stop-replication",
	.symbol = "~",
	.mutates = MUTATES_SQL,
	.resource = RES_TARGET,
	.op = "mysql.rds_stop_replication, rds_reset_external_master",
	.resolve = resolve_stop_replication,
	.run = run_stop_replication,
	.assume = assume_stop_replication,
};

static enum rr_err
run_unfence_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return act_set_read_only(c, s->args.param_group, s->args.read_only);
}

static void
resolve_unfence_target(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->param_group);
	snprintf(s->args.param_group, sizeof(s->args.param_group), "%s",
	    d->param_group);
	s->args.read_only = 0;
}

static void
assume_unfence_target(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->target_pg_read_only = TRI_NO;
	o->tgtrepl.read_only = TRI_NO;
}

const struct action_entry action_unfence_target = {
	.action = ACT_UNFENCE_TARGET,
	.name = "unfence-target",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_PARAM_GROUP,
	.op = "ModifyDBParameterGroup",
	.resolve = resolve_unfence_target,
	.run = run_unfence_target,
	.assume = assume_unfence_target,
};

static int
is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

/*
 * UPSERT the record, then tag the target with the change id Route 53
 * answers, so that any later pass can wait for that change's INSYNC.
 */
static enum rr_err
run_switch_alias(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	const struct step_args *a = &s->args;
	char *change = NULL;
	enum rr_err e;

	if ((e = route53_upsert_record(c->aws, &change, a->zone_id, a->id,
	         a->record_type, a->ttl, a->value, "rdsreconcile cut-over")) !=
	    RR_OK)
		return e;
	e = act_tag_one(c, o->target.arn, OBS_TAG_CHANGE, change);
	free(change);
	return e;
}

/* The record keeps its type; a new one is an A record for an address,
 * a CNAME for a name. */
static void
resolve_switch_alias(const struct desired *d, const struct observed *o,
    struct step *s)
{
	struct step_args *a = &s->args;

	snprintf(a->id, sizeof(a->id), "%s", d->endpoint_name);
	snprintf(a->zone_id, sizeof(a->zone_id), "%s", d->zone_id);
	snprintf(a->record_type, sizeof(a->record_type), "%s",
	    o->record.exists                  ? o->record.type
	        : is_ipv4(o->target.endpoint) ? "A"
	                                      : "CNAME");
	a->ttl = d->ttl;
	snprintf(a->value, sizeof(a->value), "%s", o->target.endpoint);
}

static void
assume_switch_alias(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->record.exists = 1;
	snprintf(o->record.value, sizeof(o->record.value), "%s",
	    o->target.endpoint);
	snprintf(o->change_status, sizeof(o->change_status), "PENDING");
}

const struct action_entry action_switch_alias = {
	.action = ACT_SWITCH_ALIAS,
	.name = "switch-alias",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_ALIAS,
	.op = "ChangeResourceRecordSets",
	.resolve = resolve_switch_alias,
	.run = run_switch_alias,
	.assume = assume_switch_alias,
};

static enum rr_err
run_mark_done(struct rr_ctx *c, const struct observed *o, const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	struct db *src;
	unsigned killed = 0;
	enum rr_err e;

	/* Sessions left on the fenced source can only fail; end them so
	 * their applications reconnect through the alias. */
	if (rr_ctx_source(c, &o->source, &src) == RR_OK) {
		if (db_kill_client_connections(src, NULL, 0, &killed) != RR_OK)
			log_warn("ending sessions on the source: %s",
			    rr_lasterr());
		else if (killed)
			log_info("ended %u client sessions on the source",
			    killed);
	}
	if ((e = rds_add_tags(c->aws, o->target.arn,
	         act_rds_tags(&s->args, v, &l))) != RR_OK)
		return e;
	if (secret_store_remove(c->d->state_dir, c->d->name, "replication") !=
	    RR_OK)
		log_warn("removing the stored replication password: %s",
		    rr_lasterr());
	return RR_OK;
}

static void
resolve_mark_done(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->target_id);
	act_args_tag(&s->args, OBS_TAG_PHASE, PHASE_DONE);
}

static void
assume_mark_done(const struct desired *d, struct observed *o,
    const struct step *s)
{
	snprintf(o->target.phase, sizeof(o->target.phase), PHASE_DONE);
	o->srcdb.client_connections = 0;
}

const struct action_entry action_mark_done = {
	.action = ACT_MARK_DONE,
	.name = "finish-cutover",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_TARGET,
	.op = "mysql.rds_kill, AddTagsToResource",
	.resolve = resolve_mark_done,
	.run = run_mark_done,
	.assume = assume_mark_done,
};

/*
 * Give the writes back to the source, then forget the cut-over phase, in
 * that order: a crash between the two leaves phase=cutover with an open
 * source, which the planner fences again (a retry), never the reverse (a
 * fenced source nobody plans to open).
 */
static enum rr_err
run_abort_cutover(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	char *key[3];
	struct strvec keys = { key, 0, 0 };
	enum rr_err e;
	int i;

	for (i = 0; i < s->args.n_untag; i++)
		key[keys.n++] = (char *)s->args.untag[i];
	if (s->args.read_only < 0)
		e = rds_reset_parameter(c->aws, s->args.param_group,
		    "read_only");
	else
		e = act_set_read_only(c, s->args.param_group,
		    s->args.read_only);
	if (e != RR_OK)
		return e;
	return rds_remove_tags(c->aws, o->target.arn, &keys);
}

static void
resolve_abort_cutover(const struct desired *d, const struct observed *o,
    struct step *s)
{
	struct step_args *a = &s->args;

	snprintf(a->id, sizeof(a->id), "%s", d->source_id);
	snprintf(a->param_group, sizeof(a->param_group), "%s",
	    o->source.param_group);
	/* What was there before the fence, never a blanket 0: an explicit 0
	 * would make the source's own read replicas writable. Without the
	 * tag (fenced by an older version) the engine default is the safe
	 * guess: 0 on the source, 1 on its replicas. */
	if (strcmp(o->target.fence_prev, "0") == 0 ||
	    strcmp(o->target.fence_prev, "1") == 0)
		a->read_only = o->target.fence_prev[0] - '0';
	else
		a->read_only = -1;
	snprintf(a->untag[0], sizeof(a->untag[0]), "%s", OBS_TAG_PHASE);
	snprintf(a->untag[1], sizeof(a->untag[1]), "%s", OBS_TAG_FENCED);
	snprintf(a->untag[2], sizeof(a->untag[2]), "%s", OBS_TAG_FENCE_PREV);
	a->n_untag = 3;
}

static void
assume_abort_cutover(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->source_pg_read_only = s->args.read_only == 1 ? TRI_YES : TRI_NO;
	o->srcdb.read_only = s->args.read_only == 1 ? TRI_YES : TRI_NO;
	o->target.phase[0] = '\0';
	o->target.fenced_at = 0;
	o->target.fence_prev[0] = '\0';
	o->position_wait_s = 0;
	/* The run that stopped ends here; the next one starts over. */
	o->stopping[0] = '\0';
}

const struct action_entry action_abort_cutover = {
	.action = ACT_ABORT_CUTOVER,
	.name = "abort-cutover",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_SOURCE,
	.op = "Reset/ModifyDBParameterGroup, RemoveTagsFromResource",
	.resolve = resolve_abort_cutover,
	.run = run_abort_cutover,
	.assume = assume_abort_cutover,
};
