/*
 * strategy-replica-snapshot.c - the planner of strategy replica-snapshot
 * (DESIGN.md §2): a temporary read replica stopped at a known position,
 * its snapshot, an encrypted copy, a target restored from it, replicating
 * from the source until the cut-over.
 *
 * plan_next() reads a desired object and one observation and names the
 * next step.  The order of the checks is the safety case:
 *
 *   1. ownership: a resource under one of our names that lacks our tag
 *      stops everything (invariant 4);
 *   2. after cut-over (target tagged phase=done): only cleanup;
 *   3. during cut-over (phase=cutover): finish it and never replicate
 *      again from the recorded position (invariant 3: no row twice);
 *   4. before cut-over: preflight refusals, then build the target step by
 *      step, each skipped when a later artifact already exists.
 *
 * Only the build up to the restored target is this strategy's own; the
 * other stages (ownership.c, preflight.c, target.c, replication.c,
 * gates.c, cutover.c, cleanup.c) are shared with any strategy that ends
 * in a target replicating from the source.  No I/O, no clock: the time is
 * o->now.
 */
#include <string.h>

#include "plan-int.h"

/* From nothing to the encrypted target restored from the frozen copy. */
static void
plan_build(const struct desired *d, const struct observed *o, struct step *s)
{
	const struct obs_instance *t = &o->target;

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
		if (!plan_is_status(tmp, "available")) {
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
				BLOCK(s,
				    "the freeze point is read from "
				    "replication",
				    "'%s' has no replication "
				    "configured",
				    d->temp_replica_id);
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
			return;
		}
		if (tr->reachable != TRI_YES) {
			WAIT(s, WAIT_STATUS, POLL_STATUS, "SHOW SLAVE STATUS",
			    "the replica must still stand at its freeze point",
			    "wait for '%s' to accept connections",
			    d->temp_replica_id);
			return;
		}
		if (tr->sql_running ||
		    binlog_pos_cmp(&tr->exec, &tmp->tagged_pos) != 0) {
			BLOCK(s,
			    "a snapshot at another position would apply "
			    "rows twice or lose them",
			    "replication on '%s' "
			    "is not stopped at its recorded freeze point "
			    "%s:%llu (%s, at %s:%llu)",
			    d->temp_replica_id, tmp->tagged_pos.file,
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
		return;
	}
	if (!t->exists && !o->copy.exists) {
		if (o->freeze.tagged_pos.file[0] == '\0') {
			BLOCK(s,
			    "without them replication cannot start at the "
			    "right row",
			    "snapshot '%s' carries no binlog "
			    "coordinates",
			    d->snapshot_id);
			return;
		}
		if (strcmp(o->freeze.status, "available") != 0) {
			WAIT(s, WAIT_PROGRESS, POLL_PROGRESS,
			    "DescribeDBSnapshots",
			    "the snapshot is being taken",
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
			    "DescribeDBSnapshots",
			    "the encrypted copy is running",
			    "wait for snapshot '%s' (%s, %d%%)",
			    d->encrypted_snapshot_id, o->copy.status,
			    o->copy.percent);
			return;
		}
		if (!o->copy.encrypted ||
		    strcmp(o->copy.kms_key_id, o->key.arn) != 0) {
			BLOCK(s,
			    "the target must be encrypted with the declared "
			    "key",
			    "snapshot '%s' is not encrypted with '%s'",
			    d->encrypted_snapshot_id, o->key.arn);
			return;
		}
		if (!o->target_pg_exists || o->target_pg_read_only != TRI_YES) {
			plan_target_params(d, o, s);
			return;
		}
		ACT(s, ACT_RESTORE_TARGET,
		    "the encrypted instance is built from the encrypted copy",
		    "restore '%s' from '%s'", d->target_id,
		    d->encrypted_snapshot_id);
		return;
	}
}

void
plan_next(const struct desired *d, const struct observed *o, struct step *s)
{
	memset(s, 0, sizeof(*s));
	plan_ownership(d, o, s);
	if (plan_decided(s))
		return;
	if (o->target.exists && strcmp(o->target.phase, PHASE_DONE) == 0) {
		plan_cleanup(d, o, s);
		return;
	}
	if (o->target.exists && strcmp(o->target.phase, PHASE_CUTOVER) == 0) {
		plan_cutover(d, o, s);
		return;
	}
	plan_preflight(d, o, s);
	if (!plan_decided(s))
		plan_preflight_binlog(d, o, s);
	if (!plan_decided(s))
		plan_refreeze(d, o, s);
	if (!plan_decided(s))
		plan_build(d, o, s);
	if (!plan_decided(s))
		plan_target(d, o, s);
	if (!plan_decided(s))
		plan_replication(d, o, s);
	if (!plan_decided(s))
		plan_cutover_gates(d, o, s);
}
