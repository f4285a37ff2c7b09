/*
 * test-db-live.c - the database layer against two real servers.
 *
 * tests/db/run starts them (a source with binary logging and TLS, a replica
 * without either), installs RDS-like mysql.rds_* procedures and an account
 * without SUPER, and passes them here through the environment:
 *   RDSR_TEST_DB_SOURCE, RDSR_TEST_DB_REPLICA   host addresses
 *   RDSR_TEST_DB_PORT, RDSR_TEST_DB_USER, RDSR_TEST_DB_PASSWORD
 *   RDSR_TEST_DB_REPL_PASSWORD                  for the replication user
 * Without them the test skips.  Every statement is logged at debug level on
 * stderr; the runner checks that no password reached it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <signal.h>
#include <sys/wait.h>

#include "clock.h"
#include "binlog-pos.h"
#include "db.h"
#include "log.h"
#include "tap.h"

static const char *src_host, *rep_host, *user, *pw, *repl_pw;
static unsigned port;

#define LOCK_NAME "rdsreconcile:prod-db"
#define REPL_USER "rdsr_repl"
#define REPL_HOST "127.%"
#define CHECKSUM "SELECT CONCAT(COUNT(*), ':', SUM(id), ':', " \
	"GROUP_CONCAT(v ORDER BY id)) FROM t1.a"

static struct db *
conn(const char *host, enum db_tls tls)
{
	struct db_opts o = { .connect_timeout_s = 5, .read_timeout_s = 20,
	    .write_timeout_s = 20, .tls = tls };
	struct db *db = NULL;

	if (db_connect(&db, host, port, user, pw, strlen(pw), &o) != RR_OK) {
		printf("# connect %s: %s\n", host, rr_lasterr());
		return NULL;
	}
	return db;
}

static int
exec_ok(struct db *db, const char *sql)
{
	if (db_exec(db, sql) != RR_OK) {
		printf("# %s: %s\n", sql, rr_lasterr());
		return 0;
	}
	return 1;
}

static char *
select_str(struct db *db, const char *sql)
{
	char *v = NULL;

	if (db_select_str(db, sql, &v) != RR_OK)
		printf("# %s: %s\n", sql, rr_lasterr());
	return v;
}

/* Wait up to 10 s for the replica to show the source's checksum. */
static int
wait_same_rows(struct db *src, struct db *rep)
{
	double end = rr_monotonic() + 10;
	char *a = NULL, *b = NULL;
	int same = 0;

	while (!same && rr_monotonic() < end) {
		free(a);
		free(b);
		a = select_str(src, CHECKSUM);
		b = select_str(rep, CHECKSUM);
		same = a && b && strcmp(a, b) == 0;
		if (!same)
			usleep(50 * 1000);
	}
	if (!same)
		printf("# source %s, replica %s\n", a ? a : "-", b ? b : "-");
	free(a);
	free(b);
	return same;
}

/* Wait up to 10 s until the replica's status satisfies pred. */
static int
wait_status(struct db *rep, struct db_replica_status *st,
    int (*pred)(const struct db_replica_status *, const void *),
    const void *arg)
{
	double end = rr_monotonic() + 10;

	for (;;) {
		if (db_replica_status(rep, st) != RR_OK) {
			printf("# replica status: %s\n", rr_lasterr());
			return 0;
		}
		if (pred(st, arg))
			return 1;
		if (rr_monotonic() > end)
			return 0;
		db_replica_status_release(st);
		usleep(50 * 1000);
	}
}

struct coord {
	const char *file;
	uint64_t pos;
};

static int
applied_exactly(const struct db_replica_status *st, const void *arg)
{
	const struct coord *c = arg;

	struct binlog_pos a, b;

	return st->relay_source_log_file != NULL &&
	    binlog_pos_set(&a, st->relay_source_log_file,
	        st->exec_source_log_pos) == 0 &&
	    binlog_pos_set(&b, c->file, c->pos) == 0 &&
	    binlog_pos_cmp(&a, &b) == 0;
}

