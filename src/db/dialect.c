/*
 * dialect.c - server identity and the names that depend on it.
 *
 * One table; db_dialect_for() picks the row.  Sources are listed in db.h.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define MASTER_COLUMNS							\
	.col_source_host = "Master_Host",				\
	.col_source_port = "Master_Port",				\
	.col_source_user = "Master_User",				\
	.col_source_log_file = "Master_Log_File",			\
	.col_read_source_log_pos = "Read_Master_Log_Pos",		\
	.col_relay_source_log_file = "Relay_Master_Log_File",		\
	.col_exec_source_log_pos = "Exec_Master_Log_Pos",		\
	.col_io_running = "Slave_IO_Running",				\
	.col_sql_running = "Slave_SQL_Running",				\
	.col_seconds_behind = "Seconds_Behind_Master"

#define SOURCE_COLUMNS							\
	.col_source_host = "Source_Host",				\
	.col_source_port = "Source_Port",				\
	.col_source_user = "Source_User",				\
	.col_source_log_file = "Source_Log_File",			\
	.col_read_source_log_pos = "Read_Source_Log_Pos",		\
	.col_relay_source_log_file = "Relay_Source_Log_File",		\
	.col_exec_source_log_pos = "Exec_Source_Log_Pos",		\
	.col_io_running = "Replica_IO_Running",				\
	.col_sql_running = "Replica_SQL_Running",			\
	.col_seconds_behind = "Seconds_Behind_Source"

#define MASTER_PROCEDURES						\
	.set_external_master = "rds_set_external_master",		\
	.reset_external_master = "rds_reset_external_master",		\
	.start_replication = "rds_start_replication",			\
	.start_replication_until = "rds_start_replication_until",	\
	.stop_replication = "rds_stop_replication",			\
	.replica_status = "rds_replica_status"

enum {
	D_MARIADB,
	D_MYSQL57,	/* MySQL < 8.0.22 */
	D_MYSQL80,	/* MySQL 8.0.22 .. 8.3 */
	D_MYSQL84,	/* MySQL 8.4 and later */
};

static const struct db_dialect dialects[] = {
	[D_MARIADB] = {
		.name = "mariadb",
		MASTER_PROCEDURES,
		.show_replica_status = "SHOW SLAVE STATUS",
		.show_binlog_status = "SHOW MASTER STATUS",
		MASTER_COLUMNS,
		.hash_repl_password = 1,
	},
	[D_MYSQL57] = {
		.name = "mysql-5.7",
		MASTER_PROCEDURES,
		.show_replica_status = "SHOW SLAVE STATUS",
		.show_binlog_status = "SHOW MASTER STATUS",
		MASTER_COLUMNS,
	},
	[D_MYSQL80] = {
		.name = "mysql-8.0",
		MASTER_PROCEDURES,
		.show_replica_status = "SHOW REPLICA STATUS",
		.show_binlog_status = "SHOW MASTER STATUS",
		SOURCE_COLUMNS,
	},
	[D_MYSQL84] = {
		.name = "mysql-8.4",
		.set_external_master = "rds_set_external_source",
		.reset_external_master = "rds_reset_external_source",
		.start_replication = "rds_start_replication",
		.start_replication_until = "rds_start_replication_until",
		.stop_replication = "rds_stop_replication",
		.replica_status = "rds_replica_status",
		.show_replica_status = "SHOW REPLICA STATUS",
		.show_binlog_status = "SHOW BINARY LOG STATUS",
		SOURCE_COLUMNS,
	},
};

const struct db_dialect *
db_dialect_for(enum db_engine engine, unsigned version)
{
	if (engine == DB_ENGINE_MARIADB)
		return &dialects[D_MARIADB];
	if (version >= 80400)
		return &dialects[D_MYSQL84];
	if (version >= 80022)
		return &dialects[D_MYSQL80];
	return &dialects[D_MYSQL57];
}

