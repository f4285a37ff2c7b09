/*
 * temp-replica.c - the temporary read replica that gives the freeze
 * point: create it, stop its replication, record where it stopped
 * (DESIGN.md §2 steps 1-2).  Deleting it is cleanup (cleanup.c).
 */
#include <stdio.h>
#include <string.h>

#include "actions-int.h"
#include "db.h"
#include "desired.h"

static enum rr_err
run_create_temp_replica(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct act_rds_view view;
	struct rds_tags l;
	enum rr_err e;

	act_rds_view(&s->args, &view);
	e = rds_create_read_replica(c->aws, s->args.id, s->args.from, &view.net,
	    act_rds_tags(&s->args, v, &l));
	return act_created(c, e, "DBInstanceAlreadyExists");
}

static void
resolve_create_temp_replica(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->temp_replica_id);
	snprintf(s->args.from, sizeof(s->args.from), "%s", d->source_id);
	/* In the source's subnet group and security groups: without them a
	 * replica gets its VPC's default security group. */
	act_args_network(&s->args, &o->source);
	act_args_ours(&s->args, d, "temp-replica", NULL);
}

static void
assume_create_temp_replica(const struct desired *d, struct observed *o,
    const struct step *s)
{
	action_assume_instance(&o->temp, "temp");
	o->temprepl.reachable = TRI_YES;
	o->temprepl.configured = 1;
	o->temprepl.io_running = o->temprepl.sql_running = 1;
	o->temprepl.seconds_behind = 0;
	if (o->temprepl.exec.file[0] == '\0')
		o->temprepl.exec = o->srcdb.binlog;
}

const struct action_entry action_create_temp_replica = {
	.action = ACT_CREATE_TEMP_REPLICA,
	.name = "create-temp-replica",
	.symbol = "+",
	.mutates = MUTATES_AWS,
	.resource = RES_TEMP_REPLICA,
	.op = "CreateDBInstanceReadReplica",
	.resolve = resolve_create_temp_replica,
	.run = run_create_temp_replica,
	.assume = assume_create_temp_replica,
};

static enum rr_err
run_stop_temp_replication(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return act_call_on(c, &o->temp, db_rds_stop_replication);
}

static void
assume_stop_temp_replication(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->temprepl.io_running = o->temprepl.sql_running = 0;
}

const struct action_entry action_stop_temp_replication = {
	.action = ACT_STOP_TEMP_REPLICATION,
	.name = "stop-temp-replication",
	.symbol = "~",
	.mutates = MUTATES_SQL,
	.resource = RES_TEMP_REPLICA,
	.op = "mysql.rds_stop_replication",
	.resolve = act_resolve_temp_id,
	.run = run_stop_temp_replication,
	.assume = assume_stop_temp_replication,
};

static enum rr_err
run_record_freeze_point(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct db_replica_status st;
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	struct db *db = NULL;
	enum rr_err e;

	memset(&st, 0, sizeof(st));
	if ((e = act_connect(c, &o->temp, &db)) != RR_OK)
		goto out;
	/* Read again: the tag must hold exactly what the stopped replica
	 * applied, never a position from before the stop. */
	if ((e = db_replica_status(db, &st)) != RR_OK)
		goto out;
	if (st.sql_running != DB_THREAD_NO ||
	    st.relay_source_log_file == NULL ||
	    strcmp(st.relay_source_log_file, s->pos.file) != 0 ||
	    st.exec_source_log_pos != s->pos.pos) {
		e = rr_seterr(RR_ERR_INTERNAL,
		    "replica '%s' moved since it "
		    "was observed; not recording",
		    c->d->temp_replica_id);
		goto out;
	}
	e = rds_add_tags(c->aws, o->temp.arn, act_rds_tags(&s->args, v, &l));
out:
	db_replica_status_release(&st);
	db_close(db);
	return e;
}

/* Where the stopped replica stands: the freeze point, in its tags. */
static void
resolve_record_freeze_point(const struct desired *d, const struct observed *o,
    struct step *s)
{
	char p[32];

	s->pos = o->temprepl.exec;
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->temp_replica_id);
	snprintf(p, sizeof(p), "%llu", (unsigned long long)s->pos.pos);
	act_args_tag(&s->args, OBS_TAG_BINLOG_FILE, s->pos.file);
	act_args_tag(&s->args, OBS_TAG_BINLOG_POS, p);
}

static void
assume_record_freeze_point(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->temp.tagged_pos = s->pos;
}

const struct action_entry action_record_freeze_point = {
	.action = ACT_RECORD_FREEZE_POINT,
	.name = "record-freeze-point",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_TEMP_REPLICA,
	.op = "AddTagsToResource",
	.resolve = resolve_record_freeze_point,
	.run = run_record_freeze_point,
	.assume = assume_record_freeze_point,
};
