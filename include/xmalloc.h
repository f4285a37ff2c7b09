/*
 * xmalloc.h - allocation that cannot fail.
 *
 * Out of memory is fatal: these print a message and abort(), so callers never
 * check for NULL.  Sizes are in bytes; xreallocarray/xcalloc check n*size for
 * overflow.
 */
#ifndef RR_XMALLOC_H
#define RR_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
