/*
 * observe.c - fill a struct observed from RDS, KMS, Route 53 and MySQL.
 *
 * Read-only by construction: only Describe*, List*, Get* AWS calls and
 * SELECT/SHOW/CALL of read-only RDS procedures.  What is absent is recorded
 * as absent; the planner decides what it means.  Calls are skipped when
 * their answer cannot matter (no MySQL connection to an instance that does
 * not exist), which keeps a converged run cheap on the RDS API budget.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include "aws.h"
#include "db.h"
#include "desired.h"
#include "kms.h"
#include "log.h"
#include "observe.h"
#include "rds.h"
#include "context.h"
#include "ec2.h"
#include "route53.h"
#include "secret.h"
#include "xmalloc.h"

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

#define tag_value rds_tags_get

static void
tagged_pos(struct binlog_pos *p, const struct rds_tags *t)
{
	const char *f = tag_value(t, OBS_TAG_BINLOG_FILE);
	const char *n = tag_value(t, OBS_TAG_BINLOG_POS);

	memset(p, 0, sizeof(*p));
	if (f != NULL && n != NULL && binlog_pos_parse(p, f, n) != 0)
		memset(p, 0, sizeof(*p));
}

/* A tag holding non-negative whole seconds; 0 when absent or not a
 * number (a tag edited by hand never reads as a time in the future). */
static time_t
tag_time(const struct rds_tags *t, const char *key)
{
	const char *v = tag_value(t, key);
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return 0;
	n = strtoll(v, &end, 10);
	return *end == '\0' && n > 0 ? (time_t)n : 0;
}

static int
owned(const struct rds_tags *t, const struct desired *d)
{
	const char *v = tag_value(t, OBS_TAG_OBJECT);

	return v != NULL && strcmp(v, d->name) == 0;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
cmpstrp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The source's own tags, for the target (aws: and rdsreconcile: are not
 * the user's). */
static void
source_tags(struct observed *o, const struct rds_tags *t)
{
	size_t i;

	o->n_source_tags = 0;
	for (i = 0; i < t->n && o->n_source_tags < OBS_MAX_TAGS; i++) {
		struct obs_tag *x = &o->source_tags[o->n_source_tags];

		if (strncmp(t->v[i].key, "aws:", 4) == 0 ||
		    strncmp(t->v[i].key, "rdsreconcile:", 13) == 0)
			continue;
		COPY(x->key, t->v[i].key);
		COPY(x->value, t->v[i].value);
		o->n_source_tags++;
	}
}

/* 1 for an IPv4 address the internet cannot route (RFC 1918, RFC 6598,
 * loopback, link-local). */
static int
ipv4_is_private(const struct in_addr *a)
{
	uint32_t x = ntohl(a->s_addr);

	return (x >> 24) == 10 || (x >> 20) == (172u << 4 | 1) ||
	    (x >> 16) == (192u << 8 | 168) || (x >> 22) == (100u << 2 | 1) ||
	    (x >> 24) == 127 || (x >> 16) == (169u << 8 | 254);
}

/* The distinct addresses the target's endpoint resolves to here, for the
 * replication user's hosts (the planner decides them). */
static void
observe_target_addrs(struct observed *o)
{
	struct addrinfo hints, *res = NULL, *ai;
	char buf[INET6_ADDRSTRLEN];
	int i, rc, public;

	o->n_target_addrs = 0;
	o->target_resolve_error[0] = '\0';
	if (!o->target.exists || !o->target.ours ||
	    o->target.endpoint[0] == '\0')
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(o->target.endpoint, NULL, &hints, &res)) != 0) {
		COPY(o->target_resolve_error, gai_strerror(rc));
		return;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		public = 0;
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *sin =
			    (const struct sockaddr_in *)ai->ai_addr;

			public = !ipv4_is_private(&sin->sin_addr);
			inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
		} else if (ai->ai_family == AF_INET6) {
			inet_ntop(AF_INET6,
			    &((const struct sockaddr_in6 *)ai->ai_addr)
			         ->sin6_addr,
			    buf, sizeof(buf));
		} else
			continue;
		for (i = 0; i < o->n_target_addrs; i++)
			if (strcmp(o->target_addrs[i], buf) == 0)
				break;
		if (i < o->n_target_addrs)
			continue;
		if (o->n_target_addrs == OBS_MAX_ADDRS)
			break;
		snprintf(o->target_addrs[o->n_target_addrs],
		    sizeof(o->target_addrs[0]), "%s", buf);
		o->target_addr_public[o->n_target_addrs++] = public;
	}
	freeaddrinfo(res);
}

