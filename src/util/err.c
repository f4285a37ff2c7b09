/* err.c - error codes and the per-thread detail message. */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

static _Thread_local char lasterr[1024];

static const char *const names[RR_ERR__COUNT] = {
	[RR_OK] = "success",
	[RR_ERR_USAGE] = "usage error",
	[RR_ERR_PARSE] = "invalid input",
	[RR_ERR_IO] = "i/o error",
	[RR_ERR_HTTP] = "http transport error",
	[RR_ERR_AWS] = "aws api error",
	[RR_ERR_THROTTLED] = "aws throttling",
	[RR_ERR_CREDENTIALS] = "aws credentials error",
	[RR_ERR_DB] = "database error",
	[RR_ERR_REPLICATION] = "replication error",
	[RR_ERR_CRYPTO] = "crypto error",
	[RR_ERR_NOT_FOUND] = "not found",
	[RR_ERR_NOT_OURS] = "resource not owned by this object",
	[RR_ERR_REFUSED] = "refused",
	[RR_ERR_TIMEOUT] = "timed out",
	[RR_ERR_LOCKED] = "locked by another run",
	[RR_ERR_INTERRUPTED] = "interrupted",
	[RR_ERR_DRY_RUN] = "mutation blocked by dry run",
	[RR_ERR_HOOK] = "hook failed",
	[RR_ERR_INTERNAL] = "internal error",
};

static const char *const codes[RR_ERR__COUNT] = {
	[RR_OK] = "ok",
	[RR_ERR_USAGE] = "usage",
	[RR_ERR_PARSE] = "parse",
	[RR_ERR_IO] = "io",
	[RR_ERR_HTTP] = "http",
	[RR_ERR_AWS] = "aws",
	[RR_ERR_THROTTLED] = "throttled",
	[RR_ERR_CREDENTIALS] = "credentials",
	[RR_ERR_DB] = "db",
	[RR_ERR_REPLICATION] = "replication",
	[RR_ERR_CRYPTO] = "crypto",
	[RR_ERR_NOT_FOUND] = "not-found",
	[RR_ERR_NOT_OURS] = "not-ours",
	[RR_ERR_REFUSED] = "refused",
	[RR_ERR_TIMEOUT] = "timeout",
	[RR_ERR_LOCKED] = "locked",
	[RR_ERR_INTERRUPTED] = "interrupted",
	[RR_ERR_DRY_RUN] = "dry-run",
	[RR_ERR_HOOK] = "hook",
	[RR_ERR_INTERNAL] = "internal",
};

const char *
rr_errname(enum rr_err e)
{
	if ((unsigned)e >= RR_ERR__COUNT || codes[e] == NULL)
		return "unknown";
	return codes[e];
}

const char *
rr_strerror(enum rr_err e)
{
	if ((unsigned)e >= RR_ERR__COUNT || names[e] == NULL)
		return "unknown error";
	return names[e];
}

enum rr_err
rr_seterr(enum rr_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lasterr, sizeof(lasterr), fmt, ap);
	va_end(ap);
	return e;
}

const char *
rr_lasterr(void)
{
	return lasterr;
}

void
rr_clearerr(void)
{
	lasterr[0] = '\0';
}
