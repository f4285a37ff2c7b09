/*
 * db.c - connection, the one query path, errors and their sanitising.
 *
 * Connector/C facts this relies on (libmariadb 3.3):
 * - TLS is attempted when options.use_ssl is set; MYSQL_OPT_SSL_ENFORCE
 *   sets it.  Without MYSQL_OPT_SSL_VERIFY_SERVER_CERT (or a fingerprint)
 *   a server that does not offer TLS is still accepted in clear, so
 *   "enforce" on 3.3 means "prefer".  DB_TLS_REQUIRE is checked here after
 *   the handshake with mysql_get_ssl_cipher().
 * - MYSQL.passwd keeps a copy of the password for reconnects; we disable
 *   reconnect and wipe that copy after the handshake.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <sodium.h>

#include "buf.h"
#include "crashpoint.h"
#include "db-int.h"
#include "log.h"
#include "xmalloc.h"

#define REDACTED "<redacted>"

char *
db_secure_alloc(size_t n)
{
	char *p;

	if (sodium_init() < 0 || (p = sodium_malloc(n)) == NULL) {
		log_error("out of secure memory (%zu bytes)", n);
		abort();
	}
	memset(p, 0, n);
	return p;
}

void
db_secure_free(char *p)
{
	if (p != NULL)
		sodium_free(p);
}

enum rr_err
db_check_repl_password(const char *pw, size_t len)
{
	size_t i;

	if (len < 1 || len > 32)
		return rr_seterr(RR_ERR_USAGE, "replication password must be "
		    "1 to 32 characters, not %zu", len);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pw[i];

		if (c <= 0x20 || c >= 0x7f || c == '\'' || c == '"' ||
		    c == '\\' || c == '`')
			return rr_seterr(RR_ERR_USAGE, "replication password "
			    "has a character outside printable ASCII without "
			    "quotes, backslash and space");
	}
	return RR_OK;
}

int
db_errno_is_access_denied(unsigned eno)
{
	switch (eno) {
	case DB_ER_DBACCESS_DENIED:
	case DB_ER_ACCESS_DENIED:
	case DB_ER_TABLEACCESS_DENIED:
	case DB_ER_COLUMNACCESS_DENIED:
	case DB_ER_SPECIFIC_ACCESS_DENIED:
	case DB_ER_PROCACCESS_DENIED:
		return 1;
	default:
		return 0;
	}
}

/*
 * Messages quote statements inside quotes without escaping (MariaDB's
 * Last_SQL_Error: "Query: 'CREATE USER 'r'@'h' IDENTIFIED BY ...'"), which
 * defeats the scanner of db_redact_sql.  So a message is also cut after the
 * first IDENTIFIED, PASSWORD followed by '=', '(' or a quote, or
 * rds_set_external_...(.  m is rewritten in place (it only shrinks).
 */
static void
cut_at_secret_keywords(char *m)
{
	static const char mark[] = " <redacted>";
	char *p, *end = NULL;

	for (p = m; *p != '\0' && end == NULL; p++) {
		if (strncasecmp(p, "IDENTIFIED", 10) == 0)
			end = p + 10;
		else if (strncasecmp(p, "PASSWORD", 8) == 0) {
			char *q = p + 8;

			while (*q == ' ')
				q++;
			if (*q == '=' || *q == '(' || *q == '\'' || *q == '"')
				end = p + 8;
		} else if (strncasecmp(p, "rds_set_external_", 17) == 0 &&
		    (end = strchr(p, '(')) != NULL)
			end++;
	}
	if (end == NULL)
		return;
	if (strlen(end) >= sizeof(mark) - 1)
		memcpy(end, mark, sizeof(mark));
	else
		*end = '\0';
}