/*
 * One instance.  change_id (may be NULL) gets the OBS_TAG_CHANGE tag, so
 * the alias change needs no ListTagsForResource of its own.
 */
/* The settings a target carries, as DescribeDBInstances shows them. */
static void
observe_settings(struct obs_settings *os, const struct rds_settings *rs)
{
	struct strvec logs;
	size_t i, n = 0;

	memset(&logs, 0, sizeof(logs));
	COPY(os->option_group, rs->option_group);
	COPY(os->storage_type, rs->storage_type);
	os->iops = rs->iops;
	os->storage_throughput = rs->storage_throughput;
	COPY(os->ca_certificate, rs->ca_certificate);
	os->iam_auth = rs->iam_auth;
	os->monitoring_interval = rs->monitoring_interval;
	COPY(os->monitoring_role_arn, rs->monitoring_role_arn);
	os->performance_insights = rs->performance_insights;
	COPY(os->pi_kms_key_id, rs->pi_kms_key_id);
	os->pi_retention = rs->pi_retention;
	for (i = 0; i < rs->log_exports.n; i++)
		strvec_push(&logs, rs->log_exports.v[i]);
	if (logs.n > 0)
		qsort(logs.v, logs.n, sizeof(logs.v[0]), cmpstrp);
	/* Comma-joined, sorted: compared as one value with the target's. */
	for (i = 0; i < logs.n && n < sizeof(os->log_exports); i++)
		n += (size_t)snprintf(os->log_exports + n,
		    sizeof(os->log_exports) - n, "%s%s", i ? "," : "",
		    logs.v[i]);
	strvec_clear(&logs);
	COPY(os->backup_window, rs->backup_window);
	COPY(os->maintenance_window, rs->maintenance_window);
	os->auto_minor_version_upgrade = rs->auto_minor_version_upgrade;
	os->copy_tags_to_snapshot = rs->copy_tags_to_snapshot;
	os->deletion_protection = rs->deletion_protection;
}

static enum rr_err
observe_instance(struct rr_ctx *c, const char *id, struct obs_instance *oi,
    char *change_id, size_t change_len, struct observed *src_tags_to)
{
	struct rds_instance ri;
	const char *fenced;
	enum rr_err e;
	size_t i;

	memset(oi, 0, sizeof(*oi));
	memset(&ri, 0, sizeof(ri));
	e = rds_describe_instance(c->aws, &ri, id);
	if (e == RR_ERR_NOT_FOUND)
		return RR_OK;
	if (e != RR_OK)
		return e;
	oi->exists = 1;
	oi->ours = owned(&ri.tags, c->d);
	COPY(oi->status, ri.status);
	COPY(oi->arn, ri.arn);
	COPY(oi->engine, ri.engine);
	COPY(oi->engine_version, ri.engine_version);
	COPY(oi->instance_class, ri.instance_class);
	COPY(oi->endpoint, ri.endpoint_address);
	oi->port = ri.endpoint_port;
	oi->encrypted = ri.storage_encrypted;
	COPY(oi->kms_key_id, ri.kms_key_id);
	oi->backup_retention = ri.backup_retention_period;
	oi->multi_az = ri.multi_az;
	if (ri.n_parameter_groups > 0) {
		COPY(oi->param_group, ri.parameter_groups[0].name);
		COPY(oi->param_apply, ri.parameter_groups[0].apply_status);
	}
	for (i = 0; i < ri.vpc_security_group_ids.n && i < 8; i++)
		COPY(oi->sg_ids[i], ri.vpc_security_group_ids.v[i]);
	oi->n_sg = (int)i;
	qsort(oi->sg_ids, (size_t)oi->n_sg, sizeof(oi->sg_ids[0]), cmpstr);
	COPY(oi->subnet_group, ri.db_subnet_group);
	COPY(oi->vpc_id, ri.vpc_id);
	oi->publicly_accessible = ri.publicly_accessible;
	oi->allocated_storage = ri.allocated_storage;
	observe_settings(&oi->settings, &ri.settings);
	COPY(oi->replica_source, ri.read_replica_source);
	oi->n_replicas = (int)ri.read_replicas.n;
	oi->pending_modifications = ri.pending_modified;
	COPY(oi->phase, tag_value(&ri.tags, OBS_TAG_PHASE));
	tagged_pos(&oi->tagged_pos, &ri.tags);
	if ((fenced = tag_value(&ri.tags, OBS_TAG_FENCED)) != NULL)
		oi->fenced_at = (time_t)strtoll(fenced, NULL, 10);
	COPY(oi->fence_prev, tag_value(&ri.tags, OBS_TAG_FENCE_PREV));
	oi->ttl_lowered_at = tag_time(&ri.tags, OBS_TAG_TTL_LOWERED);
	oi->ttl_before = (long)tag_time(&ri.tags, OBS_TAG_TTL_BEFORE);
	oi->switched_at = tag_time(&ri.tags, OBS_TAG_SWITCHED);
	if (change_id != NULL)
		snprintf(change_id, change_len, "%s",
		    rds_tags_get(&ri.tags, OBS_TAG_CHANGE) ?
		    rds_tags_get(&ri.tags, OBS_TAG_CHANGE) : "");
	if (src_tags_to != NULL)
		source_tags(src_tags_to, &ri.tags);
	rds_instance_release(&ri);
	return RR_OK;
}

