/*
 * table.c - the action table: every enum action's entry, made from the
 * one list in include/action.h (ACTIONS), so that the enum and the table
 * cannot disagree; an entry no family file defines fails the link.
 */
#include <stddef.h>

#include "actions-int.h"
#include "desired.h"

#define ACTION_ENTRY_(value, entry) [value] = &entry,

static const struct action_entry *const action_table[ACT__COUNT] = {
	[ACT_NONE] = NULL,
	ACTIONS(ACTION_ENTRY_)
};

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