char *
db_sanitise_message(const char *msg, unsigned eno, const char *secret,
    size_t secret_len)
{
	struct buf b = BUF_INIT;
	const char *p, *hit, *near;
	char *out;

	if (msg == NULL)
		msg = "";
	buf_init(&b, 0);
	p = msg;
	if (secret != NULL && secret_len > 0) {
		while ((hit = memmem(p, strlen(p), secret, secret_len))) {
			buf_append(&b, p, (size_t)(hit - p));
			buf_appends(&b, REDACTED);
			p = hit + secret_len;
		}
	}
	buf_appends(&b, p);
	if (secret != NULL && eno == DB_ER_PARSE_ERROR &&
	    (near = strstr(buf_str(&b), " near '")) != NULL) {
		b.len = (size_t)(near - b.data);
		b.data[b.len] = '\0';
		buf_appends(&b, " near " REDACTED);
	}
	out = db_redact_sql(buf_str(&b));
	cut_at_secret_keywords(out);
	if (b.data != NULL)
		sodium_memzero(b.data, b.cap);
	buf_release(&b);
	return out;
}

enum rr_err
db_seterr(struct db *db, unsigned eno, const char *msg, const char *secret,
    size_t secret_len)
{
	char *clean;
	enum rr_err e;

	db->last_errno = eno;
	clean = db_sanitise_message(msg, eno, secret, secret_len);
	e = rr_seterr(RR_ERR_DB, "mysql '%s': %u: %s", db->label, eno, clean);
	free(clean);
	return e;
}

/*
 * The server asked for an authentication method outside DB_AUTH_PLUGINS.
 * Connector/C names it in quotes; only a plain identifier is repeated.
 */
static enum rr_err
auth_refused(struct db *db)
{
	const char *q = strchr(mysql_error(db->my), '\'');
	char name[80] = "another authentication method";
	size_t n;

	/* After an AuthSwitchRequest, 3.3 may quote garbage: then no name. */
	if (q != NULL) {
		n = strspn(q + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");
		if (n > 0 && n < 48 && q[n + 1] == '\'')
			snprintf(name, sizeof(name),
			    "authentication method '%.*s'", (int)n, q + 1);
	}
	db->last_errno = CR_PLUGIN_NOT_ALLOWED;
	return rr_seterr(RR_ERR_DB,
	    "mysql '%s': the server asked for %s, "
	    "which would hand it the password (in clear, at a prompt, or "
	    "under a key of its choosing); only %s is allowed",
	    db->label, name, DB_AUTH_PLUGINS);
}

/* Wipe Connector/C's copy of the password (kept for reconnects). */
static void
wipe_client_password(MYSQL *my)
{
	if (my->passwd != NULL)
		sodium_memzero(my->passwd, strlen(my->passwd));
}

/*
 * Wipe the connection's packet buffer once a statement that carried a
 * secret is done (every result read): the packet that sent it is still
 * there.  buff holds max_packet bytes and more (ma_net_init).
 */
static void
wipe_net_buffer(MYSQL *my)
{
	if (my->net.buff != NULL)
		sodium_memzero(my->net.buff, my->net.max_packet);
}

static void
log_statement(struct db *db, const char *sql)
{
	char *r;

	if (log_get_level() < LOG_DEBUG)
		return;
	r = db_redact_sql(sql);
	log_msg(LOG_DEBUG, "db_query", "%s: %s", db->label, r);
	free(r);
}

enum rr_err
db_query(struct db *db, const char *sql, size_t len, const char *log_sql,
    const char *secret, size_t secret_len, MYSQL_RES **resp)
{
	MYSQL_RES *res = NULL, *r;
	enum rr_err err = RR_OK;
	int status;

	db->last_errno = 0;
	if (resp != NULL)
		*resp = NULL;
	log_statement(db, log_sql != NULL ? log_sql : sql);
	crash_point_sql(0);
	if (mysql_real_query(db->my, sql, len) != 0) {
		err = db_seterr(db, mysql_errno(db->my), mysql_error(db->my),
		    secret, secret_len);
		goto out;
	}
	/* Keep the first result set with columns; drain all the others. */
	for (;;) {
		if ((r = mysql_store_result(db->my)) != NULL) {
			if (res == NULL && resp != NULL)
				res = r;
			else
				mysql_free_result(r);
		} else if (mysql_field_count(db->my) != 0) {
			err = db_seterr(db, mysql_errno(db->my),
			    mysql_error(db->my), secret, secret_len);
			goto out;
		}
		if ((status = mysql_next_result(db->my)) < 0)
			break;
		if (status > 0) {
			err = db_seterr(db, mysql_errno(db->my),
			    mysql_error(db->my), secret, secret_len);
			goto out;
		}
	}
	crash_point_sql(1);
	if (resp != NULL) {
		*resp = res;
		res = NULL;	/* transferred */
	}
out:
	if (res != NULL)
		mysql_free_result(res);
	if (secret != NULL)
		wipe_net_buffer(db->my);
	return err;
}

enum rr_err
db_query_res(struct db *db, const char *sql, MYSQL_RES **resp)
{
	return db_query(db, sql, strlen(sql), NULL, NULL, 0, resp);
}

/* Drain every result of an executed statement. */
static enum rr_err
stmt_drain(struct db *db, MYSQL_STMT *st, const char *secret,
    size_t secret_len)
{
	int status;

	for (;;) {
		if (mysql_stmt_field_count(st) > 0) {
			if (mysql_stmt_store_result(st) != 0)
				goto fail;
			mysql_stmt_free_result(st);
		}
		if ((status = mysql_stmt_next_result(st)) < 0)
			return RR_OK;
		if (status > 0)
			goto fail;
	}
fail:
	return db_seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st),
	    secret, secret_len);
}

