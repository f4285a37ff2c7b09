/*
 * admin.c - the replication user, connections (write fencing) and the run
 * lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "db-int.h"
#include "log.h"
#include "xmalloc.h"

/* "'user'@'host'" escaped, for statements. */
static char *
account(struct db *db, const char *user, const char *host)
{
	char *u = db_quote(db, user), *h = db_quote(db, host), *a;

	a = xasprintf("%s@%s", u, h);
	free(u);
	free(h);
	return a;
}

/* Add host to h unless it is there already (Host compares case-blind). */
static void
hosts_add(struct strvec *h, const char *host)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i], host) == 0)
			return;
	strvec_push(h, host);
}

/*
 * The hosts of user from the grantees "'user'@'host'" that
 * information_schema.USER_PRIVILEGES shows this account.
 */
static enum rr_err
user_hosts_from_privileges(struct db *db, const char *user,
    struct strvec *hosts)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	char *prefix, *qp, *sql, *h;
	size_t plen, len;
	enum rr_err err;

	prefix = xasprintf("'%s'@'", user);
	plen = strlen(prefix);
	qp = db_quote(db, prefix);
	sql = xasprintf("SELECT DISTINCT GRANTEE FROM "
	    "information_schema.USER_PRIVILEGES WHERE "
	    "LEFT(GRANTEE, CHAR_LENGTH(%s)) = %s", qp, qp);
	if ((err = db_query_res(db, sql, &res)) != RR_OK || res == NULL)
		goto out;
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL || strncmp(row[0], prefix, plen) != 0)
			continue;
		h = row[0] + plen;
		len = strlen(h);
		if (len == 0 || h[len - 1] != '\'')
			continue;
		h[len - 1] = '\0';
		hosts_add(hosts, h);
	}
out:
	if (res != NULL)
		mysql_free_result(res);
	free(prefix);
	free(qp);
	free(sql);
	return err;
}

enum rr_err
db_user_hosts(struct db *db, const char *user, struct strvec *hosts)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	char *u = db_quote(db, user), *sql;
	enum rr_err err;

	strvec_init(hosts);
	sql = xasprintf("SELECT Host FROM mysql.user WHERE User = %s "
	    "ORDER BY Host", u);
	err = db_query_res(db, sql, &res);
	if (err != RR_OK && db_errno_is_access_denied(db->last_errno)) {
		log_debug("%s: mysql.user not readable, using "
		    "information_schema.USER_PRIVILEGES", db->label);
		rr_clearerr();
		err = user_hosts_from_privileges(db, user, hosts);
		goto out;
	}
	if (err != RR_OK || res == NULL)
		goto out;
	while ((row = mysql_fetch_row(res)) != NULL)
		if (row[0] != NULL)
			hosts_add(hosts, row[0]);
out:
	if (err != RR_OK)
		strvec_clear(hosts);
	if (res != NULL)
		mysql_free_result(res);
	free(u);
	free(sql);
	return err;
}

enum rr_err
db_user_exists(struct db *db, const char *user, const char *host_pattern,
    int *exists)
{
	struct strvec h;
	enum rr_err err;
	size_t i;

	*exists = 0;
	if ((err = db_user_hosts(db, user, &h)) != RR_OK)
		return err;
	for (i = 0; i < h.n; i++)
		if (host_pattern == NULL ||
		    strcasecmp(h.v[i], host_pattern) == 0)
			*exists = 1;
	strvec_clear(&h);
	return RR_OK;
}

/*
 * mysql_native_password's stored form: "*" and the upper-case hex of
 * SHA1(SHA1(password)), 41 characters and a NUL into out.
 */
