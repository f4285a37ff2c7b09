/*
 * db.h - the MySQL/MariaDB layer, over MariaDB Connector/C.
 *
 * Everything the reconciler says to a database goes through here: the
 * connection (timeouts, opportunistic TLS), the server's identity and the
 * dialect that follows from it (procedure, statement and column names differ
 * by engine and version), replication status, the Amazon RDS mysql.rds_*
 * procedures, the replication user, write fencing (ending client
 * connections) and the cross-machine run lock.
 *
 * Conventions:
 * - Every function returns enum rr_err; on failure the detail is set with
 *   rr_seterr() as "mysql 'host:port': ERRNO: message".  Server messages are
 *   sanitised before they are kept: a statement that carried a secret never
 *   has its text or the secret echoed back.
 * - Passwords are bytes + length (they live in sodium_malloc memory).  They
 *   go to the server as prepared-statement parameters, or escaped into
 *   memory that is wiped on release; never into a log line, an error
 *   message or an unwiped string.
 * - Every statement is logged at debug level, after db_redact_sql().
 * - Strings handed out (char **) are the caller's to free(); structures
 *   with a _release() function own their strings.
 * - Binlog positions are byte offsets (uint64_t); durations are seconds.
 */
#ifndef RR_DB_H
#define RR_DB_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strvec.h"

struct db;

/* ---- server identity and dialect --------------------------------------- */

enum db_engine {
	DB_ENGINE_MYSQL,
	DB_ENGINE_MARIADB,
};

/*
 * The names that depend on engine and version, in one table (dialect.c).
 * Procedure names are without the "mysql." schema.
 *
 * Sources: Amazon RDS User Guide, "Replication stored procedures"
 * (mysql.rds_set_external_master for RDS for MariaDB and RDS for MySQL 8.0
 * and lower, mysql.rds_set_external_source for 8.4 and higher); MySQL 8.0
 * Reference Manual, SHOW REPLICA STATUS (8.0.22 renames the Master_ and Slave_
 * columns to Source_ and Replica_); MySQL 8.4 Reference Manual, SHOW BINARY
 * LOG STATUS (SHOW MASTER STATUS removed); MariaDB KB, SHOW REPLICA STATUS
 * (MariaDB keeps the Master_ and Slave_ columns).
 */
struct db_dialect {
	const char *name;		/* "mariadb", "mysql-5.7", ... */
	/* procedures */
	const char *set_external_master;
	const char *reset_external_master;
	const char *start_replication;
	const char *start_replication_until;
	const char *stop_replication;
	const char *replica_status;	/* result set of SHOW ... STATUS */
	/* statements */
	const char *show_replica_status;
	const char *show_binlog_status;
	/* columns of show_replica_status */
	const char *col_source_host;
	const char *col_source_port;
	const char *col_source_user;
	const char *col_source_log_file;
	const char *col_read_source_log_pos;
	const char *col_relay_source_log_file;
	const char *col_exec_source_log_pos;
	const char *col_io_running;
	const char *col_sql_running;
	const char *col_seconds_behind;
	/* Replication user: does CREATE USER carry a client-side hash? */
	int hash_repl_password;
	/*
	 * Read replication status with CALL mysql.<replica_status>() and
	 * never try show_replica_status: RDS for MariaDB 10.5+, where the
	 * master user may not run SHOW SLAVE STATUS.
	 */
	int status_via_procedure;
};

struct db_server {
	enum db_engine engine;
	unsigned version;	/* major * 10000 + minor * 100 + patch */
	const struct db_dialect *dialect;
};

/*
 * From VERSION() ("8.0.36", "10.11.9-MariaDB-log", "11.4-MariaDB") and
 * @@version_comment (may be NULL): engine, version and dialect.
 * RR_ERR_DB when the version cannot be parsed.
 */
enum rr_err db_server_parse(struct db_server *out, const char *version,
    const char *comment);
/* The dialect row for an engine and version; never NULL. */
const struct db_dialect *db_dialect_for(enum db_engine engine,
    unsigned version);