static enum rr_err
observe_snapshot(struct rr_ctx *c, const char *id, struct obs_snapshot *os)
{
	struct rds_snapshot rs;
	enum rr_err e;

	memset(os, 0, sizeof(*os));
	memset(&rs, 0, sizeof(rs));
	e = rds_describe_snapshot(c->aws, &rs, id);
	if (e == RR_ERR_NOT_FOUND)
		return RR_OK;
	if (e != RR_OK)
		return e;
	os->exists = 1;
	os->ours = owned(&rs.tags, c->d);
	COPY(os->status, rs.status);
	os->percent = rs.percent_progress;
	os->encrypted = rs.encrypted;
	COPY(os->kms_key_id, rs.kms_key_id);
	tagged_pos(&os->tagged_pos, &rs.tags);
	rds_snapshot_release(&rs);
	return RR_OK;
}

static enum rr_err
observe_key(struct rr_ctx *c, struct obs_key *ok)
{
	struct kms_key k;
	enum rr_err e;

	memset(ok, 0, sizeof(*ok));
	memset(&k, 0, sizeof(k));
	e = kms_describe_key(c->aws, &k, c->d->kms_key_id);
	if (e == RR_ERR_NOT_FOUND)
		return RR_OK;
	if (e != RR_OK)
		return e;
	ok->exists = 1;
	COPY(ok->arn, k.arn);
	COPY(ok->state, k.key_state);
	kms_key_release(&k);
	return RR_OK;
}

/* Values compare without the final dot and case (Route 53 adds both). */
static void
normalise_name(char *s)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		s[n - 1] = '\0';
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

static enum rr_err
observe_record(struct rr_ctx *c, struct obs_record *r)
{
	struct route53_record rec;
	enum rr_err e;

	memset(r, 0, sizeof(*r));
	r->zone_exists = 1;
	memset(&rec, 0, sizeof(rec));
	/* One call: a name with a CNAME has no other set, and an A set
	 * comes first at its name. */
	e = route53_get_record(c->aws, &rec, c->d->zone_id, c->d->endpoint_name,
	    NULL);
	if (e == RR_ERR_NOT_FOUND) {
		/* NoSuchHostedZone is NOT_FOUND too; tell apart. */
		if (strcmp(aws_client_error_code(c->aws), "NoSuchHostedZone") ==
		    0)
			r->zone_exists = 0;
		return RR_OK;
	}
	if (e != RR_OK)
		return e;
	if (strcmp(rec.type, "CNAME") == 0 || strcmp(rec.type, "A") == 0) {
		r->exists = 1;
		COPY(r->type, rec.type);
		if (rec.values.n > 0)
			COPY(r->value, rec.values.v[0]);
		normalise_name(r->value);
		r->ttl = rec.ttl;
	}
	route53_record_release(&rec);
	return RR_OK;
}

