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

const struct rds_tags *
act_tags(struct tagset *t, const struct desired *d, const char *role,
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
	return rr_ctx_connect(c, i->endpoint, i->port, db);
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
	p.value = (char *)(on ? "1" : "0");
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
