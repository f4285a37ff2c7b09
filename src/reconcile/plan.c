/*
 * plan.c - the pure planner for strategy replica-snapshot (DESIGN.md §2).
 *
 * plan_next() reads a desired object and one observation and names the next
 * step.  The order of the checks is the safety case:
 *
 *   1. ownership: a resource under one of our names that lacks our tag
 *      stops everything (invariant 4);
 *   2. after cut-over (target tagged phase=done): only cleanup;
 *   3. during cut-over (phase=cutover): finish it and never replicate
 *      again from the recorded position (invariant 3: no row twice);
 *   4. before cut-over: preflight refusals, then build the target step by
 *      step, each skipped when a later artifact already exists.
 *
 * No I/O, no clock: the time is o->now.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "desired.h"
#include "action.h"
#include "plan.h"

const char *
wait_name(enum wait_on w)
{
	switch (w) {
	case WAIT_NONE: return "";
	case WAIT_STATUS: return "status";
	case WAIT_PROGRESS: return "progress";
	case WAIT_LAG: return "lag";
	case WAIT_POSITION: return "position";
	case WAIT_INSYNC: return "insync";
	case WAIT_GATE_APPROVAL: return "approval";
	case WAIT_GATE_WINDOW: return "window";
	case WAIT_GATE_LAG: return "lag";
	case WAIT_GATE_POSTPONE: return "postpone";
	case WAIT_GATE_HOOK: return "hook";
	}
	return "";
}

const char *
step_kind_name(enum step_kind k)
{
	switch (k) {
	case STEP_CONVERGED: return "converged";
	case STEP_ACT: return "act";
	case STEP_WAIT: return "wait";
	case STEP_GATE: return "gate";
	case STEP_BLOCKED: return "blocked";
	}
	return "";
}

const char *
step_resource(const struct desired *d, const struct step *s)
{
	const struct action_entry *e;

	if (s->kind == STEP_WAIT || s->kind == STEP_GATE) {
		switch (s->wait) {
		case WAIT_INSYNC:
			return d->endpoint_name;
		case WAIT_LAG:
		case WAIT_POSITION:
		case WAIT_GATE_APPROVAL:
		case WAIT_GATE_WINDOW:
		case WAIT_GATE_LAG:
		case WAIT_GATE_POSTPONE:
		case WAIT_GATE_HOOK:
			return d->target_id;
		default:
			return NULL;
		}
	}
	if ((e = action_get(s->action)) == NULL)
		return NULL;
	return action_resource_name(d, e->resource);
}

size_t
step_subject_len(const struct step *s)
{
	const char *p = strstr(s->what, " (");

	return p ? (size_t)(p - s->what) : strlen(s->what);
}

const char *
step_symbol(const struct step *s)
{
	switch (s->kind) {
	case STEP_CONVERGED:
		return "=";
	case STEP_WAIT:
	case STEP_GATE:
		return "…";
	case STEP_BLOCKED:
		return "!";
	case STEP_ACT:
		break;
	}
	return action_get(s->action) != NULL ? action_get(s->action)->symbol
	                                     : "~";
}

static void
set(struct step *s, enum step_kind kind, enum action a, enum wait_on w,
    int requeue, const char *op, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));

static void
set(struct step *s, enum step_kind kind, enum action a, enum wait_on w,
    int requeue, const char *op, const char *why, const char *fmt, ...)
{
	va_list ap;

	s->kind = kind;
	s->action = a;
	s->wait = w;
	s->requeue_after = requeue;
	/* An action's operation is its table entry's. */
	if (kind == STEP_ACT && action_get(a) != NULL)
		op = action_get(a)->op;
	snprintf(s->op, sizeof(s->op), "%s", op);
	snprintf(s->why, sizeof(s->why), "%s", why);
	va_start(ap, fmt);
	vsnprintf(s->what, sizeof(s->what), fmt, ap);
	va_end(ap);
}

#define ACT(s, a, why, ...) \
	set(s, STEP_ACT, a, WAIT_NONE, 0, "", why, __VA_ARGS__)