/* read_only as set in a parameter group (user-modified values only). */
static enum rr_err
observe_pg_read_only(struct rr_ctx *c, const char *group, enum tri *out,
    enum tri *set)
{
	struct rds_parameters pl;
	enum tri dummy;
	enum rr_err e;
	size_t i;

	if (set == NULL)
		set = &dummy;
	*out = *set = TRI_NO;
	memset(&pl, 0, sizeof(pl));
	/* Only Source "user" is an explicit value: anything else (engine-default,
	 * system) is the engine's {TrueIfReplica}. */
	e = rds_describe_parameters(c->aws, &pl, group, "user");
	if (e == RR_ERR_NOT_FOUND) {
		*out = *set = TRI_UNKNOWN;
		return RR_OK;
	}
	if (e != RR_OK)
		return e;
	for (i = 0; i < pl.n; i++)
		if (strcmp(pl.v[i].name, "read_only") == 0 && pl.v[i].value) {
			*set = TRI_YES;
			*out = strcmp(pl.v[i].value, "1") == 0 ||
			    strcasecmp(pl.v[i].value, "on") == 0 ? TRI_YES :
			    TRI_NO;
		}
	rds_parameters_release(&pl);
	return RR_OK;
}

/*
 * A parameter group's ARN, from an instance ARN of the same account and
 * region: arn:aws:rds:REGION:ACCOUNT:pg:NAME (RDS User Guide, "Amazon
 * Resource Names in Amazon RDS").
 */
char *
rr_pg_arn(const char *instance_arn, const char *group)
{
	const char *p = strstr(instance_arn, ":db:");

	if (p == NULL)
		return NULL;
	return xasprintf("%.*s:pg:%s", (int)(p - instance_arn), instance_arn,
	    group);
}

static enum rr_err
observe_target_pg(struct rr_ctx *c, struct observed *o)
{
	struct rds_tags tags;
	char *family = NULL, *arn;
	const char *inst_arn;
	enum rr_err e;

	e = rds_describe_parameter_group(c->aws, &family, c->d->param_group);
	free(family);
	if (e == RR_ERR_NOT_FOUND)
		return RR_OK;
	if (e != RR_OK)
		return e;
	o->target_pg_exists = 1;
	/* Made before the target: its ARN from the source's account and
	 * region until the target exists. */
	inst_arn = o->target.exists ? o->target.arn : o->source.arn;
	if ((arn = rr_pg_arn(inst_arn, c->d->param_group)) == NULL)
		return rr_seterr(RR_ERR_INTERNAL, "unexpected ARN '%s'",
		    inst_arn);
	memset(&tags, 0, sizeof(tags));
	e = rds_list_tags(c->aws, &tags, arn);
	free(arn);
	if (e != RR_OK)
		return e;
	o->target_pg_ours = owned(&tags, c->d);
	rds_tags_release(&tags);
	return observe_pg_read_only(c, c->d->param_group,
	    &o->target_pg_read_only, NULL);
}

/*
 * The source's group's family and user-set values, which the target's
 * group is made from.  read_only is left out: the target's is always 1.
 */
static enum rr_err
observe_source_pg(struct rr_ctx *c, struct observed *o)
{
	const char *group = o->source.param_group;
	struct rds_parameters pl;
	char *family = NULL;
	enum rr_err e;
	size_t i;

	memset(&pl, 0, sizeof(pl));
	e = rds_describe_parameter_group(c->aws, &family, group);
	if (e == RR_ERR_NOT_FOUND) {
		e = RR_OK;
		goto out;
	}
	if (e != RR_OK ||
	    (e = rds_describe_parameters(c->aws, &pl, group, "user")) != RR_OK)
		goto out;
	COPY(o->source_pg_family, family);
	for (i = 0; i < pl.n; i++) {
		const struct rds_parameter *p = &pl.v[i];
		struct obs_param *q;

		if (p->value == NULL || strcmp(p->name, "read_only") == 0)
			continue;
		if (o->n_source_params == OBS_MAX_PARAMS ||
		    strlen(p->value) >= sizeof(q->value) ||
		    strlen(p->name) >= sizeof(q->name)) {
			o->source_params_too_many = 1;
			break;
		}
		q = &o->source_params[o->n_source_params++];
		COPY(q->name, p->name);
		COPY(q->value, p->value);
		/* A dynamic value applies now, a static one at the reboot
		 * that follows the restore (ModifyDBParameterGroup). */
		COPY(q->apply_method,
		    p->apply_type && strcmp(p->apply_type, "dynamic") == 0
		        ? "immediate"
		        : "pending-reboot");
	}
	o->source_pg_observed = 1;
out:
	rds_parameters_release(&pl);
	free(family);
	return e;
}