/*
 * The dialect for an Amazon RDS instance: out is server (the dialect of the
 * server actually answering, which owns statement syntax and SHOW column
 * names) with what RDS decides by engine and version (DescribeDBInstances
 * Engine "mariadb" | "mysql", EngineVersion "10.6.19"): the procedure names
 * (mysql.rds_set_external_master and rds_reset_external_master for RDS for
 * MariaDB and RDS for MySQL 8.0 and lower, *_source for MySQL 8.4 and
 * higher: RDS User Guide, "Stored procedure reference for RDS for MySQL",
 * Replicating) and, for RDS for MariaDB 10.5 and higher, the replication
 * status through CALL mysql.rds_replica_status with its Source_* / Replica_*
 * columns and Seconds_Behind_Master (RDS User Guide,
 * "mysql.rds_replica_status", whose example the names follow); RDS for
 * MariaDB has no rds_start_replication_until (NULL).  Another
 * engine, or a version that does not parse, leaves server unchanged.
 * out->name names the RDS row: "rds-mariadb-10.5+", "rds-mysql-8.4+", ...
 */
void db_dialect_for_rds(struct db_dialect *out, const struct db_dialect *server,
    const char *engine, const char *engine_version);

/* ---- connection --------------------------------------------------------- */

enum db_tls {
	DB_TLS_PREFER = 0,	/* TLS when the server offers it (default) */
	DB_TLS_REQUIRE,		/* fail unless the session is encrypted */
	DB_TLS_DISABLE,
};

/* Zero-initialised options mean the defaults given per field. */
struct db_opts {
	unsigned connect_timeout_s;	/* 0: 10 s */
	unsigned read_timeout_s;	/* 0: 60 s; bounds every reply */
	unsigned write_timeout_s;	/* 0: 60 s */
	enum db_tls tls;
};

/*
 * Connect to host:port over TCP, read the server identity and set autocommit
 * on.  The session has CLIENT_MULTI_RESULTS (CALL may return result sets),
 * no multi-statements, no LOCAL INFILE, no auto-reconnect, utf8mb4.
 * TLS: see DB_TLS_*; the certificate is not verified (like RDS
 * ssl_encryption=1).  password is password_len bytes, no NUL inside.
 * Authentication: mysql_native_password only (MARIADB_OPT_RESTRICTED_AUTH);
 * a server that asks for another method (mysql_clear_password, dialog,
 * sha256_password, caching_sha2_password) is refused before the password
 * leaves the process.
 * Errors: RR_ERR_DB (connect, auth, a refused authentication method, TLS
 * refused when required).
 */
enum rr_err db_connect(struct db **dbp, const char *host, unsigned port,
    const char *user, const char *password, size_t password_len,
    const struct db_opts *opts) __attribute__((warn_unused_result));
/*
 * The session's dialect from now on: db_dialect_for_rds() over the server's
 * own, for an RDS instance of engine and engine_version (either may be NULL
 * or empty: the server's dialect stays).
 */
void db_set_rds_engine(struct db *db, const char *engine,
    const char *engine_version);
/* Close and free; NULL is fine. */
void db_close(struct db *db);

/* 1 when the session is encrypted; the cipher or NULL. */
int db_is_tls(const struct db *db);
const char *db_tls_cipher(const struct db *db);
/* "host:port", for messages. */
const char *db_label(const struct db *db);
const struct db_server *db_server(const struct db *db);
/* CONNECTION_ID() of this session. */
unsigned long db_connection_id(const struct db *db);

/* ---- plain statements (no secrets in them) ------------------------------ */

/* Run sql, discard any result sets.  RR_ERR_DB on a server error. */
enum rr_err db_exec(struct db *db, const char *sql);
/*
 * First column of the first row as a string; *value is NULL for SQL NULL.
 * RR_ERR_NOT_FOUND when there is no row.
 */
enum rr_err db_select_str(struct db *db, const char *sql, char **value);
/* SELECT @@GLOBAL.name; name is [A-Za-z0-9_]+ (else RR_ERR_USAGE). */
enum rr_err db_global_var(struct db *db, const char *name, char **value);
/* @@GLOBAL.read_only as 0/1. */
enum rr_err db_read_only(struct db *db, int *on);

/*
 * The binary log coordinates the server writes next (SHOW MASTER STATUS or
 * SHOW BINARY LOG STATUS by dialect; MySQL 8.0 Reference Manual, SHOW MASTER
 * STATUS).  RR_ERR_DB "binary logging is off on 'host:port'" when empty.
 */
