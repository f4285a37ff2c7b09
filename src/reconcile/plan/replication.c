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
		if (binlog_purged(o, &t->tagged_pos)) {
			/* Nothing is cut over yet, so a new freeze point is
			 * safe; starting here would fail with error 1236. */
			BLOCK(s,
			    "replication must start exactly at the freeze "
			    "point, and its binlog is gone",
			    "binlog '%s' of the freeze point is purged on '%s' "
			    "(oldest '%s'); nothing is cut over: delete '%s', "
			    "'%s', '%s' for a new freeze point",
			    t->tagged_pos.file, d->source_id,
			    o->srcdb.binlog_oldest, d->target_id,
			    d->snapshot_id, d->encrypted_snapshot_id);
			return;
		}
		ACT(s, ACT_START_REPLICATION,
		    "the target must apply every write since the freeze point",
		    "replicate '%s' from '%s' at %s:%llu", d->target_id,
		    d->source_id, t->tagged_pos.file,
		    (unsigned long long)t->tagged_pos.pos);
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
