/*
 * desired.c - parse and validate desired-state files (format v1).
 *
 * The YAML is read into a tree (dtree.c), then walked with the key table
 * generated from the JSON Schema (desired-keys.c): every mapping is checked
 * key by key (unknown, duplicate, wrong type, out of range, not matching)
 * and for missing required keys; values and schema defaults are then stored
 * into struct desired, and the rules the schema cannot express are checked
 * last.  The first error wins and carries file:line:column.
 */
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired.h"
#include "desired-keys.h"
#include "dtree.h"
#include "xmalloc.h"

_Static_assert(sizeof(enum desired_strategy) == sizeof(int),
    "enums are stored through int");
_Static_assert(sizeof(enum desired_approval) == sizeof(int),
    "enums are stored through int");

#define WEEK_MINUTES	(7 * 24 * 60)

/* What one document's walk has found, per key of the table. */
struct pctx {
	const char *path;		/* for messages */
	const char *dir;		/* for relative paths */
	const struct dnode **key;	/* the key node, NULL = absent */
	const struct dnode **val;	/* its value */
};

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

/* A value for a message: quoted, at most 60 characters, printable. */
static const char *
show(const char *s, char *buf, size_t size)
{
	size_t i, j = 0;

	buf[j++] = '\'';
	for (i = 0; s[i] != '\0' && j + 5 < size; i++) {
		if (i == 60) {
			memcpy(buf + j, "...", 3);
			j += 3;
			break;
		}
		buf[j++] = isprint((unsigned char)s[i]) ||
		    ((unsigned char)s[i] & 0x80) ? s[i] : '?';
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
	case DN_MAP:
		return "a mapping";
	case DN_SEQ:
		return "a sequence";
	case DN_SCALAR:
		break;
	}
	switch (resolve(n)) {
	case R_NULL:
		return "null";
	case R_BOOL:
		snprintf(buf, size, "a boolean (%s)", n->text);
		return buf;
	case R_INT:
		snprintf(buf, size, "an integer (%.40s)", n->text);
		return buf;
	case R_STR:
		break;
	}
	snprintf(buf, size, "a string %s", show(n->text, v, sizeof(v)));
	return buf;
}

static enum rr_err
err_at(const struct pctx *c, unsigned line, unsigned col, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static enum rr_err
err_at(const struct pctx *c, unsigned line, unsigned col, const char *fmt,
    ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rr_seterr(RR_ERR_PARSE, "%s:%u:%u: %s", c->path, line, col, msg);
}

#define ERR_AT(c, node, ...) err_at((c), (node)->line, (node)->col, __VA_ARGS__)

static const char *
where(int idx)
{
	return idx == 0 ? "the document" : desired_keys[idx].path;
}

static int
key_index(const char *path)
{
	size_t i;

	for (i = 0; i < desired_nkeys; i++)
		if (strcmp(desired_keys[i].path, path) == 0)
			return (int)i;
	abort();	/* a path of this file that the table lacks: a bug */
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
			d[j] = prev + (tolower((unsigned char)a[i - 1]) !=
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
			return ERR_AT(c, v, "%s: expected a string, got %s; "
			    "quote it to make it a string", k->path,
			    kind_name(v, buf, sizeof(buf)));
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
		    show(v->text, shown, sizeof(shown)), buf);
	}
	n = utf8_len(v->text, v->len);
	if (n == 0 && k->min_len > 0)
		return ERR_AT(c, v, "%s: must not be empty", k->path);
	if (n < (size_t)k->min_len)
		return ERR_AT(c, v, "%s: %s is too short (%zu characters, at "
		    "least %d)", k->path, show(v->text, shown, sizeof(shown)),
		    n, k->min_len);
	if (k->max_len > 0 && n > (size_t)k->max_len)
		return ERR_AT(c, v, "%s: %s is too long (%zu characters, at "
		    "most %d)", k->path, show(v->text, shown, sizeof(shown)),
		    n, k->max_len);
	if (k->pattern != NULL) {
		if ((rc = match(k->pattern, v->text, &matched)) != RR_OK)
			return rc;
		if (!matched && k->what != NULL)
			return ERR_AT(c, v, "%s: %s is not %s", k->path,
			    show(v->text, shown, sizeof(shown)), k->what);
		if (!matched)
			return ERR_AT(c, v, "%s: %s does not match %s",
			    k->path, show(v->text, shown, sizeof(shown)),
			    k->pattern);
	}
	return RR_OK;
}