enum rr_err
db_call(struct db *db, const char *proc, const struct db_param *pv,
    size_t pn)
{
	struct buf sql = BUF_INIT, shown = BUF_INIT;
	MYSQL_BIND *bind = NULL;
	unsigned long *lens = NULL;
	MYSQL_STMT *st = NULL;
	const char *secret = NULL;
	size_t secret_len = 0, i;
	enum rr_err err = RR_OK;

	db->last_errno = 0;
	buf_init(&sql, 0);
	buf_init(&shown, 0);
	buf_appendf(&sql, "CALL mysql.%s(", proc);
	buf_appendf(&shown, "CALL mysql.%s(", proc);
	if (pn > 0) {
		bind = xcalloc(pn, sizeof(*bind));
		lens = xcalloc(pn, sizeof(*lens));
	}
	for (i = 0; i < pn; i++) {
		const char *sep = i ? ", " : "";

		buf_appendf(&sql, "%s?", sep);
		switch (pv[i].type) {
		case DB_P_SECRET:
			secret = pv[i].s;
			secret_len = pv[i].len;
			buf_appendf(&shown, "%s'" REDACTED "'", sep);
			/* FALLTHROUGH */
		case DB_P_STR:
			if (pv[i].type == DB_P_STR)
				buf_appendf(&shown, "%s'%.*s'", sep,
				    (int)pv[i].len, pv[i].s);
			lens[i] = pv[i].len;
			bind[i].buffer_type = MYSQL_TYPE_STRING;
			bind[i].buffer = (void *)(uintptr_t)pv[i].s;
			bind[i].buffer_length = pv[i].len;
			bind[i].length = &lens[i];
			break;
		case DB_P_INT:
			buf_appendf(&shown, "%s%lld", sep, pv[i].i);
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = (void *)(uintptr_t)&pv[i].i;
			break;
		}
	}
	buf_appends(&sql, ")");
	buf_appends(&shown, ")");
	log_statement(db, buf_str(&shown));
	crash_point_sql(0);

	if ((st = mysql_stmt_init(db->my)) == NULL) {
		err = db_seterr(db, mysql_errno(db->my), mysql_error(db->my),
		    NULL, 0);
		goto out;
	}
	if (mysql_stmt_prepare(st, sql.data, sql.len) != 0 ||
	    (pn > 0 && mysql_stmt_bind_param(st, bind) != 0) ||
	    mysql_stmt_execute(st) != 0) {
		err = db_seterr(db, mysql_stmt_errno(st), mysql_stmt_error(st),
		    secret, secret_len);
		goto out;
	}
	if ((err = stmt_drain(db, st, secret, secret_len)) == RR_OK)
		crash_point_sql(1);
out:
	if (st != NULL)
		mysql_stmt_close(st);
	if (secret != NULL)
		wipe_net_buffer(db->my);
	free(bind);
	free(lens);
	buf_release(&sql);
	buf_release(&shown);
	return err;
}

