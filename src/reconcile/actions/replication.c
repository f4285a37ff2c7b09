/*
 * replication.c - the target replicating from the source: the replication
 * user on the source, rds_set_external_master at the recorded coordinates,
 * resuming a stopped replication, and dropping the user at the cut-over
 * (DESIGN.md §2 step 6; Amazon RDS User Guide, "Configuring binary log
 * file position replication with an external source instance").
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "actions-int.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "secret.h"
#include "xmalloc.h"

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
		         "'%s' does not resolve (%s)",
		    endpoint, gai_strerror(rc));
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
			inet_ntop(AF_INET6,
			    &((const struct sockaddr_in6 *)ai->ai_addr)
			         ->sin6_addr,
			    buf, sizeof(buf));
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
run_create_repl_user(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
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
	if ((e = act_repl_password(c, &pw, &fresh)) != RR_OK)
		return e;
	if (!(tls = repl_tls(src)))
		log_info("replication from '%s' runs without TLS: the source "
		         "does not offer it",
		    c->d->source_id);
	repl_hosts(o->target.endpoint, &want);
	if ((e = db_user_hosts(src, c->d->repl_user, &have)) != RR_OK)
		goto out;
	for (i = 0; i < have.n; i++) {
		for (j = 0; j < want.n; j++)
			if (strcasecmp(have.v[i], want.v[j]) == 0)
				break;
		if (j == want.n &&
		    (e = db_drop_user(src, c->d->repl_user, have.v[i])) !=
		        RR_OK)
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

static void
assume_create_repl_user(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->srcdb.repl_user_exists = TRI_YES;
	o->repl_password_stored = 1;
}

const struct action_entry action_create_repl_user = {
	.action = ACT_CREATE_REPL_USER,
	.name = "create-replication-user",
	.symbol = "+",
	.mutates = MUTATES_SQL,
	.resource = RES_SOURCE,
	.op = "CREATE USER",
	.run = run_create_repl_user,
	.assume = assume_create_repl_user,
};

static enum rr_err
run_start_replication(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct secret *pw = NULL;
	struct db *db = NULL, *src;
	enum rr_err e;
	int fresh = 0;

	if ((e = act_repl_password(c, &pw, &fresh)) != RR_OK)
		goto out;
	if (fresh) {
		/* The user on the source has a password we no longer know. */
		e = rr_seterr(RR_ERR_INTERNAL,
		    "the stored replication "
		    "password was missing; the user is recreated next pass");
		goto out;
	}
	if ((e = rr_ctx_source(c, &o->source, &src)) != RR_OK)
		goto out;
	if ((e = act_connect(c, &o->target, &db)) != RR_OK)
		goto out;
	if ((e = db_rds_set_external_master(db, o->source.endpoint,
	         (unsigned)o->source.port, c->d->repl_user, secret_data(pw),
	         secret_len(pw), s->pos.file, s->pos.pos, repl_tls(src))) !=
	    RR_OK)
		goto out;
	e = db_rds_start_replication(db);
out:
	secret_free(pw);
	db_close(db);
	return e;
}

/* Started or resumed: running, from s->pos when it had no position. */
static void
assume_replicating(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->tgtrepl.configured = 1;
	o->tgtrepl.io_running = o->tgtrepl.sql_running = 1;
	if (o->tgtrepl.exec.file[0] == '\0')
		o->tgtrepl.exec = s->pos;
	if (o->tgtrepl.seconds_behind < 0)
		o->tgtrepl.seconds_behind = 0;
}

const struct action_entry action_start_replication = {
	.action = ACT_START_REPLICATION,
	.name = "start-replication",
	.symbol = "~",
	.mutates = MUTATES_SQL,
	.resource = RES_TARGET,
	.op = "mysql.rds_set_external_master, rds_start_replication",
	.run = run_start_replication,
	.assume = assume_replicating,
};

static enum rr_err
run_resume_replication(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	return act_call_on(c, &o->target, db_rds_start_replication);
}

const struct action_entry action_resume_replication = {
	.action = ACT_RESUME_REPLICATION,
	.name = "resume-replication",
	.symbol = "~",
	.mutates = MUTATES_SQL,
	.resource = RES_TARGET,
	.op = "mysql.rds_start_replication",
	.run = run_resume_replication,
	.assume = assume_replicating,
};

static enum rr_err
run_drop_repl_user(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	struct db *db;
	enum rr_err e;

	if ((e = rr_ctx_source(c, &o->source, &db)) != RR_OK)
		return e;
	/* Every host: an address may have changed since. */
	return db_drop_user(db, c->d->repl_user, NULL);
}

static void
assume_drop_repl_user(const struct desired *d, struct observed *o,
    const struct step *s)
{
	o->srcdb.repl_user_exists = TRI_NO;
}

const struct action_entry action_drop_repl_user = {
	.action = ACT_DROP_REPL_USER,
	.name = "drop-replication-user",
	.symbol = "-",
	.mutates = MUTATES_SQL,
	.resource = RES_SOURCE,
	.op = "DROP USER",
	.run = run_drop_repl_user,
	.assume = assume_drop_repl_user,
};
