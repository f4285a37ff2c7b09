/*
 * walk.c - check a document's tree against the key table.
 *
 * The table (desired-keys.c) is generated from the JSON Schema: every
 * mapping is checked key by key (unknown, duplicate, wrong type, out of
 * range, not matching) and for missing required keys, and where each key
 * stands is recorded for store.c and validate.c.  The first error wins.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired-int.h"
#include "desired-keys.h"

/* A scalar's type under the restricted core schema of desired.h. */
enum rtype { R_NULL, R_BOOL, R_INT, R_STR };

static enum rtype
resolve(const struct dnode *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const bools[] = { "true", "True", "TRUE", "false",
		"False", "FALSE" };
	const char *s = n->text;
	size_t i;

	if (!n->plain)
		return R_STR;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(s, nulls[i]) == 0)
			return R_NULL;
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
		if (strcmp(s, bools[i]) == 0)
			return R_BOOL;
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '\0')
		return R_STR;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return R_STR;
	return R_INT;
}

const char *
show_value(const char *s, char *buf, size_t size)
{
	size_t i, j = 0;
	unsigned char ch;

	buf[j++] = '\'';
	for (i = 0; s[i] != '\0' && j + 5 < size; i++) {
		if (i == 60) {
			memcpy(buf + j, "...", 3);
			j += 3;
			break;
		}
		ch = (unsigned char)s[i];
		buf[j++] = isprint(ch) || (ch & 0x80) ? s[i] : '?';
	}
	buf[j++] = '\'';
	buf[j] = '\0';
	return buf;
}

/* "a mapping", "an integer", "a string 'yes'" ... for "expected X, got Y". */
static const char *
kind_name(const struct dnode *n, char *buf, size_t size)
{
	char v[80];

	switch (n->kind) {
	case DN_MAP: return "a mapping";
	case DN_SEQ: return "a sequence";
	case DN_SCALAR: break;
	}
	switch (resolve(n)) {
	case R_NULL: return "null";
	case R_BOOL: snprintf(buf, size, "a boolean (%s)", n->text); return buf;
	case R_INT:
		snprintf(buf, size, "an integer (%.40s)", n->text);
		return buf;
	case R_STR: break;
	}
	snprintf(buf, size, "a string %s", show_value(n->text, v, sizeof(v)));
	return buf;
}

enum rr_err
err_at(const struct pctx *c, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rr_seterr(RR_ERR_PARSE, "%s:%u:%u: %s", c->path, line, col, msg);
}

static const char *
where(int idx)
{
	return idx == 0 ? "the document" : desired_keys[idx].path;
}

int
key_index(const char *path)
{
	size_t i;

	for (i = 0; i < desired_nkeys; i++)
		if (strcmp(desired_keys[i].path, path) == 0)
			return (int)i;
	abort(); /* a path of this file that the table lacks: a bug */
}

static int
find_child(int parent, const struct dnode *k)
{
	size_t i;

	for (i = 0; i < desired_nkeys; i++)
		if (desired_keys[i].parent == parent &&
		    strlen(desired_keys[i].name) == k->len &&
		    strcmp(desired_keys[i].name, k->text) == 0)
			return (int)i;
	return -1;
}

/* Edit distance, ignoring case, capped: enough for "did you mean". */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[65], prev, tmp;

	if (la > 64 || lb > 64)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = d[j];
			d[j] = prev +
			    (tolower((unsigned char)a[i - 1]) !=
			        tolower((unsigned char)b[j - 1]));
			if (d[j - 1] + 1 < d[j])
				d[j] = d[j - 1] + 1;
			if (tmp + 1 < d[j])
				d[j] = tmp + 1;
			prev = tmp;
		}
	}
	return d[lb];
}

