/*
 * cleanup.c - after the cut-over (target tagged phase=done): the alias
 * must still serve the target; delete the temporary replica and the
 * unencrypted snapshot as declared, then converged (DESIGN.md §2 step 9).
 */
#include <string.h>

#include "plan-int.h"

void
plan_cleanup(const struct desired *d, const struct observed *o, struct step *s)
{
	if (!o->record.exists) {
		BLOCK(s, "applications reach the target through the alias",
		    "alias '%s' was deleted after the cut-over",
		    d->endpoint_name);
		return;
	}
	if (strcmp(o->record.value, o->target.endpoint)) {
		BLOCK(s, "the alias was changed after the cut-over",
		    "alias '%s' points at '%s', not at the target '%s'",
		    d->endpoint_name, o->record.value, o->target.endpoint);
		return;
	}
	if (o->temp.exists && d->delete_temp_replica) {
		if (plan_is_status(&o->temp, "deleting"))
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
			    "the temporary replica is being deleted",
			    "wait for '%s' to be deleted", d->temp_replica_id);
		else
			ACT(s, ACT_DELETE_TEMP_REPLICA,
			    "the temporary replica is no longer needed",
			    "delete temporary replica '%s'",
			    d->temp_replica_id);
		return;
	}
	if (o->freeze.exists && d->delete_unencrypted_snapshot) {
		if (strcmp(o->freeze.status, "deleting") == 0)
			WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBSnapshots",
			    "the unencrypted snapshot is being deleted",
			    "wait for '%s' to be deleted", d->snapshot_id);
		else
			ACT(s, ACT_DELETE_SNAPSHOT,
			    "an unencrypted copy of the data must not linger",
			    "delete unencrypted snapshot '%s'", d->snapshot_id);
		return;
	}
	if (d->isolate_source) {
		plan_isolate_source(d, o, s);
		if (plan_decided(s))
			return;
	}
	plan_set(s, STEP_CONVERGED, ACT_NONE, WAIT_NONE, 0, "",
	    "the target is encrypted and serves the alias",
	    "'%s' is encrypted and serves '%s'", d->target_id,
	    d->endpoint_name);
}
