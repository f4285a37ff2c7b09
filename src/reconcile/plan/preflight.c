/*
 * preflight.c - refusals before anything is built or while the target
 * catches up (DESIGN.md §2 step 0), shared by every strategy: the source,
 * the key, the zone and the alias as they must be, a parameter group the
 * fence may change, a source SQL can reach.  What one way of copying
 * needs is its own preflight (preflight-binlog.c).
 */
#include <string.h>
#include <strings.h>

#include "plan-int.h"

void
plan_preflight(const struct desired *d, const struct observed *o,
    struct step *s)
{
	const struct obs_instance *src = &o->source;

	if (!src->exists) {
		BLOCK(s, "the source must exist",
		    "source instance '%s' not "
		    "found",
		    d->source_id);
		return;
	}
	if (src->encrypted && !o->target.exists) {
		BLOCK(s, "there is nothing to encrypt",
		    "source instance '%s' is already encrypted", d->source_id);
		return;
	}
	if (!o->key.exists) {
		BLOCK(s, "the encrypted copy needs the key",
		    "kms key '%s' not found", d->kms_key_id);
		return;
	}
	if (strcmp(o->key.state, "Enabled") != 0) {
		BLOCK(s, "the encrypted copy needs an enabled key",
		    "kms key '%s' is %s", d->kms_key_id,
		    o->key.state[0] ? o->key.state : "not enabled");
		return;
	}
	if (strncmp(src->param_group, "default.", 8) == 0) {
		BLOCK(s,
		    "writes are fenced through the source's parameter "
		    "group, and default groups cannot be modified",
		    "source '%s' uses the default parameter group '%s'; give "
		    "it its own parameter group first",
		    d->source_id, src->param_group);
		return;
	}
	if (o->n_source_pg_shared > 0) {
		BLOCK(s,
		    "writes are fenced with read_only=1 in the source's "
		    "parameter group, which would fence every instance using it",
		    "source '%s' shares parameter group '%s' with %s; give the "
		    "source its own group copied from it "
		    "(copy-db-parameter-group, then modify-db-instance and reboot)",
		    d->source_id, src->param_group, o->source_pg_shared);
		return;
	}
	if (!o->record.zone_exists) {
		BLOCK(s, "the alias lives in that zone",
		    "hosted zone '%s' not found", d->zone_id);
		return;
	}
	/* A record no application resolves yet: the cut-over would fence
	 * the source and move a name nobody uses. */
	if (!o->record.exists && !d->create_record) {
		BLOCK(s,
		    "applications reach the source through that record; "
		    "check the name and zone, or set "
		    "spec.endpoint.createRecord: true for a new name",
		    "alias record '%s' does not exist in hosted zone '%s'",
		    d->endpoint_name, d->zone_id);
		return;
	}
	/* Before the cut-over only the source may serve the alias. */
	if (o->record.exists && o->target.exists &&
	    strcmp(o->record.value, o->target.endpoint) == 0) {
		BLOCK(s,
		    "the target is read-only and behind the source until "
		    "the cut-over",
		    "alias '%s' already points at the target "
		    "'%s' before the cut-over",
		    d->endpoint_name, o->target.endpoint);
		return;
	}
	if (o->record.exists && strcmp(o->record.value, src->endpoint)) {
		BLOCK(s, "switching it would take traffic from something else",
		    "alias '%s' points at '%s', which is neither the source "
		    "nor the target",
		    d->endpoint_name, o->record.value);
		return;
	}
	if (!plan_is_status(src, "available")) {
		WAIT(s, WAIT_STATUS, POLL_STATUS, "DescribeDBInstances",
		    "the source must be available",
		    "wait for source '%s' "
		    "(%s)",
		    d->source_id, src->status);
		return;
	}
	if (o->srcdb.reachable != TRI_YES) {
		BLOCK(s, "replication state is read with SQL",
		    "cannot connect to source '%s': %s", d->source_id,
		    o->srcdb.error);
		return;
	}
}
