/*
 * observed-json.c - struct observed to and from JSON (observed_json.h).
 *
 * One table per struct names each field, its JSON type and where it lives;
 * reading, defaults and writing all walk the same tables, so a field added
 * to observe.h needs one line here and the JSON round trip test catches a
 * forgotten one (tests/unit/test-plan.c).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "err.h"
#include "observe.h"
#include "observed_json.h"
#include "xmalloc.h"

enum ftype {
	F_BOOL, /* int, JSON true/false */
	F_INT,  /* int */
	F_UINT, /* unsigned */
	F_LONG, /* long */
	F_U64,  /* uint64_t, >= 0 */
	F_STR,  /* char[size] */
	F_TRI,  /* enum tri: "yes" | "no" | "unknown" */
	F_TIME, /* time_t: RFC 3339 UTC or epoch seconds */
	F_SGS,  /* obs_instance sg_ids[] + n_sg */
	F_STRS, /* char[max][size] + its int count at count_off */
	F_OBJ,  /* a nested struct, described by sub */
};

struct field {
	const char *name;
	enum ftype type;
	size_t off;
	size_t size;			/* F_STR: the array's size */
	const struct field *sub;	/* F_OBJ */
	int null_default; /* F_LONG, F_INT: -1 when absent; F_STRS: max */
	size_t count_off; /* F_STRS: the int count */
};

/* The tables read best one field a line, aligned by hand. */
/* clang-format off */
#define END	{ NULL, F_BOOL, 0, 0, NULL, 0, 0 }
#define B(st, f)	{ #f, F_BOOL, offsetof(st, f), 0, NULL, 0, 0 }
#define I(st, f)	{ #f, F_INT, offsetof(st, f), 0, NULL, 0, 0 }
#define IN(st, f)	{ #f, F_INT, offsetof(st, f), 0, NULL, -1, 0 }
#define U(st, f)	{ #f, F_UINT, offsetof(st, f), 0, NULL, 0, 0 }
#define L(st, f, dfl)	{ #f, F_LONG, offsetof(st, f), 0, NULL, dfl, 0 }
#define U64(st, f)	{ #f, F_U64, offsetof(st, f), 0, NULL, 0, 0 }
#define S(st, f)	{ #f, F_STR, offsetof(st, f), \
			    sizeof(((st *)0)->f), NULL, 0, 0 }
#define T(st, f)	{ #f, F_TRI, offsetof(st, f), 0, NULL, 0, 0 }
#define TM(st, f)	{ #f, F_TIME, offsetof(st, f), 0, NULL, 0, 0 }
#define O(st, f, tab)	{ #f, F_OBJ, offsetof(st, f), 0, tab, 0, 0 }
#define SA(st, f, n)	{ #f, F_STRS, offsetof(st, f), \
			    sizeof(((st *)0)->f[0]), NULL, \
			    (int)(sizeof(((st *)0)->f) / \
			    sizeof(((st *)0)->f[0])), offsetof(st, n) }

static const struct field pos_fields[] = {
	S(struct binlog_pos, file),
	U64(struct binlog_pos, pos),
	END
};

static const struct field settings_fields[] = {
	S(struct obs_settings, option_group),
	S(struct obs_settings, storage_type),
	IN(struct obs_settings, iops),
	IN(struct obs_settings, storage_throughput),
	S(struct obs_settings, ca_certificate),
	IN(struct obs_settings, iam_auth),
	IN(struct obs_settings, monitoring_interval),
	S(struct obs_settings, monitoring_role_arn),
	IN(struct obs_settings, performance_insights),
	S(struct obs_settings, pi_kms_key_id),
	IN(struct obs_settings, pi_retention),
	S(struct obs_settings, log_exports),
	S(struct obs_settings, backup_window),
	S(struct obs_settings, maintenance_window),
	IN(struct obs_settings, auto_minor_version_upgrade),
	IN(struct obs_settings, copy_tags_to_snapshot),
	IN(struct obs_settings, deletion_protection),
	END
};

