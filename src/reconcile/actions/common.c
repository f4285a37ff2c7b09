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