char *
db_quote(struct db *db, const char *s)
{
	size_t n = strlen(s);
	char *q = xmalloc(2 * n + 3);
	unsigned long m;

	q[0] = '\'';
	m = mysql_real_escape_string(db->my, q + 1, s, (unsigned long)n);
	q[m + 1] = '\'';
	q[m + 2] = '\0';
	return q;
}

int
db_col(MYSQL_RES *res, const char *name)
{
	MYSQL_FIELD *f = mysql_fetch_fields(res);
	unsigned i, n = mysql_num_fields(res);

	for (i = 0; i < n; i++)
		if (strcasecmp(f[i].name, name) == 0)
			return (int)i;
	return -1;
}


static enum rr_err
set_options(struct db *db, const struct db_opts *o)
{
	unsigned ct = o->connect_timeout_s ? o->connect_timeout_s : 10;
	unsigned rt = o->read_timeout_s ? o->read_timeout_s : 60;
	unsigned wt = o->write_timeout_s ? o->write_timeout_s : 60;
	unsigned proto = MYSQL_PROTOCOL_TCP, infile = 0;
	my_bool off = 0, on = 1;
	int rc = 0;

	db->read_timeout_s = rt;
	rc |= mysql_optionsv(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &ct);
	rc |= mysql_optionsv(db->my, MYSQL_OPT_READ_TIMEOUT, &rt);
	rc |= mysql_optionsv(db->my, MYSQL_OPT_WRITE_TIMEOUT, &wt);
	rc |= mysql_optionsv(db->my, MYSQL_OPT_PROTOCOL, &proto);
	rc |= mysql_optionsv(db->my, MYSQL_OPT_RECONNECT, &off);
	rc |= mysql_optionsv(db->my, MYSQL_OPT_LOCAL_INFILE, &infile);
	rc |= mysql_optionsv(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* Never mysql_clear_password, dialog or sha256_password: a server
	 * that asks for them would get the password (tests/unit/
	 * test-db-auth.c). */
	rc |= mysql_optionsv(db->my, MARIADB_OPT_RESTRICTED_AUTH,
	    DB_AUTH_PLUGINS);
	rc |= mysql_optionsv(db->my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &off);
	if (o->tls != DB_TLS_DISABLE)
		rc |= mysql_optionsv(db->my, MYSQL_OPT_SSL_ENFORCE, &on);
	if (rc != 0)
		return rr_seterr(RR_ERR_DB, "mysql '%s': connection options "
		    "refused by the client library", db->label);
	return RR_OK;
}

/* SELECT the identity; fills db->srv and db->id. */
static enum rr_err
read_identity(struct db *db)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	enum rr_err err;

	err = db_query_res(db, "SELECT VERSION(), @@version_comment, "
	    "CONNECTION_ID()", &res);
	if (err != RR_OK)
		goto out;
	if (res == NULL || (row = mysql_fetch_row(res)) == NULL) {
		err = rr_seterr(RR_ERR_DB, "mysql '%s': no server identity",
		    db->label);
		goto out;
	}
	if ((err = db_server_parse(&db->srv, row[0], row[1])) != RR_OK)
		goto out;
	db->id = row[2] ? strtoul(row[2], NULL, 10) : 0;
	log_debug("%s: %s %s (%s, dialect %s), connection %lu, %s",
	    db->label, db->srv.engine == DB_ENGINE_MARIADB ? "MariaDB" :
	    "MySQL", row[0], row[1] ? row[1] : "", db->srv.dialect->name,
	    db->id, db_is_tls(db) ? db_tls_cipher(db) : "no TLS");
out:
	if (res != NULL)
		mysql_free_result(res);
	return err;
}