static void
observe_replication(struct db *db, struct obs_replication *r)
{
	struct db_replica_status st;
	int ro = 0;

	memset(&st, 0, sizeof(st));
	r->reachable = TRI_YES;
	r->read_only = db_read_only(db, &ro) == RR_OK ?
	    (ro ? TRI_YES : TRI_NO) : TRI_UNKNOWN;
	if (db_replica_status(db, &st) != RR_OK) {
		r->reachable = TRI_NO;
		COPY(r->last_error, rr_lasterr());
		return;
	}
	r->configured = st.configured;
	r->io_running = st.io_running == DB_THREAD_YES;
	r->sql_running = st.sql_running == DB_THREAD_YES;
	COPY(r->source_host, st.source_host);
	r->source_port = (int)st.source_port;
	COPY(r->exec.file, st.relay_source_log_file);
	r->exec.pos = st.exec_source_log_pos;
	r->seconds_behind = st.seconds_behind;
	r->last_errno = st.last_errno ? st.last_errno :
	    st.last_sql_errno ? st.last_sql_errno : st.last_io_errno;
	r->io_errno = st.last_io_errno;
	r->io_connecting = st.io_running == DB_THREAD_CONNECTING;
	COPY(r->last_error, st.last_sql_error && *st.last_sql_error ?
	    st.last_sql_error : st.last_io_error && *st.last_io_error ?
	    st.last_io_error : st.last_error);
	db_replica_status_release(&st);
}

/* A short-lived connection to the temp replica or the target. */
static void
observe_instance_db(struct rr_ctx *c, const struct obs_instance *i,
    struct obs_replication *r)
{
	struct db *db = NULL;

	memset(r, 0, sizeof(*r));
	r->reachable = TRI_UNKNOWN;
	r->read_only = TRI_UNKNOWN;
	r->seconds_behind = -1;
	if (!i->exists || !i->ours || i->endpoint[0] == '\0' ||
	    strcmp(i->status, "available") != 0)
		return;
	if (rr_ctx_connect(c, i, &db) != RR_OK) {
		r->reachable = TRI_NO;
		COPY(r->last_error, rr_lasterr());
		return;
	}
	observe_replication(db, r);
	db_close(db);
}

/* TRI_YES when every account of user may replicate, TRI_UNKNOWN when one
 * could not be read. */
static enum tri
observe_repl_grants(struct db *db, const char *user, const struct strvec *hosts)
{
	size_t i;
	int ok;

	for (i = 0; i < hosts->n; i++) {
		if (db_user_can_replicate(db, user, hosts->v[i], &ok) != RR_OK)
			return TRI_UNKNOWN;
		if (!ok)
			return TRI_NO;
	}
	return TRI_YES;
}

/* Who holds the run lock: status tells a fence left by a run that is
 * gone from one a live run is resolving. */
static void
observe_lock(struct rr_ctx *c, struct db *db, struct obs_source_db *s)
{
	unsigned long holder = 0;
	char name[80], *who = NULL;

	rr_lock_name(c->d, name, sizeof(name));
	if (db_lock_holder(db, name, &holder, &who) == RR_OK) {
		s->lock_held = holder != 0 ? TRI_YES : TRI_NO;
		COPY(s->lock_holder, who != NULL ? who : "");
	}
	free(who);
}

static void
session_copy(struct obs_session *dst, const struct db_session *src)
{
	dst->seen = 1;
	dst->id = src->id;
	COPY(dst->user, src->user);
	COPY(dst->host, src->host);
	dst->age_s = src->age_s;
	COPY(dst->state, src->state);
}

