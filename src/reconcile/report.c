/*
 * report.c - diff's and status's output (report.h): the JSON documents,
 * and the text and Markdown views.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "desired.h"
#include "lastrun.h"
#include "observe.h"
#include "plan.h"
#include "report.h"
#include "xmalloc.h"

static const char *const format_names[] = {
	[REPORT_TEXT] = "text",
	[REPORT_JSON] = "json",
	[REPORT_MARKDOWN] = "markdown",
};

int
report_format_parse(const char *s, unsigned allowed, enum report_format *out)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if ((allowed & REPORT_ALLOW(i)) &&
		    strcmp(s, format_names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	return -1;
}

const char *
report_status_name(enum report_status s)
{
	switch (s) {
	case REPORT_CONVERGED: return "converged";
	case REPORT_PENDING: return "pending";
	case REPORT_BLOCKED: return "blocked";
	case REPORT_ERROR: return "error";
	}
	return "error";
}

enum report_status
report_plan_status(const struct step *steps, size_t n)
{
	if (n == 0)
		return REPORT_ERROR;
	if (n == 1 && steps[0].kind == STEP_CONVERGED)
		return REPORT_CONVERGED;
	if (steps[n - 1].kind == STEP_BLOCKED)
		return REPORT_BLOCKED;
	return REPORT_PENDING;
}

/* A string, or null for "" (and NULL). */
static json_t *
str_or_null(const char *s)
{
	return s != NULL && *s != '\0' ? json_string(s) : json_null();
}

/* "YYYY-MM-DDTHH:MM:SSZ", or null when t cannot be shown. */
static json_t *
time_json(time_t t)
{
	char ts[32];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return json_null();
	return json_string(ts);
}

#define SET_STR(key, v) \
	do { \
		if ((v)[0]) \
			json_object_set_new(o, key, json_string(v)); \
	} while (0)
#define SET_INT(key, v) \
	do { \
		if ((v) >= 0) \
			json_object_set_new(o, key, json_integer(v)); \
	} while (0)
#define SET_BOOL(key, v) \
	do { \
		if ((v) >= 0) \
			json_object_set_new(o, key, json_boolean(v)); \
	} while (0)

/* The network and settings a replica, restore or modify sends. */
static void
settings_json(json_t *o, const struct step_args *a)
{
	const struct obs_settings *s = &a->settings;
	char buf[sizeof(s->log_exports)], *p, *save = NULL;
	json_t *l;

	SET_STR("dbSubnetGroup", a->subnet_group);
	SET_BOOL("publiclyAccessible", a->publicly_accessible);
	if (a->instance_port > 0)
		json_object_set_new(o, "instancePort",
		    json_integer(a->instance_port));
	SET_STR("optionGroup", s->option_group);
	SET_STR("storageType", s->storage_type);
	SET_INT("iops", s->iops);
	SET_INT("storageThroughput", s->storage_throughput);
	SET_STR("caCertificate", s->ca_certificate);
	SET_BOOL("iamAuth", s->iam_auth);
	SET_INT("monitoringInterval", s->monitoring_interval);
	SET_STR("monitoringRoleArn", s->monitoring_role_arn);
	SET_BOOL("performanceInsights", s->performance_insights);
	SET_STR("performanceInsightsKmsKeyId", s->pi_kms_key_id);
	SET_INT("performanceInsightsRetention", s->pi_retention);
	if (s->log_exports[0]) {
		l = json_array();
		snprintf(buf, sizeof(buf), "%s", s->log_exports);
		for (p = strtok_r(buf, ",", &save); p != NULL;
		     p = strtok_r(NULL, ",", &save))
			json_array_append_new(l, json_string(p));
		json_object_set_new(o, "cloudwatchLogsExports", l);
	}
	SET_STR("backupWindow", s->backup_window);
	SET_STR("maintenanceWindow", s->maintenance_window);
	SET_BOOL("autoMinorVersionUpgrade", s->auto_minor_version_upgrade);
	SET_BOOL("copyTagsToSnapshot", s->copy_tags_to_snapshot);
	SET_BOOL("deletionProtection", s->deletion_protection);
}

