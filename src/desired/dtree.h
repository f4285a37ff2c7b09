/*
 * dtree.h - a YAML stream as a plain tree of nodes with positions
 * (private to src/desired).
 *
 * Built from libyaml's events rather than its document API so that anchors,
 * aliases and tags can be refused at the event that carries them, and every
 * node keeps its start mark for messages.
 */
#ifndef RR_DTREE_H
#define RR_DTREE_H

#include <stddef.h>

#include "err.h"

/* Deeper nesting is refused (the format needs 4 levels). */
#define DTREE_MAX_DEPTH	32

enum dnode_kind { DN_SCALAR, DN_MAP, DN_SEQ };

struct dnode {
	enum dnode_kind kind;
	int plain;		/* scalar: unquoted, so it may be null/bool/int */
	char *text;		/* scalar: the value, NUL-terminated */
	size_t len;		/* scalar: its length; > strlen when it holds NUL */
	struct dnode **kids;	/* map: key, value, key, value ...; seq: items */
	size_t n, cap;
	unsigned line, col;	/* start, 1-based */
};

struct dstream {
	struct dnode **docs;	/* the root node of each document */
	size_t n;
};

/*
 * Parse len bytes of YAML.  name is used in messages only.  On error
 * RR_ERR_PARSE with "name:line:col: problem" and s is left empty.
 */
enum rr_err dtree_load(const char *name, const char *text, size_t len,
    struct dstream *s);
void dtree_release(struct dstream *s);

#endif
