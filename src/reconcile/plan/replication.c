/*
 * replication.c - the target replicating from the source at its recorded
 * coordinates: the replication user, rds_set_external_master and start,
 * resume a stopped replication, and never skip an error (DESIGN.md §2
 * step 6).
 */
#include <stdio.h>
#include <string.h>

#include "plan-int.h"

/* The source no longer has pos's binlog file: SHOW BINARY LOGS starts
 * after it.  False when that is unknown. */
static int
binlog_purged(const struct observed *o, const struct binlog_pos *pos)
{
	struct binlog_pos file, oldest;

	if (o->srcdb.binlog_oldest[0] == '\0' || pos->file[0] == '\0')
		return 0;
	memset(&file, 0, sizeof(file));
	memset(&oldest, 0, sizeof(oldest));
	snprintf(file.file, sizeof(file.file), "%s", pos->file);
	snprintf(oldest.file, sizeof(oldest.file), "%s",
	    o->srcdb.binlog_oldest);
	return binlog_pos_cmp(&file, &oldest) < 0;
}

/* The freeze point the build stands on: the target's, else the
 * copy's, the snapshot's or the temporary replica's tag. */
static const struct binlog_pos *
freeze_pos(const struct observed *o)
{
	if (o->target.exists && o->target.tagged_pos.file[0])
		return &o->target.tagged_pos;
	if (o->copy.exists && o->copy.tagged_pos.file[0])
		return &o->copy.tagged_pos;
	if (o->freeze.exists && o->freeze.tagged_pos.file[0])
		return &o->freeze.tagged_pos;
	if (o->temp.exists && o->temp.tagged_pos.file[0])
		return &o->temp.tagged_pos;
	return NULL;
}

/*
 * Before the target replicates, its start position must still be in the
 * source's binlogs: else rds_set_external_master would start and fail
 * with error 1236.  Nothing is cut over yet (this runs before phase
 * cutover) and the alias still serves the source, so the safe way on is
 * a new freeze point: delete what stands on the old one, newest first,
 * and let the build start again.  Every resource deleted is ours
 * (plan_ownership ran first).
 */
void
plan_refreeze(const struct desired *d, const struct observed *o, struct step *s)
{
	const struct binlog_pos *fp = freeze_pos(o);
	const char *why = "the freeze point's binlog is purged on the source; "
	                  "nothing is cut over, so a new freeze point is safe";

	if (fp == NULL || !binlog_purged(o, fp))
		return;
	/* Replicating already: the position is behind it. */
	if (o->target.exists &&
	    (o->tgtrepl.reachable != TRI_YES || o->tgtrepl.configured))
		return;
	/* The user is made per address of the target, and the new target
	 * will have another: make it again then. */
	if (o->srcdb.repl_user_exists == TRI_YES) {
		ACT(s, ACT_DROP_REPL_USER, why,
		    "drop replication user '%s' on the source, made for the "
		    "target of the purged freeze point",
		    d->repl_user);
		return;
	}
	if (o->target.exists) {
		if (plan_is_status(&o->target, "deleting"))
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
			    "the old target is being deleted",
			    "wait for '%s' to be deleted", d->target_id);
		else
			ACT(s, ACT_DISCARD_TARGET, why,
			    "delete target '%s': binlog '%s' of its freeze "
			    "point is purged on '%s' (oldest '%s')",
			    d->target_id, fp->file, d->source_id,
			    o->srcdb.binlog_oldest);
		return;
	}
	if (o->copy.exists) {
		if (strcmp(o->copy.status, "deleting") == 0)
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBSnapshots",
			    "the old encrypted copy is being deleted",
			    "wait for '%s' to be deleted",
			    d->encrypted_snapshot_id);
		else
			ACT(s, ACT_DISCARD_COPY, why,
			    "delete encrypted snapshot '%s' of the purged "
			    "freeze point %s:%llu",
			    d->encrypted_snapshot_id, fp->file,
			    (unsigned long long)fp->pos);
		return;
	}
	if (o->freeze.exists) {
		if (strcmp(o->freeze.status, "deleting") == 0)
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBSnapshots",
			    "the old snapshot is being deleted",
			    "wait for '%s' to be deleted", d->snapshot_id);
		else
			ACT(s, ACT_DELETE_SNAPSHOT, why,
			    "delete unencrypted snapshot '%s' of the purged "
			    "freeze point %s:%llu",
			    d->snapshot_id, fp->file,
			    (unsigned long long)fp->pos);
		return;
	}
	if (plan_is_status(&o->temp, "deleting"))
		WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
		    "the old temporary replica is being deleted",
		    "wait for '%s' to be deleted", d->temp_replica_id);
	else
		ACT(s, ACT_DELETE_TEMP_REPLICA, why,
		    "delete temporary replica '%s' stopped at the purged "
		    "freeze point %s:%llu",
		    d->temp_replica_id, fp->file, (unsigned long long)fp->pos);
}

