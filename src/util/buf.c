/* buf.c - growable buffer with a hard cap (see buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

static enum rr_err
grow(struct buf *b, size_t n)
{
	size_t want;

	if (b->max && (n > b->max || b->len > b->max - n))
		return rr_seterr(RR_ERR_IO, "data exceeds the %zu-byte limit",
		    b->max);
	want = b->len + n + 1;
	if (want > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < want)
			cap *= 2;
		b->data = xreallocarray(b->data, cap, 1);
		b->cap = cap;
	}
	return RR_OK;
}

enum rr_err
buf_append(struct buf *b, const void *p, size_t n)
{
	enum rr_err e;

	if ((e = grow(b, n)) != RR_OK)
		return e;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return RR_OK;
}

enum rr_err
buf_appends(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

enum rr_err
buf_appendf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;
	enum rr_err e;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	e = buf_append(b, s, (size_t)n);
	free(s);
	return e;
}

const char *
buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

char *
buf_detach(struct buf *b)
{
	char *s = b->data ? b->data : xstrdup("");

	b->data = NULL;
	b->len = b->cap = 0;
	return s;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void
buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
