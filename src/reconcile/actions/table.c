/*
 * table.c - the action table: every enum action's entry, in enum order
 * (include/action.h).  A missing line fails the build (the size check
 * below); a line out of order fails tests/unit/test-plan.c, which checks
 * that entry i says it is action i.
 */
#include <stddef.h>

#include "actions-int.h"
#include "desired.h"

static const struct action_entry *const action_table[] = {
	NULL, /* ACT_NONE */
	&action_set_binlog_retention,
	&action_create_temp_replica,
	&action_stop_temp_replication,
	&action_record_freeze_point,
	&action_create_snapshot,
	&action_copy_snapshot,
	&action_restore_target,
	&action_create_target_params,
	&action_modify_target,
	&action_reboot_target,
	&action_create_repl_user,
	&action_start_replication,
	&action_resume_replication,
	&action_mark_cutover,
	&action_drop_repl_user,
	&action_fence_source,
	&action_stop_replication,
	&action_unfence_target,
	&action_switch_alias,
	&action_mark_done,
	&action_delete_temp_replica,
	&action_delete_snapshot,
	&action_abort_cutover,
};

_Static_assert(sizeof(action_table) / sizeof(action_table[0]) == ACT__COUNT,
    "every enum action needs its entry in action_table, in enum order");

const struct action_entry *
action_get(enum action a)
{
	if ((unsigned)a >= ACT__COUNT)
		return NULL;
	return action_table[a];
}

const char *
action_name(enum action a)
{
	const struct action_entry *e = action_get(a);

	if (a == ACT_NONE)
		return "none";
	return e != NULL ? e->name : "unknown";
}

int
action_mutates_sql(enum action a)
{
	const struct action_entry *e = action_get(a);

	return e != NULL && e->mutates == MUTATES_SQL;
}

const char *
action_resource_name(const struct desired *d, enum action_resource r)
{
	switch (r) {
	case RES_SOURCE: return d->source_id;
	case RES_TEMP_REPLICA: return d->temp_replica_id;
	case RES_SNAPSHOT: return d->snapshot_id;
	case RES_ENCRYPTED_SNAPSHOT: return d->encrypted_snapshot_id;
	case RES_PARAM_GROUP: return d->param_group;
	case RES_TARGET: return d->target_id;
	case RES_ALIAS: return d->endpoint_name;
	}
	return NULL;
}
