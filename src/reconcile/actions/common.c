/*
 * common.c - helpers every action family uses (actions-int.h).
 */
#include <stdio.h>
#include <string.h>

#include "actions-int.h"
#include "aws.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "secret.h"

void
act_args_tag(struct step_args *a, const char *key, const char *value)
{
	if (a->n_tags == STEP_MAX_TAGS)
		return;
	snprintf(a->tags[a->n_tags].key, sizeof(a->tags[0].key), "%s", key);
	snprintf(a->tags[a->n_tags].value, sizeof(a->tags[0].value), "%s",
	    value);
	a->n_tags++;
}

void
act_args_ours(struct step_args *a, const struct desired *d, const char *role,
    const struct binlog_pos *pos)
{
	char p[32];

	act_args_tag(a, OBS_TAG_OBJECT, d->name);
	act_args_tag(a, OBS_TAG_ROLE, role);
	if (pos != NULL && pos->file[0] != '\0') {
		snprintf(p, sizeof(p), "%llu", (unsigned long long)pos->pos);
		act_args_tag(a, OBS_TAG_BINLOG_FILE, pos->file);
		act_args_tag(a, OBS_TAG_BINLOG_POS, p);
	}
}

const struct rds_tags *
act_rds_tags(const struct step_args *a, struct rds_tag *v, struct rds_tags *l)
{
	int i;

	for (i = 0; i < a->n_tags; i++) {
		v[i].key = (char *)a->tags[i].key;
		v[i].value = (char *)a->tags[i].value;
	}
	l->v = v;
	l->n = (size_t)a->n_tags;
	return l;
}

void
act_args_network(struct step_args *a, const struct obs_instance *src)
{
	int i;

	for (i = 0; i < src->n_sg && i < 8; i++)
		snprintf(a->sg_ids[i], sizeof(a->sg_ids[i]), "%s",
		    src->sg_ids[i]);
	a->n_sg = i;
	snprintf(a->subnet_group, sizeof(a->subnet_group), "%s",
	    src->subnet_group);
	a->publicly_accessible = src->publicly_accessible;
}

/*
 * Iops and StorageThroughput can be set for io1/io2, and for gp3 from
 * 400 GiB on; below that gp3 has its baseline and RDS refuses them
 * ("Amazon RDS DB instance storage", gp3 storage, MariaDB and MySQL).
 */
static void
storage_args(struct obs_settings *to, const struct obs_instance *src)
{
	const struct obs_settings *f = &src->settings;

	snprintf(to->storage_type, sizeof(to->storage_type), "%s",
	    f->storage_type);
	if (strncmp(f->storage_type, "io", 2) == 0)
		to->iops = f->iops;
	else if (strcmp(f->storage_type, "gp3") == 0 &&
	    src->allocated_storage >= 400) {
		to->iops = f->iops;
		to->storage_throughput = f->storage_throughput;
	}
}

#define SET_STR(to, from, f) snprintf((to)->f, sizeof((to)->f), "%s", (from)->f)

void
act_args_restore_settings(struct step_args *a, const struct obs_instance *src)
{
	struct obs_settings *to = &a->settings;
	const struct obs_settings *f = &src->settings;

	SET_STR(to, f, option_group);
	storage_args(to, src);
	to->iam_auth = f->iam_auth;
	SET_STR(to, f, log_exports);
	to->auto_minor_version_upgrade = f->auto_minor_version_upgrade;
	to->copy_tags_to_snapshot = f->copy_tags_to_snapshot;
	to->deletion_protection = f->deletion_protection;
}

/* What the restore takes, equal in tgt and src. */
static int
same_restore_settings(const struct obs_settings *s,
    const struct obs_settings *t)
{
	return strcmp(s->option_group, t->option_group) == 0 &&
	    strcmp(s->storage_type, t->storage_type) == 0 &&
	    s->iops == t->iops &&
	    s->storage_throughput == t->storage_throughput &&
	    s->iam_auth == t->iam_auth &&
	    strcmp(s->log_exports, t->log_exports) == 0 &&
	    s->auto_minor_version_upgrade == t->auto_minor_version_upgrade &&
	    s->copy_tags_to_snapshot == t->copy_tags_to_snapshot &&
	    s->deletion_protection == t->deletion_protection;
}

int
action_same_settings(const struct obs_settings *s, const struct obs_settings *t)
{
	if (!same_restore_settings(s, t))
		return 0;
	if (strcmp(s->ca_certificate, t->ca_certificate) != 0 ||
	    s->monitoring_interval != t->monitoring_interval ||
	    strcmp(s->backup_window, t->backup_window) != 0 ||
	    strcmp(s->maintenance_window, t->maintenance_window) != 0 ||
	    s->performance_insights != t->performance_insights)
		return 0;
	if (s->monitoring_interval > 0 &&
	    strcmp(s->monitoring_role_arn, t->monitoring_role_arn) != 0)
		return 0;
	if (s->performance_insights == 1 &&
	    (s->pi_retention != t->pi_retention ||
	        strcmp(s->pi_kms_key_id, t->pi_kms_key_id) != 0))
		return 0;
	return 1;
}

