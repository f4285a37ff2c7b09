/*
 * act.c - run the one mutation a step names.  Never decides: every value it
 * uses comes from the desired object, the step, or the observation the step
 * was planned from.  Each action is idempotent ("already exists and is
 * ours" is success), so a run killed at any point can be repeated.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "rds.h"
#include "reconcile.h"
#include "route53.h"
#include "secret.h"
#include "xmalloc.h"

/* Our tags: ownership and role, plus coordinates when given. */
struct tagset {
	struct rds_tag v[6];
	char pos[32];
	struct rds_tags list;
};

static const struct rds_tags *
tags_for(struct tagset *t, const struct desired *d, const char *role,
    const struct binlog_pos *pos)
{
	size_t n = 0;

	t->v[n].key = (char *)OBS_TAG_OBJECT;
	t->v[n++].value = d->name;
	t->v[n].key = (char *)OBS_TAG_ROLE;
	t->v[n++].value = (char *)role;
	if (pos != NULL && pos->file[0] != '\0') {
		snprintf(t->pos, sizeof(t->pos), "%llu",
		    (unsigned long long)pos->pos);
		t->v[n].key = (char *)OBS_TAG_BINLOG_FILE;
		t->v[n++].value = (char *)pos->file;
		t->v[n].key = (char *)OBS_TAG_BINLOG_POS;
		t->v[n++].value = t->pos;
	}
	t->list.v = t->v;
	t->list.n = n;
	return &t->list;
}

static enum rr_err set_read_only(struct rr_ctx *c, const char *group,
    int on);

/*
 * Give the writes back to the source, then forget the cut-over phase, in
 * that order: a crash between the two leaves phase=cutover with an open
 * source, which the planner fences again (a retry), never the reverse (a
 * fenced source nobody plans to open).
 */
static enum rr_err
abort_cutover(struct rr_ctx *c, const struct observed *o)
{
	char *key = OBS_TAG_PHASE;
	struct rds_strlist keys = { &key, 1 };
	enum rr_err e;

	if ((e = set_read_only(c, o->source.param_group, 0)) != RR_OK)
		return e;
	return rds_remove_tags(c->aws, o->target.arn, &keys);
}

static enum rr_err
tag_one(struct rr_ctx *c, const char *arn, const char *key, const char *value)
{
	struct rds_tag t = { (char *)key, (char *)value };
	struct rds_tags l = { &t, 1 };

	return rds_add_tags(c->aws, arn, &l);
}

/* "Already exists" from a create is success when the resource is ours;
 * the next observation checks ownership before anything else. */
static enum rr_err
created(struct rr_ctx *c, enum rr_err e, const char *exists_code)
{
	if (e == RR_ERR_AWS &&
	    strcmp(aws_client_error_code(c->aws), exists_code) == 0) {
		log_info("%s: already there; checking it is ours next pass",
		    exists_code);
		return RR_OK;
	}
	return e;
}

static enum rr_err
connect_to(struct rr_ctx *c, const struct obs_instance *i, struct db **db)
{
	return rr_ctx_connect(c, i->endpoint, i->port, db);
}

/* One procedure call on an instance over a short-lived connection. */
static enum rr_err
call_on(struct rr_ctx *c, const struct obs_instance *i,
    enum rr_err (*fn)(struct db *))
{
	struct db *db = NULL;
	enum rr_err e;

	if ((e = connect_to(c, i, &db)) != RR_OK)
		return e;
	e = fn(db);
	db_close(db);
	return e;
}

static enum rr_err
record_freeze_point(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct db_replica_status st;
	struct db *db = NULL;
	char pos[32];
	enum rr_err e;

	memset(&st, 0, sizeof(st));
	if ((e = connect_to(c, &o->temp, &db)) != RR_OK)
		goto out;
	/* Read again: the tag must hold exactly what the stopped replica
	 * applied, never a position from before the stop. */
	if ((e = db_replica_status(db, &st)) != RR_OK)
		goto out;
	if (st.sql_running != DB_THREAD_NO || st.relay_source_log_file == NULL ||
	    strcmp(st.relay_source_log_file, s->pos.file) != 0 ||
	    st.exec_source_log_pos != s->pos.pos) {
		e = rr_seterr(RR_ERR_INTERNAL, "replica '%s' moved since it "
		    "was observed; not recording", c->d->temp_replica_id);
		goto out;
	}
	snprintf(pos, sizeof(pos), "%llu", (unsigned long long)s->pos.pos);
	if ((e = tag_one(c, o->temp.arn, OBS_TAG_BINLOG_FILE, s->pos.file)) !=
	    RR_OK)
		goto out;
	e = tag_one(c, o->temp.arn, OBS_TAG_BINLOG_POS, pos);
out:
	db_replica_status_release(&st);
	db_close(db);
	return e;
}