enum rr_err db_binlog_status(struct db *db, char **file, uint64_t *pos);
/*
 * The oldest binary log file the server still has: the first row of SHOW
 * BINARY LOGS (MySQL 8.0 Reference Manual, SHOW BINARY LOGS; MariaDB
 * likewise), into *file (free()).  A file before it was purged, and
 * replicating from it fails with error 1236.  RR_ERR_DB when binary
 * logging is off or the list is empty.
 */
enum rr_err db_binlog_oldest(struct db *db, char **file);

/* ---- replication status ------------------------------------------------- */

enum db_thread {
	DB_THREAD_NO = 0,
	DB_THREAD_YES,
	DB_THREAD_CONNECTING,
	DB_THREAD_UNKNOWN,
};

/*
 * SHOW SLAVE STATUS / SHOW REPLICA STATUS, read by column name.
 * MySQL 8.0 Reference Manual, SHOW REPLICA STATUS; MariaDB KB, SHOW REPLICA
 * STATUS.  configured = 0 (no row) leaves every other field zero/NULL.
 */
struct db_replica_status {
	int configured;
	int via_rds_procedure;	/* read through CALL mysql.rds_replica_status */
	enum db_thread io_running, sql_running;
	char *source_host;
	unsigned source_port;
	char *source_user;
	char *relay_source_log_file;	/* Relay_Master_Log_File */
	uint64_t exec_source_log_pos;	/* Exec_Master_Log_Pos */
	char *source_log_file;		/* Master_Log_File (I/O thread) */
	uint64_t read_source_log_pos;	/* Read_Master_Log_Pos */
	long seconds_behind;		/* -1 when NULL */
	unsigned last_errno, last_io_errno, last_sql_errno;
	char *last_error, *last_io_error, *last_sql_error;	/* sanitised */
};

/*
 * Read the status.  With a dialect whose status_via_procedure is set (RDS
 * for MariaDB 10.5+, see db_set_rds_engine) through CALL
 * mysql.rds_replica_status() only (Amazon RDS User Guide,
 * mysql.rds_replica_status); otherwise the dialect's SHOW statement, and
 * the procedure when the account may not run it (1227 and other
 * access-denied errors).  Columns: db_replica_status_from_row().  Release
 * with db_replica_status_release().
 */
enum rr_err db_replica_status(struct db *db, struct db_replica_status *st);
void db_replica_status_release(struct db_replica_status *st);
/*
 * Fill st from one row of replica status: n columns, names[i] and values[i]
 * (NULL for SQL NULL).  Columns are found by the dialect's name, else by the
 * same column's name in the other naming (Master_Host / Source_Host,
 * Slave_IO_Running / Replica_IO_Running, Seconds_Behind_Master /
 * Seconds_Behind_Source, ...), so a row is read whichever of MySQL 5.7's
 * SHOW SLAVE STATUS, MySQL 8.0.22+'s SHOW REPLICA STATUS, MariaDB's or RDS
 * for MariaDB's rds_replica_status it comes from.  RR_ERR_DB naming the
 * first required column missing; st is released then.
 */
enum rr_err db_replica_status_from_row(struct db_replica_status *st,
    const struct db_dialect *d, const char *label, const char *const *names,
    const char *const *values, size_t n);

/*
 * RR_ERR_REPLICATION, with the error number and Last_SQL_Error or
 * Last_IO_Error in the detail, when st shows a replication error; RR_OK
 * otherwise.  label names the server in the message.
 */
enum rr_err db_replica_error(const struct db_replica_status *st,
    const char *label);
const char *db_thread_name(enum db_thread t);

/* ---- Amazon RDS procedures (names from the dialect) --------------------- */
/*
 * Each is a CALL mysql.<procedure>(...) with parameters bound through a
 * prepared statement; all result sets are drained.  Errors: RR_ERR_DB.
 * Amazon RDS User Guide, "Replication stored procedures" and "Configuring,
 * starting, and stopping binary log (binlog) replication".
 */
enum rr_err db_rds_stop_replication(struct db *db);
enum rr_err db_rds_start_replication(struct db *db);
/*
 * Apply up to (file, pos) exactly, then stop the SQL thread.  RR_ERR_USAGE
 * on RDS for MariaDB, which lacks the procedure ("MariaDB on Amazon RDS SQL
 * reference").
 */
enum rr_err db_rds_start_replication_until(struct db *db, const char *file,
    uint64_t pos);