/*
 * The target's I/O thread is between connections and retrying (Connecting)
 * with no SQL error: the source restarted or failed over (its endpoint
 * name now leads to the standby), or it was refused a login that the
 * replication user's new host (above) has just fixed.  These are the
 * client's connection errors and "access denied" (MariaDB error codes
 * 2002, 2003, 2005, 2006, 2013, 1045); anything else still blocks.
 */
static int
io_reconnecting(const struct obs_replication *r)
{
	static const unsigned transient[] = { 0, 1045, 2002, 2003, 2005, 2006,
		2013 };
	size_t i;

	if (!r->io_connecting || !r->sql_running ||
	    (r->last_errno != 0 && r->last_errno != r->io_errno))
		return 0;
	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		if (r->io_errno == transient[i])
			return 1;
	return 0;
}

/* What a run killed between CREATE USER and GRANT leaves: the account
 * and its sealed password, without the privilege to replicate. */
#define WHY_UNGRANTED \
	"the replication user exists without the replication grant"

void
plan_replication(const struct desired *d, const struct observed *o,
    struct step *s)
{
	const struct obs_instance *t = &o->target;
	const struct obs_replication *r = &o->tgtrepl;

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
		if (o->srcdb.repl_user_granted == TRI_NO) {
			ACT(s, ACT_CREATE_REPL_USER, WHY_UNGRANTED,
			    "grant replication to user '%s' on the source",
			    d->repl_user);
			return;
		}
		ACT(s, ACT_START_REPLICATION,
		    "the target must apply every write since the freeze point",
		    "replicate '%s' from '%s' at %s:%llu", d->target_id,
		    d->source_id, t->tagged_pos.file,
		    (unsigned long long)t->tagged_pos.pos);
		return;
	}
	if (action_repl_hosts_stale(o) && !o->repl_password_stored) {
		/* A new password would not be the one the target has. */
		BLOCK(s, "the target replicates with the stored password",
		    "replication user '%s' is for another address than the "
		    "target's and its password is no longer stored",
		    d->repl_user);
		return;
	}
	if (o->srcdb.repl_user_granted == TRI_NO && o->repl_password_stored) {
		ACT(s, ACT_CREATE_REPL_USER, WHY_UNGRANTED,
		    "grant replication to user '%s' on the source",
		    d->repl_user);
		return;
	}
	if (action_repl_hosts_stale(o)) {
		/* Same name and password, the target's new address; the
		 * I/O thread retries by itself and then logs in. */
		ACT(s, ACT_CREATE_REPL_USER,
		    "the target's endpoint now resolves to another address "
		    "(a Multi-AZ failover) and connects from it",
		    "re-create replication user '%s' on the source for the "
		    "target's address %s",
		    d->repl_user, o->target_addrs[0]);
		return;
	}
	if (io_reconnecting(r)) {
		char err[32] = "";

		if (r->io_errno != 0)
			snprintf(err, sizeof(err), " (I/O error %u)",
			    r->io_errno);
		WAIT(s, WAIT_RECONNECT, POLL_LAG, "SHOW SLAVE STATUS",
		    "the I/O thread reconnects by itself; nothing is skipped",
		    "wait for '%s' to reconnect to the source%s", d->target_id,
		    err);
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
}
