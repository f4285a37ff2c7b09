/*
 * validate.c - the rules JSON Schema cannot express (tests/desired/refused/
 * lists them): within one object, once it is filled, and across the
 * objects of a set.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "desired-int.h"

bool
desired_valid_instance_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 63 || !isalpha((unsigned char)s[0]) || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
		if (s[i] == '-' && s[i + 1] == '-')
			return false;
	}
	return true;
}

/* The rules JSON Schema cannot express; see tests/desired/refused/. */
enum rr_err
check_rules(const struct pctx *c, const struct desired *d)
{
	const struct dnode *v;
	const char *arn_region;
	size_t i, n;
	struct {
		const char *name, *what;
		size_t max;
	} derived[] = {
		{ d->temp_replica_id, "temporary replica", 63 },
		{ d->snapshot_id, "snapshot", 255 },
		{ d->encrypted_snapshot_id, "encrypted snapshot", 255 },
		{ d->param_group, "parameter group", 255 },
	};
	const struct dnode *tv =
	    c->val[key_index("spec.target.dbInstanceIdentifier")];

	if (strcmp(d->source_id, d->target_id) == 0)
		return ERR_AT(c, tv,
		    "spec.target.dbInstanceIdentifier: '%s' is the source "
		    "instance; the target must be a new one",
		    d->target_id);
	for (i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		n = strlen(derived[i].name);
		if (n > derived[i].max ||
		    (derived[i].max == 63 &&
		        !desired_valid_instance_id(derived[i].name)))
			return ERR_AT(c, tv,
			    "spec.target.dbInstanceIdentifier: the %s name "
			    "'%s' derived from it is not a valid name",
			    derived[i].what, derived[i].name);
		if (strcmp(derived[i].name, d->source_id) == 0)
			return ERR_AT(c, tv,
			    "spec.target.dbInstanceIdentifier: the %s name "
			    "'%s' derived from it is the source instance",
			    derived[i].what, derived[i].name);
	}

	/* arn:PARTITION:kms:REGION:... must be in the declared region. */
	if (d->region != NULL && strncmp(d->kms_key_id, "arn:", 4) == 0) {
		arn_region = strchr(d->kms_key_id + 4, ':');
		arn_region = arn_region ? strchr(arn_region + 1, ':') : NULL;
		if (arn_region != NULL) {
			arn_region++;
			n = strcspn(arn_region, ":");
			if (n != strlen(d->region) ||
			    strncmp(arn_region, d->region, n) != 0)
				return ERR_AT(c,
				    c->val[key_index("spec.target.kmsKeyId")],
				    "spec.target.kmsKeyId: the key's region "
				    "'%.*s' is not spec.region '%s'",
				    (int)n, arn_region, d->region);
		}
	}

	/* The replication user is dropped after cut-over. */
	if (strcmp(d->repl_user, d->admin_user) == 0) {
		v = c->val[key_index("spec.replication.user")];
		if (v == NULL)
			v = c->val[key_index("spec.credentials.admin.user")];
		return ERR_AT(c, v,
		    "spec.replication.user: '%s' is also the admin user; "
		    "the replication user is dropped after cut-over",
		    d->repl_user);
	}
	return RR_OK;
}

static enum rr_err
conflict(const struct desired *a, struct desired_mark am, const char *what,
    const char *name, const struct desired *b, struct desired_mark bm,
    const char *bwhat)
{
	return rr_seterr(RR_ERR_PARSE,
	    "%s:%u:%u: %s '%s' is also %s of the object '%s' at %s:%u:%u",
	    a->path, am.line, am.col, what, name, bwhat, b->name, b->path,
	    bm.line, bm.col);
}

enum rr_err
desired_check_set(const struct desired *list)
{
	const struct desired *a, *b;

	for (b = list; b != NULL; b = b->next)
		for (a = list; a != b; a = a->next) {
			/* a comes first in the list; report at b */
			if (strcmp(a->name, b->name) == 0)
				return conflict(b, b->mark_name,
				    "metadata.name", b->name, a, a->mark_name,
				    "the name");
			if (strcmp(a->target_id, b->target_id) == 0)
				return conflict(b, b->mark_target, "the target",
				    b->target_id, a, a->mark_target,
				    "the target");
			if (strcmp(a->source_id, b->source_id) == 0)
				return conflict(b, b->mark_source, "the source",
				    b->source_id, a, a->mark_source,
				    "the source");
			if (strcmp(a->source_id, b->target_id) == 0 ||
			    strcmp(a->source_id, b->temp_replica_id) == 0)
				return conflict(b, b->mark_target, "the target",
				    b->target_id, a, a->mark_source,
				    "the source (or its temporary replica)");
			if (strcmp(a->target_id, b->source_id) == 0 ||
			    strcmp(a->temp_replica_id, b->source_id) == 0)
				return conflict(b, b->mark_source, "the source",
				    b->source_id, a, a->mark_target,
				    "the target (or its temporary replica)");
		}
	return RR_OK;
}

int
desired_warning(const struct desired *d, char *buf, size_t size)
{
	if (d->expected_build_hours * 2 > d->binlog_retention_hours) {
		snprintf(buf, size,
		    "binlog retention is %d hours, less than twice the "
		    "expected build of %d hours%s; a build that outlives it "
		    "loses the freeze point's binlog and starts again",
		    d->binlog_retention_hours, d->expected_build_hours,
		    d->binlog_retention_hours ==
		            DESIRED_MAX_BINLOG_RETENTION_HOURS
		        ? " (RDS allows at most 168)"
		        : "");
		return 1;
	}
	return 0;
}