void
act_args_modify_settings(struct step_args *a, const struct obs_instance *src,
    const struct obs_instance *tgt)
{
	struct obs_settings *to = &a->settings;
	const struct obs_settings *f = &src->settings;

	if (!same_restore_settings(f, &tgt->settings))
		act_args_restore_settings(a, src);
	SET_STR(to, f, ca_certificate);
	to->monitoring_interval = f->monitoring_interval;
	if (f->monitoring_interval > 0)
		SET_STR(to, f, monitoring_role_arn);
	to->performance_insights = f->performance_insights;
	if (f->performance_insights == 1) {
		SET_STR(to, f, pi_kms_key_id);
		to->pi_retention = f->pi_retention;
	}
	SET_STR(to, f, backup_window);
	SET_STR(to, f, maintenance_window);
}

#define VIEW_STR(f) (a->settings.f[0] ? (char *)a->settings.f : NULL)

void
act_rds_view(const struct step_args *a, struct act_rds_view *v)
{
	const struct obs_settings *s = &a->settings;
	struct rds_settings *r = &v->settings;
	char *p, *save = NULL;
	size_t n = 0;
	int i;

	memset(v, 0, sizeof(*v));
	for (i = 0; i < a->n_sg && i < 8; i++)
		v->sgs[i] = (char *)a->sg_ids[i];
	v->sgl.v = v->sgs;
	v->sgl.n = (size_t)i;
	v->net.db_subnet_group = a->subnet_group[0] ? a->subnet_group : NULL;
	v->net.vpc_security_group_ids = i > 0 ? &v->sgl : NULL;
	v->net.publicly_accessible = a->publicly_accessible;

	rds_settings_init(r);
	r->option_group = VIEW_STR(option_group);
	r->storage_type = VIEW_STR(storage_type);
	r->iops = s->iops;
	r->storage_throughput = s->storage_throughput;
	r->ca_certificate = VIEW_STR(ca_certificate);
	r->iam_auth = s->iam_auth;
	r->monitoring_interval = s->monitoring_interval;
	r->monitoring_role_arn = VIEW_STR(monitoring_role_arn);
	r->performance_insights = s->performance_insights;
	r->pi_kms_key_id = VIEW_STR(pi_kms_key_id);
	r->pi_retention = s->pi_retention;
	snprintf(v->logs_buf, sizeof(v->logs_buf), "%s", s->log_exports);
	for (p = strtok_r(v->logs_buf, ",", &save); p != NULL && n < 8;
	     p = strtok_r(NULL, ",", &save))
		v->logs[n++] = p;
	r->log_exports.v = v->logs; /* a view: alloc 0, never cleared */
	r->log_exports.n = n;
	r->backup_window = VIEW_STR(backup_window);
	r->maintenance_window = VIEW_STR(maintenance_window);
	r->auto_minor_version_upgrade = s->auto_minor_version_upgrade;
	r->copy_tags_to_snapshot = s->copy_tags_to_snapshot;
	r->deletion_protection = s->deletion_protection;
}

enum rr_err
act_tag_one(struct rr_ctx *c, const char *arn, const char *key,
    const char *value)
{
	struct rds_tag t = { (char *)key, (char *)value };
	struct rds_tags l = { &t, 1 };

	return rds_add_tags(c->aws, arn, &l);
}

enum rr_err
act_created(struct rr_ctx *c, enum rr_err e, const char *exists_code)
{
	if (e == RR_ERR_AWS &&
	    strcmp(aws_client_error_code(c->aws), exists_code) == 0) {
		log_info("%s: already there; checking it is ours next pass",
		    exists_code);
		return RR_OK;
	}
	return e;
}

enum rr_err
act_connect(struct rr_ctx *c, const struct obs_instance *i, struct db **db)
{
	return rr_ctx_connect(c, i, db);
}

enum rr_err
act_call_on(struct rr_ctx *c, const struct obs_instance *i,
    enum rr_err (*fn)(struct db *))
{
	struct db *db = NULL;
	enum rr_err e;

	if ((e = act_connect(c, i, &db)) != RR_OK)
		return e;
	e = fn(db);
	db_close(db);
	return e;
}

enum rr_err
act_set_read_only(struct rr_ctx *c, const char *group, int on)
{
	struct rds_parameter p;

	memset(&p, 0, sizeof(p));
	p.name = (char *)"read_only";
	p.value = (char *)(on == 1 ? "1" : "0");
	p.apply_method = (char *)"immediate";
	return rds_modify_parameter_group(c->aws, group, &p, 1);
}

enum rr_err
act_repl_password(struct rr_ctx *c, struct secret **pw, int *created_new)
{
	return secret_store_load_or_create(pw, created_new, c->d->state_dir,
	    c->d->name, "replication", c->key);
}

void
action_assume_instance(struct obs_instance *i, const char *endpoint)
{
	i->exists = 1;
	i->ours = 1;
	snprintf(i->status, sizeof(i->status), "available");
	if (i->endpoint[0] == '\0')
		snprintf(i->endpoint, sizeof(i->endpoint), "%s", endpoint);
}

void
action_assume_snapshot(struct obs_snapshot *sn, const struct binlog_pos *pos)
{
	sn->exists = 1;
	sn->ours = 1;
	snprintf(sn->status, sizeof(sn->status), "available");
	sn->percent = 100;
	sn->tagged_pos = *pos;
}

void
act_resolve_target_id(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->target_id);
}

void
act_resolve_temp_id(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->temp_replica_id);
}
