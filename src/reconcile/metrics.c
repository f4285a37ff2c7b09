/*
 * metrics.c - the Prometheus textfile of apply --metrics-file (metrics.h).
 * Format: https://prometheus.io/docs/instrumenting/exposition_formats/
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "metrics.h"
#include "xmalloc.h"

#define LAST_SUCCESS "rdsreconcile_last_success_timestamp_seconds"

int
metrics_success(int rc)
{
	return rc == EXIT_CONVERGED || rc == EXIT_PENDING ||
	    rc == EXIT_WAITING;
}

/* The previous file's last success of object, or 0. */
static long long
previous_success(const char *path, const char *object)
{
	char line[512], want[128];
	long long v = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	snprintf(want, sizeof(want), LAST_SUCCESS "{object=\"%s\"} ", object);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, want, strlen(want)) == 0)
			v = strtoll(line + strlen(want), NULL, 10);
	fclose(f);
	return v;
}

static void
family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

enum rr_err
metrics_write(const char *path, const struct metrics_sample *s, size_t n)
{
	long long *ok = xcalloc(n ? n : 1, sizeof(*ok));
	enum rr_err e = RR_OK;
	char *tmp;
	FILE *f = NULL;
	size_t i;
	int fd;

	/* Object names are [a-z][a-z0-9-]*: nothing to escape in labels. */
	for (i = 0; i < n; i++)
		ok[i] = metrics_success(s[i].exit_code) ?
		    (long long)s[i].run_end : previous_success(path,
		    s[i].object);
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		e = rr_seterr(RR_ERR_IO, "metrics file '%s': %s", tmp,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	family(f, "rdsreconcile_phase", "Phase of the object (the phase label "
	    "is 1).");
	for (i = 0; i < n; i++)
		if (s[i].phase[0])
			fprintf(f, "rdsreconcile_phase{object=\"%s\",phase=\"%s\"}"
			    " 1\n", s[i].object, s[i].phase);
	family(f, "rdsreconcile_replica_lag_seconds", "Replication lag of "
	    "the target (Seconds_Behind_Master).");
	for (i = 0; i < n; i++)
		if (s[i].lag_s >= 0)
			fprintf(f, "rdsreconcile_replica_lag_seconds{object="
			    "\"%s\"} %ld\n", s[i].object, s[i].lag_s);
	family(f, "rdsreconcile_exit_code", "Exit code of the last run for "
	    "the object (0 converged, 2 progressing, 3 gate, 1/4/5 trouble).");
	for (i = 0; i < n; i++)
		fprintf(f, "rdsreconcile_exit_code{object=\"%s\"} %d\n",
		    s[i].object, s[i].exit_code);
	family(f, "rdsreconcile_last_run_timestamp_seconds", "When the last "
	    "run ended, Unix seconds.");
	for (i = 0; i < n; i++)
		fprintf(f, "rdsreconcile_last_run_timestamp_seconds{object="
		    "\"%s\"} %lld\n", s[i].object, (long long)s[i].run_end);
	family(f, LAST_SUCCESS, "When the last run that did not fail ended "
	    "(exit 0, 2 or 3), Unix seconds.");
	for (i = 0; i < n; i++)
		if (ok[i] > 0)
			fprintf(f, LAST_SUCCESS "{object=\"%s\"} %lld\n",
			    s[i].object, ok[i]);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		e = rr_seterr(RR_ERR_IO, "metrics file '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (rename(tmp, path) == -1)
		e = rr_seterr(RR_ERR_IO, "metrics file '%s': %s", path,
		    strerror(errno));
out:
	if (f != NULL)
		fclose(f);
	if (e != RR_OK)
		unlink(tmp);
	free(tmp);
	free(ok);
	return e;
}