static const struct field instance_fields[] = {
	B(struct obs_instance, exists),
	B(struct obs_instance, ours),
	S(struct obs_instance, status),
	S(struct obs_instance, arn),
	S(struct obs_instance, engine),
	S(struct obs_instance, engine_version),
	S(struct obs_instance, instance_class),
	S(struct obs_instance, endpoint),
	I(struct obs_instance, port),
	B(struct obs_instance, encrypted),
	S(struct obs_instance, kms_key_id),
	I(struct obs_instance, backup_retention),
	B(struct obs_instance, multi_az),
	S(struct obs_instance, param_group),
	S(struct obs_instance, param_apply),
	{ "sg_ids", F_SGS, offsetof(struct obs_instance, sg_ids), 0, NULL, 0, 0 },
	S(struct obs_instance, subnet_group),
	S(struct obs_instance, vpc_id),
	IN(struct obs_instance, publicly_accessible),
	I(struct obs_instance, allocated_storage),
	O(struct obs_instance, settings, settings_fields),
	S(struct obs_instance, replica_source),
	I(struct obs_instance, n_replicas),
	B(struct obs_instance, pending_modifications),
	S(struct obs_instance, phase),
	O(struct obs_instance, tagged_pos, pos_fields),
	TM(struct obs_instance, fenced_at),
	S(struct obs_instance, fence_prev),
	TM(struct obs_instance, ttl_lowered_at),
	L(struct obs_instance, ttl_before, 0),
	TM(struct obs_instance, switched_at),
	END
};

static const struct field group_fields[] = {
	B(struct obs_group, exists),
	B(struct obs_group, ours),
	S(struct obs_group, id),
	I(struct obs_group, n_inbound),
	END
};

static const struct field snapshot_fields[] = {
	B(struct obs_snapshot, exists),
	B(struct obs_snapshot, ours),
	S(struct obs_snapshot, status),
	I(struct obs_snapshot, percent),
	B(struct obs_snapshot, encrypted),
	S(struct obs_snapshot, kms_key_id),
	O(struct obs_snapshot, tagged_pos, pos_fields),
	END
};

static const struct field repl_fields[] = {
	T(struct obs_replication, reachable),
	B(struct obs_replication, configured),
	B(struct obs_replication, io_running),
	B(struct obs_replication, sql_running),
	S(struct obs_replication, source_host),
	I(struct obs_replication, source_port),
	O(struct obs_replication, exec, pos_fields),
	L(struct obs_replication, seconds_behind, -1),
	U(struct obs_replication, last_errno),
	U(struct obs_replication, io_errno),
	B(struct obs_replication, io_connecting),
	S(struct obs_replication, last_error),
	T(struct obs_replication, read_only),
	END
};

static const struct field session_fields[] = {
	B(struct obs_session, seen),
	U64(struct obs_session, id),
	S(struct obs_session, user),
	S(struct obs_session, host),
	L(struct obs_session, age_s, 0),
	S(struct obs_session, state),
	END
};

static const struct field srcdb_fields[] = {
	T(struct obs_source_db, reachable),
	S(struct obs_source_db, error),
	T(struct obs_source_db, log_bin),
	S(struct obs_source_db, binlog_format),
	T(struct obs_source_db, read_only),
	O(struct obs_source_db, binlog, pos_fields),
	S(struct obs_source_db, binlog_oldest),
	L(struct obs_source_db, binlog_retention_hours, -1),
	T(struct obs_source_db, repl_user_exists),
	SA(struct obs_source_db, repl_user_hosts, n_repl_user_hosts),
	T(struct obs_source_db, repl_user_granted),
	T(struct obs_source_db, lock_held),
	S(struct obs_source_db, lock_holder),
	I(struct obs_source_db, client_connections),
	O(struct obs_source_db, oldest_trx, session_fields),
	O(struct obs_source_db, ddl, session_fields),
	I(struct obs_source_db, n_ddl),
	S(struct obs_source_db, guard_error),
	END
};

static const struct field key_fields[] = {
	B(struct obs_key, exists),
	S(struct obs_key, arn),
	S(struct obs_key, state),
	END
};

static const struct field record_fields[] = {
	B(struct obs_record, zone_exists),
	B(struct obs_record, exists),
	S(struct obs_record, type),
	S(struct obs_record, value),
	L(struct obs_record, ttl, 0),
	END
};

