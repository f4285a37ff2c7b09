/*
 * lock.c - one run at a time per object: GET_LOCK() on the source, held
 * by the context's source connection for the whole run (DESIGN.md §3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "context.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "observe.h"

/*
 * GET_LOCK names are at most 64 characters: "rdsreconcile:" and the
 * object name, hashed when that would not fit.
 */
void
rr_lock_name(const struct desired *d, char *buf, size_t len)
{
	unsigned char h[8];
	size_t i;

	if (strlen(d->name) <= 64 - 13) {
		snprintf(buf, len, "rdsreconcile:%s", d->name);
		return;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)d->name,
	    strlen(d->name), NULL, 0);
	snprintf(buf, len, "rdsreconcile:%.30s-", d->name);
	for (i = 0; i < sizeof(h); i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%02x", h[i]);
}

/*
 * Hold the run lock while acting.  It lives on the source connection, so a
 * new connection (after a restart of the source) must take it again.
 * RR_ERR_LOCKED names the holder.
 */
enum rr_err
rr_lock_ensure(struct rr_ctx *c, const struct obs_instance *src)
{
	char name[80], *who = NULL;
	unsigned long holder = 0;
	struct db *db;
	enum rr_err e;
	int got = 0;

	if (!c->opts->need_lock || !src->exists || src->endpoint[0] == '\0')
		return RR_OK;
	if ((e = rr_ctx_source(c, src, &db)) != RR_OK)
		return e;
	rr_lock_name(c->d, name, sizeof(name));
	if (c->locked) {
		/* Checked before every action: a lock that went with its
		 * session must not be acted under. */
		if ((e = db_lock_holder(db, name, &holder, &who)) != RR_OK)
			return e;
		if (holder == c->src_conn_id) {
			free(who);
			return RR_OK;
		}
		c->locked = 0;
		log_warn("the run lock '%s' is no longer ours (%s); taking it "
		         "again",
		    name, who ? who : "free");
		free(who);
		who = NULL;
	}
	if ((e = db_get_lock(db, name, 0, &got)) != RR_OK)
		return e;
	if (got) {
		c->locked = 1;
		log_debug("holding lock '%s' on the source", name);
		return RR_OK;
	}
	(void)db_lock_holder(db, name, &holder, &who);
	e = rr_seterr(RR_ERR_LOCKED,
	    "another run holds lock '%s' on source "
	    "'%s': %s",
	    name, c->d->source_id, who ? who : "holder unknown");
	free(who);
	return e;
}