#define WAIT(s, w, secs, op, why, ...) \
	set(s, STEP_WAIT, ACT_NONE, w, secs, op, why, __VA_ARGS__)
#define GATE(s, w, secs, why, ...) \
	set(s, STEP_GATE, ACT_NONE, w, secs, "gate", why, __VA_ARGS__)
#define BLOCK(s, why, ...) \
	set(s, STEP_BLOCKED, ACT_NONE, WAIT_NONE, 0, "", why, __VA_ARGS__)

/* Poll intervals, seconds, tuned to RDS timescales and its API budget. */
#define POLL_STATUS	15
#define POLL_PROGRESS	10
#define POLL_LAG	2
#define POLL_POSITION	1
#define POLL_INSYNC	3
#define POLL_GATE	60

static int
is_status(const struct obs_instance *i, const char *status)
{
	return strcmp(i->status, status) == 0;
}

/* Same set of security group ids (observe sorts them). */
static int
same_sgs(const struct obs_instance *a, const struct obs_instance *b)
{
	int i;

	if (a->n_sg != b->n_sg)
		return 0;
	for (i = 0; i < a->n_sg; i++)
		if (strcmp(a->sg_ids[i], b->sg_ids[i]) != 0)
			return 0;
	return 1;
}

/* Refusals that apply to any resource under our names. */
static int
check_ownership(const struct desired *d, const struct observed *o,
    struct step *s)
{
	static const char why[] = "rdsreconcile never touches a resource "
	    "without its ownership tag";

	if (o->target.exists && !o->target.ours) {
		BLOCK(s, why, "target name '%s' is held by an instance that is "
		    "not ours (no tag %s=%s)", d->target_id, OBS_TAG_OBJECT,
		    d->name);
		return 1;
	}
	if (o->temp.exists && !o->temp.ours) {
		BLOCK(s, why, "instance '%s' exists and is not ours",
		    d->temp_replica_id);
		return 1;
	}
	if (o->freeze.exists && !o->freeze.ours) {
		BLOCK(s, why, "snapshot '%s' exists and is not ours",
		    d->snapshot_id);
		return 1;
	}
	if (o->copy.exists && !o->copy.ours) {
		BLOCK(s, why, "snapshot '%s' exists and is not ours",
		    d->encrypted_snapshot_id);
		return 1;
	}
	if (o->target_pg_exists && !o->target_pg_ours) {
		BLOCK(s, why, "parameter group '%s' exists and is not ours",
		    d->param_group);
		return 1;
	}
	return 0;
}

/* Phase done: the alias serves the target; only cleanup is left. */
static void
plan_cleanup(const struct desired *d, const struct observed *o,
    struct step *s)
{
	if (!o->record.exists) {
		BLOCK(s, "applications reach the target through the alias",
		    "alias '%s' was deleted after the cut-over",
		    d->endpoint_name);
		return;
	}
	if (strcmp(o->record.value, o->target.endpoint)) {
		BLOCK(s, "the alias was changed after the cut-over",
		    "alias '%s' points at '%s', not at the target '%s'",
		    d->endpoint_name, o->record.value, o->target.endpoint);
		return;
	}
	if (o->temp.exists && d->delete_temp_replica) {
		if (is_status(&o->temp, "deleting"))
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
			    "the temporary replica is being deleted",
			    "wait for '%s' to be deleted", d->temp_replica_id);
		else
			ACT(s, ACT_DELETE_TEMP_REPLICA,
			    "the temporary replica is no longer needed",
			    "delete temporary replica '%s'",
			    d->temp_replica_id);
		return;
	}
	if (o->freeze.exists && d->delete_unencrypted_snapshot) {
		if (strcmp(o->freeze.status, "deleting") == 0)
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBSnapshots",
			    "the unencrypted snapshot is being deleted",
			    "wait for '%s' to be deleted", d->snapshot_id);
		else
			ACT(s, ACT_DELETE_SNAPSHOT,
			    "an unencrypted copy of the data must not linger",
			    "delete unencrypted snapshot '%s'", d->snapshot_id);
		return;
	}
	set(s, STEP_CONVERGED, ACT_NONE, WAIT_NONE, 0, "",
	    "the target is encrypted and serves the alias",
	    "'%s' is encrypted and serves '%s'", d->target_id,
	    d->endpoint_name);
}