/* What would stall the fence or fail at it: open transactions and DDL. */
static void
observe_source_guards(struct db *db, struct obs_source_db *s)
{
	struct db_session x;
	unsigned n = 0;
	int found = 0;

	memset(&x, 0, sizeof(x));
	if (db_oldest_transaction(db, &x, &found) != RR_OK) {
		COPY(s->guard_error, rr_lasterr());
		goto out;
	}
	if (found)
		session_copy(&s->oldest_trx, &x);
	db_session_release(&x);
	if (db_ddl_sessions(db, &x, &n) != RR_OK) {
		COPY(s->guard_error, rr_lasterr());
		goto out;
	}
	if (n > 0)
		session_copy(&s->ddl, &x);
	s->n_ddl = (int)n;
out:
	db_session_release(&x);
}

static void
observe_source_db(struct rr_ctx *c, struct observed *o)
{
	struct obs_source_db *s = &o->srcdb;
	struct db_conn_list cl;
	struct strvec hosts;
	struct db *db;
	char *v = NULL, *file = NULL;
	int ro = 0, exists = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->reachable = s->log_bin = s->read_only = TRI_UNKNOWN;
	s->repl_user_exists = s->repl_user_granted = TRI_UNKNOWN;
	s->lock_held = TRI_UNKNOWN;
	s->binlog_retention_hours = -1;
	snprintf(s->guard_error, sizeof(s->guard_error),
	    "the source was not asked");
	if (!o->source.exists || o->source.endpoint[0] == '\0')
		return;
	if (rr_ctx_source(c, &o->source, &db) != RR_OK) {
		s->reachable = TRI_NO;
		COPY(s->error, rr_lasterr());
		COPY(s->guard_error, s->error);
		return;
	}
	s->guard_error[0] = '\0';
	s->reachable = TRI_YES;
	s->tls = db_is_tls(db);
	if (db_global_var(db, "log_bin", &v) == RR_OK && v != NULL)
		s->log_bin = strcmp(v, "1") == 0 || strcasecmp(v, "ON") == 0 ?
		    TRI_YES : TRI_NO;
	free(v);
	v = NULL;
	if (db_global_var(db, "binlog_format", &v) == RR_OK)
		COPY(s->binlog_format, v);
	free(v);
	v = NULL;
	/* read_only first: once it reads 1, the binlog position is final. */
	if (db_read_only(db, &ro) == RR_OK)
		s->read_only = ro ? TRI_YES : TRI_NO;
	if (s->log_bin == TRI_YES &&
	    db_binlog_status(db, &file, &s->binlog.pos) == RR_OK)
		COPY(s->binlog.file, file);
	free(file);
	file = NULL;
	if (s->log_bin == TRI_YES && db_binlog_oldest(db, &file) == RR_OK)
		COPY(s->binlog_oldest, file);
	free(file);
	if (db_rds_show_configuration(db, "binlog retention hours", &v) ==
	    RR_OK && v != NULL)
		s->binlog_retention_hours = strtol(v, NULL, 10);
	free(v);
	/* Any host: the user is made per address of the target (act.c). */
	if (db_user_exists(db, c->d->repl_user, NULL, &exists) == RR_OK)
		s->repl_user_exists = exists ? TRI_YES : TRI_NO;
	memset(&hosts, 0, sizeof(hosts));
	if (exists && db_user_hosts(db, c->d->repl_user, &hosts) == RR_OK) {
		for (i = 0; i < hosts.n && i < 8; i++)
			COPY(s->repl_user_hosts[i], hosts.v[i]);
		s->n_repl_user_hosts = (int)i;
		s->repl_user_granted =
		    observe_repl_grants(db, c->d->repl_user, &hosts);
	}
	strvec_clear(&hosts);
	if (o->target.exists && strcmp(o->target.phase, PHASE_CUTOVER) == 0)
		observe_lock(c, db, s);
	/* Once fenced nothing weighs them, and each query would lengthen
	 * the passes while writes are down. */
	if (s->read_only == TRI_YES && o->target.exists &&
	    strcmp(o->target.phase, PHASE_CUTOVER) == 0)
		snprintf(s->guard_error, sizeof(s->guard_error),
		    "not read while the source is fenced");
	else
		observe_source_guards(db, s);
	memset(&cl, 0, sizeof(cl));
	if (db_list_connections(db, &cl) == RR_OK) {
		for (i = 0; i < cl.n; i++)
			if (cl.v[i].id != c->src_conn_id &&
			    !db_conn_is_system(&cl.v[i]))
				s->client_connections++;
		db_conn_list_release(&cl);
	}
}

