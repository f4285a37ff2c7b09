/*
 * snapshot.c - the snapshot of the stopped temporary replica, and its copy
 * encrypted with the declared key: the only way RDS encrypts existing data
 * (DESIGN.md §2 steps 3-4; RDS API Reference, CreateDBSnapshot,
 * CopyDBSnapshot KmsKeyId).
 */
#include <stdio.h>

#include "actions-int.h"
#include "desired.h"

static enum rr_err
run_create_snapshot(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	enum rr_err e;

	e = rds_create_snapshot(c->aws, s->args.id, s->args.from,
	    act_rds_tags(&s->args, v, &l));
	return act_created(c, e, "DBSnapshotAlreadyExists");
}

/* The snapshot carries the freeze point the replica was tagged with. */
static void
resolve_create_snapshot(const struct desired *d, const struct observed *o,
    struct step *s)
{
	s->pos = o->temp.tagged_pos;
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->snapshot_id);
	snprintf(s->args.from, sizeof(s->args.from), "%s", d->temp_replica_id);
	act_args_ours(&s->args, d, "freeze-snapshot", &s->pos);
}

static void
assume_create_snapshot(const struct desired *d, struct observed *o,
    const struct step *s)
{
	action_assume_snapshot(&o->freeze, &s->pos);
}

const struct action_entry action_create_snapshot = {
	.action = ACT_CREATE_SNAPSHOT,
	.name = "create-snapshot",
	.symbol = "+",
	.mutates = MUTATES_AWS,
	.resource = RES_SNAPSHOT,
	.op = "CreateDBSnapshot",
	.resolve = resolve_create_snapshot,
	.run = run_create_snapshot,
	.assume = assume_create_snapshot,
};

static enum rr_err
run_copy_snapshot(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	enum rr_err e;

	/* CopyTags=true as well: whatever else the snapshot carries. */
	e = rds_copy_snapshot(c->aws, s->args.from, s->args.id,
	    s->args.kms_key_id, 1, act_rds_tags(&s->args, v, &l));
	return act_created(c, e, "DBSnapshotAlreadyExists");
}

static void
resolve_copy_snapshot(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s",
	    d->encrypted_snapshot_id);
	snprintf(s->args.from, sizeof(s->args.from), "%s", d->snapshot_id);
	snprintf(s->args.kms_key_id, sizeof(s->args.kms_key_id), "%s",
	    d->kms_key_id);
	act_args_ours(&s->args, d, "encrypted-snapshot", &o->freeze.tagged_pos);
}

static void
assume_copy_snapshot(const struct desired *d, struct observed *o,
    const struct step *s)
{
	action_assume_snapshot(&o->copy, &o->freeze.tagged_pos);
	o->copy.encrypted = 1;
	snprintf(o->copy.kms_key_id, sizeof(o->copy.kms_key_id), "%s",
	    o->key.arn);
}

const struct action_entry action_copy_snapshot = {
	.action = ACT_COPY_SNAPSHOT,
	.name = "copy-snapshot-encrypted",
	.symbol = "+",
	.mutates = MUTATES_AWS,
	.resource = RES_ENCRYPTED_SNAPSHOT,
	.op = "CopyDBSnapshot",
	.resolve = resolve_copy_snapshot,
	.run = run_copy_snapshot,
	.assume = assume_copy_snapshot,
};
