/*
 * context.h - what one desired object's run holds: the parsed object, the
 * options, the AWS client, the private key and the admin password (secret
 * memory), and the open connection to the source that carries the run
 * lock.  observe(), the planner's callers and the actions take it.
 */
#ifndef RR_CONTEXT_H
#define RR_CONTEXT_H

#include <stddef.h>

#include "err.h"

struct desired;
struct aws_client;
struct secret;
struct secret_keypair;
struct db;
struct obs_instance;

struct reconcile_opts {
	int dry_run;         /* observe and plan only; act refuses */
	int once;            /* at most one step, then exit */
	int approve_cutover; /* --approve-cutover */
	long timeout_s;      /* bound on the whole run, seconds, 0 = none */
	double poll_scale;   /* multiplies every wait; 1 on real AWS */
	int need_lock;       /* take the run lock on the source */
};

struct rr_ctx {
	const struct desired *d;
	const struct reconcile_opts *opts;
	struct aws_client *aws;
	struct secret_keypair *key; /* NULL until needed */
	struct secret *admin_password;
	struct db *src;         /* source connection, holds the lock */
	char src_endpoint[256]; /* what src is connected to */
	int src_port;
	int locked; /* this run holds the lock */
	unsigned long src_conn_id;
	/* What reconcile() last saw, for --metrics-file. */
	char phase[32]; /* report_phase(), "" before observing */
	long lag_s;     /* target lag in seconds, -1 unknown */
	/* Why this run must end ("SIGTERM", "--timeout"), "" while it may
	 * go on; observe hands it to the planner as observed.stopping. */
	char stopping[64];
};

/*
 * Load credentials and the AWS client for d.  The admin password is
 * unsealed with the private key (spec.credentials.privateKeyFile or
 * $RDSRECONCILE_PRIVATE_KEY_FILE).  Errors: RR_ERR_CREDENTIALS, RR_ERR_CRYPTO,
 * RR_ERR_IO; nothing is mutated.  rr_ctx_close() releases it all (the
 * secrets wiped) and accepts a context that failed to open.
 */
enum rr_err rr_ctx_open(struct rr_ctx *c, const struct desired *d,
    const struct reconcile_opts *opts);
void rr_ctx_close(struct rr_ctx *c);

/*
 * A new connection to the instance's endpoint with the admin credentials,
 * its dialect set from the instance's Engine and EngineVersion
 * (db_set_rds_engine); the caller closes it (db_close()).  RR_ERR_DB when
 * it fails.
 */
enum rr_err
rr_ctx_connect(struct rr_ctx *c, const struct obs_instance *i, struct db **out);

/*
 * The source's connection, kept in c->src and reused while src's endpoint
 * stays the same (it carries the run lock); *out is borrowed, not closed
 * by the caller.  RR_ERR_DB when it fails.
 */
enum rr_err rr_ctx_source(struct rr_ctx *c, const struct obs_instance *src,
    struct db **out);

/*
 * The GET_LOCK() name of d's run lock into buf (len >= 80): at most 64
 * characters, "rdsreconcile:" and the object name, hashed when that would
 * not fit.
 */
void rr_lock_name(const struct desired *d, char *buf, size_t len);

/*
 * Hold the run lock while acting (c->opts->need_lock), on the source
 * connection rr_ctx_source() keeps: a new connection (after a restart of
 * the source) takes it again.  Once held, each call checks with
 * IS_USED_LOCK() that it still is ours (MySQL Reference Manual, "Locking
 * Functions": a lock goes with its session) and takes it again when it
 * is free.  RR_OK when held or not needed; RR_ERR_LOCKED naming the holder
 * when another run has it (then this run stops acting); RR_ERR_DB.
 */
enum rr_err rr_lock_ensure(struct rr_ctx *c, const struct obs_instance *src);

#endif