static int
applied_past(const struct db_replica_status *st, const void *arg)
{
	const uint64_t *pos = arg;

	return st->exec_source_log_pos > *pos;
}

static int
sql_stopped(const struct db_replica_status *st, const void *arg)
{
	(void)arg;
	return st->sql_running == DB_THREAD_NO;
}

static int
sql_error(const struct db_replica_status *st, const void *arg)
{
	(void)arg;
	/* The error is set a moment before the thread has stopped. */
	return st->last_sql_errno != 0 && st->sql_running == DB_THREAD_NO;
}

static void
test_connect(void)
{
	struct db_opts o = { .connect_timeout_s = 5, .tls = DB_TLS_REQUIRE };
	struct db *db = NULL;
	const char *wrong = "Wr0ng-Pw-77";

	ok(db_connect(&db, src_host, port, user, wrong, strlen(wrong), &o) ==
	    RR_ERR_DB && db == NULL, "wrong password refused");
	ok(strstr(rr_lasterr(), "1045") != NULL &&
	    strstr(rr_lasterr(), wrong) == NULL,
	    "access denied message without the password");
	ok(db_connect(&db, rep_host, port, user, pw, strlen(pw), &o) ==
	    RR_ERR_DB && strstr(rr_lasterr(), "tls required") != NULL,
	    "tls required refused by a server without TLS");
	o.tls = DB_TLS_DISABLE;
	if (db_connect(&db, src_host, port, user, pw, strlen(pw), &o) ==
	    RR_OK) {
		ok(!db_is_tls(db), "tls disabled: clear session");
		db_close(db);
	} else
		ok(0, "tls disabled connect");
	db_close(NULL);
}

/* An account without privileges: the fallbacks and their limits. */
static void
test_limited(void)
{
	const char *lu = getenv("RDSR_TEST_DB_LIMITED_USER");
	struct db_replica_status st;
	struct db *db = NULL;
	int exists = -1;

	if (lu == NULL)
		return;
	if (!ok(db_connect(&db, src_host, port, lu, pw, strlen(pw), NULL) ==
	    RR_OK, "connect without privileges"))
		return;
	ok(db_user_exists(db, lu, "127.%", &exists) == RR_OK && exists == 1,
	    "mysql.user unreadable: own account found through "
	    "USER_PRIVILEGES");
	ok(db_user_exists(db, lu, NULL, &exists) == RR_OK && exists == 1,
	    "own account found under any host");
	ok(db_user_exists(db, user, "127.%", &exists) == RR_OK && exists == 0,
	    "other accounts are invisible there (documented limit)");
	ok(db_replica_status(db, &st) == RR_ERR_DB &&
	    strstr(rr_lasterr(), "rds_replica_status") != NULL,
	    "status: SHOW denied, then the procedure denied, error names it");
	db_replica_status_release(&st);
	{
		struct db_session x;
		int found = -1;

		/* observe() holds the cut-over on this: unknown is not clear. */
		ok(db_oldest_transaction(db, &x, &found) == RR_ERR_DB &&
		        found == 0 && strstr(rr_lasterr(), "1227") != NULL,
		    "INNODB_TRX without PROCESS: an error, not 'none open'");
		db_session_release(&x);
	}
	db_close(db);
}

/*
 * The replication user restricted to one address, beside a leftover
 * account of the same name: both found, all dropped by name.
 */