/* Route 53's status of the alias change we tagged on the target. */
static enum rr_err
observe_change(struct rr_ctx *c, const char *change_id, struct observed *o)
{
	char *status = NULL;
	enum rr_err e;

	if (change_id[0] == '\0')
		return RR_OK;
	e = route53_get_change(c->aws, &status, change_id);
	if (e == RR_OK)
		COPY(o->change_status, status);
	else if (e == RR_ERR_NOT_FOUND)
		e = RR_OK;
	free(status);
	return e;
}

/* The cut-over's parameter groups and alias change, for observe() and
 * observe_cutover(). */
static enum rr_err
observe_cutover_aws(struct rr_ctx *c, struct observed *o, const char *change_id)
{
	enum rr_err e;

	if (!(o->target.exists && o->target.ours &&
	        strcmp(o->target.phase, PHASE_CUTOVER) == 0))
		return RR_OK;
	if (o->source.param_group[0] &&
	    (e = observe_pg_read_only(c, o->source.param_group,
	         &o->source_pg_read_only, &o->source_pg_read_only_set)) !=
	        RR_OK)
		return e;
	return observe_change(c, change_id, o);
}

/*
 * The other instances using the source's parameter group, which a fence
 * there would fence too.  The source's own read replicas are left out:
 * they inherit its group and are read-only anyway.  Not once the cut-over
 * is done (nothing is fenced any more), nor for default groups (refused
 * on their own).
 */
static enum rr_err
observe_pg_shared(struct rr_ctx *c, struct observed *o)
{
	struct strvec ids = { NULL, 0, 0 }, sources = { NULL, 0, 0 };
	size_t i, len = 0;
	enum rr_err e;

	if (!o->source.exists || o->source.param_group[0] == '\0' ||
	    strncmp(o->source.param_group, "default.", 8) == 0 ||
	    strcmp(o->target.phase, PHASE_DONE) == 0)
		return RR_OK;
	if ((e = rds_parameter_group_users(c->aws, &ids, &sources,
	         o->source.param_group)) != RR_OK)
		goto out;
	for (i = 0; i < ids.n; i++) {
		if (strcmp(ids.v[i], c->d->source_id) == 0 ||
		    strcmp(sources.v[i], c->d->source_id) == 0)
			continue;
		if (len < sizeof(o->source_pg_shared))
			len += (size_t)snprintf(o->source_pg_shared + len,
			    sizeof(o->source_pg_shared) - len, "%s'%s'",
			    o->n_source_pg_shared ? ", " : "", ids.v[i]);
		o->n_source_pg_shared++;
	}
out:
	strvec_clear(&ids);
	strvec_clear(&sources);
	return e;
}

/* The servers through SQL, and the local files: every pass. */
static void
observe_local(struct rr_ctx *c, struct observed *o)
{
	const struct desired *d = c->d;
	struct stat st;
	char *path;

	/* After the cut-over the databases no longer decide anything. */
	if (!(o->target.exists && strcmp(o->target.phase, PHASE_DONE) == 0)) {
		observe_source_db(c, o);
		/* Until the snapshot exists the replica must stand still. */
		if (!o->freeze.exists && !o->copy.exists && !o->target.exists)
			observe_instance_db(c, &o->temp, &o->temprepl);
		observe_instance_db(c, &o->target, &o->tgtrepl);
	}
	path = secret_store_path(d->state_dir, d->name, "replication");
	o->repl_password_stored = stat(path, &st) == 0;
	free(path);
	o->approved = c->opts->approve_cutover ||
	    (d->approval_file && stat(d->approval_file, &st) == 0);
	o->postponed = d->postpone_file && stat(d->postpone_file, &st) == 0;
	o->before_cutover_hook = d->hook_before_cutover ? TRI_UNKNOWN : TRI_YES;
	o->hook_error[0] = '\0';
}

/* How long the source has been fenced for the cut-over: the age of the
 * tag fence-source wrote, so that a later run counts from the fence. */
static void
observe_fence_age(struct observed *o)
{
	o->position_wait_s = 0;
	if (o->target.exists && strcmp(o->target.phase, PHASE_CUTOVER) == 0 &&
	    o->target.fenced_at > 0 && o->now > o->target.fenced_at)
		o->position_wait_s = (long)(o->now - o->target.fenced_at);
}