static const struct field observed_fields[] = {
	{ "now", F_TIME, offsetof(struct observed, now), 0, NULL, 0, 0 },
	O(struct observed, source, instance_fields),
	O(struct observed, temp, instance_fields),
	O(struct observed, target, instance_fields),
	O(struct observed, freeze, snapshot_fields),
	O(struct observed, copy, snapshot_fields),
	O(struct observed, key, key_fields),
	O(struct observed, record, record_fields),
	B(struct observed, target_pg_exists),
	B(struct observed, target_pg_ours),
	T(struct observed, target_pg_read_only),
	T(struct observed, source_pg_read_only),
	B(struct observed, source_pg_observed),
	S(struct observed, source_pg_family),
	B(struct observed, source_params_too_many),
	T(struct observed, source_pg_read_only_set),
	S(struct observed, source_pg_shared),
	I(struct observed, n_source_pg_shared),
	O(struct observed, isolation, group_fields),
	S(struct observed, change_status),
	O(struct observed, srcdb, srcdb_fields),
	O(struct observed, temprepl, repl_fields),
	O(struct observed, tgtrepl, repl_fields),
	B(struct observed, repl_password_stored),
	SA(struct observed, target_addrs, n_target_addrs),
	S(struct observed, target_resolve_error),
	B(struct observed, approved),
	B(struct observed, postponed),
	L(struct observed, position_wait_s, 0),
	S(struct observed, stopping),
	T(struct observed, before_cutover_hook),
	S(struct observed, hook_error),
	END
};
/* clang-format on */

#define FIELD(base, f, type)	((type *)(void *)((char *)(base) + (f)->off))
#define CFIELD(base, f, type) \
	((const type *)(const void *)((const char *)(base) + (f)->off))

/* Set what an absent key means: TRI_UNKNOWN, -1 for the NULL numbers. */
static void
set_defaults(const struct field *tab, void *base)
{
	const struct field *f;

	for (f = tab; f->name != NULL; f++) {
		if (f->type == F_TRI)
			*FIELD(base, f, enum tri) = TRI_UNKNOWN;
		else if (f->type == F_LONG)
			*FIELD(base, f, long) = f->null_default;
		else if (f->type == F_INT && f->null_default)
			*FIELD(base, f, int) = f->null_default;
		else if (f->type == F_OBJ)
			set_defaults(f->sub, FIELD(base, f, char));
	}
}

static const char *
tri_name(enum tri t)
{
	switch (t) {
	case TRI_YES:
		return "yes";
	case TRI_NO:
		return "no";
	case TRI_UNKNOWN:
		break;
	}
	return "unknown";
}

/* "YYYY-MM-DDTHH:MM:SSZ" to UTC seconds; -1 when malformed. */
static int
parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0' || strlen(s) != 20)
		return -1;
	*out = timegm(&tm);
	return 0;
}

static int
cmp_sg(const void *a, const void *b)
{
	return strcmp(a, b);
}

static enum rr_err read_object(const struct field *, void *, const json_t *,
    const char *, const char *);