static enum rr_err walk_map(struct pctx *, int, const struct dnode *,
    const struct dnode *);

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
	case DK_ENUM:
		return check_string(c, idx, v);
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
			return ERR_AT(c, v, "%s: expected true or false, got %s",
			    k->path, kind_name(v, buf, sizeof(buf)));
		return RR_OK;
	case DK_UNSUPPORTED:
		return ERR_AT(c, key, "%s: %s", k->path, k->what);
	}
	return rr_seterr(RR_ERR_INTERNAL, "key table: bad type");
}

/*
 * Check the mapping m, the value of table entry obj (whose key node, for
 * the position of "missing" messages, is at).
 */
static enum rr_err
walk_map(struct pctx *c, int obj, const struct dnode *m,
    const struct dnode *at)
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
				return ERR_AT(c, k, "duplicate key %s in %s "
				    "(first at %u:%u)",
				    show(k->text, shown, sizeof(shown)),
				    where(obj), m->kids[j]->line,
				    m->kids[j]->col);
		if ((idx = find_child(obj, k)) < 0) {
			hint = suggest(obj, k->text);
			snprintf(buf, sizeof(buf), "%s%s", obj ? "in " : "",
			    obj ? where(obj) : "at the top level");
			if (hint != NULL)
				return ERR_AT(c, k, "unknown key %s %s (did "
				    "you mean '%s'?)", show(k->text, shown,
				    sizeof(shown)), buf, hint);
			return ERR_AT(c, k, "unknown key %s %s",
			    show(k->text, shown, sizeof(shown)), buf);
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

static char *
lower(const char *s)
{
	char *r = xstrdup(s), *p;

	for (p = r; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return r;
}

static char *
resolve_path(const char *dir, const char *s)
{
	char *r;
	size_t n;

	if (s[0] == '/' || strcmp(dir, ".") == 0)
		r = xstrdup(s);
	else if (strcmp(dir, "/") == 0)
		r = xasprintf("/%s", s);
	else
		r = xasprintf("%s/%s", dir, s);
	n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

static int
parse_day(const char **p)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	int i;

	for (i = 0; i < 7; i++)
		if (strncmp(*p, days + 3 * i, 3) == 0) {
			*p += 3;
			return i;
		}
	return -1;
}

static int
parse_hhmm(const char **p)
{
	const char *s = *p;

	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    s[2] != ':' || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	*p += 5;
	return ((s[0] - '0') * 10 + s[1] - '0') * 60 +
	    (s[3] - '0') * 10 + s[4] - '0';
}

/*
 * "Sun 03:00-05:00, Sat 23:00-Mon 01:00 UTC" (already checked against the
 * schema's pattern) into minute-of-week ranges; empty ranges are refused.
 */
static enum rr_err
parse_window(const struct pctx *c, const struct dnode *v,
    struct desired_window *w)
{
	const char *p = v->text, *r;
	int d1, d2, m1, m2, start, end;
	char shown[80];
	enum rr_err rc = RR_ERR_PARSE;

	for (;;) {
		r = p;
		if ((d1 = parse_day(&p)) < 0 || *p++ != ' ' ||
		    (m1 = parse_hhmm(&p)) < 0 || *p++ != '-')
			goto bad;
		d2 = parse_day(&p);
		if (d2 >= 0 && *p++ != ' ')
			goto bad;
		if ((m2 = parse_hhmm(&p)) < 0 || m1 >= 24 * 60 ||
		    m2 > 24 * 60)
			goto bad;
		start = d1 * 24 * 60 + m1;
		if (d2 >= 0)
			end = (d2 * 24 * 60 + m2) % WEEK_MINUTES;
		else
			end = (d1 * 24 * 60 + m2 + (m2 < m1 ? 24 * 60 : 0)) %
			    WEEK_MINUTES;
		if (end == start) {
			char range[64];

			snprintf(range, sizeof(range), "%.*s", (int)(p - r),
			    r);
			rc = ERR_AT(c, v, "spec.cutover.window: range %s has "
			    "no length (to allow any time, leave the window "
			    "out)", show(range, shown, sizeof(shown)));
			goto out;
		}
		w->v = xreallocarray(w->v, w->n + 1, sizeof(*w->v));
		w->v[w->n].start = start;
		w->v[w->n].end = end;
		w->n++;
		if (*p != ',')
			break;
		for (p++; *p == ' '; p++)
			;
	}
	if (strcmp(p, " UTC") != 0)
		goto bad;
	return RR_OK;
bad:
	rc = ERR_AT(c, v, "spec.cutover.window: %s is not a weekly UTC "
	    "window", show(v->text, shown, sizeof(shown)));
out:
	free(w->v);
	w->v = NULL;
	w->n = 0;
	return rc;
}

/* Store the values found, or the schema's defaults, into d. */
static enum rr_err
fill(const struct pctx *c, struct desired *d)
{
	const struct dkey *k;
	const char *text;
	char *base = (char *)d, *s;
	size_t i, n;
	int e;
	enum rr_err rc;

	for (i = 0; i < desired_nkeys; i++) {
		k = &desired_keys[i];
		if (k->field == DK_NOFIELD)
			continue;
		text = c->val[i] ? c->val[i]->text : k->def;
		if (text == NULL)
			continue;
		switch (k->conv) {
		case DK_CONV_NONE:
			break;
		case DK_CONV_STR:
		case DK_CONV_WINDOW:
			*(char **)(base + k->field) = xstrdup(text);
			break;
		case DK_CONV_LOWER:
			*(char **)(base + k->field) = lower(text);
			break;
		case DK_CONV_FQDN:
			s = lower(text);
			n = strlen(s);
			if (n > 0 && s[n - 1] != '.') {
				*(char **)(base + k->field) =
				    xasprintf("%s.", s);
				free(s);
			} else
				*(char **)(base + k->field) = s;
			break;
		case DK_CONV_PATH:
			*(char **)(base + k->field) = resolve_path(c->dir, text);
			break;
		case DK_CONV_INT:
			*(int *)(base + k->field) = (int)strtol(text, NULL, 10);
			break;
		case DK_CONV_BOOL:
			*(bool *)(base + k->field) = text[0] == 't' ||
			    text[0] == 'T';
			break;
		case DK_CONV_ENUM:
			for (e = 0; k->enums[e] != NULL; e++)
				if (strcmp(k->enums[e], text) == 0)
					break;
			*(int *)(base + k->field) = e;
			break;
		}
		if (k->conv == DK_CONV_WINDOW && c->val[i] != NULL &&
		    (rc = parse_window(c, c->val[i], &d->windows)) != RR_OK)
			return rc;
	}
	if (d->state_dir == NULL)
		d->state_dir = xstrdup(c->dir);
	return RR_OK;
}

bool
desired_valid_instance_id(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > 63 || !isalpha((unsigned char)s[0]) ||
	    s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
		if (s[i] == '-' && s[i + 1] == '-')
			return false;
	}
	return true;
}

static void
mark_of(const struct pctx *c, const char *path, struct desired_mark *m)
{
	const struct dnode *v = c->val[key_index(path)];

	m->line = v ? v->line : 0;
	m->col = v ? v->col : 0;
}

/* The rules JSON Schema cannot express; see tests/desired/refused/. */
static enum rr_err
check_rules(const struct pctx *c, struct desired *d)
{
	const struct dnode *v;
	const char *arn_region;
	size_t i, n;
	struct {
		const char *name, *what;
		size_t max;
	} derived[] = {
		{ d->temp_replica_id, "temporary replica", 63 },
		{ d->snapshot_id, "snapshot", 255 },
		{ d->encrypted_snapshot_id, "encrypted snapshot", 255 },
		{ d->param_group, "parameter group", 255 },
	};
	const struct dnode *tv =
	    c->val[key_index("spec.target.dbInstanceIdentifier")];

	if (strcmp(d->source_id, d->target_id) == 0)
		return ERR_AT(c, tv, "spec.target.dbInstanceIdentifier: '%s' "
		    "is the source instance; the target must be a new one",
		    d->target_id);
	for (i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
		n = strlen(derived[i].name);
		if (n > derived[i].max ||
		    (derived[i].max == 63 &&
		    !desired_valid_instance_id(derived[i].name)))
			return ERR_AT(c, tv, "spec.target.dbInstanceIdentifier:"
			    " the %s name '%s' derived from it is not a "
			    "valid name", derived[i].what, derived[i].name);
		if (strcmp(derived[i].name, d->source_id) == 0)
			return ERR_AT(c, tv, "spec.target.dbInstanceIdentifier:"
			    " the %s name '%s' derived from it is the source "
			    "instance", derived[i].what, derived[i].name);
	}

	/* arn:PARTITION:kms:REGION:... must be in the declared region. */
	if (d->region != NULL && strncmp(d->kms_key_id, "arn:", 4) == 0) {
		arn_region = strchr(d->kms_key_id + 4, ':');
		arn_region = arn_region ? strchr(arn_region + 1, ':') : NULL;
		if (arn_region != NULL) {
			arn_region++;
			n = strcspn(arn_region, ":");
			if (n != strlen(d->region) ||
			    strncmp(arn_region, d->region, n) != 0)
				return ERR_AT(c,
				    c->val[key_index("spec.target.kmsKeyId")],
				    "spec.target.kmsKeyId: the key's region "
				    "'%.*s' is not spec.region '%s'", (int)n,
				    arn_region, d->region);
		}
	}

	/* The replication user is dropped after cut-over. */
	if (strcmp(d->repl_user, d->admin_user) == 0) {
		v = c->val[key_index("spec.replication.user")];
		if (v == NULL)
			v = c->val[key_index("spec.credentials.admin.user")];
		return ERR_AT(c, v, "spec.replication.user: '%s' is also the "
		    "admin user; the replication user is dropped after "
		    "cut-over", d->repl_user);
	}
	return RR_OK;
}

static void
desired_free_one(struct desired *d)
{
	free(d->path);
	free(d->dir);
	free(d->name);
	free(d->region);
	free(d->source_id);
	free(d->target_id);
	free(d->kms_key_id);
	free(d->target_instance_class);
	free(d->zone_id);
	free(d->endpoint_name);
	free(d->repl_user);
	free(d->window_text);
	free(d->windows.v);
	free(d->approval_file);
	free(d->postpone_file);
	free(d->admin_user);
	free(d->admin_password_file);
	free(d->private_key_file);
	free(d->state_dir);
	free(d->hook_before_cutover);
	free(d->hook_after_cutover);
	free(d->hook_on_failure);
	free(d->temp_replica_id);
	free(d->snapshot_id);
	free(d->encrypted_snapshot_id);
	free(d->param_group);
	free(d);
}

void
desired_free(struct desired *list)
{
	struct desired *next;

	for (; list != NULL; list = next) {
		next = list->next;
		desired_free_one(list);
	}
}

static enum rr_err
parse_doc(struct pctx *c, const struct dnode *root, unsigned doc,
    struct desired **out)
{
	struct desired *d = NULL;
	char buf[100];
	enum rr_err rc;

	*out = NULL;
	memset(c->key, 0, desired_nkeys * sizeof(*c->key));
	memset(c->val, 0, desired_nkeys * sizeof(*c->val));
	if (root->kind == DN_SCALAR && resolve(root) == R_NULL) {
		rc = ERR_AT(c, root, "empty document");
		goto out;
	}
	if (root->kind != DN_MAP) {
		rc = ERR_AT(c, root, "expected a mapping at the top level, "
		    "got %s", kind_name(root, buf, sizeof(buf)));
		goto out;
	}
	if ((rc = walk_map(c, 0, root, root)) != RR_OK)
		goto out;

	d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(c->path);
	d->dir = xstrdup(c->dir);
	d->doc = doc;
	d->mark_doc.line = root->line;
	d->mark_doc.col = root->col;
	mark_of(c, "metadata.name", &d->mark_name);
	mark_of(c, "spec.source.dbInstanceIdentifier", &d->mark_source);
	mark_of(c, "spec.target.dbInstanceIdentifier", &d->mark_target);
	if ((rc = fill(c, d)) != RR_OK)
		goto out;
	d->temp_replica_id = xasprintf("%s-rr-tmp", d->target_id);
	d->snapshot_id = xasprintf("%s-freeze", d->target_id);
	d->encrypted_snapshot_id = xasprintf("%s-freeze-enc", d->target_id);
	d->param_group = xasprintf("%s-params", d->target_id);
	if ((rc = check_rules(c, d)) != RR_OK)
		goto out;
	*out = d;
	d = NULL;	/* transferred */
out:
	if (d != NULL)
		desired_free_one(d);
	return rc;
}

enum rr_err
desired_parse_string(const char *path, const char *text, size_t len,
    struct desired **out, size_t *n)
{
	struct dstream s = { NULL, 0 };
	struct pctx c = { path, NULL, NULL, NULL };
	struct desired *list = NULL, **tail = &list;
	const char *slash;
	char *dir = NULL;
	size_t i;
	enum rr_err rc;

	*out = NULL;
	if (n != NULL)
		*n = 0;
	slash = strrchr(path, '/');
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == path)
		dir = xstrdup("/");
	else
		dir = xstrndup(path, (size_t)(slash - path));
	c.dir = dir;
	c.key = xcalloc(desired_nkeys, sizeof(*c.key));
	c.val = xcalloc(desired_nkeys, sizeof(*c.val));

	if ((rc = dtree_load(path, text, len, &s)) != RR_OK)
		goto out;
	if (s.n == 0) {
		rc = err_at(&c, 1, 1, "no document: the file is empty");
		goto out;
	}
	for (i = 0; i < s.n; i++) {
		if ((rc = parse_doc(&c, s.docs[i], (unsigned)i, tail)) !=
		    RR_OK)
			goto out;
		tail = &(*tail)->next;
	}
	if ((rc = desired_check_set(list)) != RR_OK)
		goto out;
	*out = list;
	list = NULL;	/* transferred */
	if (n != NULL)
		*n = s.n;
out:
	desired_free(list);
	dtree_release(&s);
	free(c.key);
	free(c.val);
	free(dir);
	return rc;
}