/* The old source's isolation group, only when it can matter: declared,
 * and the cut-over done (no EC2 call, nor permission, otherwise). */
static enum rr_err
observe_isolation(struct rr_ctx *c, struct observed *o)
{
	struct ec2_group g;
	const char *v;
	enum rr_err e;

	if (!c->d->isolate_source || !o->target.exists ||
	    strcmp(o->target.phase, PHASE_DONE) != 0 ||
	    o->source.vpc_id[0] == '\0')
		return RR_OK;
	e = ec2_find_group(c->aws, &g, c->d->isolation_group, o->source.vpc_id);
	if (e == RR_ERR_NOT_FOUND)
		return RR_OK;
	if (e != RR_OK)
		return e;
	o->isolation.exists = 1;
	v = rds_tags_get(&g.tags, OBS_TAG_OBJECT);
	o->isolation.ours = v != NULL && strcmp(v, c->d->name) == 0;
	COPY(o->isolation.id, g.id);
	o->isolation.n_inbound = g.n_inbound;
	ec2_group_release(&g);
	return RR_OK;
}

enum rr_err
observe(struct observed *o, struct rr_ctx *c)
{
	const struct desired *d = c->d;
	char change_id[128];
	enum rr_err e;

	memset(o, 0, sizeof(*o));
	change_id[0] = '\0';
	o->now = time(NULL);
	if ((e = observe_instance(c, d->source_id, &o->source, NULL, 0, o)) !=
	        RR_OK ||
	    (e = observe_instance(c, d->target_id, &o->target, change_id,
	         sizeof(change_id), NULL)) != RR_OK ||
	    (e = observe_instance(c, d->temp_replica_id, &o->temp, NULL, 0,
	         NULL)) != RR_OK ||
	    (e = observe_snapshot(c, d->snapshot_id, &o->freeze)) != RR_OK ||
	    (e = observe_snapshot(c, d->encrypted_snapshot_id, &o->copy)) !=
	        RR_OK ||
	    (e = observe_key(c, &o->key)) != RR_OK ||
	    (e = observe_record(c, &o->record)) != RR_OK)
		return e;
	normalise_name(o->source.endpoint);
	normalise_name(o->target.endpoint);
	o->target_pg_read_only = o->source_pg_read_only = TRI_UNKNOWN;
	o->source_pg_read_only_set = TRI_UNKNOWN;
	if ((o->target.exists ? o->target.ours : o->source.exists) &&
	    (e = observe_target_pg(c, o)) != RR_OK)
		return e;
	if (o->source.param_group[0] != '\0' &&
	    (!o->target_pg_exists || o->target_pg_read_only != TRI_YES) &&
	    (e = observe_source_pg(c, o)) != RR_OK)
		return e;
	if ((e = observe_pg_shared(c, o)) != RR_OK)
		return e;
	if ((e = observe_cutover_aws(c, o, change_id)) != RR_OK)
		return e;
	if ((e = observe_isolation(c, o)) != RR_OK)
		return e;
	observe_local(c, o);
	observe_target_addrs(o);
	observe_fence_age(o);
	return RR_OK;
}

enum rr_err
observe_cutover(struct observed *o, struct rr_ctx *c)
{
	const struct desired *d = c->d;
	char change_id[128];
	enum rr_err e;

	change_id[0] = '\0';
	o->now = time(NULL);
	o->change_status[0] = '\0';
	if ((e = observe_instance(c, d->target_id, &o->target, change_id,
	         sizeof(change_id), NULL)) != RR_OK ||
	    (e = observe_record(c, &o->record)) != RR_OK)
		return e;
	normalise_name(o->target.endpoint);
	o->target_pg_read_only = o->source_pg_read_only = TRI_UNKNOWN;
	o->source_pg_read_only_set = TRI_UNKNOWN;
	if (o->target.exists && o->target.ours && o->target_pg_exists &&
	    (e = observe_pg_read_only(c, d->param_group,
	         &o->target_pg_read_only, NULL)) != RR_OK)
		return e;
	if ((e = observe_cutover_aws(c, o, change_id)) != RR_OK)
		return e;
	observe_local(c, o);
	observe_target_addrs(o);
	observe_fence_age(o);
	return RR_OK;
}