/*
 * Phase cutover: writes on the source are being fenced.  Finish: drop the
 * replication user while the source still accepts account changes, fence,
 * wait for the exact final position, stop replication, open the target,
 * switch the alias.  Never start replication again from here.
 */
static void
plan_cutover(const struct desired *d, const struct observed *o,
    struct step *s)
{
	const struct obs_replication *r = &o->tgtrepl;

	if (o->srcdb.reachable != TRI_YES) {
		BLOCK(s, "the cut-over cannot finish without the source",
		    "cannot reach the source during the cut-over: %s",
		    o->srcdb.error);
		return;
	}
	if (r->reachable == TRI_YES && !r->configured &&
	    o->srcdb.read_only != TRI_YES) {
		/* We reset only after fencing; anything else lost writes. */
		BLOCK(s, "the target must hold every write before the alias "
		    "moves", "replication on '%s' was reset while the source "
		    "'%s' is not fenced: writes since then are not on the "
		    "target", d->target_id, d->source_id);
		return;
	}
	if (o->srcdb.repl_user_exists == TRI_UNKNOWN) {
		/* Fencing first would leave the user behind for good. */
		WAIT(s, WAIT_STATUS, POLL_STATUS, "SELECT FROM mysql.user",
		    "the replication user must be gone before the fence",
		    "wait until the source says whether '%s' exists",
		    d->repl_user);
		return;
	}
	if (o->srcdb.repl_user_exists == TRI_YES) {
		/* read_only also blocks DROP USER; the replication session
		 * already running is not ended by the drop. */
		ACT(s, ACT_DROP_REPL_USER,
		    "read_only on the source will forbid account changes",
		    "drop replication user '%s' on the source", d->repl_user);
		return;
	}
	if (o->srcdb.read_only != TRI_YES) {
		if (o->source_pg_read_only == TRI_YES)
			WAIT(s, WAIT_STATUS, POLL_POSITION, "SELECT @@read_only",
			    "the parameter change is being applied",
			    "wait for read_only=1 on the source");
		else
			ACT(s, ACT_FENCE_SOURCE,
			    "no write may land on the source after the final "
			    "position is read",
			    "fence writes on '%s' (read_only=1 in parameter "
			    "group '%s')",
			    d->source_id, o->source.param_group);
		return;
	}
	if (r->reachable != TRI_YES) {
		WAIT(s, WAIT_STATUS, POLL_STATUS, "SHOW SLAVE STATUS",
		    "the target's server is not reachable yet",
		    "wait for the target '%s' to accept connections",
		    d->target_id);
		return;
	}
	if (r->configured) {
		if (o->srcdb.binlog.file[0] == '\0') {
			/* Without it nothing proves the target has every row. */
			BLOCK(s, "replication stops only at a known final "
			    "position", "the final binlog position of the "
			    "fenced source '%s' is unknown", d->source_id);
			return;
		}
		if (r->last_errno != 0 &&
		    binlog_pos_cmp(&r->exec, &o->srcdb.binlog) < 0) {
			/* The target can no longer reach the final position
			 * on its own, and writes are down while fenced: give
			 * them back now, not at the timeout.  The error is
			 * never skipped; the next pass blocks on it. */
			ACT(s, ACT_ABORT_CUTOVER,
			    "replication on the target failed while the "
			    "source was fenced",
			    "lift the fence on '%s' (read_only=0 in '%s') and "
			    "abort the cut-over: %u: %s",
			    d->source_id, o->source.param_group, r->last_errno,
			    r->last_error);
			return;
		}
		if (binlog_pos_cmp(&r->exec, &o->srcdb.binlog) < 0 &&
		    (!r->io_running || !r->sql_running)) {
			ACT(s, ACT_RESUME_REPLICATION,
			    "replication stopped short of the final position",
			    "resume replication on '%s'", d->target_id);
			return;
		}
		if (binlog_pos_cmp(&r->exec, &o->srcdb.binlog) < 0 &&
		    o->position_wait_s > d->cutover_timeout_seconds) {
			/* Writes are down while fenced: give the source back
			 * rather than hold an outage.  The alias has not
			 * moved and the target never took a write. */
			ACT(s, ACT_ABORT_CUTOVER,
			    "cutover.timeoutSeconds ran out: the target did not "
			    "reach the fenced source's final position",
			    "lift the fence on '%s' (read_only=0 in '%s') and "
			    "abort the cut-over after %lds",
			    d->source_id, o->source.param_group,
			    o->position_wait_s);
			return;
		}
		if (binlog_pos_cmp(&r->exec, &o->srcdb.binlog) < 0) {
			WAIT(s, WAIT_POSITION, POLL_POSITION,
			    "SHOW SLAVE STATUS",
			    "the alias may switch only once every committed "
			    "row is on the target",
			    "wait for the target to apply %s:%llu (at %s:%llu)",
			    o->srcdb.binlog.file,
			    (unsigned long long)o->srcdb.binlog.pos,
			    r->exec.file, (unsigned long long)r->exec.pos);
			return;
		}
		ACT(s, ACT_STOP_REPLICATION,
		    "the target has applied the source's final position",
		    "stop and reset replication on '%s'", d->target_id);
		s->pos = o->srcdb.binlog;
		return;
	}
	if (r->read_only != TRI_NO) {
		if (o->target_pg_read_only == TRI_NO)
			WAIT(s, WAIT_STATUS, POLL_POSITION, "SELECT @@read_only",
			    "the parameter change is being applied",
			    "wait for read_only=0 on the target");
		else
			ACT(s, ACT_UNFENCE_TARGET,
			    "the target must take writes before the alias "
			    "points at it",
			    "open '%s' for writes (read_only=0 in '%s')",
			    d->target_id, d->param_group);
		return;
	}
	if (!o->record.exists || strcmp(o->record.value, o->target.endpoint) ||
	    o->change_status[0] == '\0') {
		ACT(s, ACT_SWITCH_ALIAS,
		    "the target holds every committed row and the source is "
		    "fenced",
		    "point '%s' at '%s'", d->endpoint_name, o->target.endpoint);
		return;
	}
	if (strcmp(o->change_status, "INSYNC") != 0) {
		WAIT(s, WAIT_INSYNC, POLL_INSYNC, "GetChange",
		    "applications follow the alias once Route 53 is in sync",
		    "wait for the alias change to reach INSYNC");
		return;
	}
	ACT(s, ACT_MARK_DONE,
	    "clients still on the fenced source must reconnect to the alias",
	    "end client sessions on the source and mark the cut-over done");
}

