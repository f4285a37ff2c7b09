/*
 * repl.c - binlog coordinates, replication status and the mysql.rds_*
 * procedures.  Names come from the dialect (dialect.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db-int.h"
#include "log.h"
#include "xmalloc.h"

enum rr_err
db_global_var(struct db *db, const char *name, char **value)
{
	char *sql;
	const char *p;
	enum rr_err err;

	*value = NULL;
	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			break;
	if (*name == '\0' || *p != '\0')
		return rr_seterr(RR_ERR_USAGE, "'%s' is not a variable name",
		    name);
	sql = xasprintf("SELECT @@GLOBAL.%s", name);
	err = db_select_str(db, sql, value);
	free(sql);
	return err;
}

enum rr_err
db_read_only(struct db *db, int *on)
{
	char *v = NULL;
	enum rr_err err;

	*on = 0;
	if ((err = db_global_var(db, "read_only", &v)) != RR_OK)
		goto out;
	*on = v != NULL && (strcmp(v, "1") == 0 || strcasecmp(v, "ON") == 0);
out:
	free(v);
	return err;
}

enum rr_err
db_binlog_status(struct db *db, char **file, uint64_t *pos)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int cf, cp;
	enum rr_err err;

	*file = NULL;
	*pos = 0;
	err = db_query_res(db, db->srv.dialect->show_binlog_status, &res);
	if (err != RR_OK)
		goto out;
	if (res == NULL || (row = mysql_fetch_row(res)) == NULL) {
		err = rr_seterr(RR_ERR_DB, "binary logging is off on '%s'",
		    db->label);
		goto out;
	}
	if ((cf = db_col(res, "File")) < 0 ||
	    (cp = db_col(res, "Position")) < 0 || row[cf] == NULL ||
	    row[cp] == NULL) {
		err = rr_seterr(RR_ERR_DB, "mysql '%s': %s has no File and "
		    "Position", db->label, db->srv.dialect->show_binlog_status);
		goto out;
	}
	*file = xstrdup(row[cf]);
	*pos = strtoull(row[cp], NULL, 10);
out:
	if (res != NULL)
		mysql_free_result(res);
	return err;
}

enum rr_err
db_binlog_oldest(struct db *db, char **file)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int cn;
	enum rr_err err;

	*file = NULL;
	if ((err = db_query_res(db, "SHOW BINARY LOGS", &res)) != RR_OK)
		goto out;
	if (res == NULL || (row = mysql_fetch_row(res)) == NULL ||
	    (cn = db_col(res, "Log_name")) < 0 || row[cn] == NULL) {
		err = rr_seterr(RR_ERR_DB,
		    "mysql '%s': SHOW BINARY LOGS "
		    "lists no file",
		    db->label);
		goto out;
	}
	*file = xstrdup(row[cn]);
out:
	if (res != NULL)
		mysql_free_result(res);
	return err;
}

const char *
db_thread_name(enum db_thread t)
{
	switch (t) {
	case DB_THREAD_NO:
		return "No";
	case DB_THREAD_YES:
		return "Yes";
	case DB_THREAD_CONNECTING:
		return "Connecting";
	default:
		return "unknown";
	}
}

static enum db_thread
thread_state(const char *s)
{
	if (s == NULL)
		return DB_THREAD_UNKNOWN;
	if (strcasecmp(s, "Yes") == 0)
		return DB_THREAD_YES;
	if (strcasecmp(s, "No") == 0)
		return DB_THREAD_NO;
	if (strcasecmp(s, "Connecting") == 0)
		return DB_THREAD_CONNECTING;
	return DB_THREAD_UNKNOWN;
}

/*
 * The same column in the other namings: MySQL 8.0.22 renamed Master_ to
 * Source_ and Slave_ to Replica_; RDS for MariaDB's rds_replica_status does
 * the same but keeps Seconds_Behind_Master.
 */
static const char *const col_pairs[][2] = {
	{ "Master_Host", "Source_Host" },
	{ "Master_Port", "Source_Port" },
	{ "Master_User", "Source_User" },
	{ "Master_Log_File", "Source_Log_File" },
	{ "Read_Master_Log_Pos", "Read_Source_Log_Pos" },
	{ "Relay_Master_Log_File", "Relay_Source_Log_File" },
	{ "Exec_Master_Log_Pos", "Exec_Source_Log_Pos" },
	{ "Slave_IO_Running", "Replica_IO_Running" },
	{ "Slave_SQL_Running", "Replica_SQL_Running" },
	{ "Seconds_Behind_Master", "Seconds_Behind_Source" },
};

/* A row of replica status, read by column name. */
struct status_row {
	const char *const *names;
	const char *const *values;
	size_t n;
	const char *missing;	/* first required column not found */
};

static int
find_col(const struct status_row *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->names[i] != NULL && strcasecmp(r->names[i], name) == 0)
			return (int)i;
	return -1;
}