static void
test_host_restricted(struct db *src)
{
	struct strvec h = { NULL, 0, 0 };
	int exists = -1, can = -1;

	ok(db_create_repl_user(src, REPL_USER, rep_host, repl_pw,
	    strlen(repl_pw), 1) == RR_OK, "user for the replica's address");
	ok(db_create_repl_user(src, REPL_USER, "%", repl_pw, strlen(repl_pw),
	    0) == RR_OK, "and one for any host");
	ok(db_user_exists(src, REPL_USER, rep_host, &exists) == RR_OK &&
	    exists, "found by its address");
	ok(db_user_exists(src, REPL_USER, "127.0.66.9", &exists) == RR_OK &&
	    !exists, "not under another address");
	ok(db_user_can_replicate(src, REPL_USER, rep_host, &can) == RR_OK &&
	        can,
	    "the replication grant is seen");
	/* What a run killed between CREATE USER and GRANT leaves. */
	ok(db_exec(src,
	       "REVOKE REPLICATION SLAVE ON *.* FROM "
	       "'" REPL_USER "'@'%'") == RR_OK,
	    "revoke the grant of one account");
	ok(db_user_can_replicate(src, REPL_USER, "%", &can) == RR_OK && !can,
	    "an account without the grant is seen as such");
	ok(db_create_repl_user(src, REPL_USER, "%", repl_pw, strlen(repl_pw),
	       0) == RR_OK &&
	        db_user_can_replicate(src, REPL_USER, "%", &can) == RR_OK &&
	        can,
	    "creating it again grants it again");
	ok(db_user_can_replicate(src, REPL_USER, "127.0.66.9", &can) ==
	            RR_ERR_DB &&
	        !can,
	    "no such account: an error, never a yes");
	ok(db_user_hosts(src, REPL_USER, &h) == RR_OK && h.n == 2 &&
	    strcmp(h.v[0], "%") == 0 && strcmp(h.v[1], rep_host) == 0,
	    "both hosts listed");
	strvec_clear(&h);
	ok(db_drop_user(src, REPL_USER, NULL) == RR_OK, "drop every host");
	ok(db_user_exists(src, REPL_USER, NULL, &exists) == RR_OK && !exists,
	    "no account of that name is left");
	ok(db_user_hosts(src, REPL_USER, &h) == RR_OK && h.n == 0 &&
	    h.v == NULL, "no hosts listed");
	ok(db_drop_user(src, REPL_USER, NULL) == RR_OK,
	    "drop every host of none is fine");
}

/* Wait up to 10 s until db_ddl_sessions() sees one waiting on a metadata
 * lock (an ALTER shows other states first, "After create"); *x is the
 * oldest. */
static int
wait_ddl(struct db *db, struct db_session *x, unsigned *n)
{
	double end = rr_monotonic() + 10;

	for (;;) {
		if (db_ddl_sessions(db, x, n) != RR_OK) {
			printf("# ddl sessions: %s\n", rr_lasterr());
			return 0;
		}
		if (*n > 0 && strstr(x->state, "metadata lock") != NULL)
			return 1;
		db_session_release(x);
		if (rr_monotonic() > end)
			return 0;
		usleep(50 * 1000);
	}
}

/*
 * The guardrails before the fence: a transaction held open by another
 * session is seen with its age, thread and account; an ALTER TABLE waiting
 * behind it on the table's metadata lock is seen, by its first word only.
 * The age is waited for, never assumed: the session opens the transaction,
 * then we poll until it is 2 s old.
 */