/*
 * mysql.rds_set_external_master (or _source): replicate from host:port as
 * user, starting at (log_file, log_pos); ssl = 1 asks for an encrypted (not
 * verified) replication channel.  The password must be 1 to 32 printable
 * ASCII characters (MASTER_PASSWORD is capped at 32; RR_ERR_USAGE).
 */
enum rr_err db_rds_set_external_master(struct db *db, const char *host,
    unsigned port, const char *user, const char *password,
    size_t password_len, const char *log_file, uint64_t log_pos, int ssl);
enum rr_err db_rds_reset_external_master(struct db *db);
/* mysql.rds_set_configuration(name, value), e.g. "binlog retention hours". */
enum rr_err db_rds_set_configuration(struct db *db, const char *name,
    long value);
/*
 * The value column of mysql.rds_show_configuration for name; *value is NULL
 * when the value is NULL.  RR_ERR_NOT_FOUND when no such name.
 */
enum rr_err db_rds_show_configuration(struct db *db, const char *name,
    char **value);
/* mysql.rds_kill(thread_id); an id that is gone already is not an error. */
enum rr_err db_rds_kill(struct db *db, unsigned long thread_id);

/* ---- replication user (on the source) ----------------------------------- */

/*
 * Create user@host_pattern, or reset its password when it exists, and grant
 * REPLICATION SLAVE, REPLICATION CLIENT (MariaDB 10.5+ stores the latter as
 * BINLOG MONITOR); REQUIRE SSL when require_ssl, REQUIRE NONE otherwise.
 * Other accounts named user (other hosts) are left alone.
 * On MariaDB the password is sent as its mysql_native_password hash
 * (IDENTIFIED BY PASSWORD '*...') because MariaDB writes CREATE/ALTER USER
 * to the binary log verbatim: the clear text would sit in the source's
 * binlog and in every replica's relay log.  MySQL rewrites the statement
 * itself.  Password rules as db_rds_set_external_master.
 * MySQL 8.0 Reference Manual, CREATE USER; MariaDB KB, CREATE USER.
 */
enum rr_err db_create_repl_user(struct db *db, const char *user,
    const char *host_pattern, const char *password, size_t password_len,
    int require_ssl);

/*
 * The Host of every account named user ("%", "10.0.0.5", ...), from
 * mysql.user; where mysql.user is not readable, from the grantees of
 * information_schema.USER_PRIVILEGES, which lists other accounts only to
 * accounts that may read the mysql schema (then a missing host proves
 * nothing).  out is overwritten, each host once (compared case-blind);
 * no account: n = 0.  Release with strvec_clear().
 */
enum rr_err db_user_hosts(struct db *db, const char *user, struct strvec *out);
/*
 * DROP USER IF EXISTS user@host_pattern; host_pattern NULL drops every
 * account named user that db_user_hosts() finds, one statement each.
 */
enum rr_err db_drop_user(struct db *db, const char *user,
    const char *host_pattern);
/*
 * *exists = 1 when user@host_pattern is an account (Host compared as the
 * server does, case-blind), or with host_pattern NULL when any account is
 * named user.  Source and limits as db_user_hosts().
 */
enum rr_err db_user_exists(struct db *db, const char *user,
    const char *host_pattern, int *exists);
/*
 * *ok = 1 when user@host holds the replication privilege on *.*
 * (REPLICATION SLAVE, named REPLICATION REPLICA by MySQL 8.0.22 and
 * later, or ALL PRIVILEGES), read from SHOW GRANTS FOR (MySQL Reference
 * Manual, "SHOW GRANTS Statement").  create-replication-user is two
 * statements, CREATE USER then GRANT; an account that exists without the
 * grant is what a run killed between them leaves.  RR_ERR_DB when the
 * grants cannot be read (no such account: errno 1141).  The rows, which
 * on MariaDB carry the password hash, are never logged.
 */
enum rr_err db_user_can_replicate(struct db *db, const char *user,
    const char *host, int *ok);

/* ---- connections and write fencing -------------------------------------- */

struct db_conn {
	unsigned long id;
	char *user, *host, *command, *state, *dbname;	/* dbname may be NULL */
	long time_s;
};

struct db_conn_list {
	struct db_conn *v;
	size_t n;
};

