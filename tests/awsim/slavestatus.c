/*
 * slavestatus.c - the UDF behind the stand-in's mysql.rds_replica_status.
 *
 * RDS for MariaDB 10.5+ answers CALL mysql.rds_replica_status with the row of
 * SHOW SLAVE STATUS under Source_* / Replica_* names.  MariaDB 10.11 can
 * neither rename the columns of a SHOW nor read its row from SQL
 * (information_schema.SLAVE_STATUS arrives in 11.6), so this function runs
 * SHOW SLAVE STATUS on a connection of its own, over the server's unix
 * socket as root (unix_socket authentication: mariadbd runs as root), and
 * returns the row as one JSON object {"Column": "value" or null, ...}, or
 * NULL when the server is not a replica; the procedure renames the columns.
 * It runs nothing but SHOW SLAVE STATUS, so it shows no more than the
 * procedure does.
 *
 * Built by mariadb/install.py: cc -shared -fPIC ... -lmariadb.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

struct out {
	char *p;
	size_t len, cap;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->p == NULL)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *p = realloc(o->p, cap);

		if (p == NULL) {
			free(o->p);
			o->p = NULL;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
put_json_string(struct out *o, const char *s, size_t n)
{
	size_t i;
	char esc[8];

	put(o, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(o, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(o, esc, 6);
		} else {
			put(o, (const char *)&s[i], 1);
		}
	}
	put(o, "\"", 1);
}

my_bool
awsim_slave_status_init(UDF_INIT *initid, UDF_ARGS *args, char *message)
{
	if (args->arg_count != 1 || args->arg_type[0] != STRING_RESULT) {
		strcpy(message, "awsim_slave_status(socket_path)");
		return 1;
	}
	initid->maybe_null = 1;
	initid->max_length = 65535;
	initid->const_item = 0;
	initid->ptr = NULL;
	return 0;
}

void
awsim_slave_status_deinit(UDF_INIT *initid)
{
	free(initid->ptr);
}

char *
awsim_slave_status(UDF_INIT *initid, UDF_ARGS *args, char *result,
    unsigned long *length, char *is_null, char *error)
{
	struct out o = { malloc(1024), 0, 1024 };
	char socket[4096];
	unsigned int timeout = 10, i, n;
	MYSQL *m = NULL;
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	MYSQL_FIELD *f;
	unsigned long *lens;

	(void)result;
	*is_null = 1;
	free(initid->ptr);
	initid->ptr = NULL;
	if (args->args[0] == NULL || args->lengths[0] >= sizeof(socket) ||
	    o.p == NULL)
		goto fail;
	memcpy(socket, args->args[0], args->lengths[0]);
	socket[args->lengths[0]] = '\0';
	if ((m = mysql_init(NULL)) == NULL)
		goto fail;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
	if (mysql_real_connect(m, NULL, "root", NULL, NULL, 0, socket, 0) ==
	    NULL || mysql_query(m, "SHOW SLAVE STATUS") != 0 ||
	    (res = mysql_store_result(m)) == NULL)
		goto fail;
	if ((row = mysql_fetch_row(res)) == NULL) {
		free(o.p);	/* not a replica: NULL */
		o.p = NULL;
		goto out;
	}
	n = mysql_num_fields(res);
	f = mysql_fetch_fields(res);
	lens = mysql_fetch_lengths(res);
	put(&o, "{", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(&o, ",", 1);
		put_json_string(&o, f[i].name, strlen(f[i].name));
		put(&o, ":", 1);
		if (row[i] == NULL)
			put(&o, "null", 4);
		else
			put_json_string(&o, row[i], lens[i]);
	}
	put(&o, "}", 1);
	if (o.p == NULL)
		goto fail;
	initid->ptr = o.p;
	*length = o.len;
	*is_null = 0;
	o.p = NULL;
	goto out;
fail:
	*error = 1;
	free(o.p);
	o.p = NULL;
out:
	if (res != NULL)
		mysql_free_result(res);
	if (m != NULL)
		mysql_close(m);
	return initid->ptr;
}