json_t *
report_step_args_json(const struct step *s)
{
	const struct step_args *a = &s->args;
	json_t *o, *l;
	int i;

	if (s->kind != STEP_ACT)
		return json_null();
	o = json_object();
	if (a->id[0])
		json_object_set_new(o, "id", json_string(a->id));
	if (a->from[0])
		json_object_set_new(o, "from", json_string(a->from));
	if (a->kms_key_id[0])
		json_object_set_new(o, "kmsKeyId", json_string(a->kms_key_id));
	if (a->instance_class[0])
		json_object_set_new(o, "instanceClass",
		    json_string(a->instance_class));
	if (a->n_tags > 0) {
		l = json_object();
		for (i = 0; i < a->n_tags; i++)
			json_object_set_new(l, a->tags[i].key,
			    json_string(a->tags[i].value));
		json_object_set_new(o, "tags", l);
	}
	if (a->n_untag > 0) {
		l = json_array();
		for (i = 0; i < a->n_untag; i++)
			json_array_append_new(l, json_string(a->untag[i]));
		json_object_set_new(o, "removeTags", l);
	}
	if (a->n_sg > 0) {
		l = json_array();
		for (i = 0; i < a->n_sg; i++)
			json_array_append_new(l, json_string(a->sg_ids[i]));
		json_object_set_new(o, "vpcSecurityGroupIds", l);
	}
	if (a->param_group[0])
		json_object_set_new(o, "parameterGroup",
		    json_string(a->param_group));
	if (a->family[0])
		json_object_set_new(o, "family", json_string(a->family));
	if (a->n_params > 0) {
		l = json_array();
		for (i = 0; i < a->n_params; i++)
			json_array_append_new(l,
			    json_pack("{s:s, s:s, s:s}", "name",
			        a->params[i].name, "value", a->params[i].value,
			        "applyMethod", a->params[i].apply_method));
		json_object_set_new(o, "parameters", l);
	}
	if (a->backup_retention > 0)
		json_object_set_new(o, "backupRetentionPeriod",
		    json_integer(a->backup_retention));
	if (a->multi_az >= 0)
		json_object_set_new(o, "multiAZ", json_boolean(a->multi_az));
	if (a->read_only >= 0)
		json_object_set_new(o, "readOnly", json_integer(a->read_only));
	if (a->binlog_retention_hours > 0)
		json_object_set_new(o, "binlogRetentionHours",
		    json_integer(a->binlog_retention_hours));
	if (a->user[0])
		json_object_set_new(o, "user", json_string(a->user));
	if (a->n_hosts > 0) {
		l = json_array();
		for (i = 0; i < a->n_hosts; i++)
			json_array_append_new(l, json_string(a->hosts[i]));
		json_object_set_new(o, "hosts", l);
	}
	if (a->n_drop_hosts > 0) {
		l = json_array();
		for (i = 0; i < a->n_drop_hosts; i++)
			json_array_append_new(l, json_string(a->drop_hosts[i]));
		json_object_set_new(o, "dropHosts", l);
	}
	if (a->hosts_note[0])
		json_object_set_new(o, "hostsNote", json_string(a->hosts_note));
	if (a->tls >= 0)
		json_object_set_new(o, "tls", json_boolean(a->tls));
	if (a->host[0])
		json_object_set_new(o, "host", json_string(a->host));
	if (a->port > 0)
		json_object_set_new(o, "port", json_integer(a->port));
	if (a->zone_id[0])
		json_object_set_new(o, "hostedZoneId", json_string(a->zone_id));
	if (a->record_type[0])
		json_object_set_new(o, "type", json_string(a->record_type));
	if (a->ttl > 0)
		json_object_set_new(o, "ttl", json_integer(a->ttl));
	if (a->value[0])
		json_object_set_new(o, "value", json_string(a->value));
	settings_json(o, a);
	return o;
}

json_t *
report_step_json(const struct step *s, size_t index)
{
	json_t *pos = json_null(), *obj;

	if (s->pos.file[0] != '\0')
		pos = json_pack("{s:s, s:I}", "file", s->pos.file, "pos",
		    (json_int_t)s->pos.pos);
	/* One key and its value a line. */
	/* clang-format off */
	obj = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:o}",
	    "index", (json_int_t)index,
	    "kind", step_kind_name(s->kind),
	    "symbol", step_symbol(s),
	    "action", s->kind == STEP_ACT ?
	    json_string(action_name(s->action)) : json_null(),
	    "waitsOn", s->kind == STEP_WAIT || s->kind == STEP_GATE ?
	    str_or_null(wait_name(s->wait)) : json_null(),
	    "operation", str_or_null(s->op),
	    "what", s->what,
	    "why", s->why,
	    "position", pos);
	/* clang-format on */
	json_object_set_new(obj, "arguments", report_step_args_json(s));
	return obj;
}