/* A new parameter group with the source's user-set values, read_only=1. */
static enum rr_err
create_target_params(struct rr_ctx *c, const struct observed *o)
{
	struct rds_parameters pl;
	char *family = NULL;
	struct rds_parameter *mods = NULL;
	struct tagset ts;
	char *desc = NULL;
	size_t i, n = 0;
	enum rr_err e;

	memset(&pl, 0, sizeof(pl));
	if ((e = rds_describe_parameter_group(c->aws, &family,
	    o->source.param_group)) != RR_OK)
		goto out;
	desc = xasprintf("rdsreconcile: target of %s", c->d->name);
	e = rds_create_parameter_group(c->aws, c->d->param_group, family,
	    desc, tags_for(&ts, c->d, "parameter-group", NULL));
	if ((e = created(c, e, "DBParameterGroupAlreadyExists")) != RR_OK)
		goto out;
	if ((e = rds_describe_parameters(c->aws, &pl, o->source.param_group,
	    "user")) != RR_OK)
		goto out;
	mods = xcalloc(pl.n + 1, sizeof(*mods));
	for (i = 0; i < pl.n; i++) {
		if (strcmp(pl.v[i].name, "read_only") == 0 ||
		    pl.v[i].value == NULL)
			continue;
		mods[n].name = pl.v[i].name;
		mods[n].value = pl.v[i].value;
		mods[n].apply_method = (char *)(pl.v[i].apply_type &&
		    strcmp(pl.v[i].apply_type, "dynamic") == 0 ? "immediate" :
		    "pending-reboot");
		n++;
	}
	mods[n].name = (char *)"read_only";
	mods[n].value = (char *)"1";
	mods[n].apply_method = (char *)"immediate";
	n++;
	e = rds_modify_parameter_group(c->aws, c->d->param_group, mods, n);
out:
	free(mods);
	free(desc);
	rds_parameters_release(&pl);
	free(family);
	return e;
}

/*
 * Restore the target from the encrypted copy, tagged as ours and with the
 * source's own tags (those not in the aws: or rdsreconcile: namespaces).
 */
static enum rr_err
restore_target(struct rr_ctx *c, const struct observed *o)
{
	const struct desired *d = c->d;
	struct rds_restore_opts ro;
	struct rds_tags src, all;
	struct tagset ts;
	const struct rds_tags *ours;
	enum rr_err e;
	size_t i;

	memset(&src, 0, sizeof(src));
	memset(&all, 0, sizeof(all));
	if ((e = rds_list_tags(c->aws, &src, o->source.arn)) != RR_OK)
		goto out;
	ours = tags_for(&ts, d, "target", &o->copy.tagged_pos);
	for (i = 0; i < ours->n; i++)
		rds_tags_add(&all, ours->v[i].key, ours->v[i].value);
	for (i = 0; i < src.n; i++)
		if (strncmp(src.v[i].key, "aws:", 4) != 0 &&
		    strncmp(src.v[i].key, "rdsreconcile:", 13) != 0)
			rds_tags_add(&all, src.v[i].key, src.v[i].value);
	memset(&ro, 0, sizeof(ro));
	ro.multi_az = ro.publicly_accessible = -1;
	ro.instance_class = d->target_instance_class ?
	    d->target_instance_class : o->source.instance_class;
	ro.tags = &all;
	e = rds_restore_from_snapshot(c->aws, d->target_id,
	    d->encrypted_snapshot_id, &ro);
	e = created(c, e, "DBInstanceAlreadyExists");
out:
	rds_tags_release(&src);
	rds_tags_release(&all);
	return e;
}

static enum rr_err
set_read_only(struct rr_ctx *c, const char *group, int on)
{
	struct rds_parameter p;

	memset(&p, 0, sizeof(p));
	p.name = (char *)"read_only";
	p.value = (char *)(on ? "1" : "0");
	p.apply_method = (char *)"immediate";
	return rds_modify_parameter_group(c->aws, group, &p, 1);
}

/* At most this many addresses (accounts) for the replication user. */
#define REPL_MAX_HOSTS 4

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