static const char *
col(struct status_row *r, const char *name, int required)
{
	int i = find_col(r, name);
	size_t k;

	for (k = 0; i < 0 && k < sizeof(col_pairs) / sizeof(col_pairs[0]);
	     k++) {
		if (strcmp(col_pairs[k][0], name) == 0)
			i = find_col(r, col_pairs[k][1]);
		else if (strcmp(col_pairs[k][1], name) == 0)
			i = find_col(r, col_pairs[k][0]);
	}
	if (i < 0) {
		if (required && r->missing == NULL)
			r->missing = name;
		return NULL;
	}
	return r->values[i];
}

static char *
col_dup(struct status_row *r, const char *name, int redact)
{
	const char *v = col(r, name, 1);

	if (v == NULL)
		return NULL;
	return redact ? db_sanitise_message(v, 0, NULL, 0) : xstrdup(v);
}

static unsigned long long
col_num(struct status_row *r, const char *name)
{
	const char *v = col(r, name, 1);

	return v ? strtoull(v, NULL, 10) : 0;
}

enum rr_err
db_replica_status_from_row(struct db_replica_status *st,
    const struct db_dialect *d, const char *label, const char *const *names,
    const char *const *values, size_t n)
{
	struct status_row r;
	const char *v;
	int via = st->via_rds_procedure;

	memset(st, 0, sizeof(*st));
	memset(&r, 0, sizeof(r));
	r.names = names;
	r.values = values;
	r.n = n;
	st->configured = 1;
	st->via_rds_procedure = via;
	st->io_running = thread_state(col(&r, d->col_io_running, 1));
	st->sql_running = thread_state(col(&r, d->col_sql_running, 1));
	st->source_host = col_dup(&r, d->col_source_host, 0);
	st->source_port = (unsigned)col_num(&r, d->col_source_port);
	st->source_user = col_dup(&r, d->col_source_user, 0);
	st->relay_source_log_file = col_dup(&r, d->col_relay_source_log_file,
	    0);
	st->exec_source_log_pos = col_num(&r, d->col_exec_source_log_pos);
	st->source_log_file = col_dup(&r, d->col_source_log_file, 0);
	st->read_source_log_pos = col_num(&r, d->col_read_source_log_pos);
	v = col(&r, d->col_seconds_behind, 1);
	st->seconds_behind = v ? strtol(v, NULL, 10) : -1;
	st->last_errno = (unsigned)col_num(&r, "Last_Errno");
	st->last_io_errno = (unsigned)col_num(&r, "Last_IO_Errno");
	st->last_sql_errno = (unsigned)col_num(&r, "Last_SQL_Errno");
	st->last_error = col_dup(&r, "Last_Error", 1);
	st->last_io_error = col_dup(&r, "Last_IO_Error", 1);
	st->last_sql_error = col_dup(&r, "Last_SQL_Error", 1);
	if (r.missing != NULL) {
		db_replica_status_release(st);
		return rr_seterr(RR_ERR_DB,
		    "mysql '%s': column '%s' missing "
		    "from replica status (dialect %s)",
		    label, r.missing, d->name);
	}
	return RR_OK;
}