json_t *
report_document(json_t *objects, const char *error, int exit_code)
{
	return json_pack("{s:i, s:o, s:o, s:i}",
	    "formatVersion", REPORT_FORMAT_VERSION,
	    "objects", objects,
	    "error", error != NULL ? json_string(error) : json_null(),
	    "exitCode", exit_code);
}

int
report_print_json(FILE *f, const json_t *doc)
{
	if (json_dumpf(doc, f, JSON_INDENT(2)) != 0 || fputc('\n', f) == EOF)
		return -1;
	return fflush(f) == 0 ? 0 : -1;
}

/* The keys every object of both documents starts with. */
static json_t *
object_head(const struct desired *d, enum report_status st, const char *why)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}",
	    "name", d->name,
	    "file", d->path,
	    "source", d->source_id,
	    "target", d->target_id,
	    "status", report_status_name(st),
	    "error", why != NULL ? json_string(why) : json_null());
}

/* ---- diff ---- */

static const char *
colour_of(const struct step *s)
{
	switch (step_symbol(s)[0]) {
	case '+': return "\033[32m";
	case '-': return "\033[31m";
	case '~': return "\033[33m";
	case '!': return "\033[1;31m";
	default: return "\033[36m";
	}
}

void
report_plan_text(FILE *f, const struct desired *d, const struct step *steps,
    size_t n, int colour)
{
	enum report_status st = report_plan_status(steps, n);
	size_t i;

	if (st == REPORT_CONVERGED) {
		fprintf(f, "%s: converged: %s\n", d->name, steps[0].what);
		return;
	}
	fprintf(f, "%s: %s\n", d->name, st == REPORT_BLOCKED ?
	    "blocked; the plan stops at the refusal" : "steps to converge:");
	for (i = 0; i < n; i++) {
		const struct step *s = &steps[i];
		const char *kind = s->kind == STEP_ACT
		    ? action_name(s->action)
		    : step_kind_name(s->kind);

		fprintf(f, "  %s%s%s %-30s %s\n", colour ? colour_of(s) : "",
		    step_symbol(s), colour ? "\033[0m" : "", kind, s->what);
		if (s->op[0] || s->why[0])
			fprintf(f, "    %s%s%s\n", s->op,
			    s->op[0] && s->why[0] ? ": " : "", s->why);
	}
}

json_t *
report_plan_object(const struct desired *d, const struct step *steps,
    size_t n)
{
	json_t *obj = object_head(d, report_plan_status(steps, n), NULL);
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, report_step_json(&steps[i], i + 1));
	json_object_set_new(obj, "steps", arr);
	return obj;
}

json_t *
report_plan_error_object(const struct desired *d, const char *why)
{
	json_t *obj = object_head(d, REPORT_ERROR, why);

	json_object_set_new(obj, "steps", json_array());
	return obj;
}

char *
report_md_escape(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	for (; *s != '\0'; s++) {
		if (*s == '\r' || *s == '\n') {
			if (*s == '\r' && s[1] == '\n')
				s++;
			(void)buf_appends(&b, "<br>");
			continue;
		}
		if (strchr("\\`*_[]<>|~&#", *s) != NULL)
			(void)buf_append(&b, "\\", 1);
		(void)buf_append(&b, s, 1);
	}
	return buf_detach(&b);
}

/* Print s escaped for a table cell. */
static void
md_put(FILE *f, const char *s)
{
	char *e = report_md_escape(s != NULL ? s : "");

	fputs(e, f);
	free(e);
}