/*
 * The hosts of the replication user: the addresses the target's endpoint
 * resolves to now, one account each, so that only the target may log in
 * with it.  The target's replication connection to the source comes from
 * the target's private address, which is what its endpoint resolves to
 * from inside its VPC; a publicly accessible instance's endpoint resolves
 * to its public address from outside the VPC (Amazon RDS API Reference,
 * CreateDBInstance, PubliclyAccessible), and that is not the address the
 * source sees.  So the host is '%' (any) when the endpoint does not
 * resolve, resolves to more than REPL_MAX_HOSTS addresses or to a public
 * IPv4 address; each case is logged.  The Amazon RDS User Guide,
 * "Configuring binary log file position replication with an external
 * source instance", likewise creates the replication user for the
 * replica's domain only.  An address that changes later (a Multi-AZ
 * failover of the target) leaves the user behind: the target's I/O thread
 * then fails to log in until the user is created again.
 */
static void
repl_hosts(const char *endpoint, struct db_hosts *out)
{
	struct addrinfo hints, *res = NULL, *ai;
	char buf[INET6_ADDRSTRLEN];
	const char *why = NULL;
	size_t i;
	int rc;

	out->v = NULL;
	out->n = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(endpoint, NULL, &hints, &res)) != 0) {
		log_info("replication user host '%%': the target endpoint "
		    "'%s' does not resolve (%s)", endpoint, gai_strerror(rc));
		goto any;
	}
	for (ai = res; ai != NULL && why == NULL; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			const struct sockaddr_in *sin =
			    (const struct sockaddr_in *)ai->ai_addr;

			if (!ipv4_is_private(&sin->sin_addr))
				why = "resolves to a public address here; the "
				    "target connects from its private one";
			inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
		} else if (ai->ai_family == AF_INET6) {
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
			    ai->ai_addr)->sin6_addr, buf, sizeof(buf));
		} else
			continue;
		for (i = 0; i < out->n; i++)
			if (strcmp(out->v[i], buf) == 0)
				break;
		if (i < out->n)
			continue;
		if (out->n == REPL_MAX_HOSTS) {
			why = "resolves to too many addresses";
			break;
		}
		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = xstrdup(buf);
	}
	freeaddrinfo(res);
	if (why == NULL && out->n > 0)
		return;
	log_info("replication user host '%%': the target endpoint '%s' %s",
	    endpoint, why ? why : "has no address");
any:
	db_hosts_release(out);
	out->v = xcalloc(1, sizeof(*out->v));
	out->v[0] = xstrdup("%");
	out->n = 1;
}

static enum rr_err
repl_password(struct rr_ctx *c, struct secret **pw, int *created_new)
{
	return secret_store_load_or_create(pw, created_new, c->d->state_dir,
	    c->d->name, "replication", c->key);
}

/*
 * Replication is encrypted when the source offers TLS: our own session to
 * it is encrypted exactly then (DB_TLS_PREFER).  The user then REQUIREs
 * SSL, and rds_set_external_master gets ssl_encryption=1 (encrypted, the
 * certificate not verified: Amazon RDS User Guide,
 * mysql.rds_set_external_master).
 */
static int
repl_tls(struct db *src)
{
	return db_is_tls(src);
}

/*
 * The user for each address of the target (see repl_hosts); accounts of
 * the same name for other hosts (an older address, '%') are dropped first.
 */
static enum rr_err
create_repl_user(struct rr_ctx *c, const struct observed *o)
{
	struct db_hosts want, have;
	struct secret *pw = NULL;
	struct db *src;
	enum rr_err e;
	size_t i, j;
	int fresh = 0, tls;

	memset(&want, 0, sizeof(want));
	memset(&have, 0, sizeof(have));
	if ((e = rr_ctx_source(c, &o->source, &src)) != RR_OK)
		return e;
	if ((e = repl_password(c, &pw, &fresh)) != RR_OK)
		return e;
	if (!(tls = repl_tls(src)))
		log_info("replication from '%s' runs without TLS: the source "
		    "does not offer it", c->d->source_id);
	repl_hosts(o->target.endpoint, &want);
	if ((e = db_user_hosts(src, c->d->repl_user, &have)) != RR_OK)
		goto out;
	for (i = 0; i < have.n; i++) {
		for (j = 0; j < want.n; j++)
			if (strcasecmp(have.v[i], want.v[j]) == 0)
				break;
		if (j == want.n && (e = db_drop_user(src, c->d->repl_user,
		    have.v[i])) != RR_OK)
			goto out;
	}
	for (i = 0; i < want.n; i++) {
		if ((e = db_create_repl_user(src, c->d->repl_user, want.v[i],
		    secret_data(pw), secret_len(pw), tls)) != RR_OK)
			goto out;
		log_info("replication user '%s'@'%s' on '%s'%s",
		    c->d->repl_user, want.v[i], c->d->source_id,
		    tls ? ", REQUIRE SSL" : "");
	}
out:
	db_hosts_release(&want);
	db_hosts_release(&have);
	secret_free(pw);
	return e;
}

