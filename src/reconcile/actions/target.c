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

static enum rr_err
run_restore_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_restore_opts ro;
	struct act_rds_view view;
	struct rds_tags l;
	enum rr_err e;

	act_rds_view(&s->args, &view);
	memset(&ro, 0, sizeof(ro));
	ro.multi_az = -1;
	ro.instance_class = s->args.instance_class;
	ro.parameter_group =
	    s->args.param_group[0] != '\0' ? s->args.param_group : NULL;
	ro.net = view.net;
	ro.port = s->args.instance_port;
	ro.settings = &view.settings;
	ro.tags = act_rds_tags(&s->args, v, &l);
	e = rds_restore_from_snapshot(c->aws, s->args.id, s->args.from, &ro);
	return act_created(c, e, "DBInstanceAlreadyExists");
}

/*
 * The target from the encrypted copy, tagged as ours (with the copy's
 * coordinates) and with the source's own tags, in the source's class
 * unless spec.target declares one; with its own parameter group (made
 * first: it boots read-only); in the source's subnet group, security
 * groups, PubliclyAccessible and port, with every setting of the source
 * the restore takes (the rest: modify-target).
 */
static void
resolve_restore_target(const struct desired *d, const struct observed *o,
    struct step *s)
{
	struct step_args *a = &s->args;
	int i;

	snprintf(a->id, sizeof(a->id), "%s", d->target_id);
	snprintf(a->from, sizeof(a->from), "%s", d->encrypted_snapshot_id);
	snprintf(a->instance_class, sizeof(a->instance_class), "%s",
	    d->target_instance_class ? d->target_instance_class
	                             : o->source.instance_class);
	snprintf(a->param_group, sizeof(a->param_group), "%s", d->param_group);
	act_args_network(a, &o->source);
	a->instance_port = o->source.port;
	act_args_restore_settings(a, &o->source);
	act_args_ours(a, d, "target", &o->copy.tagged_pos);
	for (i = 0; i < o->n_source_tags; i++)
		act_args_tag(a, o->source_tags[i].key, o->source_tags[i].value);
}

static void
assume_restore_target(const struct desired *d, struct observed *o,
    const struct step *s)
{
	struct obs_instance *t = &o->target;

	action_assume_instance(t, "target");
	t->encrypted = 1;
	snprintf(t->param_group, sizeof(t->param_group), "%s",
	    s->args.param_group);
	snprintf(t->param_apply, sizeof(t->param_apply), "in-sync");
	memcpy(t->sg_ids, s->args.sg_ids, sizeof(t->sg_ids));
	t->n_sg = s->args.n_sg;
	snprintf(t->subnet_group, sizeof(t->subnet_group), "%s",
	    s->args.subnet_group);
	t->publicly_accessible = s->args.publicly_accessible;
	t->allocated_storage = o->source.allocated_storage;
	t->settings = o->source.settings;
	snprintf(t->kms_key_id, sizeof(t->kms_key_id), "%s", o->key.arn);
	t->tagged_pos = o->copy.tagged_pos;
	o->tgtrepl.reachable = TRI_YES;
	o->tgtrepl.read_only = TRI_YES; /* it boots with its own group */
}

const struct action_entry action_restore_target = {
	.action = ACT_RESTORE_TARGET,
	.name = "restore-target",
	.symbol = "+",
	.mutates = MUTATES_AWS,
	.resource = RES_TARGET,
	.op = "RestoreDBInstanceFromDBSnapshot",
	.resolve = resolve_restore_target,
	.run = run_restore_target,
	.assume = assume_restore_target,
};

/* A new parameter group with the source's user-set values, read_only=1. */
static enum rr_err
run_create_target_params(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_parameter mods[OBS_MAX_PARAMS + 1];
	struct rds_tag v[STEP_MAX_TAGS];
	struct rds_tags l;
	char *desc;
	enum rr_err e;
	int i;

	desc = xasprintf("rdsreconcile: target of %s", c->d->name);
	e = rds_create_parameter_group(c->aws, s->args.id, s->args.family, desc,
	    act_rds_tags(&s->args, v, &l));
	free(desc);
	if ((e = act_created(c, e, "DBParameterGroupAlreadyExists")) != RR_OK)
		return e;
	for (i = 0; i < s->args.n_params; i++) {
		const struct obs_param *p = &s->args.params[i];

		mods[i] = (struct rds_parameter){
			.name = (char *)p->name,
			.value = (char *)p->value,
			.apply_method = (char *)p->apply_method,
		};
	}
	return rds_modify_parameter_group(c->aws, s->args.id, mods,
	    (size_t)s->args.n_params);
}

