/*
 * desired-keys.h - the table of desired-state keys (private to src/desired).
 *
 * One entry per key of the format, objects included, in schema order; an
 * entry's children follow it.  The table is generated from
 * schemas/desired-v1.schema.json by src/desired/gen-keys.py into
 * desired-keys.c, so the schema stays the one truth: the parser's checks,
 * defaults and messages all come from here.
 */
#ifndef RR_DESIRED_KEYS_H
#define RR_DESIRED_KEYS_H

#include <stddef.h>

enum dk_type {
	DK_OBJECT,		/* a mapping; its keys are entries with parent == it */
	DK_STRING,		/* a string, with length/pattern checks */
	DK_ENUM,		/* a string from enums[]; stored as its index */
	DK_INT,			/* an integer in min..max */
	DK_BOOL,		/* true or false */
	DK_UNSUPPORTED		/* reserved by the schema, refused with what */
};

/* How a value is stored into struct desired. */
enum dk_conv {
	DK_CONV_NONE,		/* validated only */
	DK_CONV_STR,		/* char *, as written */
	DK_CONV_LOWER,		/* char *, in lower case (RDS identifiers) */
	DK_CONV_FQDN,		/* char *, lower case with a final dot */
	DK_CONV_PATH,		/* char *, relative to the file's directory */
	DK_CONV_WINDOW,		/* char * as written, and parsed into windows */
	DK_CONV_INT,		/* int */
	DK_CONV_BOOL,		/* bool */
	DK_CONV_ENUM		/* an enum of int size: the index in enums[] */
};

#define DK_REQUIRED	0x1	/* must be present when its parent is */
#define DK_NOFIELD	((size_t)-1)

struct dkey {
	const char *path;	/* "spec.endpoint.ttl"; "" for the root */
	const char *name;	/* "ttl" */
	int parent;		/* index of the parent object; -1 for the root */
	enum dk_type type;
	unsigned flags;		/* DK_REQUIRED */
	long long min, max;	/* DK_INT range, inclusive */
	int min_len, max_len;	/* DK_STRING, in characters; max 0 = none */
	const char *pattern;	/* POSIX ERE (and ECMA-262); NULL = none */
	const char *what;	/* the schema's title: "an RDS instance ..." */
	const char *const *enums; /* DK_ENUM: NULL-terminated */
	const char *def;	/* default, as text; NULL = none */
	size_t field;		/* offsetof(struct desired, ...) or DK_NOFIELD */
	enum dk_conv conv;
};

extern const struct dkey desired_keys[];
extern const size_t desired_nkeys;

#endif
