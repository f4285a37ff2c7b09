/*
 * replication.c - the target replicating from the source: the replication
 * user on the source, rds_set_external_master at the recorded coordinates,
 * resuming a stopped replication, and dropping the user at the cut-over
 * (DESIGN.md §2 step 6; Amazon RDS User Guide, "Configuring binary log
 * file position replication with an external source instance").
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "actions-int.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "secret.h"

/*
 * The hosts of the replication user: the addresses the target's endpoint
 * resolves to (observed), one account each, so that only the target may
 * log in with it.  The target's replication connection to the source
 * comes from the target's private address, which is what its endpoint
 * resolves to from inside its VPC; a publicly accessible instance's
 * endpoint resolves to its public address from outside the VPC (Amazon
 * RDS API Reference, CreateDBInstance, PubliclyAccessible), and that is
 * not the address the source sees.  So the host is '%' (any) when the
 * endpoint does not resolve, resolves to more than STEP_MAX_HOSTS
 * addresses or to a public IPv4 address; hosts_note says which.  The
 * Amazon RDS User Guide, "Configuring binary log file position
 * replication with an external source instance", likewise creates the
 * replication user for the replica's domain only.  An address that
 * changes later (a Multi-AZ failover of the target moves its endpoint's
 * DNS record to the standby) leaves the user behind: the target's I/O
 * thread then fails to log in (1045) until the user is made for the new
 * address; action_repl_hosts_stale() tells the planner so.
 */
static void
resolve_hosts(const struct observed *o, struct step_args *a)
{
	const char *why = NULL;
	int i;

	if (o->target_resolve_error[0] != '\0')
		why = "does not resolve";
	else if (o->n_target_addrs == 0)
		why = "has no address";
	else if (o->n_target_addrs > STEP_MAX_HOSTS)
		why = "resolves to too many addresses";
	for (i = 0; why == NULL && i < o->n_target_addrs; i++)
		if (o->target_addr_public[i])
			why = "resolves to a public address here; the target "
			      "connects from its private one";
	if (why != NULL) {
		snprintf(a->hosts[0], sizeof(a->hosts[0]), "%%");
		a->n_hosts = 1;
		/* Truncated if it must: a note for the log and diff. */
		snprintf(a->hosts_note, sizeof(a->hosts_note),
		    "the target endpoint '%.64s' %s%s%.40s", o->target.endpoint,
		    why, o->target_resolve_error[0] ? ": " : "",
		    o->target_resolve_error);
		return;
	}
	for (i = 0; i < o->n_target_addrs; i++)
		snprintf(a->hosts[i], sizeof(a->hosts[i]), "%s",
		    o->target_addrs[i]);
	a->n_hosts = o->n_target_addrs;
}

int
action_repl_hosts_stale(const struct observed *o)
{
	struct step_args a;
	int i, j;

	/* Unknown hosts, or an endpoint that does not resolve now (a
	 * failover in progress): nothing to compare, nothing to widen. */
	if (o->srcdb.repl_user_exists != TRI_YES ||
	    o->srcdb.n_repl_user_hosts == 0 ||
	    o->target_resolve_error[0] != '\0' || o->n_target_addrs == 0)
		return 0;
	memset(&a, 0, sizeof(a));
	resolve_hosts(o, &a);
	if (a.n_hosts != o->srcdb.n_repl_user_hosts)
		return 1;
	for (i = 0; i < a.n_hosts; i++) {
		for (j = 0; j < o->srcdb.n_repl_user_hosts; j++)
			if (strcasecmp(a.hosts[i],
			        o->srcdb.repl_user_hosts[j]) == 0)
				break;
		if (j == o->srcdb.n_repl_user_hosts)
			return 1;
	}
	return 0;
}

/* The user for each host of the step (resolve_hosts), after dropping
 * its accounts for other hosts. */
static enum rr_err
run_create_repl_user(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	const struct step_args *a = &s->args;
	struct secret *pw = NULL;
	struct db *src;
	enum rr_err e;
	int j, fresh = 0;

	if ((e = rr_ctx_source(c, &o->source, &src)) != RR_OK)
		return e;
	if ((e = act_repl_password(c, &pw, &fresh)) != RR_OK)
		return e;
	if (a->tls != 1)
		log_info("replication from '%s' runs without TLS: the source "
		         "does not offer it",
		    a->id);
	if (a->hosts_note[0] != '\0')
		log_info("replication user host '%%': %s", a->hosts_note);
	for (j = 0; j < a->n_drop_hosts; j++)
		if ((e = db_drop_user(src, a->user, a->drop_hosts[j])) != RR_OK)
			goto out;
	for (j = 0; j < a->n_hosts; j++) {
		if ((e = db_create_repl_user(src, a->user, a->hosts[j],
		         secret_data(pw), secret_len(pw), a->tls == 1)) !=
		    RR_OK)
			goto out;
		log_info("replication user '%s'@'%s' on '%s'%s", a->user,
		    a->hosts[j], a->id, a->tls == 1 ? ", REQUIRE SSL" : "");
	}
out:
	secret_free(pw);
	return e;
}