/* The source's family and user-set values, as observed, then read_only=1. */
static void
resolve_create_target_params(const struct desired *d, const struct observed *o,
    struct step *s)
{
	struct step_args *a = &s->args;
	struct obs_param *ro;

	snprintf(a->id, sizeof(a->id), "%s", d->param_group);
	snprintf(a->from, sizeof(a->from), "%s", o->source.param_group);
	snprintf(a->family, sizeof(a->family), "%s", o->source_pg_family);
	memcpy(a->params, o->source_params,
	    (size_t)o->n_source_params * sizeof(a->params[0]));
	a->n_params = o->n_source_params;
	ro = &a->params[a->n_params++];
	snprintf(ro->name, sizeof(ro->name), "read_only");
	snprintf(ro->value, sizeof(ro->value), "1");
	snprintf(ro->apply_method, sizeof(ro->apply_method), "immediate");
	a->read_only = 1;
	act_args_ours(a, d, "parameter-group", NULL);
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
	.resolve = resolve_create_target_params,
	.run = run_create_target_params,
	.assume = assume_create_target_params,
};

static enum rr_err
run_modify_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct rds_modify m = RDS_MODIFY_INIT;
	struct act_rds_view view;

	act_rds_view(&s->args, &view);
	m.vpc_security_group_ids = view.net.vpc_security_group_ids;
	m.db_subnet_group = view.net.db_subnet_group;
	m.publicly_accessible = view.net.publicly_accessible;
	m.settings = &view.settings;
	m.parameter_group =
	    s->args.param_group[0] != '\0' ? s->args.param_group : NULL;
	m.backup_retention_period = s->args.backup_retention;
	m.multi_az = s->args.multi_az;
	m.apply_immediately = 1;
	return rds_modify_instance(c->aws, s->args.id, &m);
}

/*
 * What a restore does not carry: backups (at least 1 day), Multi-AZ, the
 * source's settings a restore does not
 * take (CA, monitoring, Performance Insights, windows); and the source's
 * security groups, subnet group, PubliclyAccessible and other settings
 * where the target differs (a target restored without them).
 */
static void
resolve_modify_target(const struct desired *d, const struct observed *o,
    struct step *s)
{
	struct step_args *a = &s->args;
	const struct obs_instance *t = &o->target, *src = &o->source;
	int i;

	snprintf(a->id, sizeof(a->id), "%s", d->target_id);
	for (i = 0; i < src->n_sg && i < 8; i++)
		snprintf(a->sg_ids[i], sizeof(a->sg_ids[i]), "%s",
		    src->sg_ids[i]);
	a->n_sg = i;
	if (strcmp(t->subnet_group, src->subnet_group) != 0)
		snprintf(a->subnet_group, sizeof(a->subnet_group), "%s",
		    src->subnet_group);
	if (t->publicly_accessible != src->publicly_accessible)
		a->publicly_accessible = src->publicly_accessible;
	act_args_modify_settings(a, src, t);
	/* Restored with it since the group is made first; a target restored
	 * by an older run is moved to it here (and rebooted). */
	if (strcmp(t->param_group, d->param_group) != 0)
		snprintf(a->param_group, sizeof(a->param_group), "%s",
		    d->param_group);
	a->backup_retention = action_target_retention(&o->source);
	a->multi_az = o->source.multi_az;
}

static void
assume_modify_target(const struct desired *d, struct observed *o,
    const struct step *s)
{
	struct obs_instance *t = &o->target;

	if (s->args.param_group[0] != '\0') {
		snprintf(t->param_group, sizeof(t->param_group), "%s",
		    s->args.param_group);
		snprintf(t->param_apply, sizeof(t->param_apply),
		    "pending-reboot");
	}
	memcpy(t->sg_ids, o->source.sg_ids, sizeof(t->sg_ids));
	t->n_sg = o->source.n_sg;
	snprintf(t->subnet_group, sizeof(t->subnet_group), "%s",
	    o->source.subnet_group);
	t->publicly_accessible = o->source.publicly_accessible;
	t->settings = o->source.settings;
	t->multi_az = o->source.multi_az;
	t->backup_retention = action_target_retention(&o->source);
}

const struct action_entry action_modify_target = {
	.action = ACT_MODIFY_TARGET,
	.name = "modify-target",
	.symbol = "~",
	.mutates = MUTATES_AWS,
	.resource = RES_TARGET,
	.op = "ModifyDBInstance",
	.resolve = resolve_modify_target,
	.run = run_modify_target,
	.assume = assume_modify_target,
};

static enum rr_err
run_reboot_target(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return rds_reboot_instance(c->aws, s->args.id);
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
	.resolve = act_resolve_target_id,
	.run = run_reboot_target,
	.assume = assume_reboot_target,
};
