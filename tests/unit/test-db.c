/* test-db.c - the database layer without a server: dialect, redaction. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "../../src/db/db-int.h"
#include "tap.h"

static void
check_server(const char *version, const char *comment, enum db_engine engine,
    unsigned num, const char *dialect, const char *set_master,
    const char *show_status, const char *exec_col, const char *binlog)
{
	struct db_server s;
	char name[160];

	snprintf(name, sizeof(name), "parse '%s'", version);
	if (!ok(db_server_parse(&s, version, comment) == RR_OK, name))
		return;
	is_int(s.engine, engine, "  engine");
	is_int(s.version, num, "  version number");
	is_str(s.dialect->name, dialect, "  dialect");
	is_str(s.dialect->set_external_master, set_master, "  set master");
	is_str(s.dialect->show_replica_status, show_status, "  status stmt");
	is_str(s.dialect->col_exec_source_log_pos, exec_col, "  exec column");
	is_str(s.dialect->show_binlog_status, binlog, "  binlog status");
}

static void
test_dialect(void)
{
	struct db_server s;

	check_server("8.0.21", "MySQL Community Server - GPL",
	    DB_ENGINE_MYSQL, 80021, "mysql-5.7", "rds_set_external_master",
	    "SHOW SLAVE STATUS", "Exec_Master_Log_Pos", "SHOW MASTER STATUS");
	check_server("8.0.36", "Source distribution", DB_ENGINE_MYSQL, 80036,
	    "mysql-8.0", "rds_set_external_master", "SHOW REPLICA STATUS",
	    "Exec_Source_Log_Pos", "SHOW MASTER STATUS");
	check_server("8.4.3", NULL, DB_ENGINE_MYSQL, 80403, "mysql-8.4",
	    "rds_set_external_source", "SHOW REPLICA STATUS",
	    "Exec_Source_Log_Pos", "SHOW BINARY LOG STATUS");
	check_server("10.11.9-MariaDB-log", "managed by "
	    "https://aws.amazon.com/rds/", DB_ENGINE_MARIADB, 101109,
	    "mariadb", "rds_set_external_master", "SHOW SLAVE STATUS",
	    "Exec_Master_Log_Pos", "SHOW MASTER STATUS");
	check_server("11.4-MariaDB", NULL, DB_ENGINE_MARIADB, 110400,
	    "mariadb", "rds_set_external_master", "SHOW SLAVE STATUS",
	    "Exec_Master_Log_Pos", "SHOW MASTER STATUS");
	check_server("5.7.44-log", NULL, DB_ENGINE_MYSQL, 50744, "mysql-5.7",
	    "rds_set_external_master", "SHOW SLAVE STATUS",
	    "Exec_Master_Log_Pos", "SHOW MASTER STATUS");
	/* engine from the comment alone */
	ok(db_server_parse(&s, "10.6.16", "MariaDB Server") == RR_OK &&
	    s.engine == DB_ENGINE_MARIADB, "MariaDB from @@version_comment");
	is_str(db_dialect_for(DB_ENGINE_MYSQL, 80400)->reset_external_master,
	    "rds_reset_external_source", "8.4 reset source");
	is_str(db_dialect_for(DB_ENGINE_MYSQL, 80022)->col_io_running,
	    "Replica_IO_Running", "8.0.22 Replica_IO_Running");
	is_str(db_dialect_for(DB_ENGINE_MYSQL, 80022)->col_seconds_behind,
	    "Seconds_Behind_Source", "8.0.22 Seconds_Behind_Source");
	is_str(db_dialect_for(DB_ENGINE_MARIADB, 101100)->col_relay_source_log_file,
	    "Relay_Master_Log_File", "MariaDB Relay_Master_Log_File");
	ok(db_server_parse(&s, "garbage", NULL) == RR_ERR_DB,
	    "unparsable version refused");
	ok(db_server_parse(&s, "8", NULL) == RR_ERR_DB,
	    "version without minor refused");
}

static void
check_redact(const char *in, const char *want, const char *name)
{
	char *got = db_redact_sql(in);

	is_str(got, want, name);
	free(got);
}