/* One value v for field f of base; path is its dotted name. */
static enum rr_err
read_value(const struct field *f, void *base, const json_t *v,
    const char *path, const char *name)
{
	json_int_t n;
	const char *s;
	size_t len, i;

	switch (f->type) {
	case F_BOOL:
		if (!json_is_boolean(v))
			return rr_seterr(RR_ERR_PARSE, "%s: %s: expected true "
			    "or false", name, path);
		*FIELD(base, f, int) = json_is_true(v);
		return RR_OK;
	case F_INT:
	case F_UINT:
	case F_LONG:
	case F_U64:
		if (!json_is_integer(v))
			goto notint;
		n = json_integer_value(v);
		if (f->type == F_INT) {
			if (n < INT_MIN || n > INT_MAX)
				goto notint;
			*FIELD(base, f, int) = (int)n;
		} else if (f->type == F_UINT) {
			if (n < 0 || (unsigned long long)n > UINT_MAX)
				goto notint;
			*FIELD(base, f, unsigned) = (unsigned)n;
		} else if (f->type == F_LONG) {
			if (n < LONG_MIN || n > LONG_MAX)
				goto notint;
			*FIELD(base, f, long) = (long)n;
		} else {
			if (n < 0)
				goto notint;
			*FIELD(base, f, uint64_t) = (uint64_t)n;
		}
		return RR_OK;
	case F_STR:
		if (!json_is_string(v))
			return rr_seterr(RR_ERR_PARSE, "%s: %s: expected a "
			    "string", name, path);
		s = json_string_value(v);
		len = json_string_length(v);
		if (strlen(s) != len)
			return rr_seterr(RR_ERR_PARSE, "%s: %s: the string "
			    "holds a NUL", name, path);
		if (len >= f->size)
			return rr_seterr(RR_ERR_PARSE, "%s: %s: '%.40s...' is "
			    "longer than %zu bytes", name, path, s,
			    f->size - 1);
		memcpy(FIELD(base, f, char), s, len + 1);
		return RR_OK;
	case F_TRI:
		if (json_is_true(v))
			*FIELD(base, f, enum tri) = TRI_YES;
		else if (json_is_false(v))
			*FIELD(base, f, enum tri) = TRI_NO;
		else if (json_is_null(v))
			*FIELD(base, f, enum tri) = TRI_UNKNOWN;
		else if (json_is_string(v) &&
		    strcmp(json_string_value(v), "yes") == 0)
			*FIELD(base, f, enum tri) = TRI_YES;
		else if (json_is_string(v) &&
		    strcmp(json_string_value(v), "no") == 0)
			*FIELD(base, f, enum tri) = TRI_NO;
		else if (json_is_string(v) &&
		    strcmp(json_string_value(v), "unknown") == 0)
			*FIELD(base, f, enum tri) = TRI_UNKNOWN;
		else
			return rr_seterr(RR_ERR_PARSE, "%s: %s: expected "
			    "\"yes\", \"no\" or \"unknown\"", name, path);
		return RR_OK;
	case F_TIME:
		if (json_is_integer(v)) {
			*FIELD(base, f, time_t) = (time_t)json_integer_value(v);
			return RR_OK;
		}
		if (json_is_string(v) &&
		    parse_time(json_string_value(v), FIELD(base, f, time_t))
		    == 0)
			return RR_OK;
		return rr_seterr(RR_ERR_PARSE, "%s: %s: expected epoch seconds "
		    "or \"YYYY-MM-DDTHH:MM:SSZ\"", name, path);
	case F_SGS: {
		struct obs_instance *inst = base;

		if (!json_is_array(v))
			return rr_seterr(RR_ERR_PARSE, "%s: %s: expected an "
			    "array of strings", name, path);
		if (json_array_size(v) > 8)
			return rr_seterr(RR_ERR_PARSE, "%s: %s: more than 8 "
			    "security groups", name, path);
		memset(inst->sg_ids, 0, sizeof(inst->sg_ids));
		inst->n_sg = 0;
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *e = json_array_get(v, i);

			if (!json_is_string(e) ||
			    strlen(json_string_value(e)) !=
			    json_string_length(e))
				return rr_seterr(RR_ERR_PARSE, "%s: %s[%zu]: "
				    "expected a string", name, path, i);
			if (json_string_length(e) >= sizeof(inst->sg_ids[0]))
				return rr_seterr(RR_ERR_PARSE, "%s: %s[%zu]: "
				    "longer than %zu bytes", name, path, i,
				    sizeof(inst->sg_ids[0]) - 1);
			memcpy(inst->sg_ids[i], json_string_value(e),
			    json_string_length(e) + 1);
			inst->n_sg++;
		}
		qsort(inst->sg_ids, (size_t)inst->n_sg, sizeof(inst->sg_ids[0]),
		    cmp_sg);
		return RR_OK;
	}
	case F_STRS: {
		char *arr = FIELD(base, f, char);

		if (!json_is_array(v))
			return rr_seterr(RR_ERR_PARSE,
			    "%s: %s: expected an "
			    "array of strings",
			    name, path);
		if (json_array_size(v) > (size_t)f->null_default)
			return rr_seterr(RR_ERR_PARSE,
			    "%s: %s: more than %d "
			    "entries",
			    name, path, f->null_default);
		memset(arr, 0, f->size * (size_t)f->null_default);
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *e = json_array_get(v, i);

			if (!json_is_string(e) ||
			    strlen(json_string_value(e)) !=
			        json_string_length(e))
				return rr_seterr(RR_ERR_PARSE,
				    "%s: %s[%zu]: "
				    "expected a string",
				    name, path, i);
			if (json_string_length(e) >= f->size)
				return rr_seterr(RR_ERR_PARSE,
				    "%s: %s[%zu]: "
				    "longer than %zu bytes",
				    name, path, i, f->size - 1);
			memcpy(arr + i * f->size, json_string_value(e),
			    json_string_length(e) + 1);
		}
		*(int *)(void *)((char *)base + f->count_off) =
		    (int)json_array_size(v);
		return RR_OK;
	}
	case F_OBJ:
		return read_object(f->sub, FIELD(base, f, char), v, path, name);
	}
	return rr_seterr(RR_ERR_INTERNAL, "%s: %s: bad field type", name, path);
notint:
	return rr_seterr(RR_ERR_PARSE, "%s: %s: expected an integer%s", name,
	    path, f->type == F_UINT || f->type == F_U64 ? " >= 0" :
	    " in range");
}

