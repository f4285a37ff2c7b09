/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * Bodies read from the network go through a buf whose max is set at init:
 * an append past max fails with RR_ERR_IO instead of growing without bound.
 * data is always NUL-terminated (the NUL is not counted in len).
 */
#ifndef RR_BUF_H
#define RR_BUF_H

#include <stddef.h>

#include "err.h"

struct buf {
	char *data;	/* NUL-terminated; NULL until the first append */
	size_t len;	/* bytes used, without the NUL */
	size_t cap;	/* bytes allocated */
	size_t max;	/* hard cap on len, bytes; 0 = unlimited */
};

#define BUF_INIT { NULL, 0, 0, 0 }

void buf_init(struct buf *b, size_t max);
/* Append n bytes; RR_ERR_IO when len would exceed max. */
enum rr_err buf_append(struct buf *b, const void *p, size_t n);
enum rr_err buf_appends(struct buf *b, const char *s);
enum rr_err buf_appendf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The contents as a string ("" when empty); owned by b. */
const char *buf_str(const struct buf *b);
/* Hand the string over to the caller (b is reset); never NULL. */
char *buf_detach(struct buf *b);
void buf_reset(struct buf *b);
/* Free the storage; b may be reused after buf_init. */
void buf_release(struct buf *b);

#endif