static void
test_guards(struct db *src)
{
	struct db_session x;
	struct db *holder = NULL;
	double opened, end;
	unsigned n = 99;
	int found = -1, status = 0, i;
	pid_t pid = -1;

	memset(&x, 0, sizeof(x));
	if (!ok(exec_ok(src, "CREATE DATABASE IF NOT EXISTS guard") &&
	            exec_ok(src,
	                "CREATE TABLE guard.t (id INT PRIMARY KEY) "
	                "ENGINE=InnoDB"),
	        "guard table"))
		return;
	ok(db_oldest_transaction(src, &x, &found) == RR_OK && found == 0,
	    "no transaction open (our own session is not counted)");
	db_session_release(&x);
	ok(db_ddl_sessions(src, &x, &n) == RR_OK && n == 0 && x.state == NULL,
	    "no DDL running");
	db_session_release(&x);

	if (!ok((holder = conn(src_host, DB_TLS_PREFER)) != NULL,
	        "a second session"))
		goto out;
	opened = rr_monotonic();
	if (!ok(exec_ok(holder, "START TRANSACTION") &&
	            exec_ok(holder, "INSERT INTO guard.t VALUES (1)"),
	        "it opens a transaction and leaves it open"))
		goto out;
	end = rr_monotonic() + 10;
	for (;;) {
		found = 0;
		if (db_oldest_transaction(src, &x, &found) != RR_OK) {
			printf("# oldest transaction: %s\n", rr_lasterr());
			break;
		}
		if ((found && x.age_s >= 2) || rr_monotonic() > end)
			break;
		db_session_release(&x);
		usleep(100 * 1000);
	}
	if (ok(found && x.age_s >= 2,
	        "the open transaction is seen, 2 s old")) {
		ok(x.id == db_connection_id(holder),
		    "named by the holding session's thread id");
		ok(x.age_s <= (long)(rr_monotonic() - opened) + 1,
		    "its age is the time since it was opened");
		is_str(x.user, user, "and its account");
		ok(strncmp(x.host, "127.", 4) == 0, "and its host");
		is_str(x.state, "RUNNING", "and trx_state");
		printf("# thread %lu of '%s'@'%s', %ld s, %s\n", x.id, x.user,
		    x.host, x.age_s, x.state);
	}
	db_session_release(&x);

	/* The ALTER blocks on the metadata lock the open transaction holds:
	 * a child runs it on its own connection (bounded by
	 * lock_wait_timeout) and never touches ours. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct db *d = conn(src_host, DB_TLS_PREFER);

		_exit(d != NULL &&
		            db_exec(d, "SET SESSION lock_wait_timeout = 20") ==
		                RR_OK &&
		            db_exec(d,
		                "ALTER TABLE guard.t ADD COLUMN secretcol INT") ==
		                RR_OK
		        ? 0
		        : 1);
	}
	if (!ok(pid > 0, "ALTER TABLE started"))
		goto out;
	if (ok(wait_ddl(src, &x, &n), "the ALTER is seen waiting")) {
		is_str(x.state, "ALTER, Waiting for table metadata lock",
		    "waiting on the metadata lock, by its first word");
		ok(x.id != db_connection_id(holder) &&
		        x.id != db_connection_id(src),
		    "named by its own thread");
		is_str(x.user, user, "and its account");
		ok(x.age_s >= 0, "and its age");
		ok(strstr(x.state, "secretcol") == NULL,
		    "never the statement's text");
		is_int(n, 1, "one such session");
		printf("# thread %lu of '%s'@'%s', %ld s, %s\n", x.id, x.user,
		    x.host, x.age_s, x.state);
	}
	db_session_release(&x);
	ok(exec_ok(holder, "COMMIT"), "the transaction commits");
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	        WEXITSTATUS(status) == 0,
	    "then the ALTER completes");
	pid = -1;
	ok(db_oldest_transaction(src, &x, &found) == RR_OK && found == 0 &&
	        db_ddl_sessions(src, &x, &n) == RR_OK && n == 0,
	    "afterwards nothing holds");
	/* What the guards add to an observe pass (a figure, not a test). */
	opened = rr_monotonic();
	for (i = 0; i < 50; i++)
		db_oldest_transaction(src, &x, &found);
	end = rr_monotonic();
	for (i = 0; i < 50; i++) {
		db_ddl_sessions(src, &x, &n);
		db_session_release(&x);
	}
	opened = (end - opened) * 1000 / 50;
	end = (rr_monotonic() - end) * 1000 / 50;
	printf("# guard queries, mean of 50: INNODB_TRX %.2f ms, "
	       "PROCESSLIST %.2f ms\n",
	    opened, end);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	db_session_release(&x);
	db_close(holder);
	exec_ok(src, "DROP DATABASE IF EXISTS guard");
}

