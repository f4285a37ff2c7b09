/*
 * err.h - the one error type of rdsreconcile.
 *
 * Every fallible function returns enum rr_err (0 on success).  The code says
 * what kind of failure it was, so callers can decide (retry, stop, refuse);
 * the human detail ("kms key 'alias/x' is disabled") is kept beside it in a
 * per-thread buffer set with rr_seterr() and read with rr_lasterr().
 *
 * Messages are lower case, the problem first, the subject quoted, and never
 * hold a secret.
 */
#ifndef RR_ERR_H
#define RR_ERR_H

enum rr_err {
	RR_OK = 0,
	RR_ERR_USAGE,		/* bad command line */
	RR_ERR_PARSE,		/* a desired-state or data file is invalid */
	RR_ERR_IO,		/* file, pipe or socket I/O failed */
	RR_ERR_HTTP,		/* transport failure talking to an endpoint */
	RR_ERR_AWS,		/* an AWS API answered with an error */
	RR_ERR_THROTTLED,	/* AWS throttling persisted past the retry budget */
	RR_ERR_CREDENTIALS,	/* no or unusable AWS credentials */
	RR_ERR_DB,		/* a MySQL/MariaDB error */
	RR_ERR_REPLICATION,	/* replication stopped with an error */
	RR_ERR_CRYPTO,		/* sealing, unsealing or key handling failed */
	RR_ERR_NOT_FOUND,	/* a resource that must exist does not */
	RR_ERR_NOT_OURS,	/* a resource exists but lacks our ownership tag */
	RR_ERR_REFUSED,		/* preflight: proceeding would be unsafe */
	RR_ERR_TIMEOUT,		/* a bounded wait or --timeout ran out */
	RR_ERR_LOCKED,		/* another run holds the lock */
	RR_ERR_INTERRUPTED,	/* SIGINT/SIGTERM asked us to stop */
	RR_ERR_DRY_RUN,		/* a mutation was attempted in dry-run mode */
	RR_ERR_HOOK,		/* a hook exited non-zero or could not run */
	RR_ERR_INTERNAL,	/* a bug: an invariant did not hold */
	RR_ERR__COUNT
};

/* A short fixed description of the code ("aws api error"); never NULL. */
const char *rr_strerror(enum rr_err e);

/*
 * A stable machine name of the code, for files and JSON output: "ok",
 * "usage", "parse", "io", "http", "aws", "throttled", "credentials", "db",
 * "replication", "crypto", "not-found", "not-ours", "refused", "timeout",
 * "locked", "interrupted", "dry-run", "internal"; "unknown" out of range.
 */
const char *rr_errname(enum rr_err e);

/*
 * Record a detail message for the current thread and return e, so that a
 * caller can write: return rr_seterr(RR_ERR_AWS, "copy of '%s': %s", id, c);
 * The message is truncated at 1 KiB.
 */
enum rr_err rr_seterr(enum rr_err e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last detail set on this thread, or "" when none. */
const char *rr_lasterr(void);

/* Forget the last detail. */
void rr_clearerr(void);

#endif