/* A string member of obj, or NULL when absent or null. */
static const char *
jstr(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static void
md_step_row(FILE *f, const json_t *st)
{
	const char *kind = jstr(st, "kind"), *action = jstr(st, "action");
	const char *waits = jstr(st, "waitsOn"), *op = jstr(st, "operation");

	fprintf(f, "| %lld | ", (long long)json_integer_value(
	    json_object_get(st, "index")));
	md_put(f, jstr(st, "symbol"));
	fputs(" | **", f);
	md_put(f, action != NULL ? action : kind);
	fputs("**: ", f);
	md_put(f, jstr(st, "what"));
	fputs(" | ", f);
	md_put(f, op);
	fputs(" | ", f);
	if (waits != NULL) {
		fputs("waits on **", f);
		md_put(f, waits);
		fputs("**: ", f);
	}
	md_put(f, jstr(st, "why"));
	fputs(" |\n", f);
}

/* "24 steps: 20 actions, 3 waits, 1 gate" */
static void
md_counts(FILE *f, const json_t *steps)
{
	static const char *const kinds[] = { "act", "wait", "gate" };
	static const char *const words[] = { "action", "wait", "gate" };
	size_t i, k, n[3] = { 0, 0, 0 }, total = json_array_size(steps);
	const char *sep = ": ";

	for (i = 0; i < total; i++)
		for (k = 0; k < 3; k++)
			if (strcmp(jstr(json_array_get(steps, i), "kind"),
			    kinds[k]) == 0)
				n[k]++;
	fprintf(f, "%zu step%s", total, total == 1 ? "" : "s");
	for (k = 0; k < 3; k++)
		if (n[k] > 0) {
			fprintf(f, "%s%zu %s%s", sep, n[k], words[k],
			    n[k] == 1 ? "" : "s");
			sep = ", ";
		}
}

static void
md_object(FILE *f, const json_t *obj)
{
	const json_t *steps = json_object_get(obj, "steps");
	const char *status = jstr(obj, "status");
	size_t i, n = json_array_size(steps);

	fputs("**", f);
	md_put(f, jstr(obj, "name"));
	fputs("** (", f);
	md_put(f, jstr(obj, "source"));
	fputs(" → ", f);
	md_put(f, jstr(obj, "target"));
	fputs("): ", f);
	if (strcmp(status, "error") == 0) {
		fputs("**error**: ", f);
		md_put(f, jstr(obj, "error"));
		fputs("\n\n", f);
		return;
	}
	if (strcmp(status, "converged") == 0) {
		fputs("converged: ", f);
		md_put(f, n > 0 ? jstr(json_array_get(steps, 0), "what") : "");
		fputs("\n\n", f);
		return;
	}
	if (strcmp(status, "blocked") == 0) {
		fputs("**blocked**: ", f);
		md_put(f, jstr(json_array_get(steps, n - 1), "what"));
		fputs(" (", f);
		md_counts(f, steps);
		fputs(")\n\n", f);
	} else {
		fputs("pending, ", f);
		md_counts(f, steps);
		fputs("\n\n", f);
	}
	fputs("| # | | step | operation | why / waits on |\n"
	    "|--:|:-:|---|---|---|\n", f);
	for (i = 0; i < n; i++)
		md_step_row(f, json_array_get(steps, i));
	fputs("\n", f);
}

void
report_plan_markdown(FILE *f, const json_t *doc)
{
	static const char *const order[] = { "pending", "blocked", "error",
		"converged" };
	const json_t *objects = json_object_get(doc, "objects");
	const char *error = jstr(doc, "error");
	size_t i, k, n = json_array_size(objects), count;
	const char *sep = ": ";

	fprintf(f, "### rdsreconcile diff\n\n");
	if (error != NULL) {
		fputs("**error**: ", f);
		md_put(f, error);
		fputs("\n\n", f);
	}
	fprintf(f, "%zu object%s", n, n == 1 ? "" : "s");
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		for (i = count = 0; i < n; i++)
			if (strcmp(jstr(json_array_get(objects, i), "status"),
			    order[k]) == 0)
				count++;
		if (count > 0) {
			fprintf(f, "%s%zu %s", sep, count, order[k]);
			sep = ", ";
		}
	}
	fprintf(f, " (exit %lld)\n\n", (long long)json_integer_value(
	    json_object_get(doc, "exitCode")));
	for (i = 0; i < n; i++)
		md_object(f, json_array_get(objects, i));
}

/* ---- status ---- */