int
main(void)
{
	struct db *src = NULL, *src2 = NULL, *rep = NULL, *c1 = NULL,
	    *c2 = NULL;
	struct db_replica_status st;
	struct db_conn_list list = { NULL, 0 };
	char *file = NULL, *file2 = NULL, *v = NULL, *desc = NULL;
	uint64_t pos = 0, pos2 = 0, old;
	unsigned long holder, spare[1];
	unsigned killed;
	int got, exists, on;
	size_t i;

	memset(&st, 0, sizeof(st));
	src_host = getenv("RDSR_TEST_DB_SOURCE");
	rep_host = getenv("RDSR_TEST_DB_REPLICA");
	user = getenv("RDSR_TEST_DB_USER");
	pw = getenv("RDSR_TEST_DB_PASSWORD");
	repl_pw = getenv("RDSR_TEST_DB_REPL_PASSWORD");
	if (!src_host || !rep_host || !user || !pw || !repl_pw ||
	    !getenv("RDSR_TEST_DB_PORT")) {
		ok(1, "# SKIP no RDSR_TEST_DB_* servers (run tests/db/run)");
		return tap_done();
	}
	port = (unsigned)atoi(getenv("RDSR_TEST_DB_PORT"));
	log_set_level(LOG_DEBUG);

	test_connect();
	test_limited();
	src = conn(src_host, DB_TLS_PREFER);
	src2 = conn(src_host, DB_TLS_PREFER);
	rep = conn(rep_host, DB_TLS_PREFER);
	if (!ok(src && src2 && rep, "connected to source and replica"))
		goto out;

	/* identity, TLS, variables */
	is_int(db_server(src)->engine, DB_ENGINE_MARIADB, "engine MariaDB");
	ok(db_server(src)->version >= 101100, "version >= 10.11");
	is_str(db_server(src)->dialect->name, "mariadb", "dialect mariadb");
	ok(db_is_tls(src) && db_tls_cipher(src) != NULL,
	    "TLS used when the server offers it");
	printf("# source cipher %s\n", db_tls_cipher(src));
	ok(!db_is_tls(rep), "clear when the server does not offer TLS");
	ok(db_connection_id(src) != db_connection_id(src2) &&
	    db_connection_id(src) > 0, "connection ids");
	ok(db_global_var(src, "binlog_format", &v) == RR_OK, "binlog_format");
	is_str(v, "ROW", "binlog_format ROW");
	free(v);
	v = NULL;
	ok(db_global_var(src, "x; DROP", &v) == RR_ERR_USAGE,
	    "variable name checked");
	ok(db_read_only(src, &on) == RR_OK && on == 0, "read_only off");

	/* rds configuration */
	ok(db_rds_set_configuration(src, "binlog retention hours", 24) ==
	    RR_OK, "rds_set_configuration");
	ok(db_rds_show_configuration(src, "binlog retention hours", &v) ==
	    RR_OK, "rds_show_configuration");
	is_str(v, "24", "binlog retention hours 24");
	free(v);
	v = NULL;
	ok(db_rds_show_configuration(src, "no such thing", &v) ==
	    RR_ERR_NOT_FOUND, "unknown configuration not found");

	/* the data a snapshot would carry, then the recorded position */
	ok(exec_ok(src, "CREATE DATABASE t1") &&
	    exec_ok(src, "CREATE TABLE t1.a (id INT PRIMARY KEY, "
	    "v VARCHAR(40))") &&
	    exec_ok(src, "INSERT INTO t1.a VALUES (1,'one'),(2,'two'),"
	    "(3,'three')") &&
	    exec_ok(rep, "CREATE DATABASE t1") &&
	    exec_ok(rep, "CREATE TABLE t1.a (id INT PRIMARY KEY, "
	    "v VARCHAR(40))") &&
	    exec_ok(rep, "INSERT INTO t1.a VALUES (1,'one'),(2,'two'),"
	    "(3,'three')"), "seeded source and replica");
	ok(db_binlog_status(src, &file, &pos) == RR_OK && file && pos > 4,
	    "binlog status");
	printf("# recorded %s:%llu\n", file ? file : "-",
	    (unsigned long long)pos);
	ok(db_binlog_status(rep, &file2, &pos2) == RR_ERR_DB &&
	    strstr(rr_lasterr(), "binary logging is off on") != NULL,
	    "binary logging off reported");
	free(file2);
	file2 = NULL;
	ok(db_replica_status(src, &st) == RR_OK && !st.configured,
	    "source is not a replica");
	ok(st.via_rds_procedure, "SHOW SLAVE STATUS denied: read through "
	    "mysql.rds_replica_status");
	db_replica_status_release(&st);

	/* writes after the recorded position */
	ok(exec_ok(src, "INSERT INTO t1.a VALUES (4,'four'),(5,'five')"),
	    "writes after the position");

	/* The user came with the snapshot: the replicated CREATE USER must
	 * not stop replication. */
	ok(db_create_repl_user(rep, REPL_USER, REPL_HOST, repl_pw,
	    strlen(repl_pw), 0) == RR_OK, "replication user already on the "
	    "replica");

	/* replication user */
	ok(db_create_repl_user(src, REPL_USER, REPL_HOST, repl_pw,
	    strlen(repl_pw), 1) == RR_OK, "replication user created");
	ok(db_user_exists(src, REPL_USER, REPL_HOST, &exists) == RR_OK &&
	    exists, "replication user exists");
	ok(db_create_repl_user(src, REPL_USER, REPL_HOST, repl_pw,
	    strlen(repl_pw), 1) == RR_OK, "replication user reset (exists)");
	v = select_str(src, "SHOW GRANTS FOR '" REPL_USER "'@'" REPL_HOST "'");
	ok(v && strstr(v, "REPLICATION SLAVE") && (strstr(v, "BINLOG MONITOR")
	    || strstr(v, "REPLICATION CLIENT")) && strstr(v, "REQUIRE SSL"),
	    "grants and REQUIRE SSL");
	free(v); /* never printed: MariaDB shows the password hash */
	v = NULL;
	ok(db_rds_set_external_master(rep, src_host, port, REPL_USER, "a'b",
	    3, file, pos, 1) == RR_ERR_USAGE, "bad replication password "
	    "refused before any SQL");

	/* replicate from the recorded position */
	ok(db_rds_set_external_master(rep, src_host, port, REPL_USER, repl_pw,
	    strlen(repl_pw), file, pos, 1) == RR_OK,
	    "rds_set_external_master from the recorded position");
	if (!ok(db_rds_start_replication(rep) == RR_OK,
	    "rds_start_replication"))
		printf("# %s\n", rr_lasterr());
	ok(exec_ok(src, "INSERT INTO t1.a VALUES (6,'six'),(7,'seven')") &&
	    exec_ok(src, "UPDATE t1.a SET v = 'TWO' WHERE id = 2"),
	    "writes after replication started");
	ok(wait_same_rows(src, rep), "replica has every row and value");

	v = select_str(rep, "SHOW GRANTS FOR '" REPL_USER "'@'" REPL_HOST "'");
	ok(v && strstr(v, "REQUIRE SSL"), "the user's statements replicated "
	    "without error (REQUIRE SSL on the replica)");
	free(v);
	v = NULL;
	free(file);
	file = NULL;
	ok(db_binlog_status(src, &file, &pos) == RR_OK, "source position");
	if (ok(file && wait_status(rep, &st, applied_exactly,
	    &(struct coord){ file, pos }), "applied exactly the source's "
	    "position")) {
		ok(st.configured && st.via_rds_procedure, "status via "
		    "rds_replica_status");
		is_int(st.io_running, DB_THREAD_YES, "io thread Yes");
		is_int(st.sql_running, DB_THREAD_YES, "sql thread Yes");
		is_str(st.source_host, src_host, "source host");
		is_int(st.source_port, port, "source port");
		is_str(st.source_user, REPL_USER, "source user");
		is_str(st.relay_source_log_file, file,
		    "Relay_Master_Log_File");
		is_str(st.source_log_file, file, "Master_Log_File");
		ok(st.read_source_log_pos >= st.exec_source_log_pos,
		    "read >= exec");
		is_int(st.seconds_behind, 0, "seconds behind 0");
		is_int(st.last_errno, 0, "no error");
		ok(db_replica_error(&st, db_label(rep)) == RR_OK,
		    "db_replica_error: none");
	}
	old = st.exec_source_log_pos;
	db_replica_status_release(&st);
	ok(exec_ok(src, "INSERT INTO t1.a VALUES (8,'eight')"), "one more");
	ok(wait_status(rep, &st, applied_past, &old), "exec position "
	    "advances");
	db_replica_status_release(&st);

	/* stop at an exact position */
	ok(db_rds_stop_replication(rep) == RR_OK, "rds_stop_replication");
	ok(db_replica_status(rep, &st) == RR_OK &&
	    st.io_running == DB_THREAD_NO && st.sql_running == DB_THREAD_NO,
	    "both threads stopped");
	db_replica_status_release(&st);
	ok(exec_ok(src, "INSERT INTO t1.a VALUES (9,'nine'),(10,'ten')"),
	    "writes while stopped");
	free(file);
	file = NULL;
	ok(db_binlog_status(src, &file, &pos) == RR_OK, "stop point");
	ok(exec_ok(src, "INSERT INTO t1.a VALUES (11,'eleven')"),
	    "write past the stop point");
	ok(db_rds_start_replication_until(rep, file, pos) == RR_OK,
	    "rds_start_replication_until");
	if (ok(wait_status(rep, &st, sql_stopped, NULL), "sql thread stops "
	    "at the point"))
		ok(applied_exactly(&st, &(struct coord){ file, pos }),
		    "applied exactly up to the point");
	db_replica_status_release(&st);
	v = select_str(rep, "SELECT COUNT(*) FROM t1.a");
	is_str(v, "10", "rows up to the point, none past it");
	free(v);
	v = NULL;
	ok(db_rds_start_replication(rep) == RR_OK, "replication restarted");
	ok(wait_same_rows(src, rep), "caught up again");

	/* run lock */
	ok(db_get_lock(src, LOCK_NAME, 0, &got) == RR_OK && got,
	    "GET_LOCK taken");
	ok(db_get_lock(src2, LOCK_NAME, 1, &got) == RR_OK && !got,
	    "second connection cannot take it");
	ok(db_lock_holder(src2, LOCK_NAME, &holder, &desc) == RR_OK,
	    "lock holder");
	is_int(holder, db_connection_id(src), "holder is the first connection");
	ok(desc && strstr(desc, user) != NULL, "holder described");
	ok(desc && strstr(desc, ", idle for ") != NULL &&
	    strstr(desc, "Sleep") == NULL,
	    "a holder between statements reads idle");
	printf("# %s\n", desc ? desc : "-");
	free(desc);
	desc = NULL;
	ok(db_release_lock(src, LOCK_NAME) == RR_OK, "RELEASE_LOCK");
	ok(db_lock_holder(src2, LOCK_NAME, &holder, &desc) == RR_OK &&
	    holder == 0 && desc == NULL, "free lock has no holder");
	ok(db_get_lock(src2, LOCK_NAME, 0, &got) == RR_OK && got,
	    "taken after release");
	ok(db_get_lock(src, "", 0, &got) == RR_ERR_USAGE, "empty name refused");

	/* ending client connections */
	c1 = conn(src_host, DB_TLS_PREFER);
	c2 = conn(src_host, DB_TLS_DISABLE);
	ok(c1 && c2, "two client connections");
	ok(db_list_connections(src, &list) == RR_OK && list.n >= 5,
	    "PROCESSLIST of every account");
	got = 0;
	for (i = 0; i < list.n; i++)
		if (strcmp(list.v[i].command, "Binlog Dump") == 0 &&
		    db_conn_is_system(&list.v[i]))
			got = 1;
	ok(got, "the replica's Binlog Dump is listed and spared");
	db_conn_list_release(&list);
	spare[0] = db_connection_id(src2);
	ok(db_kill_client_connections(src, spare, 1, &killed) == RR_OK,
	    "kill client connections");
	is_int(killed, 2, "two connections ended");
	ok(c1 && db_exec(c1, "SELECT 1") == RR_ERR_DB, "first killed");
	ok(c2 && db_exec(c2, "SELECT 1") == RR_ERR_DB, "second killed");
	ok(db_exec(src, "SELECT 1") == RR_OK, "ours spared");
	ok(db_exec(src2, "SELECT 1") == RR_OK, "the spared one kept");
	ok(db_lock_holder(src, LOCK_NAME, &holder, &desc) == RR_OK &&
	    holder == db_connection_id(src2), "lock kept by the spared one");
	free(desc);
	desc = NULL;
	ok(db_rds_kill(src, 999999) == RR_OK, "rds_kill of a gone id is ok");
	ok(exec_ok(src, "INSERT INTO t1.a VALUES (12,'twelve')") &&
	    wait_same_rows(src, rep), "replication survived the kills");

	/* an induced replication error */
	ok(exec_ok(rep, "INSERT INTO t1.a VALUES (1000,'replica only')") &&
	    exec_ok(src, "INSERT INTO t1.a VALUES (1000,'source')"),
	    "duplicate key induced");
	if (ok(wait_status(rep, &st, sql_error, NULL), "sql thread error "
	    "seen")) {
		is_int(st.sql_running, DB_THREAD_NO, "sql thread stopped");
		is_int(st.last_sql_errno, 1062, "Last_SQL_Errno 1062");
		ok(db_replica_error(&st, db_label(rep)) == RR_ERR_REPLICATION,
		    "RR_ERR_REPLICATION");
		ok(strstr(rr_lasterr(), "Duplicate entry") != NULL,
		    "Last_SQL_Error in the message");
		printf("# %s\n", rr_lasterr());
	}
	db_replica_status_release(&st);

	/* stop, reset, drop */
	ok(db_rds_stop_replication(rep) == RR_OK, "stopped after the error");
	ok(db_rds_reset_external_master(rep) == RR_OK,
	    "rds_reset_external_master");
	ok(db_replica_status(rep, &st) == RR_OK && !st.configured,
	    "replica reset");
	db_replica_status_release(&st);
	ok(db_drop_user(src, REPL_USER, REPL_HOST) == RR_OK, "user dropped");
	ok(db_user_exists(src, REPL_USER, REPL_HOST, &exists) == RR_OK &&
	    !exists, "user gone");
	ok(db_drop_user(src, REPL_USER, REPL_HOST) == RR_OK,
	    "drop again is fine");
	ok(db_user_exists(rep, REPL_USER, REPL_HOST, &exists) == RR_OK &&
	    exists, "the replica keeps its copy of the user after the reset "
	    "(drop it there too)");
	ok(db_drop_user(rep, REPL_USER, REPL_HOST) == RR_OK,
	    "dropped on the replica");
	test_host_restricted(src);
	test_guards(src);
	ok(exec_ok(src, "SELECT 1") && exec_ok(rep, "SELECT 1"),
	    "connections usable after every CALL");
out:
	free(file);
	free(file2);
	db_close(c1);
	db_close(c2);
	db_close(src);
	db_close(src2);
	db_close(rep);
	return tap_done();
}
