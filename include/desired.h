/*
 * desired.h - the desired-state file (format v1): parse, validate, query.
 *
 * The format is defined by schemas/desired-v1.schema.json; the parser's key
 * table is generated from it (src/desired/desired-keys.c), so every check
 * the schema makes the parser makes too, plus a few the schema cannot
 * express (tests/desired/refused/ lists them): the source and the target
 * and the target's derived names must all differ, an ARN's region must be
 * spec.region, the replication user must not be the admin user, no window
 * range may be empty, no string may hold a NUL, the objects of a file must
 * have distinct names, targets and sources, and the schema's reserved
 * credentials.admin.secretsManagerArn is refused as not supported yet.
 *
 * YAML: one object per document; a file may hold several ("---").  Scalars
 * resolve as in YAML 1.2's core schema, restricted: an unquoted
 * true/false (True, TRUE, ...) is a boolean, an unquoted decimal integer an
 * integer, an unquoted null, ~ or nothing is null, everything else a string
 * (so "yes", "on" and "0x10" are strings, and quoting makes anything a
 * string).  Anchors, aliases and explicit tags are refused.
 *
 * Errors are RR_ERR_PARSE (RR_ERR_IO when the file cannot be read), with a
 * detail "FILE:LINE:COLUMN: message" (1-based, as libyaml marks them) that
 * names the key by its dotted path, e.g.
 *   desired.yaml:7:5: unknown key 'kmsKeyID' in spec.target (did you mean 'kmsKeyId'?)
 *   desired.yaml:12:10: spec.endpoint.ttl: 99999 is out of range 0..86400
 *   desired.yaml:8:3: missing required key 'spec.source.dbInstanceIdentifier'
 * Only the first error of a file is reported.
 */
#ifndef RR_DESIRED_H
#define RR_DESIRED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

#define DESIRED_API_VERSION	"rdsreconcile/v1"
#define DESIRED_KIND		"EncryptedInstance"

/* Largest desired file read, in bytes. */
#define DESIRED_MAX_FILE	(1024 * 1024)

/* The order is the schema's enum order (a unit test checks it). */
enum desired_strategy {
	DESIRED_STRATEGY_REPLICA_SNAPSHOT
};

enum desired_approval {
	DESIRED_APPROVAL_MANUAL,
	DESIRED_APPROVAL_AUTO
};

/* A position in the desired file, 1-based. */
struct desired_mark {
	unsigned line, col;
};

/*
 * One weekly range, in minutes since Monday 00:00 UTC (0..10079), half-open
 * [start, end).  end < start wraps from Sunday to Monday; end == start never
 * happens (empty ranges are refused).
 */
struct desired_range {
	int start, end;
};

struct desired_window {
	struct desired_range *v;	/* NULL when n == 0 */
	size_t n;			/* 0: no window declared, any time */
};

/*
 * One parsed object.  Strings are owned by it, NUL-terminated, and NULL only
 * where "NULL = absent" is said.  Paths are resolved against the directory
 * of the file (an absolute path is kept; a relative one gets "DIR/" in
 * front unless DIR is "."); they are not made canonical and not checked for
 * existence, which is the user's business at the time of use.
 */
struct desired {
	struct desired *next;		/* the next object of the list, or NULL */

	/* where it came from */
	char *path;			/* the file, as given to the parser */
	char *dir;			/* its directory ("." when none) */
	unsigned doc;			/* 0-based index of its YAML document */
	struct desired_mark mark_doc;	/* the document's first node */
	struct desired_mark mark_name;	/* the value of metadata.name */
	struct desired_mark mark_source; /* ... spec.source.dbInstanceIdentifier */
	struct desired_mark mark_target; /* ... spec.target.dbInstanceIdentifier */

	/* metadata, spec */
	char *name;			/* metadata.name: ownership tag, lock */
	char *region;			/* NULL = from the environment */
	enum desired_strategy strategy;

	/* instances; identifiers in lower case, as RDS stores them */
	char *source_id;
	char *target_id;
	char *kms_key_id;		/* as written: id, ARN, alias/..., alias ARN */
	char *target_instance_class;	/* NULL = the source's class */

	/* the alias record */
	char *zone_id;			/* "Z0123456789ABC", no /hostedzone/ */
	char *endpoint_name;		/* lower case, with a final dot, as Route 53
					   lists it: "db.internal.example.com." */
	int ttl;			/* seconds, 0..86400 */
	/* seconds, 1..300: the TTL the record is lowered to before the
	 * cut-over (default 5) */
	int cutover_ttl;
	/* the cut-over may create a missing record (default false) */
	bool create_record;