static enum rr_err
native_password_hash(char out[42], const char *pw, size_t len)
{
	unsigned char d1[EVP_MAX_MD_SIZE], d2[EVP_MAX_MD_SIZE];
	unsigned n1 = 0, n2 = 0, i;
	enum rr_err err = RR_OK;

	if (EVP_Digest(pw, len, d1, &n1, EVP_sha1(), NULL) != 1 ||
	    EVP_Digest(d1, n1, d2, &n2, EVP_sha1(), NULL) != 1 || n2 != 20) {
		err = rr_seterr(RR_ERR_CRYPTO, "sha1 of the replication "
		    "password failed");
		goto out;
	}
	out[0] = '*';
	for (i = 0; i < 20; i++)
		snprintf(out + 1 + 2 * i, 3, "%02X", d2[i]);
out:
	sodium_memzero(d1, sizeof(d1));
	sodium_memzero(d2, sizeof(d2));
	return err;
}

enum rr_err
db_create_repl_user(struct db *db, const char *user, const char *host_pattern,
    const char *password, size_t password_len, int require_ssl)
{
	const char *verb, *req = require_ssl ? "SSL" : "NONE";
	char *acct = NULL, *shown = NULL, *sql = NULL, *lit = NULL;
	size_t cap;
	int exists, hashed = db->srv.dialect->hash_repl_password, n;
	enum rr_err err;

	if ((err = db_check_repl_password(password, password_len)) != RR_OK)
		return err;
	if ((err = db_user_exists(db, user, host_pattern, &exists)) != RR_OK)
		return err;
	acct = account(db, user, host_pattern);
	/*
	 * IF NOT EXISTS: the statement reaches the target through the
	 * source's binlog, and must not stop replication where the user
	 * came with the snapshot.
	 */
	verb = exists ? "ALTER USER" : "CREATE USER IF NOT EXISTS";

	/* The literal: the hash (MariaDB) or the escaped clear text. */
	lit = db_secure_alloc(2 * password_len + 64);
	if (hashed)
		err = native_password_hash(lit, password, password_len);
	else
		mysql_real_escape_string(db->my, lit, password,
		    (unsigned long)password_len);
	if (err != RR_OK)
		goto out;
	cap = strlen(acct) + strlen(lit) + 128;
	sql = db_secure_alloc(cap);
	n = snprintf(sql, cap, "%s %s IDENTIFIED BY %s'%s' REQUIRE %s",
	    verb, acct, hashed ? "PASSWORD " : "", lit, req);
	shown = xasprintf("%s %s IDENTIFIED BY %s'<redacted>' REQUIRE %s",
	    verb, acct, hashed ? "PASSWORD " : "", req);
	if ((err = db_query(db, sql, (size_t)n, shown, lit, strlen(lit),
	    NULL)) != RR_OK)
		goto out;

	free(shown);
	shown = xasprintf("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* "
	    "TO %s", acct);
	db_secure_free(sql);
	sql = NULL;
	err = db_exec(db, shown);
	if (err != RR_OK && db->last_errno == DB_ER_PARSE_ERROR &&
	    db->srv.engine == DB_ENGINE_MARIADB) {
		/* A MariaDB without the REPLICATION CLIENT alias. */
		rr_clearerr();
		free(shown);
		shown = xasprintf("GRANT REPLICATION SLAVE, BINLOG MONITOR "
		    "ON *.* TO %s", acct);
		err = db_exec(db, shown);
	}
	if (err == RR_OK)
		log_debug("%s: replication user %s %s", db->label, acct,
		    exists ? "reset" : "created");
out:
	free(acct);
	free(shown);
	db_secure_free(sql);
	db_secure_free(lit);
	return err;
}

/* One row of SHOW GRANTS: a global grant that lets the account
 * replicate. */
static int
grants_replication(const char *row)
{
	return strstr(row, " ON *.* ") != NULL &&
	    (strstr(row, "REPLICATION SLAVE") != NULL ||
	        strstr(row, "REPLICATION REPLICA") != NULL ||
	        strstr(row, "ALL PRIVILEGES") != NULL);
}

