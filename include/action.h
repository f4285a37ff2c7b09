/*
 * action.h - the table of actions: every mutation the reconciler can make,
 * one entry each, as tmux has one table of commands (DESIGN.md §3).
 *
 * An entry says what the action is called (diff, status, the last-action
 * record, hooks), its Terraform-style symbol, whether it mutates through
 * AWS or SQL, which resource it acts on, the AWS action or SQL it sends,
 * how it runs (act() calls run) and what the dry-run plan assumes once it
 * succeeded (plan_assume() calls assume).  The entries live in
 * src/reconcile/actions/, one file per family; the table that indexes
 * them by enum action (made from the same list) is
 * src/reconcile/actions/table.c.
 *
 * Adding an action: its line in ACTIONS below and its entry in its
 * family's file; an entry that is missing fails the link, and
 * tests/unit/test-plan.c checks that none has an empty field.
 */
#ifndef RR_ACTION_H
#define RR_ACTION_H

#include "err.h"

/*
 * Every mutation the reconciler can make, in order: its enum value and
 * its entry (defined in its family's file in src/reconcile/actions/).
 * The enum and the table are made from this one list.
 */
#define ACTIONS(X) \
	/* CALL mysql.rds_set_configuration */ \
	X(ACT_SET_BINLOG_RETENTION, action_set_binlog_retention) \
	/* CreateDBInstanceReadReplica */ \
	X(ACT_CREATE_TEMP_REPLICA, action_create_temp_replica) \
	/* CALL mysql.rds_stop_replication */ \
	X(ACT_STOP_TEMP_REPLICATION, action_stop_temp_replication) \
	/* AddTagsToResource: the coordinates */ \
	X(ACT_RECORD_FREEZE_POINT, action_record_freeze_point) \
	/* CreateDBSnapshot of the temp replica */ \
	X(ACT_CREATE_SNAPSHOT, action_create_snapshot) \
	/* CopyDBSnapshot with KmsKeyId */ \
	X(ACT_COPY_SNAPSHOT, action_copy_snapshot) \
	/* RestoreDBInstanceFromDBSnapshot */ \
	X(ACT_RESTORE_TARGET, action_restore_target) \
	/* CreateDBParameterGroup + copy values */ \
	X(ACT_CREATE_TARGET_PARAMS, action_create_target_params) \
	/* ModifyDBInstance: the source's settings */ \
	X(ACT_MODIFY_TARGET, action_modify_target) \
	/* RebootDBInstance: parameter group */ \
	X(ACT_REBOOT_TARGET, action_reboot_target) \
	/* CREATE USER on the source */ \
	X(ACT_CREATE_REPL_USER, action_create_repl_user) \
	/* rds_set_external_master + start */ \
	X(ACT_START_REPLICATION, action_start_replication) \
	/* rds_start_replication, no new position */ \
	X(ACT_RESUME_REPLICATION, action_resume_replication) \
	/* tag the old TTL on the target, UPSERT a short TTL */ \
	X(ACT_LOWER_TTL, action_lower_ttl) \
	/* tag target phase=cutover */ \
	X(ACT_MARK_CUTOVER, action_mark_cutover) \
	/* DROP USER on the source */ \
	X(ACT_DROP_REPL_USER, action_drop_repl_user) \
	/* ModifyDBParameterGroup read_only=1 */ \
	X(ACT_FENCE_SOURCE, action_fence_source) \
	/* rds_stop_replication + reset */ \
	X(ACT_STOP_REPLICATION, action_stop_replication) \
	/* ModifyDBParameterGroup read_only=0 */ \
	X(ACT_UNFENCE_TARGET, action_unfence_target) \
	/* ChangeResourceRecordSets UPSERT */ \
	X(ACT_SWITCH_ALIAS, action_switch_alias) \
	/* rds_kill the source's clients, tag the switch time */ \
	X(ACT_END_STALE_SESSIONS, action_end_stale_sessions) \
	/* rds_kill the source's clients, tag done */ \
	X(ACT_MARK_DONE, action_mark_done) \
	/* DeleteDBInstance */ \
	X(ACT_DELETE_TEMP_REPLICA, action_delete_temp_replica) \
	/* DeleteDBSnapshot (unencrypted) */ \
	X(ACT_DELETE_SNAPSHOT, action_delete_snapshot) \
	/* EC2 CreateSecurityGroup, no inbound rule */ \
	X(ACT_CREATE_ISOLATION_GROUP, action_create_isolation_group) \
	/* ModifyDBInstance: the source into that group */ \
	X(ACT_ISOLATE_SOURCE, action_isolate_source) \
	/* read_only=0 on the source, untag phase */ \
	X(ACT_ABORT_CUTOVER, action_abort_cutover) \
	/* DeleteDBInstance: target of a purged freeze point */ \
	X(ACT_DISCARD_TARGET, action_discard_target) \
	/* DeleteDBSnapshot: copy of a purged freeze point */ \
	X(ACT_DISCARD_COPY, action_discard_copy)