enum rr_err
desired_parse_file(const char *path, struct desired **out, size_t *n)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t len;
	enum rr_err rc;

	*out = NULL;
	if (n != NULL)
		*n = 0;
	if ((f = fopen(path, "r")) == NULL) {
		rc = rr_seterr(RR_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	text = xmalloc(DESIRED_MAX_FILE + 1);
	len = fread(text, 1, DESIRED_MAX_FILE + 1, f);
	if (ferror(f)) {
		rc = rr_seterr(RR_ERR_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (len > DESIRED_MAX_FILE) {
		rc = rr_seterr(RR_ERR_PARSE, "%s: larger than %d bytes", path,
		    DESIRED_MAX_FILE);
		goto out;
	}
	rc = desired_parse_string(path, text, len, out, n);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return rc;
}

static enum rr_err
conflict(const struct desired *a, struct desired_mark am, const char *what,
    const char *name, const struct desired *b, struct desired_mark bm,
    const char *bwhat)
{
	return rr_seterr(RR_ERR_PARSE, "%s:%u:%u: %s '%s' is also %s of the "
	    "object '%s' at %s:%u:%u", a->path, am.line, am.col, what, name,
	    bwhat, b->name, b->path, bm.line, bm.col);
}

enum rr_err
desired_check_set(const struct desired *list)
{
	const struct desired *a, *b;

	for (b = list; b != NULL; b = b->next)
		for (a = list; a != b; a = a->next) {
			/* a comes first in the list; report at b */
			if (strcmp(a->name, b->name) == 0)
				return conflict(b, b->mark_name,
				    "metadata.name", b->name, a, a->mark_name,
				    "the name");
			if (strcmp(a->target_id, b->target_id) == 0)
				return conflict(b, b->mark_target, "the target",
				    b->target_id, a, a->mark_target,
				    "the target");
			if (strcmp(a->source_id, b->source_id) == 0)
				return conflict(b, b->mark_source, "the source",
				    b->source_id, a, a->mark_source,
				    "the source");
			if (strcmp(a->source_id, b->target_id) == 0 ||
			    strcmp(a->source_id, b->temp_replica_id) == 0)
				return conflict(b, b->mark_target, "the target",
				    b->target_id, a, a->mark_source,
				    "the source (or its temporary replica)");
			if (strcmp(a->target_id, b->source_id) == 0 ||
			    strcmp(a->temp_replica_id, b->source_id) == 0)
				return conflict(b, b->mark_source, "the source",
				    b->source_id, a, a->mark_target,
				    "the target (or its temporary replica)");
		}
	return RR_OK;
}

static int
minute_of_week(time_t t, int *sec)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	if (sec != NULL)
		*sec = tm.tm_sec;
	return ((tm.tm_wday + 6) % 7) * 24 * 60 + tm.tm_hour * 60 + tm.tm_min;
}

static int
range_contains(const struct desired_range *r, int m)
{
	if (r->start < r->end)
		return m >= r->start && m < r->end;
	return m >= r->start || m < r->end;
}

int
desired_window_contains(const struct desired *d, time_t t)
{
	size_t i;
	int m;

	if (d->windows.n == 0)
		return 1;
	m = minute_of_week(t, NULL);
	for (i = 0; i < d->windows.n; i++)
		if (range_contains(&d->windows.v[i], m))
			return 1;
	return 0;
}

time_t
desired_window_next(const struct desired *d, time_t t)
{
	size_t i;
	int m, sec, delta, best = WEEK_MINUTES;

	if (desired_window_contains(d, t))
		return t;
	m = minute_of_week(t, &sec);
	for (i = 0; i < d->windows.n; i++) {
		delta = (d->windows.v[i].start - m + WEEK_MINUTES) %
		    WEEK_MINUTES;
		if (delta < best)
			best = delta;
	}
	return t - sec + (time_t)best * 60;
}

const char *
desired_strategy_name(enum desired_strategy s)
{
	int i = (int)s, k = key_index("spec.strategy"), j;

	for (j = 0; desired_keys[k].enums[j] != NULL; j++)
		if (j == i)
			return desired_keys[k].enums[j];
	return "?";
}

const char *
desired_approval_name(enum desired_approval a)
{
	int i = (int)a, k = key_index("spec.cutover.approval"), j;

	for (j = 0; desired_keys[k].enums[j] != NULL; j++)
		if (j == i)
			return desired_keys[k].enums[j];
	return "?";
}
