/*
 * snapshot.c - the snapshot of the stopped temporary replica, and its copy
 * encrypted with the declared key: the only way RDS encrypts existing data
 * (DESIGN.md §2 steps 3-4; RDS API Reference, CopyDBSnapshot KmsKeyId).
 */
#include <stdio.h>

#include "actions-int.h"
#include "desired.h"

static enum rr_err
run_create_snapshot(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	const struct desired *d = c->d;
	struct tagset ts;
	enum rr_err e;

	e = rds_create_snapshot(c->aws, d->snapshot_id, d->temp_replica_id,
	    act_tags(&ts, d, "freeze-snapshot", &s->pos));
	return act_created(c, e, "DBSnapshotAlreadyExists");
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
	.run = run_create_snapshot,
	.assume = assume_create_snapshot,
};

static enum rr_err
run_copy_snapshot(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	const struct desired *d = c->d;
	struct tagset ts;
	enum rr_err e;

	e = rds_copy_snapshot(c->aws, d->snapshot_id, d->encrypted_snapshot_id,
	    d->kms_key_id, 1,
	    act_tags(&ts, d, "encrypted-snapshot", &o->freeze.tagged_pos));
	return act_created(c, e, "DBSnapshotAlreadyExists");
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
	.run = run_copy_snapshot,
	.assume = assume_copy_snapshot,
};