enum rr_err
db_user_can_replicate(struct db *db, const char *user, const char *host,
    int *ok)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	char *acct = account(db, user, host), *sql;
	enum rr_err err;

	*ok = 0;
	sql = xasprintf("SHOW GRANTS FOR %s", acct);
	if ((err = db_query_res(db, sql, &res)) != RR_OK || res == NULL)
		goto out;
	while ((row = mysql_fetch_row(res)) != NULL)
		if (row[0] != NULL && grants_replication(row[0]))
			*ok = 1;
out:
	if (res != NULL)
		mysql_free_result(res);
	free(sql);
	free(acct);
	return err;
}

static enum rr_err
drop_account(struct db *db, const char *user, const char *host)
{
	char *acct = account(db, user, host), *sql;
	enum rr_err err;

	sql = xasprintf("DROP USER IF EXISTS %s", acct);
	err = db_exec(db, sql);
	free(sql);
	free(acct);
	return err;
}

enum rr_err
db_drop_user(struct db *db, const char *user, const char *host_pattern)
{
	struct strvec h;
	enum rr_err err;
	size_t i;

	if (host_pattern != NULL)
		return drop_account(db, user, host_pattern);
	if ((err = db_user_hosts(db, user, &h)) != RR_OK)
		return err;
	for (i = 0; i < h.n && err == RR_OK; i++)
		err = drop_account(db, user, h.v[i]);
	strvec_clear(&h);
	return err;
}

/* ---- connections -------------------------------------------------------- */

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

enum rr_err
db_list_connections(struct db *db, struct db_conn_list *list)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	struct db_conn *v = NULL;
	size_t n = 0, i;
	enum rr_err err;

	list->v = NULL;
	list->n = 0;
	err = db_query_res(db, "SELECT ID, USER, HOST, COMMAND, TIME, STATE, "
	    "DB FROM information_schema.PROCESSLIST ORDER BY ID", &res);
	if (err != RR_OK || res == NULL)
		goto out;
	n = mysql_num_rows(res);
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (i = 0; i < n && (row = mysql_fetch_row(res)) != NULL; i++) {
		v[i].id = row[0] ? strtoul(row[0], NULL, 10) : 0;
		v[i].user = dup_or_empty(row[1]);
		v[i].host = dup_or_empty(row[2]);
		v[i].command = dup_or_empty(row[3]);
		v[i].time_s = row[4] ? strtol(row[4], NULL, 10) : 0;
		v[i].state = dup_or_empty(row[5]);
		v[i].dbname = row[6] ? xstrdup(row[6]) : NULL;
	}
	list->v = v;
	list->n = i;
	v = NULL;	/* transferred */
out:
	free(v);
	if (res != NULL)
		mysql_free_result(res);
	return err;
}

void
db_conn_list_release(struct db_conn_list *list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; i < list->n; i++) {
		free(list->v[i].user);
		free(list->v[i].host);
		free(list->v[i].command);
		free(list->v[i].state);
		free(list->v[i].dbname);
	}
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

int
db_conn_is_system(const struct db_conn *c)
{
	static const char *const commands[] = {
		"Binlog Dump", "Binlog Dump GTID", "Daemon",
		"Slave_IO", "Slave_SQL", "Slave_worker",
	};
	static const char *const users[] = {
		"system user", "event_scheduler", "rdsadmin", "rdsrepladmin",
	};
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcasecmp(c->command, commands[i]) == 0)
			return 1;
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (strcmp(c->user, users[i]) == 0)
			return 1;
	return 0;
}

enum rr_err
db_kill_client_connections(struct db *db, const unsigned long *spare,
    size_t nspare, unsigned *killed)
{
	struct db_conn_list list = { NULL, 0 };
	size_t i, j;
	unsigned n = 0;
	enum rr_err err;

	if (killed != NULL)
		*killed = 0;
	if ((err = db_list_connections(db, &list)) != RR_OK)
		goto out;
	for (i = 0; i < list.n; i++) {
		const struct db_conn *c = &list.v[i];

		if (c->id == db->id || db_conn_is_system(c))
			continue;
		for (j = 0; j < nspare; j++)
			if (spare[j] == c->id)
				break;
		if (j < nspare)
			continue;
		log_debug("%s: ending connection %lu of '%s' from '%s' (%s)",
		    db->label, c->id, c->user, c->host, c->command);
		if ((err = db_rds_kill(db, c->id)) != RR_OK)
			goto out;
		n++;
	}
	if (killed != NULL)
		*killed = n;
out:
	db_conn_list_release(&list);
	return err;
}

