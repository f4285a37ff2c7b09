/*
 * preflight.c - the one mutation preflight makes, on the source: keep its
 * binary logs long enough for the target to replicate from the freeze
 * point (DESIGN.md §2 step 0; Amazon RDS User Guide,
 * mysql.rds_set_configuration, at most 168 hours).
 */
#include <stdio.h>

#include "actions-int.h"
#include "db.h"
#include "desired.h"

static enum rr_err
run_set_binlog_retention(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct db *db;
	enum rr_err e;

	if ((e = rr_ctx_source(c, &o->source, &db)) != RR_OK)
		return e;
	return db_rds_set_configuration(db, "binlog retention hours",
	    s->args.binlog_retention_hours);
}

static void
resolve_set_binlog_retention(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->source_id);
	s->args.binlog_retention_hours = d->binlog_retention_hours;
}

static void
assume_set_binlog_retention(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->srcdb.binlog_retention_hours = d->binlog_retention_hours;
}

const struct action_entry action_set_binlog_retention = {
	.action = ACT_SET_BINLOG_RETENTION,
	.name = "set-binlog-retention",
	.symbol = "~",
	.mutates = MUTATES_SQL,
	.resource = RES_SOURCE,
	.op = "mysql.rds_set_configuration",
	.resolve = resolve_set_binlog_retention,
	.run = run_set_binlog_retention,
	.assume = assume_set_binlog_retention,
};