/* Refusals before anything is built or while the target catches up. */
static int
preflight(const struct desired *d, const struct observed *o, struct step *s)
{
	const struct obs_instance *src = &o->source;

	if (!src->exists) {
		BLOCK(s, "the source must exist", "source instance '%s' not "
		    "found", d->source_id);
		return 1;
	}
	if (strcmp(src->engine, "mysql") && strcmp(src->engine, "mariadb")) {
		BLOCK(s, "strategy replica-snapshot needs binlog replication",
		    "source engine '%s' is not mysql or mariadb", src->engine);
		return 1;
	}
	if (src->encrypted && !o->target.exists) {
		BLOCK(s, "there is nothing to encrypt",
		    "source instance '%s' is already encrypted", d->source_id);
		return 1;
	}
	if (!o->key.exists) {
		BLOCK(s, "the encrypted copy needs the key",
		    "kms key '%s' not found", d->kms_key_id);
		return 1;
	}
	if (strcmp(o->key.state, "Enabled") != 0) {
		BLOCK(s, "the encrypted copy needs an enabled key",
		    "kms key '%s' is %s", d->kms_key_id,
		    o->key.state[0] ? o->key.state : "not enabled");
		return 1;
	}
	if (src->backup_retention == 0) {
		BLOCK(s, "read replicas and binary logs need automated backups",
		    "backups are off on source '%s' (BackupRetentionPeriod 0)",
		    d->source_id);
		return 1;
	}
	if (strncmp(src->param_group, "default.", 8) == 0) {
		BLOCK(s, "writes are fenced through the source's parameter "
		    "group, and default groups cannot be modified",
		    "source '%s' uses the default parameter group '%s'; give "
		    "it its own parameter group first", d->source_id,
		    src->param_group);
		return 1;
	}
	if (!o->record.zone_exists) {
		BLOCK(s, "the alias lives in that zone",
		    "hosted zone '%s' not found", d->zone_id);
		return 1;
	}
	/* Before the cut-over only the source may serve the alias. */
	if (o->record.exists && o->target.exists &&
	    strcmp(o->record.value, o->target.endpoint) == 0) {
		BLOCK(s, "the target is read-only and behind the source until "
		    "the cut-over", "alias '%s' already points at the target "
		    "'%s' before the cut-over", d->endpoint_name,
		    o->target.endpoint);
		return 1;
	}
	if (o->record.exists && strcmp(o->record.value, src->endpoint)) {
		BLOCK(s, "switching it would take traffic from something else",
		    "alias '%s' points at '%s', which is neither the source "
		    "nor the target", d->endpoint_name, o->record.value);
		return 1;
	}
	if (!is_status(src, "available")) {
		WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
		    "the source must be available", "wait for source '%s' "
		    "(%s)", d->source_id, src->status);
		return 1;
	}
	if (o->srcdb.reachable != TRI_YES) {
		BLOCK(s, "replication state is read with SQL",
		    "cannot connect to source '%s': %s", d->source_id,
		    o->srcdb.error);
		return 1;
	}
	if (o->srcdb.log_bin == TRI_NO) {
		BLOCK(s, "replication needs the binary log",
		    "binary logging is off on source '%s'", d->source_id);
		return 1;
	}
	if (strcasecmp(o->srcdb.binlog_format, "ROW") != 0) {
		BLOCK(s, "only row-based replication applies the same rows",
		    "binlog_format is '%s' on source '%s', not ROW; set it in "
		    "parameter group '%s'", o->srcdb.binlog_format,
		    d->source_id, src->param_group);
		return 1;
	}
	return 0;
}