/* ---- run lock ----------------------------------------------------------- */

static enum rr_err
check_lock_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64)
		return rr_seterr(RR_ERR_USAGE, "lock name '%s' must be 1 to 64 "
		    "characters", name);
	return RR_OK;
}

enum rr_err
db_get_lock(struct db *db, const char *name, unsigned timeout_s, int *got)
{
	char *q = NULL, *sql = NULL, *v = NULL;
	enum rr_err err;

	*got = 0;
	if ((err = check_lock_name(name)) != RR_OK)
		return err;
	if (timeout_s >= db->read_timeout_s)
		return rr_seterr(RR_ERR_USAGE, "lock wait %u s must be shorter "
		    "than the read timeout %u s", timeout_s,
		    db->read_timeout_s);
	q = db_quote(db, name);
	sql = xasprintf("SELECT GET_LOCK(%s, %u)", q, timeout_s);
	if ((err = db_select_str(db, sql, &v)) != RR_OK)
		goto out;
	if (v == NULL) {
		err = rr_seterr(RR_ERR_DB, "mysql '%s': GET_LOCK(%s) failed",
		    db->label, q);
		goto out;
	}
	*got = strcmp(v, "1") == 0;
	log_debug("%s: lock %s %s", db->label, q, *got ? "taken" : "busy");
out:
	free(q);
	free(sql);
	free(v);
	return err;
}

enum rr_err
db_release_lock(struct db *db, const char *name)
{
	char *q = NULL, *sql = NULL, *v = NULL;
	enum rr_err err;

	if ((err = check_lock_name(name)) != RR_OK)
		return err;
	q = db_quote(db, name);
	sql = xasprintf("SELECT RELEASE_LOCK(%s)", q);
	err = db_select_str(db, sql, &v);
	free(q);
	free(sql);
	free(v);
	return err;
}

enum rr_err
db_lock_holder(struct db *db, const char *name, unsigned long *connection_id,
    char **holder_description)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	char *q = NULL, *sql = NULL, *v = NULL;
	unsigned long id;
	enum rr_err err;

	*connection_id = 0;
	*holder_description = NULL;
	if ((err = check_lock_name(name)) != RR_OK)
		return err;
	q = db_quote(db, name);
	sql = xasprintf("SELECT IS_USED_LOCK(%s)", q);
	if ((err = db_select_str(db, sql, &v)) != RR_OK || v == NULL)
		goto out;
	id = strtoul(v, NULL, 10);
	free(sql);
	sql = xasprintf("SELECT USER, HOST, COMMAND, TIME FROM "
	    "information_schema.PROCESSLIST WHERE ID = %lu", id);
	if ((err = db_query_res(db, sql, &res)) != RR_OK)
		goto out;
	*connection_id = id;
	if (res != NULL && (row = mysql_fetch_row(res)) != NULL) {
		/* "Sleep" is the server's word for a connection between
		 * statements; an operator reads "idle". */
		int idle = row[2] != NULL && strcmp(row[2], "Sleep") == 0;

		*holder_description = xasprintf("connection %lu of '%s' from "
		    "'%s', %s%s for %s s", id, row[0] ? row[0] : "",
		    row[1] ? row[1] : "", idle ? "idle" : "running ",
		    idle ? "" : (row[2] ? row[2] : "?"),
		    row[3] ? row[3] : "?");
	} else
		*holder_description = xasprintf("connection %lu (not visible "
		    "to this account)", id);
out:
	if (res != NULL)
		mysql_free_result(res);
	free(q);
	free(sql);
	free(v);
	return err;
}