/* Parse up to three dot-separated numbers; returns how many were read. */
static int
parse_numbers(const char *s, unsigned v[3])
{
	char *end;
	int n;

	for (n = 0; n < 3; n++) {
		unsigned long x;

		if (*s < '0' || *s > '9')
			break;
		x = strtoul(s, &end, 10);
		if (x > 99 && n > 0)
			return -1;
		v[n] = (unsigned)x;
		s = end;
		if (*s != '.')
			return n + 1;
		s++;
	}
	return n;
}

enum rr_err
db_server_parse(struct db_server *out, const char *version,
    const char *comment)
{
	unsigned v[3] = { 0, 0, 0 };
	int n;

	if (version == NULL || (n = parse_numbers(version, v)) < 2 ||
	    v[0] > 999)
		return rr_seterr(RR_ERR_DB, "server version '%s' is not "
		    "understood", version ? version : "(null)");
	out->engine = DB_ENGINE_MYSQL;
	if (strstr(version, "MariaDB") != NULL ||
	    (comment != NULL && strstr(comment, "MariaDB") != NULL))
		out->engine = DB_ENGINE_MARIADB;
	out->version = v[0] * 10000 + v[1] * 100 + v[2];
	out->dialect = db_dialect_for(out->engine, out->version);
	return RR_OK;
}

/*
 * What RDS decides by engine and version; statements and SHOW columns stay
 * the server's.  Sources in db.h.
 */
enum {
	R_MARIADB,    /* RDS for MariaDB before 10.5 */
	R_MARIADB105, /* RDS for MariaDB 10.5 and later */
	R_MYSQL,      /* RDS for MySQL 8.0 and earlier */
	R_MYSQL84,    /* RDS for MySQL 8.4 and later */
};

static const char *const rds_names[] = {
	[R_MARIADB] = "rds-mariadb",
	[R_MARIADB105] = "rds-mariadb-10.5+",
	[R_MYSQL] = "rds-mysql",
	[R_MYSQL84] = "rds-mysql-8.4+",
};

void
db_dialect_for_rds(struct db_dialect *out, const struct db_dialect *server,
    const char *engine, const char *engine_version)
{
	unsigned v[3] = { 0, 0, 0 }, version;
	int row;

	*out = *server;
	if (engine == NULL || engine_version == NULL ||
	    parse_numbers(engine_version, v) < 2)
		return;
	version = v[0] * 10000 + v[1] * 100 + v[2];
	if (strcmp(engine, "mariadb") == 0)
		row = version >= 100500 ? R_MARIADB105 : R_MARIADB;
	else if (strcmp(engine, "mysql") == 0)
		row = version >= 80400 ? R_MYSQL84 : R_MYSQL;
	else
		return;
	out->name = rds_names[row];
	out->set_external_master = "rds_set_external_master";
	out->reset_external_master = "rds_reset_external_master";
	out->replica_status = "rds_replica_status";
	out->status_via_procedure = 0;
	if (row == R_MYSQL84) {
		out->set_external_master = "rds_set_external_source";
		out->reset_external_master = "rds_reset_external_source";
	}
	/* RDS for MariaDB has no rds_start_replication_until. */
	out->start_replication_until = "rds_start_replication_until";
	if (row == R_MARIADB || row == R_MARIADB105)
		out->start_replication_until = NULL;
	if (row == R_MARIADB105) {
		/* The page's example: Source_/Replica_, Seconds_Behind_Master. */
		out->status_via_procedure = 1;
		out->col_source_host = "Source_Host";
		out->col_source_port = "Source_Port";
		out->col_source_user = "Source_User";
		out->col_source_log_file = "Source_Log_File";
		out->col_read_source_log_pos = "Read_Source_Log_Pos";
		out->col_relay_source_log_file = "Relay_Source_Log_File";
		out->col_exec_source_log_pos = "Exec_Source_Log_Pos";
		out->col_io_running = "Replica_IO_Running";
		out->col_sql_running = "Replica_SQL_Running";
		out->col_seconds_behind = "Seconds_Behind_Master";
	}
}