enum rr_err
db_connect(struct db **dbp, const char *host, unsigned port,
    const char *user, const char *password, size_t password_len,
    const struct db_opts *opts)
{
	static const struct db_opts defaults;
	struct db *db = NULL;
	char *pw = NULL;
	enum rr_err err;

	*dbp = NULL;
	if (opts == NULL)
		opts = &defaults;
	db = xcalloc(1, sizeof(*db));
	db->label = xasprintf("%s:%u", host, port);
	if (password_len > 0 && memchr(password, '\0', password_len)) {
		err = rr_seterr(RR_ERR_USAGE, "mysql '%s': password for '%s' "
		    "contains a NUL byte", db->label, user);
		goto out;
	}
	if ((db->my = mysql_init(NULL)) == NULL) {
		log_error("mysql_init: out of memory");
		abort();
	}
	if ((err = set_options(db, opts)) != RR_OK)
		goto out;

	pw = db_secure_alloc(password_len + 1);
	if (password_len > 0)
		memcpy(pw, password, password_len);
	log_debug("%s: connecting as '%s' (tls %s)", db->label, user,
	    opts->tls == DB_TLS_DISABLE ? "off" :
	    opts->tls == DB_TLS_REQUIRE ? "required" : "preferred");
	if (mysql_real_connect(db->my, host, user, pw, NULL, port, NULL,
	    CLIENT_MULTI_RESULTS) == NULL) {
		wipe_client_password(db->my);
		if (mysql_errno(db->my) == CR_PLUGIN_NOT_ALLOWED)
			err = auth_refused(db);
		else
			err = db_seterr(db, mysql_errno(db->my),
			    mysql_error(db->my), pw, password_len);
		goto out;
	}
	wipe_client_password(db->my);
	wipe_net_buffer(db->my);
	db_secure_free(pw);
	pw = NULL;

	if (opts->tls == DB_TLS_REQUIRE && !db_is_tls(db)) {
		err = rr_seterr(RR_ERR_DB, "mysql '%s': tls required but the "
		    "server does not offer it", db->label);
		goto out;
	}
	if (mysql_autocommit(db->my, 1) != 0) {
		err = db_seterr(db, mysql_errno(db->my), mysql_error(db->my),
		    NULL, 0);
		goto out;
	}
	if ((err = read_identity(db)) != RR_OK)
		goto out;
	*dbp = db;
	db = NULL;	/* transferred */
out:
	db_secure_free(pw);
	db_close(db);
	return err;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (db->my != NULL)
		mysql_close(db->my);
	free(db->label);
	free(db);
}

int
db_is_tls(const struct db *db)
{
	return db_tls_cipher(db) != NULL;
}

const char *
db_tls_cipher(const struct db *db)
{
	return mysql_get_ssl_cipher(db->my);
}

const char *
db_label(const struct db *db)
{
	return db->label;
}

const struct db_server *
db_server(const struct db *db)
{
	return &db->srv;
}

void
db_set_rds_engine(struct db *db, const char *engine, const char *engine_version)
{
	if (engine == NULL || *engine == '\0' || engine_version == NULL ||
	    *engine_version == '\0')
		return;
	/* From the server's own row, so a second call does not compound. */
	db_dialect_for_rds(&db->rds_dialect,
	    db_dialect_for(db->srv.engine, db->srv.version), engine,
	    engine_version);
	db->srv.dialect = &db->rds_dialect;
	log_debug("%s: %s %s on RDS: dialect %s", db->label, engine,
	    engine_version, db->rds_dialect.name);
}

unsigned long
db_connection_id(const struct db *db)
{
	return db->id;
}

enum rr_err
db_exec(struct db *db, const char *sql)
{
	return db_query_res(db, sql, NULL);
}

enum rr_err
db_select_str(struct db *db, const char *sql, char **value)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	enum rr_err err;

	*value = NULL;
	if ((err = db_query_res(db, sql, &res)) != RR_OK)
		goto out;
	if (res == NULL || (row = mysql_fetch_row(res)) == NULL) {
		err = rr_seterr(RR_ERR_NOT_FOUND, "mysql '%s': no row",
		    db->label);
		goto out;
	}
	*value = row[0] ? xstrdup(row[0]) : NULL;
out:
	if (res != NULL)
		mysql_free_result(res);
	return err;
}
