/* test-metrics.c - the Prometheus textfile of apply --metrics-file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "metrics.h"
#include "tap.h"

/* 1 when text has a line exactly equal to line. */
static int
has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while (p && (p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

int
main(void)
{
	char dir[] = "/tmp/rr-metrics.XXXXXX", path[256], *t;
	struct metrics_sample s[2];
	struct stat st;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/rdsreconcile.prom", dir);
	memset(s, 0, sizeof(s));
	snprintf(s[0].object, sizeof(s[0].object), "prod-db");
	snprintf(s[0].phase, sizeof(s[0].phase), "replicating");
	s[0].lag_s = 3;
	s[0].exit_code = EXIT_WAITING;
	s[0].run_end = 1700000000;
	snprintf(s[1].object, sizeof(s[1].object), "other-db");
	s[1].lag_s = -1;
	s[1].exit_code = EXIT_FAILED;
	s[1].run_end = 1700000000;

	ok(metrics_write(path, s, 2) == RR_OK, "metrics_write succeeds");
	t = tap_slurp(path);
	ok(t != NULL, "the file exists");
	ok(has_line(t, "rdsreconcile_phase{object=\"prod-db\",phase="
	    "\"replicating\"} 1"), "phase is a labelled gauge");
	ok(has_line(t, "rdsreconcile_replica_lag_seconds{object=\"prod-db\"} 3"),
	    "lag in seconds");
	ok(strstr(t, "rdsreconcile_replica_lag_seconds{object=\"other-db\"}") ==
	    NULL, "an unknown lag is absent, not 0 or -1");
	ok(has_line(t, "rdsreconcile_exit_code{object=\"other-db\"} 1"),
	    "exit code per object");
	ok(has_line(t, "rdsreconcile_last_success_timestamp_seconds{object="
	    "\"prod-db\"} 1700000000"), "a gate wait counts as a success");
	ok(strstr(t, "last_success_timestamp_seconds{object=\"other-db\"}") ==
	    NULL, "a failed run with no earlier success has none");
	ok(has_line(t, "# TYPE rdsreconcile_phase gauge"), "TYPE lines");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644,
	    "mode 0644 for the collector");

	/* The next run fails: last success stays from the file. */
	s[0].exit_code = EXIT_FAILED;
	s[0].run_end = 1700000600;
	ok(metrics_write(path, s, 1) == RR_OK, "second write succeeds");
	free(t);
	t = tap_slurp(path);
	ok(has_line(t, "rdsreconcile_last_success_timestamp_seconds{object="
	    "\"prod-db\"} 1700000000"), "a failed run keeps the last success");
	ok(has_line(t, "rdsreconcile_last_run_timestamp_seconds{object="
	    "\"prod-db\"} 1700000600"), "the last run moves on");

	ok(metrics_write("/nonexistent-dir/x.prom", s, 1) == RR_ERR_IO,
	    "an unwritable path is RR_ERR_IO");
	free(t);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