const char *
report_phase(const struct observed *o, const struct step *next)
{
	const struct obs_instance *t = &o->target;

	if (next->kind == STEP_BLOCKED)
		return "blocked";
	if (t->exists && strcmp(t->phase, PHASE_DONE) == 0)
		return "done";
	if (t->exists && strcmp(t->phase, PHASE_CUTOVER) == 0)
		return "cutover";
	if (t->exists) {
		if (o->tgtrepl.configured)
			return "replicating";
		if (!o->target_pg_exists && strcmp(t->status, "available") != 0)
			return "restore";
		return "configure";
	}
	if (o->copy.exists)
		return "copy";
	if (o->freeze.exists)
		return "snapshot";
	if (o->temp.exists)
		return "replica";
	return "not-started";
}

static json_t *
gate_json(int open)
{
	return json_pack("{s:s}", "state", open ? "open" : "held");
}

static json_t *
gates_json(const struct desired *d, const struct observed *o)
{
	struct gate_state g;
	json_t *approval, *window, *lag, *postpone, *trx, *ddl;

	plan_gates(d, o, &g);
	approval = gate_json(g.approval_open);
	json_object_set_new(approval, "mode",
	    json_string(desired_approval_name(d->approval)));
	window = gate_json(g.window_open);
	json_object_set_new(window, "window", str_or_null(d->window_text));
	json_object_set_new(window, "nextOpen", g.window_open ? json_null() :
	    time_json(g.window_next));
	lag = gate_json(g.lag_open);
	json_object_set_new(lag, "maxSeconds",
	    json_integer(d->max_lag_seconds));
	postpone = gate_json(g.postpone_open);
	json_object_set_new(postpone, "file", str_or_null(d->postpone_file));
	trx = gate_json(g.transaction_open);
	json_object_set_new(trx, "maxSeconds",
	    json_integer(d->max_transaction_seconds));
	ddl = gate_json(g.ddl_open);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "approval", approval,
	    "window", window, "lag", lag, "postpone", postpone, "transaction",
	    trx, "ddl", ddl);
}

static json_t *
lastrun_json(const struct lastrun *last)
{
	if (last == NULL)
		return json_null();
	return json_pack("{s:s, s:s, s:s, s:s}", "time", last->time,
	    "action", last->action, "what", last->what,
	    "result", last->result);
}

static json_t *
percent_json(const struct obs_snapshot *sn)
{
	return sn->exists ? json_integer(sn->percent) : json_null();
}

/* Writes down for the cut-over: since when, and who resolves it. */
static json_t *
fence_json(const struct observed *o)
{
	if (!plan_fence_held(o))
		return json_null();
	return json_pack("{s:o, s:I, s:o, s:b}", "since",
	    o->target.fenced_at > 0 ? time_json(o->target.fenced_at)
	                            : json_null(),
	    "ageSeconds", (json_int_t)o->position_wait_s, "heldBy",
	    o->srcdb.lock_held == TRI_YES ? json_string(o->srcdb.lock_holder)
	                                  : json_null(),
	    "runGone", o->srcdb.lock_held == TRI_NO);
}

json_t *
report_status_object(const struct desired *d, const struct observed *o,
    const struct step *next, const struct lastrun *last)
{
	enum report_status st = report_plan_status(next, 1);
	json_t *obj = object_head(d, st, NULL);

	json_object_set_new(obj, "phase", json_string(report_phase(o, next)));
	json_object_set_new(obj, "next", report_step_json(next, 1));
	json_object_set_new(obj, "lagSeconds", o->tgtrepl.configured &&
	    o->tgtrepl.seconds_behind >= 0 ?
	    json_integer(o->tgtrepl.seconds_behind) : json_null());
	json_object_set_new(obj, "snapshotPercent", percent_json(&o->freeze));
	json_object_set_new(obj, "copyPercent", percent_json(&o->copy));
	json_object_set_new(obj, "gates", gates_json(d, o));
	json_object_set_new(obj, "lastAction", lastrun_json(last));
	json_object_set_new(obj, "fence", fence_json(o));
	return obj;
}

