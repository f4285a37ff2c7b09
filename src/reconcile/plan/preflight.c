/*
 * preflight.c - refusals before anything is built or while the target
 * catches up (DESIGN.md §2 step 0): the source, the key, the zone and the
 * alias as they must be, and the binary log replication needs.
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
	if (strcmp(src->engine, "mysql") && strcmp(src->engine, "mariadb")) {
		BLOCK(s, "strategy replica-snapshot needs binlog replication",
		    "source engine '%s' is not mysql or mariadb", src->engine);
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
	if (src->backup_retention == 0) {
		BLOCK(s, "read replicas and binary logs need automated backups",
		    "backups are off on source '%s' (BackupRetentionPeriod 0)",
		    d->source_id);
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
	if (o->srcdb.log_bin == TRI_NO) {
		BLOCK(s, "replication needs the binary log",
		    "binary logging is off on source '%s'", d->source_id);
		return;
	}
	if (strcasecmp(o->srcdb.binlog_format, "ROW") != 0) {
		BLOCK(s, "only row-based replication applies the same rows",
		    "binlog_format is '%s' on source '%s', not ROW; set it in "
		    "parameter group '%s'",
		    o->srcdb.binlog_format, d->source_id, src->param_group);
		return;
	}
}