enum rr_err
db_replica_status(struct db *db, struct db_replica_status *st)
{
	const struct db_dialect *d = db->srv.dialect;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	MYSQL_FIELD *f;
	const char **names = NULL;
	char *call = NULL;
	unsigned i, n;
	enum rr_err err = RR_OK;

	memset(st, 0, sizeof(*st));
	if (!d->status_via_procedure) {
		err = db_query_res(db, d->show_replica_status, &res);
		if (err == RR_OK || !db_errno_is_access_denied(db->last_errno))
			goto read;
		log_debug("%s: %s denied (%u), using mysql.%s", db->label,
		    d->show_replica_status, db->last_errno, d->replica_status);
		rr_clearerr();
	}
	st->via_rds_procedure = 1;
	call = xasprintf("CALL mysql.%s()", d->replica_status);
	err = db_query_res(db, call, &res);
read:
	if (err != RR_OK)
		goto out;
	if (res == NULL || (row = mysql_fetch_row(res)) == NULL)
		goto out; /* not a replica */
	n = mysql_num_fields(res);
	f = mysql_fetch_fields(res);
	names = xcalloc(n + 1, sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = f[i].name;
	err = db_replica_status_from_row(st, d, db->label, names,
	    (const char *const *)row, n);
	if (err != RR_OK)
		goto out;
	log_debug("%s: io %s sql %s, exec %s:%llu, read %s:%llu, behind %ld, "
	    "errno %u", db->label, db_thread_name(st->io_running),
	    db_thread_name(st->sql_running),
	    st->relay_source_log_file ? st->relay_source_log_file : "-",
	    (unsigned long long)st->exec_source_log_pos,
	    st->source_log_file ? st->source_log_file : "-",
	    (unsigned long long)st->read_source_log_pos, st->seconds_behind,
	    st->last_errno);
out:
	if (err != RR_OK)
		db_replica_status_release(st);
	if (res != NULL)
		mysql_free_result(res);
	free(names);
	free(call);
	return err;
}

void
db_replica_status_release(struct db_replica_status *st)
{
	if (st == NULL)
		return;
	free(st->source_host);
	free(st->source_user);
	free(st->relay_source_log_file);
	free(st->source_log_file);
	free(st->last_error);
	free(st->last_io_error);
	free(st->last_sql_error);
	memset(st, 0, sizeof(*st));
}

enum rr_err
db_replica_error(const struct db_replica_status *st, const char *label)
{
	if (!st->configured)
		return RR_OK;
	if (st->last_sql_errno != 0)
		return rr_seterr(RR_ERR_REPLICATION, "replication on '%s' "
		    "stopped: sql thread error %u: %s", label,
		    st->last_sql_errno, st->last_sql_error ?
		    st->last_sql_error : "");
	if (st->last_io_errno != 0)
		return rr_seterr(RR_ERR_REPLICATION, "replication on '%s': io "
		    "thread %s, error %u: %s", label,
		    st->io_running == DB_THREAD_NO ? "stopped" : "retrying",
		    st->last_io_errno, st->last_io_error ?
		    st->last_io_error : "");
	if (st->last_errno != 0)
		return rr_seterr(RR_ERR_REPLICATION, "replication on '%s': "
		    "error %u: %s", label, st->last_errno, st->last_error ?
		    st->last_error : "");
	return RR_OK;
}

/* ---- mysql.rds_* -------------------------------------------------------- */

enum rr_err
db_rds_stop_replication(struct db *db)
{
	return db_call(db, db->srv.dialect->stop_replication, NULL, 0);
}

enum rr_err
db_rds_start_replication(struct db *db)
{
	return db_call(db, db->srv.dialect->start_replication, NULL, 0);
}

enum rr_err
db_rds_start_replication_until(struct db *db, const char *file,
    uint64_t pos)
{
	struct db_param p[2] = {
		{ .type = DB_P_STR, .s = file, .len = strlen(file) },
		{ .type = DB_P_INT, .i = (long long)pos },
	};

	if (db->srv.dialect->start_replication_until == NULL)
		return rr_seterr(RR_ERR_USAGE,
		    "mysql '%s': no "
		    "rds_start_replication_until (dialect %s)",
		    db->label, db->srv.dialect->name);
	return db_call(db, db->srv.dialect->start_replication_until, p, 2);
}

enum rr_err
db_rds_set_external_master(struct db *db, const char *host, unsigned port,
    const char *user, const char *password, size_t password_len,
    const char *log_file, uint64_t log_pos, int ssl)
{
	struct db_param p[7] = {
		{ .type = DB_P_STR, .s = host, .len = strlen(host) },
		{ .type = DB_P_INT, .i = port },
		{ .type = DB_P_STR, .s = user, .len = strlen(user) },
		{ .type = DB_P_SECRET, .s = password, .len = password_len },
		{ .type = DB_P_STR, .s = log_file, .len = strlen(log_file) },
		{ .type = DB_P_INT, .i = (long long)log_pos },
		{ .type = DB_P_INT, .i = ssl ? 1 : 0 },
	};
	enum rr_err err;

	if ((err = db_check_repl_password(password, password_len)) != RR_OK)
		return err;
	return db_call(db, db->srv.dialect->set_external_master, p, 7);
}

enum rr_err
db_rds_reset_external_master(struct db *db)
{
	return db_call(db, db->srv.dialect->reset_external_master, NULL, 0);
}

enum rr_err
db_rds_set_configuration(struct db *db, const char *name, long value)
{
	struct db_param p[2] = {
		{ .type = DB_P_STR, .s = name, .len = strlen(name) },
		{ .type = DB_P_INT, .i = value },
	};

	return db_call(db, "rds_set_configuration", p, 2);
}

enum rr_err
db_rds_show_configuration(struct db *db, const char *name, char **value)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	int cn, cv;
	enum rr_err err;

	*value = NULL;
	err = db_query_res(db, "CALL mysql.rds_show_configuration()", &res);
	if (err != RR_OK)
		goto out;
	if (res == NULL || (cn = db_col(res, "name")) < 0 ||
	    (cv = db_col(res, "value")) < 0) {
		err = rr_seterr(RR_ERR_DB, "mysql '%s': "
		    "rds_show_configuration has no name and value columns",
		    db->label);
		goto out;
	}
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[cn] != NULL && strcasecmp(row[cn], name) == 0) {
			*value = row[cv] ? xstrdup(row[cv]) : NULL;
			goto out;
		}
	}
	err = rr_seterr(RR_ERR_NOT_FOUND, "mysql '%s': no rds configuration "
	    "'%s'", db->label, name);
out:
	if (res != NULL)
		mysql_free_result(res);
	return err;
}

enum rr_err
db_rds_kill(struct db *db, unsigned long thread_id)
{
	struct db_param p[1] = {
		{ .type = DB_P_INT, .i = (long long)thread_id },
	};
	enum rr_err err;

	err = db_call(db, "rds_kill", p, 1);
	if (err != RR_OK && db->last_errno == DB_ER_NO_SUCH_THREAD) {
		log_debug("%s: connection %lu already gone", db->label,
		    thread_id);
		rr_clearerr();
		err = RR_OK;
	}
	return err;
}
