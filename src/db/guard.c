/*
 * guard.c - what holds the cut-over before the source is fenced: the oldest
 * open transaction and sessions running DDL or waiting on a metadata lock.
 *
 * Read-only (information_schema), and the statements' text never leaves
 * the server but for its first word: a DDL may carry a password
 * (CREATE USER ... IDENTIFIED BY).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db-int.h"
#include "xmalloc.h"

void
db_session_release(struct db_session *s)
{
	if (s == NULL)
		return;
	free(s->user);
	free(s->host);
	free(s->state);
	memset(s, 0, sizeof(*s));
}

static char *
dup_or_empty(const char *s)
{
	return xstrdup(s != NULL ? s : "");
}

enum rr_err
db_oldest_transaction(struct db *db, struct db_session *out, int *found)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	enum rr_err err;

	memset(out, 0, sizeof(*out));
	*found = 0;
	/* trx_query is never read: it may hold a secret. */
	err = db_query_res(db,
	    "SELECT t.trx_mysql_thread_id, "
	    "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), t.trx_state, "
	    "p.USER, p.HOST "
	    "FROM information_schema.INNODB_TRX t "
	    "LEFT JOIN information_schema.PROCESSLIST p "
	    "ON p.ID = t.trx_mysql_thread_id "
	    "WHERE t.trx_mysql_thread_id <> CONNECTION_ID() "
	    "ORDER BY t.trx_started, t.trx_mysql_thread_id LIMIT 1",
	    &res);
	if (err != RR_OK || res == NULL || (row = mysql_fetch_row(res)) == NULL)
		goto out;
	out->id = row[0] ? strtoul(row[0], NULL, 10) : 0;
	out->age_s = row[1] ? strtol(row[1], NULL, 10) : 0;
	if (out->age_s < 0) /* a clock step between start and now */
		out->age_s = 0;
	out->state = dup_or_empty(row[2]);
	out->user = dup_or_empty(row[3]);
	out->host = dup_or_empty(row[4]);
	*found = 1;
out:
	if (res != NULL)
		mysql_free_result(res);
	return err;
}

/* The statements that change a schema, by their first word. */
static int
is_ddl_keyword(const char *w)
{
	static const char *const kw[] = {
		"ALTER",
		"CREATE",
		"DROP",
		"RENAME",
		"TRUNCATE",
		"OPTIMIZE",
	};
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strcasecmp(w, kw[i]) == 0)
			return 1;
	return 0;
}

/* A STATE that waits on a metadata lock, or on the locks FLUSH TABLES
 * WITH READ LOCK takes (MySQL 8.0 Reference Manual, "General Thread
 * States": "Waiting for lock_type lock"; MariaDB uses the same words). */
static int
is_mdl_wait(const char *state)
{
	size_t n = strlen(state);

	if (strncasecmp(state, "Waiting for ", 12) != 0)
		return 0;
	return (n >= 19 && strcasecmp(state + n - 19, " metadata lock") == 0) ||
	    strcasecmp(state, "Waiting for global read lock") == 0 ||
	    strcasecmp(state, "Waiting for commit lock") == 0;
}

enum rr_err
db_ddl_sessions(struct db *db, struct db_session *oldest, unsigned *n)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	enum rr_err err;

	memset(oldest, 0, sizeof(*oldest));
	*n = 0;
	/*
	 * Only the first word of INFO, after blanks, tabs and line breaks
	 * (CHAR() rather than escapes: NO_BACKSLASH_ESCAPES may be set).
	 * Oldest first, so the first match is the one named.
	 */
	err = db_query_res(db,
	    "SELECT ID, USER, HOST, TIME, STATE, "
	    "UPPER(SUBSTRING_INDEX(TRIM(REPLACE(REPLACE(REPLACE("
	    "LEFT(INFO, 64), CHAR(10), ' '), CHAR(13), ' '), CHAR(9), ' ')), "
	    "' ', 1)) "
	    "FROM information_schema.PROCESSLIST "
	    "WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Sleep', "
	    "'Daemon', 'Binlog Dump', 'Binlog Dump GTID') "
	    "ORDER BY TIME DESC, ID",
	    &res);
	if (err != RR_OK || res == NULL)
		goto out;
	while ((row = mysql_fetch_row(res)) != NULL) {
		const char *state = row[4] ? row[4] : "";
		const char *word = row[5] ? row[5] : "";
		int ddl = is_ddl_keyword(word), mdl = is_mdl_wait(state);

		if (!ddl && !mdl)
			continue;
		if ((*n)++ > 0)
			continue;
		oldest->id = row[0] ? strtoul(row[0], NULL, 10) : 0;
		oldest->user = dup_or_empty(row[1]);
		oldest->host = dup_or_empty(row[2]);
		oldest->age_s = row[3] ? strtol(row[3], NULL, 10) : 0;
		if (!ddl)
			oldest->state = xstrdup(state);
		else if (*state != '\0')
			oldest->state = xasprintf("%s, %s", word, state);
		else
			oldest->state = xstrdup(word);
	}
out:
	if (res != NULL)
		mysql_free_result(res);
	return err;
}
