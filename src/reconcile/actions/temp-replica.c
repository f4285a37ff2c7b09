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
	const struct desired *d = c->d;
	struct tagset ts;
	enum rr_err e;

	e = rds_create_read_replica(c->aws, d->temp_replica_id, d->source_id,
	    act_tags(&ts, d, "temp-replica", NULL));
	return act_created(c, e, "DBInstanceAlreadyExists");
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
	.run = run_stop_temp_replication,
	.assume = assume_stop_temp_replication,
};

static enum rr_err
run_record_freeze_point(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct db_replica_status st;
	struct db *db = NULL;
	char pos[32];
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
	snprintf(pos, sizeof(pos), "%llu", (unsigned long long)s->pos.pos);
	if ((e = act_tag_one(c, o->temp.arn, OBS_TAG_BINLOG_FILE,
	         s->pos.file)) != RR_OK)
		goto out;
	e = act_tag_one(c, o->temp.arn, OBS_TAG_BINLOG_POS, pos);
out:
	db_replica_status_release(&st);
	db_close(db);
	return e;
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
	.run = run_record_freeze_point,
	.assume = assume_record_freeze_point,
};
