/*
 * metrics.h - apply --metrics-file: Prometheus text exposition format
 * (version 0.0.4) for node_exporter's textfile collector.
 *
 * Per object (label object="metadata.name"):
 *   rdsreconcile_phase{object,phase} 1          the current phase
 *   rdsreconcile_replica_lag_seconds{object}    target's Seconds_Behind_Master,
 *                                               absent when unknown
 *   rdsreconcile_exit_code{object}              this run's code (cmd.h)
 *   rdsreconcile_last_run_timestamp_seconds{object}      Unix seconds
 *   rdsreconcile_last_success_timestamp_seconds{object}  the last run that
 *       did not fail (exit 0, 2 or 3); kept from the previous file when this
 *       run failed, absent when no run has succeeded yet
 *
 * The file is replaced atomically (a temporary file in its directory, then
 * rename), as the textfile collector requires, mode 0644.
 */
#ifndef RR_METRICS_H
#define RR_METRICS_H

#include <stddef.h>
#include <time.h>

#include "err.h"

struct metrics_sample {
	char object[64];	/* metadata.name */
	char phase[32];		/* report_phase(), "" when unknown */
	long lag_s;		/* seconds, -1 when unknown */
	int exit_code;		/* enum rr_exit */
	time_t run_end;		/* Unix seconds */
};

/* 1 when exit code rc counts as a success for last_success. */
int metrics_success(int rc);

/*
 * Write samples[0..n) to path.  The previous file, if any, supplies
 * last_success for objects whose run failed.  RR_ERR_IO with the path and
 * errno on failure; the previous file is then left as it was.
 */
enum rr_err metrics_write(const char *path, const struct metrics_sample *s,
    size_t n);

#endif
