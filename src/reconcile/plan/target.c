/*
 * target.c - the encrypted target, once it exists and is ours: available,
 * under the declared key, carrying its coordinates, with a parameter group
 * of its own and the source's settings a restore does not carry
 * (DESIGN.md §2 step 5).  Shared by every strategy that restores one.
 */
#include <string.h>

#include "plan-int.h"

/*
 * The target's own parameter group: the source's values and read_only=1,
 * made before the restore so that the target boots read-only with it
 * (RestoreDBInstanceFromDBSnapshot DBParameterGroupName): two writable
 * instances never exist, and no reboot is needed to apply it.
 */
void
plan_target_params(const struct desired *d, const struct observed *o,
    struct step *s)
{
	const struct obs_instance *src = &o->source;

	if (o->source_params_too_many) {
		BLOCK(s,
		    "the target's group would not have the source's values; "
		    "create it yourself from the source's group (with "
		    "read_only=1) and run again",
		    "parameter group '%s' sets more than %d parameters, or a "
		    "value of %d bytes or more",
		    src->param_group, OBS_MAX_PARAMS, OBS_PARAM_VALUE_MAX);
		return;
	}
	if (!o->source_pg_observed) {
		BLOCK(s, "the target's group is made from the source's",
		    "the source's parameter group '%s' was not found",
		    src->param_group);
		return;
	}
	ACT(s, ACT_CREATE_TARGET_PARAMS,
	    "the target boots with it: the source's values and its own "
	    "read_only",
	    "create parameter group '%s' from '%s' with read_only=1",
	    d->param_group, src->param_group);
}

void
plan_target(const struct desired *d, const struct observed *o, struct step *s)
{
	const struct obs_instance *t = &o->target, *src = &o->source;

	if (!plan_is_status(t, "available")) {
		WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
		    "the target is changing",
		    "wait for '%s' to be available "
		    "(%s)",
		    d->target_id, t->status);
		return;
	}
	if (!t->encrypted || strcmp(t->kms_key_id, o->key.arn) != 0) {
		BLOCK(s, "the target must be encrypted with the declared key",
		    "target '%s' is not encrypted with '%s'", d->target_id,
		    o->key.arn);
		return;
	}
	if (t->tagged_pos.file[0] == '\0') {
		BLOCK(s,
		    "without them replication cannot start at the right "
		    "row",
		    "target '%s' carries no binlog coordinates", d->target_id);
		return;
	}
	if (!o->target_pg_exists || o->target_pg_read_only != TRI_YES) {
		plan_target_params(d, o, s);
		return;
	}
	if (strcmp(t->param_group, d->param_group) || !plan_same_sgs(t, src) ||
	    strcmp(t->subnet_group, src->subnet_group) != 0 ||
	    t->publicly_accessible != src->publicly_accessible ||
	    !action_same_settings(&src->settings, &t->settings) ||
	    t->multi_az != src->multi_az ||
	    t->backup_retention != action_target_retention(src)) {
		if (t->pending_modifications)
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
			    "a modification is pending",
			    "wait for the "
			    "pending modification of '%s'",
			    d->target_id);
		else
			ACT(s, ACT_MODIFY_TARGET,
			    "a restore does not carry the source's settings",
			    "give '%s' the source's security groups, backups, "
			    "Multi-AZ and the settings a restore does not carry",
			    d->target_id);
		return;
	}
	if (strcmp(t->param_apply, "pending-reboot") == 0) {
		ACT(s, ACT_REBOOT_TARGET,
		    "the new parameter group applies at reboot", "reboot '%s'",
		    d->target_id);
		return;
	}
}