void
plan_gates(const struct desired *d, const struct observed *o,
    struct gate_state *g)
{
	long lag = o->tgtrepl.seconds_behind;

	/* Without replication there is no lag to trust (observe() leaves
	 * seconds_behind 0 for a server that is not a replica). */
	g->lag_open = o->tgtrepl.configured && lag >= 0 &&
	    lag <= d->max_lag_seconds;
	g->approval_open = d->approval != DESIRED_APPROVAL_MANUAL ||
	    o->approved;
	g->window_open = desired_window_contains(d, o->now);
	g->window_next = desired_window_next(d, o->now);
	g->postpone_open = !o->postponed;
}

/* From nothing to an encrypted target replicating from the source. */
static void
plan_build(const struct desired *d, const struct observed *o, struct step *s)
{
	const struct obs_instance *t = &o->target, *src = &o->source;
	const struct obs_replication *r = &o->tgtrepl;
	struct gate_state g;

	if (o->srcdb.binlog_retention_hours < d->binlog_retention_hours) {
		ACT(s, ACT_SET_BINLOG_RETENTION,
		    "the binlog from the freeze point must outlive the build",
		    "keep binary logs %ld hours on the source",
		    (long)d->binlog_retention_hours);
		return;
	}
	if (!t->exists && !o->copy.exists && !o->freeze.exists) {
		const struct obs_instance *tmp = &o->temp;
		const struct obs_replication *tr = &o->temprepl;

		if (!tmp->exists) {
			ACT(s, ACT_CREATE_TEMP_REPLICA,
			    "a replica can be stopped at a known position",
			    "create temporary read replica '%s' of '%s'",
			    d->temp_replica_id, d->source_id);
			return;
		}
		if (!is_status(tmp, "available")) {
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
			    "the replica is being created",
			    "wait for '%s' to be available (%s)",
			    d->temp_replica_id, tmp->status);
			return;
		}
		if (tmp->tagged_pos.file[0] == '\0') {
			if (tr->reachable != TRI_YES) {
				WAIT(s, WAIT_STATUS, POLL_STATUS,
				    "SHOW SLAVE STATUS",
				    "the replica's server is starting",
				    "wait for '%s' to accept connections",
				    d->temp_replica_id);
				return;
			}
			if (!tr->configured) {
				BLOCK(s, "the freeze point is read from "
				    "replication", "'%s' has no replication "
				    "configured", d->temp_replica_id);
				return;
			}
			if (tr->last_errno != 0) {
				BLOCK(s, "replication errors are never skipped",
				    "replication on '%s' failed: %u: %s",
				    d->temp_replica_id, tr->last_errno,
				    tr->last_error);
				return;
			}
			if (tr->sql_running) {
				ACT(s, ACT_STOP_TEMP_REPLICATION,
				    "a stopped replica holds a consistent "
				    "position",
				    "stop replication on '%s'",
				    d->temp_replica_id);
				return;
			}
			ACT(s, ACT_RECORD_FREEZE_POINT,
			    "the position cannot be read again once the "
			    "replica is gone",
			    "record freeze point %s:%llu on '%s'",
			    tr->exec.file, (unsigned long long)tr->exec.pos,
			    d->temp_replica_id);
			s->pos = tr->exec;
			return;
		}
		if (tr->reachable != TRI_YES) {
			WAIT(s, WAIT_STATUS, POLL_STATUS, "SHOW SLAVE STATUS",
			    "the replica must still stand at its freeze point",
			    "wait for '%s' to accept connections",
			    d->temp_replica_id);
			return;
		}
		if (tr->sql_running || binlog_pos_cmp(&tr->exec,
		    &tmp->tagged_pos) != 0) {
			BLOCK(s, "a snapshot at another position would apply "
			    "rows twice or lose them", "replication on '%s' "
			    "is not stopped at its recorded freeze point "
			    "%s:%llu (%s, at %s:%llu)", d->temp_replica_id,
			    tmp->tagged_pos.file,
			    (unsigned long long)tmp->tagged_pos.pos,
			    tr->sql_running ? "running" : "stopped",
			    tr->exec.file, (unsigned long long)tr->exec.pos);
			return;
		}
		ACT(s, ACT_CREATE_SNAPSHOT,
		    "the frozen replica's data at the recorded position",
		    "snapshot '%s' as '%s' (at %s:%llu)", d->temp_replica_id,
		    d->snapshot_id, tmp->tagged_pos.file,
		    (unsigned long long)tmp->tagged_pos.pos);
		s->pos = tmp->tagged_pos;
		return;
	}
	if (!t->exists && !o->copy.exists) {
		if (o->freeze.tagged_pos.file[0] == '\0') {
			BLOCK(s, "without them replication cannot start at the "
			    "right row", "snapshot '%s' carries no binlog "
			    "coordinates", d->snapshot_id);
			return;
		}
		if (strcmp(o->freeze.status, "available") != 0) {
			WAIT(s, WAIT_PROGRESS, POLL_PROGRESS,
			    "DescribeDBSnapshots", "the snapshot is being taken",
			    "wait for snapshot '%s' (%s, %d%%)", d->snapshot_id,
			    o->freeze.status, o->freeze.percent);
			return;
		}
		ACT(s, ACT_COPY_SNAPSHOT,
		    "only a copy with KmsKeyId encrypts RDS data",
		    "copy '%s' to '%s' encrypted with '%s'", d->snapshot_id,
		    d->encrypted_snapshot_id, d->kms_key_id);
		return;
	}
	if (!t->exists) {
		if (strcmp(o->copy.status, "available") != 0) {
			WAIT(s, WAIT_PROGRESS, POLL_PROGRESS,
			    "DescribeDBSnapshots", "the encrypted copy is running",
			    "wait for snapshot '%s' (%s, %d%%)",
			    d->encrypted_snapshot_id, o->copy.status,
			    o->copy.percent);
			return;
		}
		if (!o->copy.encrypted ||
		    strcmp(o->copy.kms_key_id, o->key.arn) != 0) {
			BLOCK(s, "the target must be encrypted with the declared "
			    "key", "snapshot '%s' is not encrypted with '%s'",
			    d->encrypted_snapshot_id, o->key.arn);
			return;
		}
		ACT(s, ACT_RESTORE_TARGET,
		    "the encrypted instance is built from the encrypted copy",
		    "restore '%s' from '%s'", d->target_id,
		    d->encrypted_snapshot_id);
		return;
	}

	/* The target exists and is ours. */
	if (!is_status(t, "available")) {
		WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
		    "the target is changing", "wait for '%s' to be available "
		    "(%s)", d->target_id, t->status);
		return;
	}
	if (!t->encrypted || strcmp(t->kms_key_id, o->key.arn) != 0) {
		BLOCK(s, "the target must be encrypted with the declared key",
		    "target '%s' is not encrypted with '%s'", d->target_id,
		    o->key.arn);
		return;
	}
	if (t->tagged_pos.file[0] == '\0') {
		BLOCK(s, "without them replication cannot start at the right "
		    "row", "target '%s' carries no binlog coordinates",
		    d->target_id);
		return;
	}
	if (!o->target_pg_exists || o->target_pg_read_only != TRI_YES) {
		ACT(s, ACT_CREATE_TARGET_PARAMS,
		    "a restore gets the default group; the target needs the "
		    "source's values and its own read_only",
		    "create parameter group '%s' from '%s' with read_only=1",
		    d->param_group, src->param_group);
		return;
	}
	if (strcmp(t->param_group, d->param_group) || !same_sgs(t, src) ||
	    t->multi_az != src->multi_az ||
	    t->backup_retention != action_target_retention(src)) {
		if (t->pending_modifications)
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
			    "a modification is pending", "wait for the "
			    "pending modification of '%s'", d->target_id);
		else
			ACT(s, ACT_MODIFY_TARGET,
			    "a restore does not carry the source's settings",
			    "give '%s' the source's security groups, parameter "
			    "group, backups and Multi-AZ",
			    d->target_id);
		return;
	}
	if (strcmp(t->param_apply, "pending-reboot") == 0) {
		ACT(s, ACT_REBOOT_TARGET,
		    "the new parameter group applies at reboot", "reboot '%s'",
		    d->target_id);
		return;
	}
	if (r->reachable != TRI_YES) {
		WAIT(s, WAIT_STATUS, POLL_STATUS, "SHOW SLAVE STATUS",
		    "the target's server is starting",
		    "wait for '%s' to accept connections", d->target_id);
		return;
	}
	if (r->read_only != TRI_YES) {
		WAIT(s, WAIT_STATUS, POLL_STATUS, "SELECT @@read_only",
		    "no one may write to the target before the cut-over",
		    "wait for read_only=1 on '%s'", d->target_id);
		return;
	}
	if (!r->configured) {
		if (o->srcdb.repl_user_exists != TRI_YES ||
		    !o->repl_password_stored) {
			ACT(s, ACT_CREATE_REPL_USER,
			    "the target replicates from the source",
			    "create replication user '%s' on the source",
			    d->repl_user);
			return;
		}
		ACT(s, ACT_START_REPLICATION,
		    "the target must apply every write since the freeze point",
		    "replicate '%s' from '%s' at %s:%llu", d->target_id,
		    d->source_id, t->tagged_pos.file,
		    (unsigned long long)t->tagged_pos.pos);
		s->pos = t->tagged_pos;
		return;
	}
	if (r->last_errno != 0) {
		BLOCK(s, "replication errors are never skipped",
		    "replication on the target failed: %u: %s", r->last_errno,
		    r->last_error);
		return;
	}
	if (!r->sql_running || !r->io_running) {
		/* Stopped without an error: resume where it stands. Never
		 * set the position again: that would apply rows twice. */
		ACT(s, ACT_RESUME_REPLICATION,
		    "replication is configured but stopped",
		    "resume replication on '%s'", d->target_id);
		return;
	}
	plan_gates(d, o, &g);
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