json_t *
report_status_error_object(const struct desired *d, const char *why,
    const struct lastrun *last)
{
	json_t *obj = object_head(d, REPORT_ERROR, why);

	json_object_set_new(obj, "phase", json_null());
	json_object_set_new(obj, "next", json_null());
	json_object_set_new(obj, "lagSeconds", json_null());
	json_object_set_new(obj, "snapshotPercent", json_null());
	json_object_set_new(obj, "copyPercent", json_null());
	json_object_set_new(obj, "gates", json_null());
	json_object_set_new(obj, "lastAction", lastrun_json(last));
	json_object_set_new(obj, "fence", json_null());
	return obj;
}

/* "approval held (manual)", "window held until 2026-...Z", ... */
static void
text_gate(FILE *f, const json_t *gates, const char *name, const char *sep)
{
	const json_t *g = json_object_get(gates, name);
	const char *state = jstr(g, "state");

	fprintf(f, "%s%s %s", sep, name, state);
	if (strcmp(name, "approval") == 0)
		fprintf(f, " (%s)", jstr(g, "mode"));
	else if (strcmp(name, "window") == 0 && jstr(g, "nextOpen") != NULL)
		fprintf(f, " until %s", jstr(g, "nextOpen"));
	else if (strcmp(name, "lag") == 0 || strcmp(name, "transaction") == 0)
		fprintf(f, " (max %llds)", (long long)json_integer_value(
		    json_object_get(g, "maxSeconds")));
	else if (strcmp(name, "postpone") == 0 && jstr(g, "file") != NULL)
		fprintf(f, " (%s)", jstr(g, "file"));
}

static void
text_percent(FILE *f, const json_t *obj, const char *key, const char *label)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		fprintf(f, "  %-9s %lld%%\n", label,
		    (long long)json_integer_value(v));
}

void
report_status_text(FILE *f, const json_t *obj)
{
	const json_t *next = json_object_get(obj, "next");
	const json_t *lag = json_object_get(obj, "lagSeconds");
	const json_t *gates = json_object_get(obj, "gates");
	const json_t *last = json_object_get(obj, "lastAction");
	const json_t *fence = json_object_get(obj, "fence");

	fprintf(f, "%s: %s (%s -> %s)\n", jstr(obj, "name"),
	    jstr(obj, "phase") != NULL ? jstr(obj, "phase") : "error",
	    jstr(obj, "source"), jstr(obj, "target"));
	if (jstr(obj, "error") != NULL)
		fprintf(f, "  %-9s %s\n", "error:", jstr(obj, "error"));
	if (json_is_object(next))
		fprintf(f, "  %-9s %s %s: %s\n", "next:", jstr(next, "symbol"),
		    jstr(next, "action") != NULL ? jstr(next, "action") :
		    jstr(next, "kind"), jstr(next, "what"));
	if (json_is_integer(lag))
		fprintf(f, "  %-9s %llds\n", "lag:",
		    (long long)json_integer_value(lag));
	else if (json_is_object(gates))
		fprintf(f, "  %-9s unknown\n", "lag:");
	text_percent(f, obj, "snapshotPercent", "snapshot:");
	text_percent(f, obj, "copyPercent", "copy:");
	if (json_is_object(gates)) {
		fprintf(f, "  %-9s", "gates:");
		text_gate(f, gates, "approval", " ");
		text_gate(f, gates, "window", ", ");
		text_gate(f, gates, "lag", ", ");
		text_gate(f, gates, "postpone", ", ");
		text_gate(f, gates, "transaction", ", ");
		text_gate(f, gates, "ddl", ", ");
		fputc('\n', f);
	}
	if (json_is_object(fence))
		fprintf(f, "  %-9s since %s (%llds), %s%s\n", "fenced:",
		    jstr(fence, "since") ? jstr(fence, "since") : "unknown",
		    (long long)json_integer_value(
		        json_object_get(fence, "ageSeconds")),
		    json_is_true(json_object_get(fence, "runGone"))
		        ? "by a run that is gone: run apply now"
		        : jstr(fence, "heldBy")
		        ? "being resolved by "
		        : "the run lock's holder unknown",
		    jstr(fence, "heldBy") ? jstr(fence, "heldBy") : "");
	if (json_is_object(last))
		fprintf(f, "  %-9s %s %s %s: %s\n", "last:", jstr(last, "time"),
		    jstr(last, "action"), jstr(last, "result"),
		    jstr(last, "what"));
	else
		fprintf(f, "  %-9s none recorded\n", "last:");
}
