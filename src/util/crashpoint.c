/*
 * crashpoint.c - the kill points of the crash build (see crashpoint.h).
 * Empty in every other build.
 */
#ifdef RR_CRASH_POINTS
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crashpoint.h"
#include "log.h"

static unsigned sql_count;

/* Append name to the trace, then die if it is the point asked for. */
static void
pass(const char *name)
{
	static unsigned hits;
	const char *at = getenv("RDSRECONCILE_CRASH_AT");
	const char *trace = getenv("RDSRECONCILE_CRASH_TRACE");
	const char *hash;
	char line[512];
	unsigned want = 1;
	size_t len;
	int fd, n;

	if (trace != NULL && *trace != '\0' &&
	    (fd = open(trace, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	         0600)) != -1) {
		n = snprintf(line, sizeof(line), "%s\n", name);
		if (n > 0 && (size_t)n < sizeof(line) &&
		    write(fd, line, (size_t)n) != n)
			n = -1;
		close(fd);
	}
	if (at == NULL || *at == '\0')
		return;
	len = strlen(at);
	if ((hash = strrchr(at, '#')) != NULL && hash[1] >= '1' &&
	    hash[1] <= '9' &&
	    strspn(hash + 1, "0123456789") == strlen(hash + 1)) {
		want = (unsigned)strtoul(hash + 1, NULL, 10);
		len = (size_t)(hash - at);
	}
	if (strlen(name) != len || strncmp(name, at, len) != 0)
		return;
	if (++hits == want)
		raise(SIGKILL);
}

void
crash_point(const char *fmt, ...)
{
	char name[256];
	va_list ap;

	sql_count = 0;
	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	pass(name);
}

void
crash_point_step(const char *fmt, ...)
{
	const char *step = log_get_step();
	char name[256];
	va_list ap;
	int n;

	if (step == NULL)
		return;
	n = snprintf(name, sizeof(name), "%s/", step);
	if (n < 0 || (size_t)n >= sizeof(name))
		return;
	va_start(ap, fmt);
	vsnprintf(name + n, sizeof(name) - (size_t)n, fmt, ap);
	va_end(ap);
	pass(name);
}

void
crash_point_sql(int after)
{
	if (log_get_step() == NULL)
		return;
	if (!after)
		sql_count++;
	crash_point_step("sql#%u:%s", sql_count, after ? "after" : "before");
}
#else
/* ISO C wants a translation unit to hold something. */
typedef int crashpoint_empty;
#endif
