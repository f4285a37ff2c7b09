/*
 * reconcile.h - the loop: observe -> plan_next -> act, until converged,
 * held by a gate, blocked, or failed (DESIGN.md §3).
 *
 * A struct rr_ctx holds what one desired object's run needs: the parsed
 * object, the AWS client, the private key and the admin password (secret
 * memory), and the open connection to the source that carries the run lock.
 * observe() and act() take it; neither decides anything (plan.h does).
 */
#ifndef RR_RECONCILE_H
#define RR_RECONCILE_H

#include "cmd.h"
#include "err.h"
#include "observe.h"
#include "plan.h"

struct desired;
struct aws_client;
struct secret;
struct secret_keypair;
struct db;

struct reconcile_opts {
	int dry_run;		/* observe and plan only; act refuses */
	int once;		/* at most one step, then exit */
	int approve_cutover;	/* --approve-cutover */
	long timeout_s;		/* bound on the whole run, 0 = none */
	double poll_scale;	/* multiplies every wait; 1 on real AWS */
	int need_lock;		/* take the run lock on the source */
};

struct rr_ctx {
	const struct desired *d;
	const struct reconcile_opts *opts;
	struct aws_client *aws;
	struct secret_keypair *key;	/* NULL until needed */
	struct secret *admin_password;
	struct db *src;			/* source connection, holds the lock */
	char src_endpoint[256];		/* what src is connected to */
	int src_port;
	int locked;			/* this run holds the lock */
	unsigned long src_conn_id;
	/* What reconcile() last saw, for --metrics-file. */
	char phase[32];			/* report_phase(), "" before observing */
	long lag_s;			/* target lag in seconds, -1 unknown */
};

/*
 * Load credentials and the AWS client for d.  The admin password is
 * unsealed with the private key (spec.credentials.privateKeyFile or
 * $RDSRECONCILE_PRIVATE_KEY_FILE).  Errors: RR_ERR_CREDENTIALS, RR_ERR_CRYPTO,
 * RR_ERR_IO; nothing is mutated.
 */
enum rr_err rr_ctx_open(struct rr_ctx *c, const struct desired *d,
    const struct reconcile_opts *opts);
void rr_ctx_close(struct rr_ctx *c);

/*
 * A connection to an instance endpoint with the admin credentials; the
 * source's is kept in c->src and reused.  RR_ERR_DB when it fails.
 */
enum rr_err rr_ctx_connect(struct rr_ctx *c, const char *host, int port,
    struct db **out);
enum rr_err rr_ctx_source(struct rr_ctx *c, const struct obs_instance *src,
    struct db **out);

/*
 * Run one mutation for step s, given the observation it was planned from.
 * RR_ERR_DRY_RUN under --dry-run (also enforced in the AWS client).
 * Idempotent: an "already exists and is ours" answer is success.
 */
enum rr_err act(struct rr_ctx *c, const struct observed *o,
    const struct step *s);

/*
 * The loop for one object.  Prints a line per step to stdout.  *last gets
 * the final step (for status and summaries).  Returns an enum rr_exit.
 */
int reconcile(struct rr_ctx *c, struct step *last);

/* arn:aws:rds:REGION:ACCOUNT:pg:GROUP from an instance ARN; NULL if that
 * is not an instance ARN.  The caller frees it. */
char *rr_pg_arn(const char *instance_arn, const char *group);

/* Set by SIGINT/SIGTERM; the loop stops between steps. */
extern volatile int rr_interrupted;
void rr_install_signals(void);

#endif
