/*
 * desired-int.h - what the files of the desired-state parser share
 * (private to src/desired).
 *
 * A file is parsed in this order:
 *   desired.c   reads the file, splits it into documents (dtree.c) and
 *               runs the steps below on each; frees objects
 *   walk.c      checks a document's tree against the key table
 *               (desired-keys.c): keys, types, ranges, patterns, required
 *   store.c     stores the values found, or the schema's defaults, into
 *               struct desired
 *   window.c    the cut-over window: "Sun 03:00-05:00 UTC" into ranges,
 *               and the time queries on them
 *   validate.c  the rules the schema cannot express, within an object and
 *               across the objects of a set
 * Every step reports the first error it finds, as "FILE:LINE:COL: ...".
 */
#ifndef RR_DESIRED_INT_H
#define RR_DESIRED_INT_H

#include <stddef.h>

#include "desired.h"
#include "dtree.h"
#include "err.h"

/* What one document's walk has found, per key of the table. */
struct pctx {
	const char *path;         /* for messages */
	const char *dir;          /* for relative paths */
	const struct dnode **key; /* the key node, NULL = absent */
	const struct dnode **val; /* its value */
};

/* RR_ERR_PARSE with "PATH:LINE:COL: message" (c->path). */
enum rr_err err_at(const struct pctx *c, unsigned line, unsigned col,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define ERR_AT(c, node, ...) err_at((c), (node)->line, (node)->col, __VA_ARGS__)

/*
 * s for a message, into buf: quoted, at most 60 characters, unprintable
 * bytes as '?'.  Returns buf.
 */
const char *show_value(const char *s, char *buf, size_t size);

/* The index of path in desired_keys[]; aborts when the table lacks it. */
int key_index(const char *path);

/*
 * walk.c: check the document root against the key table; c->key and c->val
 * are cleared, then record where each key present is.
 */
enum rr_err walk_doc(struct pctx *c, const struct dnode *root);

/* store.c: the values walk_doc found, or the defaults, into d. */
enum rr_err store_values(const struct pctx *c, struct desired *d);

/*
 * window.c: the window v (its text already checked against the schema's
 * pattern) into w.  On error w is left empty.
 */
enum rr_err window_parse(const struct pctx *c, const struct dnode *v,
    struct desired_window *w);

/* validate.c: the rules within one object, once d is filled. */
enum rr_err check_rules(const struct pctx *c, const struct desired *d);

#endif
