/*
 * metrics.c - the Prometheus textfile of apply --metrics-file (metrics.h).
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "fileio.h"
#include "metrics.h"
#include "xmalloc.h"

#define LAST_SUCCESS "rdsreconcile_last_success_timestamp_seconds"

/* A textfile is small; a larger one is not ours to parse. */
#define METRICS_MAX_FILE (1 << 20)

int
metrics_success(int rc)
{
	return rc == EXIT_CONVERGED || rc == EXIT_PENDING ||
	    rc == EXIT_WAITING;
}

/* object's last success in the previous file's text, or 0. */
static long long
previous_success(const char *prev, const char *object)
{
	char want[128];
	const char *p = prev;
	long long v = 0;
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), LAST_SUCCESS
	    "{object=\"%s\"} ", object);
	for (; (p = strstr(p, want)) != NULL; p += n)
		if (p == prev || p[-1] == '\n')
			v = strtoll(p + n, NULL, 10);
	return v;
}

static void
family(struct buf *b, const char *name, const char *help)
{
	buf_appendf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

enum rr_err
metrics_write(const char *path, const struct metrics_sample *s, size_t n)
{
	struct buf prev, b = BUF_INIT;
	long long *ok = xcalloc(n ? n : 1, sizeof(*ok));
	enum rr_err e;
	size_t i;

	/* The previous file keeps last_success across failed runs. */
	if (file_read(&prev, path, METRICS_MAX_FILE, "metrics file") != RR_OK)
		buf_init(&prev, 0);
	for (i = 0; i < n; i++)
		ok[i] = metrics_success(s[i].exit_code) ?
		    (long long)s[i].run_end :
		    previous_success(buf_str(&prev), s[i].object);
	buf_release(&prev);

	/* Object names are [a-z][a-z0-9-]*: nothing to escape in labels. */
	family(&b, "rdsreconcile_phase", "Phase of the object (the phase label "
	    "is 1).");
	for (i = 0; i < n; i++)
		if (s[i].phase[0])
			buf_appendf(&b, "rdsreconcile_phase{object=\"%s\","
			    "phase=\"%s\"} 1\n", s[i].object, s[i].phase);
	family(&b, "rdsreconcile_replica_lag_seconds", "Replication lag of "
	    "the target (Seconds_Behind_Master).");
	for (i = 0; i < n; i++)
		if (s[i].lag_s >= 0)
			buf_appendf(&b, "rdsreconcile_replica_lag_seconds{object="
			    "\"%s\"} %ld\n", s[i].object, s[i].lag_s);
	family(&b, "rdsreconcile_exit_code", "Exit code of the last run for "
	    "the object (0 converged, 2 progressing, 3 gate, 1/4/5 trouble).");
	for (i = 0; i < n; i++)
		buf_appendf(&b, "rdsreconcile_exit_code{object=\"%s\"} %d\n",
		    s[i].object, s[i].exit_code);
	family(&b, "rdsreconcile_last_run_timestamp_seconds", "When the last "
	    "run ended, Unix seconds.");
	for (i = 0; i < n; i++)
		buf_appendf(&b, "rdsreconcile_last_run_timestamp_seconds{object="
		    "\"%s\"} %lld\n", s[i].object, (long long)s[i].run_end);
	family(&b, LAST_SUCCESS, "When the last run that did not fail ended "
	    "(exit 0, 2 or 3), Unix seconds.");
	for (i = 0; i < n; i++)
		if (ok[i] > 0)
			buf_appendf(&b, LAST_SUCCESS "{object=\"%s\"} %lld\n",
			    s[i].object, ok[i]);
	e = file_write_atomic(path, buf_str(&b), b.len, 0644, 0, NULL);
	buf_release(&b);
	free(ok);
	return e;
}
