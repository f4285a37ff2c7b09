/*
 * cutover.c - the cut-over once begun (target tagged phase=cutover,
 * DESIGN.md §2 step 8), shared by every strategy.
 */
#include <stdio.h>
#include <string.h>

#include "plan-int.h"

/*
 * Phase cutover: writes on the source are being fenced.  Finish: drop the
 * replication user while the source still accepts account changes, fence,
 * wait for the exact final position, stop replication, open the target,
 * switch the alias.  Never start replication again from here.
 */
/* What lifting the fence puts back (abort-cutover resolves the same from
 * the tag fence-source wrote): the value read_only had before, or the
 * engine default when it had none or the tag is missing. */
static const char *
ro_before(const struct observed *o)
{
	if (strcmp(o->target.fence_prev, "0") == 0)
		return "back to 0";
	if (strcmp(o->target.fence_prev, "1") == 0)
		return "back to 1";
	return "reset to the engine default";
}

int
plan_fence_held(const struct observed *o)
{
	return o->target.exists &&
	    strcmp(o->target.phase, PHASE_CUTOVER) == 0 &&
	    (o->srcdb.read_only == TRI_YES ||
	        o->source_pg_read_only == TRI_YES) &&
	    !(o->record.exists &&
	        strcmp(o->record.value, o->target.endpoint) == 0);
}

long
plan_fence_reserve(const struct desired *d)
{
	long r = d->cutover_timeout_seconds / 5;

	return r > 60 ? 60 : r;
}

/*
 * Lifting the fence gives the writes back to the source.  That is safe
 * only while the target still replicates from it short of the final
 * position (or the fence has not taken effect): once replication stopped
 * at the final position or the target was opened, lifting it would make
 * two instances take writes, so the cut-over goes forward instead.
 */
static int
fence_liftable(const struct observed *o)
{
	const struct obs_replication *r = &o->tgtrepl;

	if (o->target_pg_read_only == TRI_NO)
		return 0;
	if (o->srcdb.read_only == TRI_NO)
		return 1;
	if (r->reachable != TRI_YES || !r->configured)
		return 0;
	return o->srcdb.read_only != TRI_YES ||
	    o->srcdb.binlog.file[0] == '\0' ||
	    binlog_pos_cmp(&r->exec, &o->srcdb.binlog) < 0;
}

/* Why the fence must be lifted now, or NULL. */
static const char *
lift_reason(const struct desired *d, const struct observed *o, char *buf,
    size_t len)
{
	if (!plan_fence_held(o) || !fence_liftable(o))
		return NULL;
	if (o->stopping[0] != '\0') {
		snprintf(buf, len,
		    "this run is stopping (%s) before the "
		    "target holds the final position",
		    o->stopping);
		return buf;
	}
	if (o->position_wait_s >=
	    d->cutover_timeout_seconds - plan_fence_reserve(d)) {
		snprintf(buf, len,
		    "cutover.timeoutSeconds (%lds) runs out: "
		    "the target did not reach the fenced source's final "
		    "position",
		    (long)d->cutover_timeout_seconds);
		return buf;
	}
	return NULL;
}

void
plan_cutover(const struct desired *d, const struct observed *o, struct step *s)
{
	const struct obs_replication *r = &o->tgtrepl;
	const char *lift;
	char why[160];

	/* Writes are down while fenced: give them back rather than hold an
	 * outage past the bound, or past this run.  The alias has not moved
	 * and the target never took a write. */
	if ((lift = lift_reason(d, o, why, sizeof(why))) != NULL) {
		ACT(s, ACT_ABORT_CUTOVER, lift,
		    "lift the fence on '%s' (read_only %s in '%s') and "
		    "abort the cut-over after %lds",
		    d->source_id, ro_before(o), o->source.param_group,
		    o->position_wait_s);
		return;
	}
	if (o->srcdb.reachable != TRI_YES && plan_fence_held(o)) {
		/* A failover of the source, say: bounded by the lift above. */
		WAIT(s, WAIT_STATUS, POLL_STATUS, "SELECT @@read_only",
		    "the fenced source must be read again",
		    "wait for the fenced source to accept connections: %s",
		    o->srcdb.error);
		return;
	}
	if (o->srcdb.reachable != TRI_YES) {
		BLOCK(s, "the cut-over cannot finish without the source",
		    "cannot reach the source during the cut-over: %s",
		    o->srcdb.error);
		return;
	}
	if (r->reachable == TRI_YES && !r->configured &&
	    o->srcdb.read_only != TRI_YES) {
		/* We reset only after fencing; anything else lost writes. */
		BLOCK(s,
		    "the target must hold every write before the alias "
		    "moves",
		    "replication on '%s' was reset while the source "
		    "'%s' is not fenced: writes since then are not on the "
		    "target",
		    d->target_id, d->source_id);
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
			WAIT(s, WAIT_STATUS, POLL_POSITION,
			    "SELECT @@read_only",
			    "the parameter change is being applied",
			    "wait for read_only=1 on the source");
		else if (!plan_source_guards(d, o, s))
			/* Asked again: the fence is the moment that counts. */
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
			/* Without it nothing proves the target has every row;
			 * bounded by the lift above. */
			WAIT(s, WAIT_STATUS, POLL_STATUS, "SHOW MASTER STATUS",
			    "replication stops only at a known final "
			    "position",
			    "wait for the final binlog position of the "
			    "fenced source '%s'",
			    d->source_id);
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
			    "lift the fence on '%s' (read_only %s in '%s') and "
			    "abort the cut-over: %u: %s",
			    d->source_id, ro_before(o), o->source.param_group,
			    r->last_errno, r->last_error);
			return;
		}
		if (binlog_pos_cmp(&r->exec, &o->srcdb.binlog) < 0 &&
		    (!r->io_running || !r->sql_running)) {
			ACT(s, ACT_RESUME_REPLICATION,
			    "replication stopped short of the final position",
			    "resume replication on '%s'", d->target_id);
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
		return;
	}
	if (r->read_only != TRI_NO) {
		if (o->target_pg_read_only == TRI_NO)
			WAIT(s, WAIT_STATUS, POLL_POSITION,
			    "SELECT @@read_only",
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
	plan_stale_clients(d, o, s);
}
