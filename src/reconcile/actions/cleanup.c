/*
 * cleanup.c - after the cut-over, delete what is ours and no longer
 * needed: the temporary replica and the unencrypted snapshot (DESIGN.md
 * §2 step 9).  The source is kept for rollback.  Before it, the target
 * and the encrypted copy of a freeze point whose binlog is purged.
 */
#include <stdio.h>
#include <string.h>

#include "actions-int.h"
#include "desired.h"

static enum rr_err
run_delete_temp_replica(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	/* SkipFinalSnapshot: it is a copy of the source. */
	return rds_delete_instance(c->aws, s->args.id, 1, NULL);
}

static void
assume_delete_temp_replica(const struct desired *d, struct observed *o,
    const struct step *s)
{
	memset(&o->temp, 0, sizeof(o->temp));
	memset(&o->temprepl, 0, sizeof(o->temprepl));
}

const struct action_entry action_delete_temp_replica = {
	.action = ACT_DELETE_TEMP_REPLICA,
	.name = "delete-temp-replica",
	.symbol = "-",
	.mutates = MUTATES_AWS,
	.resource = RES_TEMP_REPLICA,
	.op = "DeleteDBInstance",
	.resolve = act_resolve_temp_id,
	.run = run_delete_temp_replica,
	.assume = assume_delete_temp_replica,
};

static enum rr_err
run_delete_snapshot(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return rds_delete_snapshot(c->aws, s->args.id);
}

static void
resolve_delete_snapshot(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->snapshot_id);
}

static void
assume_delete_snapshot(const struct desired *d, struct observed *o,
    const struct step *s)
{
	memset(&o->freeze, 0, sizeof(o->freeze));
}

const struct action_entry action_delete_snapshot = {
	.action = ACT_DELETE_SNAPSHOT,
	.name = "delete-unencrypted-snapshot",
	.symbol = "-",
	.mutates = MUTATES_AWS,
	.resource = RES_SNAPSHOT,
	.op = "DeleteDBSnapshot",
	.resolve = resolve_delete_snapshot,
	.run = run_delete_snapshot,
	.assume = assume_delete_snapshot,
};

/*
 * A new freeze point (plan_refreeze): the target and the encrypted copy
 * of one whose binlog the source purged.  Nothing is cut over and the
 * target never took a write, so no final snapshot.
 */
static enum rr_err
run_discard_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return rds_delete_instance(c->aws, s->args.id, 1, NULL);
}

static void
resolve_discard_target(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->target_id);
}

static void
assume_discard_target(const struct desired *d, struct observed *o,
    const struct step *s)
{
	memset(&o->target, 0, sizeof(o->target));
	memset(&o->tgtrepl, 0, sizeof(o->tgtrepl));
}

const struct action_entry action_discard_target = {
	.action = ACT_DISCARD_TARGET,
	.name = "discard-target",
	.symbol = "-",
	.mutates = MUTATES_AWS,
	.resource = RES_TARGET,
	.op = "DeleteDBInstance",
	.resolve = resolve_discard_target,
	.run = run_discard_target,
	.assume = assume_discard_target,
};

static enum rr_err
run_discard_copy(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return rds_delete_snapshot(c->aws, s->args.id);
}

static void
resolve_discard_copy(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s",
	    d->encrypted_snapshot_id);
}

static void
assume_discard_copy(const struct desired *d, struct observed *o,
    const struct step *s)
{
	memset(&o->copy, 0, sizeof(o->copy));
}

const struct action_entry action_discard_copy = {
	.action = ACT_DISCARD_COPY,
	.name = "discard-encrypted-snapshot",
	.symbol = "-",
	.mutates = MUTATES_AWS,
	.resource = RES_ENCRYPTED_SNAPSHOT,
	.op = "DeleteDBSnapshot",
	.resolve = resolve_discard_copy,
	.run = run_discard_copy,
	.assume = assume_discard_copy,
};