void
plan_next(const struct desired *d, const struct observed *o, struct step *s)
{
	memset(s, 0, sizeof(*s));
	if (check_ownership(d, o, s))
		return;
	if (o->target.exists && strcmp(o->target.phase, PHASE_DONE) == 0) {
		plan_cleanup(d, o, s);
		return;
	}
	if (o->target.exists && strcmp(o->target.phase, PHASE_CUTOVER) == 0) {
		plan_cutover(d, o, s);
		return;
	}
	if (preflight(d, o, s))
		return;
	plan_build(d, o, s);
}

void
plan_assume(const struct desired *d, struct observed *o, const struct step *s)
{
	struct obs_instance *t = &o->target;

	if (s->kind == STEP_WAIT || s->kind == STEP_GATE) {
		switch (s->wait) {
		case WAIT_GATE_APPROVAL:
			o->approved = 1;
			break;
		case WAIT_GATE_WINDOW:
			o->now = desired_window_next(d, o->now);
			break;
		case WAIT_GATE_POSTPONE:
			o->postponed = 0;
			break;
		case WAIT_LAG:
		case WAIT_GATE_LAG:
			o->tgtrepl.seconds_behind = 0;
			break;
		case WAIT_POSITION:
			o->tgtrepl.exec = o->srcdb.binlog;
			break;
		case WAIT_INSYNC:
			snprintf(o->change_status, sizeof(o->change_status),
			    "INSYNC");
			break;
		case WAIT_PROGRESS:
			if (o->freeze.exists)
				action_assume_snapshot(&o->freeze,
				    &o->freeze.tagged_pos);
			if (o->copy.exists)
				action_assume_snapshot(&o->copy,
				    &o->copy.tagged_pos);
			break;
		case WAIT_GATE_HOOK: o->before_cutover_hook = TRI_YES; break;
		case WAIT_STATUS:
		case WAIT_NONE:
			/* Whatever was changing settles. */
			if (o->source.exists)
				snprintf(o->source.status,
				    sizeof(o->source.status), "available");
			if (o->temp.exists) {
				if (strcmp(o->temp.status, "deleting") == 0)
					memset(&o->temp, 0, sizeof(o->temp));
				else
					action_assume_instance(&o->temp,
					    "temp");
				o->temprepl.reachable = TRI_YES;
				/* A new replica starts replicating. */
				if (!o->temprepl.configured &&
				    o->temp.tagged_pos.file[0] == '\0') {
					o->temprepl.configured = 1;
					o->temprepl.io_running = 1;
					o->temprepl.sql_running = 1;
					o->temprepl.seconds_behind = 0;
					o->temprepl.exec = o->srcdb.binlog;
				}
			}
			if (o->freeze.exists &&
			    strcmp(o->freeze.status, "deleting") == 0)
				memset(&o->freeze, 0, sizeof(o->freeze));
			if (t->exists) {
				action_assume_instance(t, "target");
				t->pending_modifications = 0;
				o->tgtrepl.reachable = TRI_YES;
				if (o->target_pg_read_only == TRI_YES &&
				    strcmp(t->phase, PHASE_CUTOVER) != 0)
					o->tgtrepl.read_only = TRI_YES;
				if (o->target_pg_read_only == TRI_NO)
					o->tgtrepl.read_only = TRI_NO;
			}
			if (o->source_pg_read_only == TRI_YES)
				o->srcdb.read_only = TRI_YES;
			break;
		}
		return;
	}
	if (s->kind == STEP_ACT && action_get(s->action) != NULL)
		action_get(s->action)->assume(d, o, s);
}

size_t
plan_all(const struct desired *d, const struct observed *o,
    struct step *steps, size_t max)
{
	struct observed sim = *o;
	size_t n = 0;

	while (n < max) {
		struct step *s = &steps[n++];

		plan_next(d, &sim, s);
		if (s->kind == STEP_CONVERGED || s->kind == STEP_BLOCKED)
			break;
		plan_assume(d, &sim, s);
	}
	return n;
}