/* information_schema.PROCESSLIST (all sessions with PROCESS privilege). */
enum rr_err db_list_connections(struct db *db, struct db_conn_list *list);
void db_conn_list_release(struct db_conn_list *list);
/*
 * 1 when c is a replication or server thread that fencing must leave alone:
 * "Binlog Dump" commands (a replica reading this server, our target
 * included), "Daemon", and the system accounts ("system user",
 * "event_scheduler", RDS "rdsadmin").
 */
int db_conn_is_system(const struct db_conn *c);
/*
 * End every client connection except ours, the ids in spare[0..nspare) and
 * those db_conn_is_system() keeps, with mysql.rds_kill (the RDS master user
 * cannot KILL other accounts' sessions).  *killed counts them (may be NULL).
 */
enum rr_err db_kill_client_connections(struct db *db,
    const unsigned long *spare, size_t nspare, unsigned *killed);

/* ---- guardrails before the fence --------------------------------------- */

/*
 * A session as the guards name it: never its statement text, which may
 * hold a secret.  user and host are "" when PROCESSLIST does not show
 * the thread (a recovered XA transaction has thread id 0).
 */
struct db_session {
	unsigned long id; /* PROCESSLIST ID / trx_mysql_thread_id */
	char *user, *host;
	long age_s;  /* seconds: the transaction open, the statement in TIME */
	char *state; /* trx_state; or the DDL's first keyword and STATE */
};

void db_session_release(struct db_session *s);

/*
 * The oldest open InnoDB transaction but this session's, from
 * information_schema.INNODB_TRX (age: TIMESTAMPDIFF(SECOND, trx_started,
 * NOW())) with the thread's USER and HOST from PROCESSLIST: *found = 0
 * when none is open.  Needs PROCESS (RR_ERR_DB 1227 without it), which the
 * RDS master user has on RDS for MariaDB and MySQL (Amazon RDS User Guide,
 * "Master user account privileges"; MySQL 8.0 Reference Manual, "The
 * INFORMATION_SCHEMA INNODB_TRX Table"; MariaDB KB, "Information Schema
 * INNODB_TRX Table").
 */
enum rr_err
db_oldest_transaction(struct db *db, struct db_session *out, int *found);

/*
 * Sessions but this one running DDL (PROCESSLIST INFO starting with ALTER,
 * CREATE, DROP, RENAME, TRUNCATE or OPTIMIZE) or waiting on a metadata lock
 * (STATE "Waiting for ... metadata lock", "Waiting for global read lock"
 * ...): *n counts them and *oldest is the longest-running (TIME), its
 * state "ALTER, <STATE>" (the keyword alone without a STATE) or, for
 * another statement, the wait's STATE.  Only the statement's
 * first word leaves the server.  Needs PROCESS to see others' sessions.
 */
enum rr_err
db_ddl_sessions(struct db *db, struct db_session *oldest, unsigned *n);

/* ---- run lock (MySQL 8.0 Reference Manual, Locking Functions) ----------- */

/*
 * GET_LOCK(name, timeout_s): *got = 1 when this session now holds it, 0 when
 * someone else held it for timeout_s seconds.  The lock lives as long as
 * this connection.  name is at most 64 characters (RR_ERR_USAGE).
 */
enum rr_err db_get_lock(struct db *db, const char *name, unsigned timeout_s,
    int *got);
/* RELEASE_LOCK(name); not holding it is not an error. */
enum rr_err db_release_lock(struct db *db, const char *name);
/*
 * Who holds name: *connection_id = IS_USED_LOCK(name) (0 when free) and a
 * description from PROCESSLIST ("connection 12 of 'admin' from
 * '10.0.0.5:43120', idle 30 s"), NULL when free.
 */
enum rr_err db_lock_holder(struct db *db, const char *name,
    unsigned long *connection_id, char **holder_description);

/* ---- redaction ---------------------------------------------------------- */

/*
 * A copy of sql (or of a server message quoting it) safe to log: string
 * literals after IDENTIFIED BY / IDENTIFIED BY PASSWORD / IDENTIFIED WITH
 * ... BY|AS, inside PASSWORD(...), after MASTER_PASSWORD= / SOURCE_PASSWORD=
 * and the 4th argument of CALL ...rds_set_external_master|source...(...)
 * become '<redacted>'.  An unterminated literal is cut off.  Never NULL.
 */
char *db_redact_sql(const char *sql);

#endif
