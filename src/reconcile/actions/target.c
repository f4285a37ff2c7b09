/*
 * target.c - the encrypted target instance: restore it from the encrypted
 * copy, give it a parameter group of its own, the source's settings a
 * restore does not carry, and the reboot that applies the group
 * (DESIGN.md §2 step 5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions-int.h"
#include "desired.h"
#include "xmalloc.h"

int
action_target_retention(const struct obs_instance *src)
{
	return src->backup_retention > 0 ? src->backup_retention : 1;
}

/*
 * Restore the target from the encrypted copy, tagged as ours and with the
 * source's own tags (those not in the aws: or rdsreconcile: namespaces).
 */
static enum rr_err
run_restore_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	const struct desired *d = c->d;
	struct rds_restore_opts ro;
	struct rds_tags src, all;
	struct tagset ts;
	const struct rds_tags *ours;
	enum rr_err e;
	size_t i;

	memset(&src, 0, sizeof(src));
	memset(&all, 0, sizeof(all));
	if ((e = rds_list_tags(c->aws, &src, o->source.arn)) != RR_OK)
		goto out;
	ours = act_tags(&ts, d, "target", &o->copy.tagged_pos);
	for (i = 0; i < ours->n; i++)
		rds_tags_add(&all, ours->v[i].key, ours->v[i].value);
	for (i = 0; i < src.n; i++)
		if (strncmp(src.v[i].key, "aws:", 4) != 0 &&
		    strncmp(src.v[i].key, "rdsreconcile:", 13) != 0)
			rds_tags_add(&all, src.v[i].key, src.v[i].value);
	memset(&ro, 0, sizeof(ro));
	ro.multi_az = ro.publicly_accessible = -1;
	ro.instance_class = d->target_instance_class ? d->target_instance_class
	                                             : o->source.instance_class;
	ro.tags = &all;
	e = rds_restore_from_snapshot(c->aws, d->target_id,
	    d->encrypted_snapshot_id, &ro);
	e = act_created(c, e, "DBInstanceAlreadyExists");
out:
	rds_tags_release(&src);
	rds_tags_release(&all);
	return e;
}

static void
assume_restore_target(const struct desired *d, struct observed *o,
    const struct step *s)
{
	struct obs_instance *t = &o->target;

	action_assume_instance(t, "target");
	t->encrypted = 1;
	snprintf(t->kms_key_id, sizeof(t->kms_key_id), "%s", o->key.arn);
	t->tagged_pos = o->copy.tagged_pos;
	o->tgtrepl.reachable = TRI_YES;
}

const struct action_entry action_restore_target = {
	.action = ACT_RESTORE_TARGET,
	.name = "restore-target",
	.symbol = "+",
	.mutates = MUTATES_AWS,
	.resource = RES_TARGET,
	.op = "RestoreDBInstanceFromDBSnapshot",
	.run = run_restore_target,
	.assume = assume_restore_target,
};

/* A new parameter group with the source's user-set values, read_only=1. */
static enum rr_err
run_create_target_params(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_parameters pl;
	char *family = NULL;
	struct rds_parameter *mods = NULL;
	struct tagset ts;
	char *desc = NULL;
	size_t i, n = 0;
	enum rr_err e;

	memset(&pl, 0, sizeof(pl));
	if ((e = rds_describe_parameter_group(c->aws, &family,
	         o->source.param_group)) != RR_OK)
		goto out;
	desc = xasprintf("rdsreconcile: target of %s", c->d->name);
	e = rds_create_parameter_group(c->aws, c->d->param_group, family, desc,
	    act_tags(&ts, c->d, "parameter-group", NULL));
	if ((e = act_created(c, e, "DBParameterGroupAlreadyExists")) != RR_OK)
		goto out;
	if ((e = rds_describe_parameters(c->aws, &pl, o->source.param_group,
	         "user")) != RR_OK)
		goto out;
	mods = xcalloc(pl.n + 1, sizeof(*mods));
	for (i = 0; i < pl.n; i++) {
		if (strcmp(pl.v[i].name, "read_only") == 0 ||
		    pl.v[i].value == NULL)
			continue;
		mods[n].name = pl.v[i].name;
		mods[n].value = pl.v[i].value;
		mods[n].apply_method = (char *)(pl.v[i].apply_type &&
		            strcmp(pl.v[i].apply_type, "dynamic") == 0
		        ? "immediate"
		        : "pending-reboot");
		n++;
	}
	mods[n].name = (char *)"read_only";
	mods[n].value = (char *)"1";
	mods[n].apply_method = (char *)"immediate";
	n++;
	e = rds_modify_parameter_group(c->aws, c->d->param_group, mods, n);
out:
	free(mods);
	free(desc);
	rds_parameters_release(&pl);
	free(family);
	return e;
}

static void
assume_create_target_params(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->target_pg_exists = o->target_pg_ours = 1;
	o->target_pg_read_only = TRI_YES;
}

const struct action_entry action_create_target_params = {
	.action = ACT_CREATE_TARGET_PARAMS,
	.name = "create-target-parameter-group",
	.symbol = "+",
	.mutates = MUTATES_AWS,
	.resource = RES_PARAM_GROUP,
	.op = "CreateDBParameterGroup",
	.run = run_create_target_params,
	.assume = assume_create_target_params,
};

static enum rr_err
run_modify_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_modify m = RDS_MODIFY_INIT;
	struct rds_strlist sgl;
	char *sgs[8];
	int i;

	for (i = 0; i < o->source.n_sg; i++)
		sgs[i] = (char *)o->source.sg_ids[i];
	sgl.v = sgs;
	sgl.n = (size_t)o->source.n_sg;
	m.vpc_security_group_ids = &sgl;
	m.parameter_group = c->d->param_group;
	m.backup_retention_period = action_target_retention(&o->source);
	m.multi_az = o->source.multi_az;
	m.apply_immediately = 1;
	return rds_modify_instance(c->aws, c->d->target_id, &m);
}

static void
assume_modify_target(const struct desired *d, struct observed *o,
    const struct step *s)
{
	struct obs_instance *t = &o->target;

	snprintf(t->param_group, sizeof(t->param_group), "%s", d->param_group);
	memcpy(t->sg_ids, o->source.sg_ids, sizeof(t->sg_ids));
	t->n_sg = o->source.n_sg;
	t->multi_az = o->source.multi_az;
	t->backup_retention = action_target_retention(&o->source);
	snprintf(t->param_apply, sizeof(t->param_apply), "pending-reboot");
}

const struct action_entry action_modify_target = {
	.action = ACT_MODIFY_TARGET,
	.name = "modify-target",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_TARGET,
	.op = "ModifyDBInstance",
	.run = run_modify_target,
	.assume = assume_modify_target,
};

static enum rr_err
run_reboot_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return rds_reboot_instance(c->aws, c->d->target_id);
}

static void
assume_reboot_target(const struct desired *d, struct observed *o,
    const struct step *s)
{
	snprintf(o->target.param_apply, sizeof(o->target.param_apply),
	    "in-sync");
	o->tgtrepl.read_only = TRI_YES;
}

const struct action_entry action_reboot_target = {
	.action = ACT_REBOOT_TARGET,
	.name = "reboot-target",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_TARGET,
	.op = "RebootDBInstance",
	.run = run_reboot_target,
	.assume = assume_reboot_target,
};
