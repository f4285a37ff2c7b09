/*
 * assume.c - the dry-run plan: plan_assume() marks in an observation what
 * a step leaves behind (an action's through its table entry, a wait's or
 * a gate's here), and plan_all() replays plan_next() on it until the plan
 * converges or is blocked.  What diff and apply --dry-run print.
 */
#include <stdio.h>
#include <string.h>

#include "plan-int.h"

void
plan_assume(const struct desired *d, struct observed *o, const struct step *s)
{
	struct obs_instance *t = &o->target;

	if (s->kind == STEP_WAIT || s->kind == STEP_GATE) {
		switch (s->wait) {
		case WAIT_GATE_APPROVAL: o->approved = 1; break;
		case WAIT_GATE_WINDOW:
			o->now = desired_window_next(d, o->now);
			break;
		case WAIT_GATE_POSTPONE: o->postponed = 0; break;
		case WAIT_LAG:
		case WAIT_GATE_LAG: o->tgtrepl.seconds_behind = 0; break;
		case WAIT_POSITION: o->tgtrepl.exec = o->srcdb.binlog; break;
		case WAIT_RECONNECT:
			o->tgtrepl.io_connecting = 0;
			o->tgtrepl.io_running = 1;
			o->tgtrepl.io_errno = o->tgtrepl.last_errno = 0;
			o->tgtrepl.last_error[0] = '\0';
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
		case WAIT_GATE_TRANSACTION:
			o->srcdb.oldest_trx.seen = 0;
			o->srcdb.guard_error[0] = '\0';
			break;
		case WAIT_GATE_DDL:
			o->srcdb.ddl.seen = 0;
			o->srcdb.n_ddl = 0;
			break;
		case WAIT_TTL:
			if (o->now < plan_ttl_deadline(d, o))
				o->now = plan_ttl_deadline(d, o);
			o->srcdb.client_connections = 0;
			break;
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
			/* A fenced source read again: its final position
			 * is unknown here, the forecast takes the target's. */
			if (o->source.exists && o->srcdb.reachable != TRI_YES)
				o->srcdb.reachable = TRI_YES;
			/* Read again; the forecast takes a format that
			 * replicates (a wrong one is refused when read). */
			if (o->srcdb.reachable == TRI_YES &&
			    o->srcdb.binlog_format[0] == '\0')
				snprintf(o->srcdb.binlog_format,
				    sizeof(o->srcdb.binlog_format), "ROW");
			/* Fenced only once the replication user was gone. */
			if (o->source_pg_read_only == TRI_YES &&
			    o->srcdb.repl_user_exists == TRI_UNKNOWN)
				o->srcdb.repl_user_exists = TRI_NO;
			if (o->srcdb.read_only == TRI_YES &&
			    o->srcdb.binlog.file[0] == '\0')
				o->srcdb.binlog = o->tgtrepl.exec;
			break;
		}
		return;
	}
	if (s->kind == STEP_ACT && action_get(s->action) != NULL)
		action_get(s->action)->assume(d, o, s);
}

size_t
plan_all(const struct desired *d, const struct observed *o, struct step *steps,
    size_t max)
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