static const char *
suggest(int parent, const char *name)
{
	const char *best = NULL;
	size_t i, dist, best_d = 3;

	for (i = 0; i < desired_nkeys; i++) {
		if (desired_keys[i].parent != parent ||
		    desired_keys[i].type == DK_UNSUPPORTED)
			continue;
		dist = distance(name, desired_keys[i].name);
		if (dist < best_d && dist < strlen(desired_keys[i].name)) {
			best_d = dist;
			best = desired_keys[i].name;
		}
	}
	return best;
}

/* Characters, as JSON Schema counts them: UTF-8 code points. */
static size_t
utf8_len(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static enum rr_err
match(const char *pattern, const char *s, int *matched)
{
	regex_t re;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return rr_seterr(RR_ERR_INTERNAL, "bad pattern '%s'", pattern);
	*matched = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return RR_OK;
}

static enum rr_err
check_string(const struct pctx *c, int idx, const struct dnode *v)
{
	const struct dkey *k = &desired_keys[idx];
	char buf[100], shown[80];
	size_t i, n;
	int matched = 0;
	enum rr_err rc;

	if (v->kind != DN_SCALAR || resolve(v) != R_STR) {
		if (v->kind == DN_SCALAR && resolve(v) != R_NULL)
			return ERR_AT(c, v,
			    "%s: expected a string, got %s; quote it to make "
			    "it a string",
			    k->path, kind_name(v, buf, sizeof(buf)));
		return ERR_AT(c, v, "%s: expected a string, got %s", k->path,
		    kind_name(v, buf, sizeof(buf)));
	}
	if (strlen(v->text) != v->len)
		return ERR_AT(c, v, "%s: contains a NUL character", k->path);
	if (k->type == DK_ENUM) {
		for (i = 0; k->enums[i] != NULL; i++)
			if (strcmp(k->enums[i], v->text) == 0)
				return RR_OK;
		n = 0;
		buf[0] = '\0';
		for (i = 0; k->enums[i] != NULL && n < sizeof(buf); i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    "%s'%s'", i ? ", " : "", k->enums[i]);
		return ERR_AT(c, v, "%s: %s is not one of %s", k->path,
		    show_value(v->text, shown, sizeof(shown)), buf);
	}
	n = utf8_len(v->text, v->len);
	if (n == 0 && k->min_len > 0)
		return ERR_AT(c, v, "%s: must not be empty", k->path);
	if (n < (size_t)k->min_len)
		return ERR_AT(c, v,
		    "%s: %s is too short (%zu characters, at least %d)",
		    k->path, show_value(v->text, shown, sizeof(shown)), n,
		    k->min_len);
	if (k->max_len > 0 && n > (size_t)k->max_len)
		return ERR_AT(c, v,
		    "%s: %s is too long (%zu characters, at most %d)", k->path,
		    show_value(v->text, shown, sizeof(shown)), n, k->max_len);
	if (k->pattern != NULL) {
		if ((rc = match(k->pattern, v->text, &matched)) != RR_OK)
			return rc;
		if (!matched && k->what != NULL)
			return ERR_AT(c, v, "%s: %s is not %s", k->path,
			    show_value(v->text, shown, sizeof(shown)), k->what);
		if (!matched)
			return ERR_AT(c, v, "%s: %s does not match %s", k->path,
			    show_value(v->text, shown, sizeof(shown)),
			    k->pattern);
	}
	return RR_OK;
}

static enum rr_err
walk_map(struct pctx *, int, const struct dnode *, const struct dnode *);

static enum rr_err
check_value(struct pctx *c, int idx, const struct dnode *key,
    const struct dnode *v)
{
	const struct dkey *k = &desired_keys[idx];
	char buf[100];
	long long x;
	char *end;

	switch (k->type) {
	case DK_OBJECT:
		if (v->kind != DN_MAP)
			return ERR_AT(c, v, "%s: expected a mapping, got %s",
			    k->path, kind_name(v, buf, sizeof(buf)));
		return walk_map(c, idx, v, key);
	case DK_STRING:
	case DK_ENUM: return check_string(c, idx, v);
	case DK_INT:
		if (v->kind != DN_SCALAR || resolve(v) != R_INT)
			return ERR_AT(c, v, "%s: expected an integer, got %s",
			    k->path, kind_name(v, buf, sizeof(buf)));
		errno = 0;
		x = strtoll(v->text, &end, 10);
		if (errno != 0 || x < k->min || x > k->max)
			return ERR_AT(c, v, "%s: %s is out of range %lld..%lld",
			    k->path, v->text, k->min, k->max);
		return RR_OK;
	case DK_BOOL:
		if (v->kind != DN_SCALAR || resolve(v) != R_BOOL)
			return ERR_AT(c, v,
			    "%s: expected true or false, got %s", k->path,
			    kind_name(v, buf, sizeof(buf)));
		return RR_OK;
	case DK_UNSUPPORTED: return ERR_AT(c, key, "%s: %s", k->path, k->what);
	}
	return rr_seterr(RR_ERR_INTERNAL, "key table: bad type");
}

/*
 * Check the mapping m, the value of table entry obj (whose key node, for
 * the position of "missing" messages, is at).
 */
static enum rr_err
walk_map(struct pctx *c, int obj, const struct dnode *m, const struct dnode *at)
{
	const struct dnode *k, *v;
	const char *hint;
	char buf[100], shown[80];
	size_t i, j;
	int idx;
	enum rr_err rc;

	for (i = 0; i + 1 < m->n; i += 2) {
		k = m->kids[i];
		v = m->kids[i + 1];
		if (k->kind != DN_SCALAR)
			return ERR_AT(c, k, "%s: keys must be strings, got %s",
			    where(obj), kind_name(k, buf, sizeof(buf)));
		for (j = 0; j < i; j += 2)
			if (m->kids[j]->kind == DN_SCALAR &&
			    m->kids[j]->len == k->len &&
			    memcmp(m->kids[j]->text, k->text, k->len) == 0)
				return ERR_AT(c, k,
				    "duplicate key %s in %s (first at %u:%u)",
				    show_value(k->text, shown, sizeof(shown)),
				    where(obj), m->kids[j]->line,
				    m->kids[j]->col);
		if ((idx = find_child(obj, k)) < 0) {
			hint = suggest(obj, k->text);
			snprintf(buf, sizeof(buf), "%s%s", obj ? "in " : "",
			    obj ? where(obj) : "at the top level");
			if (hint != NULL)
				return ERR_AT(c, k,
				    "unknown key %s %s (did you mean '%s'?)",
				    show_value(k->text, shown, sizeof(shown)),
				    buf, hint);
			return ERR_AT(c, k, "unknown key %s %s",
			    show_value(k->text, shown, sizeof(shown)), buf);
		}
		c->key[idx] = k;
		c->val[idx] = v;
		if ((rc = check_value(c, idx, k, v)) != RR_OK)
			return rc;
	}
	for (i = 0; i < desired_nkeys; i++)
		if (desired_keys[i].parent == obj &&
		    (desired_keys[i].flags & DK_REQUIRED) && c->val[i] == NULL)
			return ERR_AT(c, at, "missing required key '%s'",
			    desired_keys[i].path);
	return RR_OK;
}

enum rr_err
walk_doc(struct pctx *c, const struct dnode *root)
{
	char buf[100];

	memset(c->key, 0, desired_nkeys * sizeof(*c->key));
	memset(c->val, 0, desired_nkeys * sizeof(*c->val));
	if (root->kind == DN_SCALAR && resolve(root) == R_NULL)
		return ERR_AT(c, root, "empty document");
	if (root->kind != DN_MAP)
		return ERR_AT(c, root,
		    "expected a mapping at the top level, got %s",
		    kind_name(root, buf, sizeof(buf)));
	return walk_map(c, 0, root, root);
}
