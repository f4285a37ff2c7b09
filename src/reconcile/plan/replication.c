/*
 * replication.c - the target replicating from the source at its recorded
 * coordinates: the replication user, rds_set_external_master and start,
 * resume a stopped replication, and never skip an error (DESIGN.md §2
 * step 6).
 */
#include <stdio.h>

#include "plan-int.h"

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