static enum rr_err
start_replication(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct secret *pw = NULL;
	struct db *db = NULL, *src;
	enum rr_err e;
	int fresh = 0;

	if ((e = repl_password(c, &pw, &fresh)) != RR_OK)
		goto out;
	if (fresh) {
		/* The user on the source has a password we no longer know. */
		e = rr_seterr(RR_ERR_INTERNAL, "the stored replication "
		    "password was missing; the user is recreated next pass");
		goto out;
	}
	if ((e = rr_ctx_source(c, &o->source, &src)) != RR_OK)
		goto out;
	if ((e = connect_to(c, &o->target, &db)) != RR_OK)
		goto out;
	if ((e = db_rds_set_external_master(db, o->source.endpoint,
	    (unsigned)o->source.port, c->d->repl_user, secret_data(pw),
	    secret_len(pw), s->pos.file, s->pos.pos, repl_tls(src))) != RR_OK)
		goto out;
	e = db_rds_start_replication(db);
out:
	secret_free(pw);
	db_close(db);
	return e;
}

static enum rr_err
stop_replication(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct db_replica_status st;
	struct db *db = NULL;
	enum rr_err e;

	memset(&st, 0, sizeof(st));
	if ((e = connect_to(c, &o->target, &db)) != RR_OK)
		goto out;
	/* Checked again here: stopping early would lose committed rows. */
	if ((e = db_replica_status(db, &st)) != RR_OK)
		goto out;
	if (!st.configured || db_binlog_pos_cmp(st.relay_source_log_file ?
	    st.relay_source_log_file : "", st.exec_source_log_pos, s->pos.file,
	    s->pos.pos) < 0) {
		e = rr_seterr(RR_ERR_INTERNAL, "target has not applied "
		    "%s:%llu; not stopping replication", s->pos.file,
		    (unsigned long long)s->pos.pos);
		goto out;
	}
	if ((e = db_rds_stop_replication(db)) != RR_OK)
		goto out;
	e = db_rds_reset_external_master(db);
out:
	db_replica_status_release(&st);
	db_close(db);
	return e;
}

static int
is_ipv4(const char *s)
{
	struct in_addr a;

	return inet_pton(AF_INET, s, &a) == 1;
}

static enum rr_err
switch_alias(struct rr_ctx *c, const struct observed *o)
{
	const char *type = o->record.exists ? o->record.type :
	    is_ipv4(o->target.endpoint) ? "A" : "CNAME";
	char *change = NULL;
	enum rr_err e;

	if ((e = route53_upsert_record(c->aws, &change, c->d->zone_id,
	    c->d->endpoint_name, type, c->d->ttl, o->target.endpoint,
	    "rdsreconcile cut-over")) != RR_OK)
		return e;
	e = tag_one(c, o->target.arn, OBS_TAG_CHANGE, change);
	free(change);
	return e;
}

static enum rr_err
finish_cutover(struct rr_ctx *c, const struct observed *o)
{
	struct db *src;
	unsigned killed = 0;
	enum rr_err e;

	/* Sessions left on the fenced source can only fail; end them so
	 * their applications reconnect through the alias. */
	if (rr_ctx_source(c, &o->source, &src) == RR_OK) {
		if (db_kill_client_connections(src, NULL, 0, &killed) != RR_OK)
			log_warn("ending sessions on the source: %s",
			    rr_lasterr());
		else if (killed)
			log_info("ended %u client sessions on the source",
			    killed);
	}
	if ((e = tag_one(c, o->target.arn, OBS_TAG_PHASE, PHASE_DONE)) !=
	    RR_OK)
		return e;
	if (secret_store_remove(c->d->state_dir, c->d->name, "replication") !=
	    RR_OK)
		log_warn("removing the stored replication password: %s",
		    rr_lasterr());
	return RR_OK;
}

