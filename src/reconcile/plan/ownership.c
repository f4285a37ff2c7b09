/*
 * ownership.c - the first check of every plan: a resource under one of
 * our names that lacks our ownership tag stops everything (DESIGN.md §5,
 * invariant 4).
 */
#include "plan-int.h"

void
plan_ownership(const struct desired *d, const struct observed *o,
    struct step *s)
{
	static const char why[] = "rdsreconcile never touches a resource "
	                          "without its ownership tag";

	if (o->target.exists && !o->target.ours) {
		BLOCK(s, why,
		    "target name '%s' is held by an instance that is "
		    "not ours (no tag %s=%s)",
		    d->target_id, OBS_TAG_OBJECT, d->name);
		return;
	}
	if (o->temp.exists && !o->temp.ours) {
		BLOCK(s, why, "instance '%s' exists and is not ours",
		    d->temp_replica_id);
		return;
	}
	if (o->freeze.exists && !o->freeze.ours) {
		BLOCK(s, why, "snapshot '%s' exists and is not ours",
		    d->snapshot_id);
		return;
	}
	if (o->copy.exists && !o->copy.ours) {
		BLOCK(s, why, "snapshot '%s' exists and is not ours",
		    d->encrypted_snapshot_id);
		return;
	}
	if (o->target_pg_exists && !o->target_pg_ours) {
		BLOCK(s, why, "parameter group '%s' exists and is not ours",
		    d->param_group);
		return;
	}
}