static void
test_redact(void)
{
	check_redact("CREATE USER 'r'@'%' IDENTIFIED BY 's3cr3t' REQUIRE SSL",
	    "CREATE USER 'r'@'%' IDENTIFIED BY '<redacted>' REQUIRE SSL",
	    "IDENTIFIED BY");
	check_redact("alter user r@h identified by password '*ABC'",
	    "alter user r@h identified by password '<redacted>'",
	    "IDENTIFIED BY PASSWORD, lower case");
	check_redact("CREATE USER u IDENTIFIED WITH caching_sha2_password BY "
	    "'p''w'", "CREATE USER u IDENTIFIED WITH caching_sha2_password "
	    "BY '<redacted>'", "IDENTIFIED WITH ... BY, doubled quote");
	check_redact("CREATE USER u IDENTIFIED WITH 'mysql_native_password' "
	    "AS '*94BDCEBE'", "CREATE USER u IDENTIFIED WITH 'mysql_native_password' "
	    "AS '<redacted>'", "IDENTIFIED WITH ... AS");
	check_redact("SET PASSWORD FOR u = PASSWORD('x\\'y')",
	    "SET PASSWORD FOR u = PASSWORD('<redacted>')", "PASSWORD()");
	check_redact("CHANGE MASTER TO MASTER_HOST='h', MASTER_PASSWORD='pw', "
	    "MASTER_PORT=1", "CHANGE MASTER TO MASTER_HOST='h', "
	    "MASTER_PASSWORD='<redacted>', MASTER_PORT=1", "MASTER_PASSWORD");
	check_redact("CALL mysql.rds_set_external_master('h', 3306, 'repl', "
	    "'pa,ss)', 'bin.000001', 4, 1)", "CALL "
	    "mysql.rds_set_external_master('h', 3306, 'repl', '<redacted>', "
	    "'bin.000001', 4, 1)", "rds_set_external_master 4th argument");
	check_redact("call `mysql`.`rds_set_external_source_with_auto_position`"
	    "(\"h\", 3306, \"u\", @pw, 0)", "call `mysql`."
	    "`rds_set_external_source_with_auto_position`(\"h\", 3306, \"u\", "
	    "'<redacted>', 0)", "rds_set_external_source, variable argument");
	check_redact("CREATE USER u IDENTIFIED BY 'unterminated",
	    "CREATE USER u IDENTIFIED BY '<redacted>'", "unterminated literal");
	check_redact("SELECT 'by' FROM t ORDER BY 'x'",
	    "SELECT 'by' FROM t ORDER BY 'x'", "BY without IDENTIFIED kept");
	check_redact("SELECT password FROM mysql.user WHERE user = 'x'",
	    "SELECT password FROM mysql.user WHERE user = 'x'",
	    "a password column is not a secret");
	check_redact("CREATE USER a IDENTIFIED BY 'p1'; SELECT 'ok' AS x",
	    "CREATE USER a IDENTIFIED BY '<redacted>'; SELECT 'ok' AS x",
	    "state reset at ';'");
}

static void
test_sanitise(void)
{
	char *m;

	m = db_sanitise_message("You have an error in your SQL syntax; check "
	    "the manual near 'Zq9-pw' REQUIRE SSL' at line 1", 1064,
	    "Zq9-pw", 6);
	ok(strstr(m, "Zq9-pw") == NULL, "parse error: secret gone");
	ok(strstr(m, "near <redacted>") != NULL, "parse error: near dropped");
	free(m);
	m = db_sanitise_message("Access denied for Zq9-pw and Zq9-pw", 1045,
	    "Zq9-pw", 6);
	is_str(m, "Access denied for <redacted> and <redacted>",
	    "every occurrence scrubbed");
	free(m);
	m = db_sanitise_message("Error 'x' on query. Query: 'CREATE USER "
	    "'r'@'h' IDENTIFIED BY PASSWORD '*0A1B9F''", 0, NULL, 0);
	ok(strstr(m, "0A1B9F") == NULL, "Last_SQL_Error quoting a statement");
	free(m);
	m = db_sanitise_message("Access denied for user 'a'@'h' (using "
	    "password: YES)", 1045, NULL, 0);
	is_str(m, "Access denied for user 'a'@'h' (using password: YES)",
	    "'using password: YES' kept");
	free(m);
	m = db_sanitise_message("near 'MASTER_PASSWORD = 'Zq', MASTER_PORT'",
	    1064, NULL, 0);
	ok(strstr(m, "Zq") == NULL, "MASTER_PASSWORD in a quoted fragment");
	free(m);
	m = db_sanitise_message("Duplicate entry '1' for key 'PRIMARY'", 1062,
	    NULL, 0);
	is_str(m, "Duplicate entry '1' for key 'PRIMARY'",
	    "ordinary message kept");
	free(m);
}

static void
test_misc(void)
{
	struct db_conn c = { 0 };

	ok(db_binlog_pos_cmp("bin.000010", 4, "bin.000009", 900) > 0,
	    "binlog: numeric file order");
	ok(db_binlog_pos_cmp("bin.000009", 4, "bin.000009", 900) < 0,
	    "binlog: position order");
	ok(db_binlog_pos_cmp("bin.000009", 900, "bin.000009", 900) == 0,
	    "binlog: equal");
	ok(db_binlog_pos_cmp("mysql-bin-changelog.1000000", 4,
	    "mysql-bin-changelog.999999", 4) > 0, "binlog: wider number");

	ok(db_check_repl_password("Ab3-_.~xYz", 10) == RR_OK,
	    "password: printable ok");
	ok(db_check_repl_password("a'b", 3) == RR_ERR_USAGE,
	    "password: quote refused");
	ok(db_check_repl_password("a b", 3) == RR_ERR_USAGE,
	    "password: space refused");
	ok(db_check_repl_password("abcdefghijabcdefghijabcdefghijabc", 33) ==
	    RR_ERR_USAGE, "password: 33 characters refused");
	ok(strstr(rr_lasterr(), "abcdefghij") == NULL,
	    "password: not in the message");
	ok(db_check_repl_password("", 0) == RR_ERR_USAGE,
	    "password: empty refused");

	c.user = "repl";
	c.command = "Binlog Dump";
	ok(db_conn_is_system(&c), "Binlog Dump spared");
	c.user = "rdsadmin";
	c.command = "Sleep";
	ok(db_conn_is_system(&c), "rdsadmin spared");
	c.user = "app";
	c.command = "Query";
	ok(!db_conn_is_system(&c), "client connection not spared");

	is_str(db_thread_name(DB_THREAD_CONNECTING), "Connecting",
	    "thread name");
}

int
main(void)
{
	test_dialect();
	test_redact();
	test_sanitise();
	test_misc();
	return tap_done();
}