/* The members of object obj into base per tab; prefix "" at the top. */
static enum rr_err
read_object(const struct field *tab, void *base, const json_t *obj,
    const char *prefix, const char *name)
{
	const struct field *f;
	const char *key;
	json_t *v;
	char path[256];
	enum rr_err e;

	if (!json_is_object(obj))
		return rr_seterr(RR_ERR_PARSE, "%s: %s: expected an object",
		    name, prefix[0] ? prefix : "(top level)");
	json_object_foreach((json_t *)obj, key, v) {
		snprintf(path, sizeof(path), "%s%s%s", prefix,
		    prefix[0] ? "." : "", key);
		for (f = tab; f->name != NULL; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (f->name == NULL)
			return rr_seterr(RR_ERR_PARSE, "%s: unknown key '%s'",
			    name, path);
		if ((e = read_value(f, base, v, path, name)) != RR_OK)
			return e;
	}
	return RR_OK;
}

enum rr_err
observed_from_json_value(struct observed *o, const json_t *root,
    const char *name)
{
	memset(o, 0, sizeof(*o));
	set_defaults(observed_fields, o);
	return read_object(observed_fields, o, root, "", name);
}

enum rr_err
observed_from_json(struct observed *o, const char *path)
{
	json_error_t jerr;
	json_t *root = NULL;
	FILE *f = NULL;
	enum rr_err e;

	memset(o, 0, sizeof(*o));
	set_defaults(observed_fields, o);
	if ((f = fopen(path, "r")) == NULL) {
		e = rr_seterr(RR_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		e = rr_seterr(RR_ERR_PARSE, "%s:%d:%d: %s", path, jerr.line,
		    jerr.column, jerr.text);
		goto out;
	}
	e = observed_from_json_value(o, root, path);
out:
	if (f != NULL)
		fclose(f);
	json_decref(root);
	return e;
}

static json_t *write_object(const struct field *, const void *);

/* A JSON string of the n bytes at s; bytes that are not valid UTF-8 (a
 * server's error text may hold any) become '?'. */
static json_t *
string_value(const char *s, size_t n)
{
	json_t *v;
	char *c;
	size_t i;

	if ((v = json_stringn(s, n)) != NULL)
		return v;
	c = xstrndup(s, n);
	for (i = 0; i < n; i++)
		if ((unsigned char)c[i] >= 0x80)
			c[i] = '?';
	v = json_stringn(c, n);
	free(c);
	return v;
}

static json_t *
write_value(const struct field *f, const void *base)
{
	char tbuf[32];
	struct tm tm;
	time_t t;
	json_t *a;
	int i;

	switch (f->type) {
	case F_BOOL:
		return json_boolean(*CFIELD(base, f, int));
	case F_INT:
		return json_integer(*CFIELD(base, f, int));
	case F_UINT:
		return json_integer(*CFIELD(base, f, unsigned));
	case F_LONG:
		return json_integer(*CFIELD(base, f, long));
	case F_U64:
		/* json_int_t is long long: positions past 2^63 do not occur */
		return json_integer((json_int_t)*CFIELD(base, f, uint64_t));
	case F_STR:
		/* the arrays are NUL-terminated by observe and by us */
		return string_value(CFIELD(base, f, char),
		    strnlen(CFIELD(base, f, char), f->size));
	case F_TRI:
		return json_string(tri_name(*CFIELD(base, f, enum tri)));
	case F_TIME:
		t = *CFIELD(base, f, time_t);
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm) !=
		    20)
			return json_integer((json_int_t)t);
		return json_string(tbuf);
	case F_SGS: {
		const struct obs_instance *inst = base;

		a = json_array();
		for (i = 0; i < inst->n_sg && i < 8; i++)
			json_array_append_new(a, string_value(inst->sg_ids[i],
			    strnlen(inst->sg_ids[i], sizeof(inst->sg_ids[i]))));
		return a;
	}
	case F_STRS: {
		const char *arr = CFIELD(base, f, char);
		int n = *(const int *)(const void *)((const char *)base +
		    f->count_off);

		a = json_array();
		for (i = 0; i < n && i < f->null_default; i++)
			json_array_append_new(a,
			    string_value(arr + (size_t)i * f->size,
			        strnlen(arr + (size_t)i * f->size, f->size)));
		return a;
	}
	case F_OBJ:
		return write_object(f->sub, CFIELD(base, f, char));
	}
	return json_null();
}

static json_t *
write_object(const struct field *tab, const void *base)
{
	const struct field *f;
	json_t *obj = json_object();

	for (f = tab; f->name != NULL; f++)
		json_object_set_new(obj, f->name, write_value(f, base));
	return obj;
}

json_t *
observed_to_json(const struct observed *o)
{
	return write_object(observed_fields, o);
}
