/*
 * cleanup.c - after the cut-over, delete what is ours and no longer
 * needed: the temporary replica and the unencrypted snapshot (DESIGN.md
 * §2 step 9).  The source is kept for rollback.
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