/*
 * Replication is encrypted when the source offers TLS: our own session to
 * it is encrypted exactly then (DB_TLS_PREFER, observed).  The user then
 * REQUIREs SSL, and rds_set_external_master gets ssl_encryption=1
 * (encrypted, the certificate not verified: Amazon RDS User Guide,
 * mysql.rds_set_external_master).
 */
static void
resolve_create_repl_user(const struct desired *d, const struct observed *o,
    struct step *s)
{
	struct step_args *a = &s->args;
	int i, j;

	snprintf(a->id, sizeof(a->id), "%s", d->source_id);
	snprintf(a->user, sizeof(a->user), "%s", d->repl_user);
	a->tls = o->srcdb.tls;
	resolve_hosts(o, a);
	/* Accounts for other hosts (an older address, '%') go first. */
	for (i = 0; i < o->srcdb.n_repl_user_hosts; i++) {
		for (j = 0; j < a->n_hosts; j++)
			if (strcasecmp(o->srcdb.repl_user_hosts[i],
			        a->hosts[j]) == 0)
				break;
		if (j == a->n_hosts)
			snprintf(a->drop_hosts[a->n_drop_hosts++],
			    sizeof(a->drop_hosts[0]), "%s",
			    o->srcdb.repl_user_hosts[i]);
	}
}

static void
assume_create_repl_user(const struct desired *d, struct observed *o,
    const struct step *s)
{
	int i;

	o->srcdb.repl_user_exists = TRI_YES;
	o->srcdb.repl_user_granted = TRI_YES;
	o->repl_password_stored = 1;
	for (i = 0; i < s->args.n_hosts && i < 8; i++)
		snprintf(o->srcdb.repl_user_hosts[i],
		    sizeof(o->srcdb.repl_user_hosts[i]), "%s",
		    s->args.hosts[i]);
	o->srcdb.n_repl_user_hosts = i;
}

const struct action_entry action_create_repl_user = {
	.action = ACT_CREATE_REPL_USER,
	.name = "create-replication-user",
	.symbol = "+",
	.mutates = MUTATES_SQL,
	.resource = RES_SOURCE,
	.op = "CREATE USER",
	.resolve = resolve_create_repl_user,
	.run = run_create_repl_user,
	.assume = assume_create_repl_user,
};

static enum rr_err
run_start_replication(struct rr_ctx *c, const struct observed *o,
    const struct step *s)
{
	const struct step_args *a = &s->args;
	struct secret *pw = NULL;
	struct db *db = NULL;
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
	if ((e = act_connect(c, &o->target, &db)) != RR_OK)
		goto out;
	if ((e = db_rds_set_external_master(db, a->host, (unsigned)a->port,
	         a->user, secret_data(pw), secret_len(pw), s->pos.file,
	         s->pos.pos, a->tls == 1)) != RR_OK)
		goto out;
	e = db_rds_start_replication(db);
out:
	secret_free(pw);
	db_close(db);
	return e;
}

/* From the source's endpoint, at the coordinates the target carries. */
static void
resolve_start_replication(const struct desired *d, const struct observed *o,
    struct step *s)
{
	s->pos = o->target.tagged_pos;
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->target_id);
	snprintf(s->args.host, sizeof(s->args.host), "%s", o->source.endpoint);
	s->args.port = o->source.port;
	snprintf(s->args.user, sizeof(s->args.user), "%s", d->repl_user);
	s->args.tls = o->srcdb.tls;
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
	.resolve = resolve_start_replication,
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
	.resolve = act_resolve_target_id,
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
	return db_drop_user(db, s->args.user, NULL);
}

static void
resolve_drop_repl_user(const struct desired *d, const struct observed *o,
    struct step *s)
{
	snprintf(s->args.id, sizeof(s->args.id), "%s", d->source_id);
	snprintf(s->args.user, sizeof(s->args.user), "%s", d->repl_user);
	snprintf(s->args.hosts_note, sizeof(s->args.hosts_note),
	    "every host of the user");
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
	.resolve = resolve_drop_repl_user,
	.run = run_drop_repl_user,
	.assume = assume_drop_repl_user,
};