#define ACTION_ENUM_(value, entry) value,

enum action { ACT_NONE, ACTIONS(ACTION_ENUM_) ACT__COUNT };

/* What an action changes. */
enum action_mutates {
	MUTATES_AWS, /* an AWS API call (RDS, Route 53, EC2) */
	MUTATES_SQL, /* SQL on a MySQL server (CALL mysql.rds_*, DDL) */
};

/* The resource an action acts on, named by the desired object. */
enum action_resource {
	RES_SOURCE,             /* spec.source.dbInstanceIdentifier */
	RES_TEMP_REPLICA,       /* the temporary read replica */
	RES_SNAPSHOT,           /* the unencrypted freeze snapshot */
	RES_ENCRYPTED_SNAPSHOT, /* its encrypted copy */
	RES_PARAM_GROUP,        /* the target's parameter group */
	RES_TARGET,             /* spec.target.dbInstanceIdentifier */
	RES_ALIAS,              /* spec.endpoint.name */
};

struct desired;
struct observed;
struct rr_ctx;
struct step;

struct action_entry {
	/* Its own index in the table. */
	enum action action;
	/* "create-temp-replica": in diff, status, the last-action record
	 * and the hooks' environment. */
	const char *name;
	/* "+" create, "~" modify, "-" delete. */
	const char *symbol;
	enum action_mutates mutates;
	enum action_resource resource;
	/* The AWS actions or SQL it sends, as diff shows them:
	 * "CreateDBSnapshot". */
	const char *op;
	/*
	 * Run the mutation s names, with the arguments the planner resolved
	 * into s, given the observation s was planned from.  Idempotent: an
	 * "already exists and is ours" answer is RR_OK.  Errors are the AWS
	 * client's and the db layer's (RR_ERR_AWS, RR_ERR_DB, ...).
	 */
	enum rr_err (*run)(struct rr_ctx *c, const struct observed *o,
	    const struct step *s);
	/*
	 * Fill s->args (and s->pos) with every value run will send, from d
	 * and the observation o the step is planned from.  Pure; called by
	 * the planner for each step of this action.
	 */
	void (*resolve)(const struct desired *d, const struct observed *o,
	    struct step *s);
	/* Mark in o what a successful run leaves behind (plan_assume()). */
	void (*assume)(const struct desired *d, struct observed *o,
	    const struct step *s);
};

/*
 * Run the one mutation step s names (s->kind STEP_ACT; RR_OK for any
 * other kind), through its entry's run, given the observation o it was
 * planned from.  RR_ERR_DRY_RUN under --dry-run (also enforced in the AWS
 * client); RR_ERR_INTERNAL for an action without an entry; else the
 * entry's errors.
 */
enum rr_err
act(struct rr_ctx *c, const struct observed *o, const struct step *s);

/* The entry of a, NULL for ACT_NONE or a value out of range. */
const struct action_entry *action_get(enum action a);

const char *action_name(enum action a); /* "create-temp-replica" */
int action_mutates_sql(enum action a);  /* 1 if it runs SQL, 0 if AWS */

struct binlog_pos;
struct obs_instance;
struct obs_snapshot;

struct obs_settings;

/* 1 when tgt has every setting of src that restore-target and
 * modify-target carry (observe.h, struct obs_settings).  Pure. */
int action_same_settings(const struct obs_settings *src,
    const struct obs_settings *tgt);

/*
 * 1 when the replication user on the source exists but its hosts are not
 * those create-replication-user would now give it (the target's endpoint
 * resolves elsewhere: a Multi-AZ failover or host replacement of the
 * target).  0 when they match or cannot be compared (hosts not observed,
 * the endpoint does not resolve).  Pure.
 */
int action_repl_hosts_stale(const struct observed *o);

/* BackupRetentionPeriod the target gets, days: the source's, at least 1. */
int action_target_retention(const struct obs_instance *src);

/*
 * For the dry-run plan: an instance as a successful create leaves it
 * (exists, ours, available, endpoint when it had none), and a snapshot
 * (available, 100%, carrying pos in its tags).  Pure.
 */
void action_assume_instance(struct obs_instance *i, const char *endpoint);
void
action_assume_snapshot(struct obs_snapshot *sn, const struct binlog_pos *pos);

/*
 * The name of resource r for d: an instance or snapshot identifier, the
 * parameter group or the record name.  Points into d.
 */
const char *
action_resource_name(const struct desired *d, enum action_resource r);

#endif
