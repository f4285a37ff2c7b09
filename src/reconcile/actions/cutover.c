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
	return act_tag_one(c, o->target.arn, OBS_TAG_PHASE, PHASE_CUTOVER);
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
	char at[32];
	enum rr_err e;

	snprintf(at, sizeof(at), "%lld", (long long)o->now);
	if ((e = act_tag_one(c, o->target.arn, OBS_TAG_FENCED, at)) != RR_OK)
		return e;
	return act_set_read_only(c, o->source.param_group, 1);
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
	.run = run_fence_source,
	.assume = assume_fence_source,
};

static enum rr_err
run_stop_replication(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct db_replica_status st;
	struct db *db = NULL;
	enum rr_err e;

	memset(&st, 0, sizeof(st));
	if ((e = act_connect(c, &o->target, &db)) != RR_OK)
		goto out;
	/* Checked again here: stopping early would lose committed rows. */
	if ((e = db_replica_status(db, &st)) != RR_OK)
		goto out;
	if (!st.configured ||
	    db_binlog_pos_cmp(st.relay_source_log_file
	            ? st.relay_source_log_file
	            : "",
	        st.exec_source_log_pos, s->pos.file, s->pos.pos) < 0) {
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
	.run = run_stop_replication,
	.assume = assume_stop_replication,
};

static enum rr_err
run_unfence_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return act_set_read_only(c, c->d->param_group, 0);
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
	.run = run_unfence_target,
	.assume = assume_unfence_target,
};

static int
is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static enum rr_err
run_switch_alias(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	const char *type = o->record.exists ? o->record.type
	    : is_ipv4(o->target.endpoint)   ? "A"
	                                    : "CNAME";
	char *change = NULL;
	enum rr_err e;

	if ((e = route53_upsert_record(c->aws, &change, c->d->zone_id,
	         c->d->endpoint_name, type, c->d->ttl, o->target.endpoint,
	         "rdsreconcile cut-over")) != RR_OK)
		return e;
	e = act_tag_one(c, o->target.arn, OBS_TAG_CHANGE, change);
	free(change);
	return e;
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
	.run = run_switch_alias,
	.assume = assume_switch_alias,
};

static enum rr_err
run_mark_done(struct rr_ctx *c, const struct observed *o, const struct step *s)
{
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
	if ((e = act_tag_one(c, o->target.arn, OBS_TAG_PHASE, PHASE_DONE)) !=
	    RR_OK)
		return e;
	if (secret_store_remove(c->d->state_dir, c->d->name, "replication") !=
	    RR_OK)
		log_warn("removing the stored replication password: %s",
		    rr_lasterr());
	return RR_OK;
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
	char *key[] = { OBS_TAG_PHASE, OBS_TAG_FENCED };
	struct rds_strlist keys = { key, 2 };
	enum rr_err e;

	if ((e = act_set_read_only(c, o->source.param_group, 0)) != RR_OK)
		return e;
	return rds_remove_tags(c->aws, o->target.arn, &keys);
}

static void
assume_abort_cutover(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->source_pg_read_only = TRI_NO;
	o->srcdb.read_only = TRI_NO;
	o->target.phase[0] = '\0';
	o->target.fenced_at = 0;
	o->position_wait_s = 0;
}

const struct action_entry action_abort_cutover = {
	.action = ACT_ABORT_CUTOVER,
	.name = "abort-cutover",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_SOURCE,
	.op = "ModifyDBParameterGroup, RemoveTagsFromResource",
	.run = run_abort_cutover,
	.assume = assume_abort_cutover,
};