enum rr_err
act(struct rr_ctx *c, const struct observed *o, const struct step *s)
{
	const struct desired *d = c->d;
	struct rds_modify m = RDS_MODIFY_INIT;
	struct rds_strlist sgl;
	struct tagset ts;
	struct db *db = NULL;
	char *sgs[8];
	enum rr_err e;
	int i;

	/* Enforced here, beside the AWS client's own refusal. */
	if (c->opts->dry_run)
		return rr_seterr(RR_ERR_DRY_RUN, "dry run: %s not executed",
		    action_name(s->action));
	if (s->kind != STEP_ACT)
		return RR_OK;

	switch (s->action) {
	case ACT_SET_BINLOG_RETENTION:
		if ((e = rr_ctx_source(c, &o->source, &db)) != RR_OK)
			return e;
		return db_rds_set_configuration(db, "binlog retention hours",
		    d->binlog_retention_hours);
	case ACT_CREATE_TEMP_REPLICA:
		e = rds_create_read_replica(c->aws, d->temp_replica_id,
		    d->source_id, tags_for(&ts, d, "temp-replica", NULL));
		return created(c, e, "DBInstanceAlreadyExists");
	case ACT_STOP_TEMP_REPLICATION:
		return call_on(c, &o->temp, db_rds_stop_replication);
	case ACT_RECORD_FREEZE_POINT:
		return record_freeze_point(c, o, s);
	case ACT_CREATE_SNAPSHOT:
		e = rds_create_snapshot(c->aws, d->snapshot_id,
		    d->temp_replica_id, tags_for(&ts, d, "freeze-snapshot",
		    &s->pos));
		return created(c, e, "DBSnapshotAlreadyExists");
	case ACT_COPY_SNAPSHOT:
		e = rds_copy_snapshot(c->aws, d->snapshot_id,
		    d->encrypted_snapshot_id, d->kms_key_id, 1,
		    tags_for(&ts, d, "encrypted-snapshot",
		    &o->freeze.tagged_pos));
		return created(c, e, "DBSnapshotAlreadyExists");
	case ACT_RESTORE_TARGET:
		return restore_target(c, o);
	case ACT_CREATE_TARGET_PARAMS:
		return create_target_params(c, o);
	case ACT_MODIFY_TARGET:
		for (i = 0; i < o->source.n_sg; i++)
			sgs[i] = (char *)o->source.sg_ids[i];
		sgl.v = sgs;
		sgl.n = (size_t)o->source.n_sg;
		m.vpc_security_group_ids = &sgl;
		m.parameter_group = d->param_group;
		m.backup_retention_period = o->source.backup_retention > 0 ?
		    o->source.backup_retention : 1;
		m.multi_az = o->source.multi_az;
		m.apply_immediately = 1;
		return rds_modify_instance(c->aws, d->target_id, &m);
	case ACT_REBOOT_TARGET:
		return rds_reboot_instance(c->aws, d->target_id);
	case ACT_CREATE_REPL_USER:
		return create_repl_user(c, o);
	case ACT_START_REPLICATION:
		return start_replication(c, o, s);
	case ACT_RESUME_REPLICATION:
		return call_on(c, &o->target, db_rds_start_replication);
	case ACT_MARK_CUTOVER:
		return tag_one(c, o->target.arn, OBS_TAG_PHASE, PHASE_CUTOVER);
	case ACT_DROP_REPL_USER:
		if ((e = rr_ctx_source(c, &o->source, &db)) != RR_OK)
			return e;
		/* Every host: an address may have changed since. */
		return db_drop_user(db, d->repl_user, NULL);
	case ACT_FENCE_SOURCE:
		return set_read_only(c, o->source.param_group, 1);
	case ACT_STOP_REPLICATION:
		return stop_replication(c, o, s);
	case ACT_UNFENCE_TARGET:
		return set_read_only(c, d->param_group, 0);
	case ACT_SWITCH_ALIAS:
		return switch_alias(c, o);
	case ACT_MARK_DONE:
		return finish_cutover(c, o);
	case ACT_DELETE_TEMP_REPLICA:
		return rds_delete_instance(c->aws, d->temp_replica_id, 1, NULL);
	case ACT_DELETE_SNAPSHOT:
		return rds_delete_snapshot(c->aws, d->snapshot_id);
	case ACT_ABORT_CUTOVER:
		return abort_cutover(c, o);
	case ACT_NONE:
	case ACT__COUNT:
		break;
	}
	return rr_seterr(RR_ERR_INTERNAL, "no action for step '%s'", s->what);
}
