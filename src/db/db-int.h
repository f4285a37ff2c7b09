/*
 * db-int.h - internals shared by the files of src/db (not part of the API).
 *
 * One query path: db_query() logs the redacted statement, runs it, keeps
 * the first result set that has columns and drains every other one, so the
 * connection stays usable after a CALL.  db_call() is the same for CALLs
 * with parameters, through a prepared statement.
 */
#ifndef RR_DB_INT_H
#define RR_DB_INT_H

#include <stddef.h>

#include <mysql.h>

#include "db.h"

struct db {
	MYSQL *my;
	char *label;		/* "host:port" */
	struct db_server srv;
	struct db_dialect rds_dialect; /* srv.dialect after db_set_rds_engine */
	unsigned long id;	/* CONNECTION_ID() */
	unsigned read_timeout_s;
	unsigned last_errno;	/* of the last failed statement, else 0 */
};

/*
 * The authentication methods a connection may use (MARIADB_OPT_RESTRICTED_AUTH).
 * Not mysql_clear_password, dialog or sha256_password: each hands the password
 * to whichever server asks.  Not caching_sha2_password either until TLS is
 * verified before authentication: Connector/C 3.3 sends it the password in
 * clear on full authentication when TLS was asked for but not offered
 * (tests/unit/test-db-auth.c, mode sha2-full).
 */
#define DB_AUTH_PLUGINS "mysql_native_password"

/* Server error numbers we act on (MySQL/MariaDB errmsg, mysqld_error.h). */
#define DB_ER_DBACCESS_DENIED		1044
#define DB_ER_ACCESS_DENIED		1045
#define DB_ER_NO_SUCH_THREAD		1094
#define DB_ER_PARSE_ERROR		1064
#define DB_ER_TABLEACCESS_DENIED	1142
#define DB_ER_COLUMNACCESS_DENIED	1143
#define DB_ER_SPECIFIC_ACCESS_DENIED	1227
#define DB_ER_PROCACCESS_DENIED		1370

int db_errno_is_access_denied(unsigned eno);

/*
 * Run sql (len bytes).  log_sql, when not NULL, is what is logged instead
 * (the shape of a statement whose text holds a secret).  secret, when not
 * NULL, is scrubbed from a server error message.  *resp (may be NULL)
 * receives the first result set with columns, or NULL.
 */
enum rr_err db_query(struct db *db, const char *sql, size_t len,
    const char *log_sql, const char *secret, size_t secret_len,
    MYSQL_RES **resp);
/* db_query for plain NUL-terminated SQL without secrets. */
enum rr_err db_query_res(struct db *db, const char *sql, MYSQL_RES **resp);

enum db_param_type { DB_P_STR, DB_P_SECRET, DB_P_INT };

struct db_param {
	enum db_param_type type;
	const char *s;		/* DB_P_STR, DB_P_SECRET */
	size_t len;
	long long i;		/* DB_P_INT */
};

/* CALL mysql.<proc>(?, ...) with pv bound; all result sets drained. */
enum rr_err db_call(struct db *db, const char *proc,
    const struct db_param *pv, size_t pn);

/* Set RR_ERR_DB "mysql 'label': ERRNO: message", message sanitised. */
enum rr_err db_seterr(struct db *db, unsigned eno, const char *msg,
    const char *secret, size_t secret_len);

/*
 * A server message safe to keep: occurrences of secret become <redacted>;
 * for a parse error in a statement that held a secret the quoted "near
 * '...'" part is dropped; then db_redact_sql().  Never NULL.
 */
char *db_sanitise_message(const char *msg, unsigned eno, const char *secret,
    size_t secret_len);

/* 'escaped' as a fresh string (not for secrets). */
char *db_quote(struct db *db, const char *s);
/* Column index by name (case-insensitive), or -1. */
int db_col(MYSQL_RES *res, const char *name);

/*
 * Secret-holding scratch memory: sodium_malloc'd, wiped and freed by
 * db_secure_free (NULL ok).  Out of memory is fatal.
 */
char *db_secure_alloc(size_t n);
void db_secure_free(char *p);

/*
 * A replication password must be 1..32 bytes of printable ASCII without
 * quotes, backslash or space (MASTER_PASSWORD is capped at 32 characters;
 * the restricted set keeps the escaped form equal to the clear text, so a
 * server message can be scrubbed of it).  RR_ERR_USAGE otherwise.
 */
enum rr_err db_check_repl_password(const char *pw, size_t len);

#endif