	/* replication */
	/* 1..168: as declared, else twice expected_build_hours capped at
	 * DESIRED_MAX_BINLOG_RETENTION_HOURS, else 24 */
	int binlog_retention_hours;
	int expected_build_hours;       /* 0 = not declared */
	char *repl_user;		/* MySQL user name, never NULL */

	/* cut-over gates */
	enum desired_approval approval;
	char *window_text;		/* as written; NULL = any time */
	struct desired_window windows;	/* parsed window_text */
	int max_lag_seconds;		/* 0..3600 */
	int max_transaction_seconds;    /* 1..3600: oldest open transaction */
	char *approval_file;		/* NULL = none; exists = approved */
	char *postpone_file;		/* NULL = none */
	int cutover_timeout_seconds;	/* 1..3600 */
	/* after the cut-over, the old source gets a security group of its
	 * own with no inbound rule (default false) */
	bool isolate_source;

	/* cleanup after cut-over */
	bool delete_temp_replica;
	bool delete_unencrypted_snapshot;

	/* credentials */
	char *admin_user;
	char *admin_password_file;	/* a sealed file */
	char *private_key_file;		/* NULL = $RDSRECONCILE_PRIVATE_KEY_FILE */
	char *state_dir;		/* never NULL: declared, or dir */

	/* hooks, NULL = none */
	char *hook_before_cutover;
	char *hook_after_cutover;
	char *hook_on_failure;

	/*
	 * Names of the resources the reconciler creates, derived from
	 * target_id (all valid RDS names, checked at parse time):
	 *   temp_replica_id       <target>-rr-tmp      instance, <= 63
	 *   snapshot_id           <target>-freeze      snapshot, <= 255
	 *   encrypted_snapshot_id <target>-freeze-enc  snapshot, <= 255
	 *   param_group           <target>-params      parameter group, <= 255
	 *   isolation_group       <target>-isolate-source  EC2 security group
	 */
	char *temp_replica_id;
	char *snapshot_id;
	char *encrypted_snapshot_id;
	char *param_group;
	char *isolation_group;
};

/* RDS for MySQL and MariaDB: mysql.rds_set_configuration('binlog retention
 * hours', N) takes at most 168 (RDS User Guide, mysql.rds_set_configuration). */
#define DESIRED_MAX_BINLOG_RETENTION_HOURS 168

/*
 * A warning about d that does not stop it, in buf (size bytes), or 0 when
 * there is none: today, an expected build longer than half the binlog
 * retention RDS allows.
 */
int desired_warning(const struct desired *d, char *buf, size_t size);

/*
 * Parse the file at path into a list of objects, one per YAML document, in
 * file order, linked by next.  On success *out owns the list (at least one
 * object) and *n, when n is not NULL, is its length.  On error *out is NULL,
 * *n is 0, and rr_lasterr() says where and why.  The objects of the file
 * are checked against each other with desired_check_set().
 */
enum rr_err desired_parse_file(const char *path, struct desired **out,
    size_t *n);

/*
 * The same for text already in memory (len bytes, need not be
 * NUL-terminated).  path is used in messages and to resolve relative paths
 * (its directory); it is not opened.
 */
enum rr_err desired_parse_string(const char *path, const char *text,
    size_t len, struct desired **out, size_t *n);

/* Free a list of objects; NULL is fine. */
void desired_free(struct desired *list);

/*
 * Check that the objects of a list (for example the lists of several files,
 * appended) can be reconciled together: distinct metadata.name, distinct
 * targets, and no object's target, source or derived names equal another's
 * source or target.  RR_ERR_PARSE with both positions otherwise.
 */
enum rr_err desired_check_set(const struct desired *list);

/* 1 when t is inside one of d's window ranges, or no window is declared. */
int desired_window_contains(const struct desired *d, time_t t);

/*
 * The earliest time >= t inside the window: t itself when inside (or no
 * window is declared), else the start of the next range, to the minute.
 */
time_t desired_window_next(const struct desired *d, time_t t);

/* "replica-snapshot"; "manual", "auto"; "?" for values out of range. */
const char *desired_strategy_name(enum desired_strategy s);
const char *desired_approval_name(enum desired_approval a);

/*
 * Whether s is a valid RDS instance identifier: 1..63 letters, digits and
 * hyphens, a letter first, no "--", not ending with '-'.
 */
bool desired_valid_instance_id(const char *s);

#endif
