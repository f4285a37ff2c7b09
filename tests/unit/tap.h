/*
 * tap.h - a tiny TAP producer for the C unit tests.
 *
 * Each test binary calls ok()/is_str()/is_int() and ends with
 * `return tap_done();`, which prints the plan and returns 1 when any
 * check failed.  tests/run-unit totals the binaries.
 */
#ifndef RR_TAP_H
#define RR_TAP_H

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fileio.h"

static int tap_n, tap_failed;

static inline int
tap_ok(int cond, const char *file, int line, const char *name)
{
	++tap_n;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	if (!cond) {
		++tap_failed;
		printf("#   failed at %s:%d\n", file, line);
	}
	return cond;
}

#define ok(cond, name) tap_ok(!!(cond), __FILE__, __LINE__, (name))

#define is_str(got, want, name)                                            \
	do {                                                               \
		const char *g_ = (got), *w_ = (want);                      \
		if (!tap_ok(g_ && w_ && strcmp(g_, w_) == 0, __FILE__,     \
			__LINE__, (name)))                                 \
			printf("#   got:  '%s'\n#   want: '%s'\n",             \
			    g_ ? g_ : "(null)", w_ ? w_ : "(null)");       \
	} while (0)

#define is_int(got, want, name)                                            \
	do {                                                               \
		long long g_ = (got), w_ = (want);                         \
		if (!tap_ok(g_ == w_, __FILE__, __LINE__, (name)))         \
			printf("#   got:  %lld\n#   want: %lld\n", g_, w_); \
	} while (0)

/* A whole file as a string to free(), NULL when it cannot be read. */
static inline char *
tap_slurp(const char *path)
{
	struct buf b;

	if (file_read(&b, path, (size_t)1 << 24, "test file") != RR_OK)
		return NULL;
	return buf_detach(&b);
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_n == 0) {
		printf("# no checks ran\n");
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif
