/*
 * lastrun.h - the last action a run took on an object, for `status`.
 *
 * After each act() the loop records what it did in
 * STATE_DIR/METADATA.NAME.last.json (spec.credentials.stateDir, the
 * directory that holds the sealed replication password), mode 0600,
 * replaced atomically (a temporary file in the same directory, fsync,
 * rename):
 *
 *   {"time": "2026-11-22T04:00:00Z", "action": "create-snapshot",
 *    "what": "snapshot 'db-enc-rr-tmp' as 'db-enc-freeze' (at ...)",
 *    "result": "ok"}
 *
 * time is RFC 3339 UTC to the second; action is action_name(); what is the
 * step's what text (resource names and binlog coordinates, never a
 * secret); result is "ok" or rr_errname() of the failure ("aws", "db",
 * ...).  The error detail is not kept: it comes from servers and is not
 * ours to vouch for.  The file is audit only: nothing is decided from it.
 */
#ifndef RR_LASTRUN_H
#define RR_LASTRUN_H

#include <time.h>

#include "err.h"

struct desired;
struct step;

struct lastrun {
	char time[32];		/* "YYYY-MM-DDTHH:MM:SSZ" */
	char action[64];	/* action_name() */
	char what[256];		/* step.what */
	char result[32];	/* "ok" or rr_errname() */
};

/* The file's path for d; the caller frees it. */
char *lastrun_path(const struct desired *d);

/*
 * Record that step s, a STEP_ACT (RR_ERR_INTERNAL otherwise), ended with
 * result at when (UTC seconds).  The state directory is created (0700,
 * one level) when missing.  RR_ERR_IO when the file cannot be written;
 * the previous record is then left intact.
 */
enum rr_err lastrun_write(const struct desired *d, const struct step *s,
    enum rr_err result, time_t when);

/*
 * Read d's record into *out.  RR_ERR_NOT_FOUND when there is none yet,
 * RR_ERR_PARSE when it is not what lastrun_write() writes (a time in that
 * form, a known action, "ok" or a known error name), RR_ERR_IO when it
 * cannot be read.
 */
enum rr_err lastrun_read(const struct desired *d, struct lastrun *out);

#endif
