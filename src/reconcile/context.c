/*
 * context.c - what one object's run holds: AWS client, keys, the admin
 * password, and the source connection that carries the run lock.
 */
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "reconcile.h"
#include "secret.h"

/* The sealed name of spec.credentials.admin.passwordFile. */
#define ADMIN_SEALED_NAME "admin"

enum rr_err
rr_ctx_open(struct rr_ctx *c, const struct desired *d,
    const struct reconcile_opts *opts)
{
	struct aws_config cfg;
	const char *keyfile;
	enum rr_err e;

	memset(c, 0, sizeof(*c));
	c->d = d;
	c->opts = opts;

	memset(&cfg, 0, sizeof(cfg));
	cfg.region = d->region;
	cfg.dry_run = opts->dry_run;
	if ((e = aws_client_new(&c->aws, &cfg)) != RR_OK)
		goto out;
	/* SIGTERM ends a retry backoff or a transfer at once. */
	aws_client_set_interrupt(c->aws, &rr_cancel);

	keyfile = d->private_key_file ? d->private_key_file :
	    getenv(SECRET_PRIVATE_KEY_ENV);
	if (keyfile == NULL || *keyfile == '\0') {
		e = rr_seterr(RR_ERR_CRYPTO, "no private key to unseal '%s': "
		    "set spec.credentials.privateKeyFile or %s",
		    d->admin_password_file, SECRET_PRIVATE_KEY_ENV);
		goto out;
	}
	if ((e = secret_keypair_load_private(&c->key, keyfile)) != RR_OK)
		goto out;
	e = secret_unseal_file(&c->admin_password, d->admin_password_file,
	    ADMIN_SEALED_NAME, c->key);
out:
	if (e != RR_OK)
		rr_ctx_close(c);
	return e;
}

void
rr_ctx_close(struct rr_ctx *c)
{
	if (c->src != NULL && c->locked) {
		char name[80];

		/* The name it was taken under (lock.c), hashed when long. */
		rr_lock_name(c->d, name, sizeof(name));
		(void)db_release_lock(c->src, name);
	}
	db_close(c->src);
	c->src = NULL;
	c->locked = 0;
	secret_free(c->admin_password);
	c->admin_password = NULL;
	secret_keypair_free(c->key);
	c->key = NULL;
	aws_client_free(c->aws);
	c->aws = NULL;
}

enum rr_err
rr_ctx_connect(struct rr_ctx *c, const struct obs_instance *i, struct db **out)
{
	struct db_opts o;
	enum rr_err e;

	memset(&o, 0, sizeof(o));
	o.connect_timeout_s = 5;
	o.read_timeout_s = 30;
	o.write_timeout_s = 30;
	e = db_connect(out, i->endpoint, (unsigned)i->port, c->d->admin_user,
	    secret_data(c->admin_password), secret_len(c->admin_password), &o);
	if (e == RR_OK)
		db_set_rds_engine(*out, i->engine, i->engine_version);
	return e;
}

enum rr_err
rr_ctx_source(struct rr_ctx *c, const struct obs_instance *src,
    struct db **out)
{
	enum rr_err e;

	*out = NULL;
	if (src->endpoint[0] == '\0')
		return rr_seterr(RR_ERR_DB, "source '%s' has no endpoint yet",
		    c->d->source_id);
	if (c->src != NULL && (strcmp(c->src_endpoint, src->endpoint) ||
	    c->src_port != src->port || db_exec(c->src, "DO 1") != RR_OK)) {
		/* Moved or dropped: the lock went with the session. */
		if (c->locked)
			log_warn("the source session holding the run lock "
			         "was lost; the lock is taken again before "
			         "the next action");
		db_close(c->src);
		c->src = NULL;
		c->locked = 0;
	}
	if (c->src == NULL) {
		if ((e = rr_ctx_connect(c, src, &c->src)) != RR_OK)
			return e;
		snprintf(c->src_endpoint, sizeof(c->src_endpoint), "%s",
		    src->endpoint);
		c->src_port = src->port;
		c->src_conn_id = db_connection_id(c->src);
	}
	*out = c->src;
	return RR_OK;
}
