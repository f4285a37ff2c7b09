/*
 * plan-int.h - what the planner's stages share (src/reconcile/plan/): how
 * a step is filled in, the poll intervals, and each stage.
 *
 * A stage reads d and o and, when the next step is its own, fills *s
 * (plan_decided() then says so); otherwise it leaves *s untouched and the
 * strategy asks the next stage.  Stages are pure, like plan_next().
 */
#ifndef RR_PLAN_INT_H
#define RR_PLAN_INT_H

#include "action.h"
#include "desired.h"
#include "observe.h"
#include "plan.h"

/* Fill s; an action's operation is taken from its table entry. */
void plan_set(struct step *s, enum step_kind kind, enum action a,
    enum wait_on w, int requeue, const char *op, const char *why,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* An action step, its arguments resolved by its table entry from d and o
 * (which every stage has in scope under those names). */
void plan_act(const struct desired *d, const struct observed *o, struct step *s,
    enum action a, const char *why, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#define ACT(s, a, why, ...) plan_act(d, o, s, a, why, __VA_ARGS__)
#define WAIT(s, w, secs, op, why, ...) \
	plan_set(s, STEP_WAIT, ACT_NONE, w, secs, op, why, __VA_ARGS__)
#define GATE(s, w, secs, why, ...) \
	plan_set(s, STEP_GATE, ACT_NONE, w, secs, "gate", why, __VA_ARGS__)
#define BLOCK(s, why, ...) \
	plan_set(s, STEP_BLOCKED, ACT_NONE, WAIT_NONE, 0, "", why, __VA_ARGS__)

/* Poll intervals, seconds, tuned to RDS timescales and its API budget. */
#define POLL_STATUS   15
#define POLL_PROGRESS 10
#define POLL_LAG      2
#define POLL_POSITION 1
#define POLL_INSYNC   3
#define POLL_GATE     60

/* 1 once a stage has filled s (plan_next() zeroes it first). */
int plan_decided(const struct step *s);

/* i's DBInstanceStatus is status. */
int plan_is_status(const struct obs_instance *i, const char *status);

/* Same set of security group ids (observe sorts them). */
int plan_same_sgs(const struct obs_instance *a, const struct obs_instance *b);

/* ownership.c: a resource under one of our names without our tag. */
void plan_ownership(const struct desired *d, const struct observed *o,
    struct step *s);
/* preflight.c: refusals before anything is built. */
void plan_preflight(const struct desired *d, const struct observed *o,
    struct step *s);
/* preflight-binlog.c: the source as binlog replication needs it: engine, backups, binary log
 * on, binlog_format ROW or MIXED.  Decides s only to refuse. */
void plan_preflight_binlog(const struct desired *d, const struct observed *o,
    struct step *s);
/* target.c: the target's parameter group, made before the restore. */
void plan_target_params(const struct desired *d, const struct observed *o,
    struct step *s);
/* target.c: an encrypted target, restored, configured like the source. */
void
plan_target(const struct desired *d, const struct observed *o, struct step *s);
/* replication.c: a freeze point whose binlog is purged is discarded
 * (target, copy, snapshot, temporary replica) for a new one. */
void plan_refreeze(const struct desired *d, const struct observed *o,
    struct step *s);
/* replication.c: the target replicating from the source, no error. */
void plan_replication(const struct desired *d, const struct observed *o,
    struct step *s);
/* gates.c: caught up; the gates, then the start of the cut-over. */
void plan_cutover_gates(const struct desired *d, const struct observed *o,
    struct step *s);
/*
 * gates.c: the guardrails before the fence (a long transaction, DDL or a
 * metadata-lock wait on the source, or not knowing): 1 with s set to the
 * gate that holds, 0 when the source may be fenced.
 */
int plan_source_guards(const struct desired *d, const struct observed *o,
    struct step *s);
/* cutover.c: phase=cutover, finishing it. */
void
plan_cutover(const struct desired *d, const struct observed *o, struct step *s);
/* clients.c: before the gates, the record's TTL lowered (decides s only
 * to lower it); once the gates are open, its old TTL waited out. */
void plan_lower_ttl(const struct desired *d, const struct observed *o,
    struct step *s);
void plan_ttl_wait(const struct desired *d, const struct observed *o,
    struct step *s);
/* clients.c: after the switch is INSYNC, sessions on the old source ended
 * until the old TTL has passed, then the cut-over marked done. */
void plan_stale_clients(const struct desired *d, const struct observed *o,
    struct step *s);
/* clients.c: cutover.isolateSource, last of all (it cuts off this tool's
 * connections to the source too, and the run lock lives there): the
 * isolation group made, the old source put in it alone.  Decides s only
 * while that is still to do. */
void plan_isolate_source(const struct desired *d, const struct observed *o,
    struct step *s);
/* clients.c: when the TTL wait ends, UTC seconds: before the cut-over the
 * lowering's time plus the old TTL, during it the switch's plus the old
 * TTL (at least cutoverTtlSeconds). */
time_t plan_ttl_deadline(const struct desired *d, const struct observed *o);
/* cleanup.c: phase=done, deleting what is no longer needed. */
void
plan_cleanup(const struct desired *d, const struct observed *o, struct step *s);

#endif
