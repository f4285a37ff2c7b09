/*
 * preflight-binlog.c - what a strategy that copies through binlog
 * replication needs of the source (DESIGN.md §2 step 0): a MySQL-family
 * engine, automated backups (RDS turns the binary log and read replicas on
 * with them), the binary log on, and a format that replicates the same
 * rows.  replica-snapshot uses it after plan_preflight().
 */
#include <string.h>
#include <strings.h>

#include "plan-int.h"

void
plan_preflight_binlog(const struct desired *d, const struct observed *o,
    struct step *s)
{
	const struct obs_instance *src = &o->source;

	if (strcmp(src->engine, "mysql") && strcmp(src->engine, "mariadb")) {
		BLOCK(s, "binlog replication needs a MySQL-family engine",
		    "source engine '%s' is not mysql or mariadb", src->engine);
		return;
	}
	if (src->backup_retention == 0) {
		BLOCK(s, "read replicas and binary logs need automated backups",
		    "backups are off on source '%s' (BackupRetentionPeriod 0)",
		    d->source_id);
		return;
	}
	if (o->srcdb.log_bin == TRI_NO) {
		BLOCK(s, "replication needs the binary log",
		    "binary logging is off on source '%s'", d->source_id);
		return;
	}
	if (o->srcdb.binlog_format[0] == '\0') {
		/* Not read (the session dropped mid-pass, say): refusing
		 * would tell the operator to change a setting that may be
		 * fine. */
		WAIT(s, WAIT_STATUS, POLL_STATUS, "SELECT @@binlog_format",
		    "the format decides whether replication copies the rows "
		    "the source wrote",
		    "wait until source '%s' reports its binlog_format",
		    d->source_id);
		return;
	}
	/* MIXED logs every statement that is unsafe for statement-based
	 * replication as row events (MySQL Reference Manual, "Mixed Binary
	 * Logging Format"); STATEMENT replays them and can apply other rows
	 * (e.g. UPDATE ... LIMIT without ORDER BY, UUID(), NOW() in triggers). */
	if (strcasecmp(o->srcdb.binlog_format, "ROW") != 0 &&
	    strcasecmp(o->srcdb.binlog_format, "MIXED") != 0) {
		BLOCK(s,
		    "statement-based replication can apply other rows than "
		    "the source wrote (nondeterministic statements are "
		    "replayed, not copied); ROW and MIXED log those as rows",
		    "binlog_format is '%s' on source '%s'; set it to ROW (or "
		    "MIXED) in parameter group '%s'",
		    o->srcdb.binlog_format, d->source_id, src->param_group);
		return;
	}
}
