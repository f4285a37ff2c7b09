/*
 * store.c - store a document's values, or the schema's defaults, into
 * struct desired.
 *
 * How each value is stored (as written, in lower case, as a name with a
 * final dot, as a path relative to the file) is the key table's conv; the
 * window is parsed too (window.c).  Then the names of the resources the
 * reconciler creates are derived from the target.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "desired-int.h"
#include "desired-keys.h"
#include "xmalloc.h"

_Static_assert(sizeof(enum desired_strategy) == sizeof(int),
    "enums are stored through int");
_Static_assert(sizeof(enum desired_approval) == sizeof(int),
    "enums are stored through int");

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

enum rr_err
store_values(const struct pctx *c, struct desired *d)
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
		case DK_CONV_NONE: break;
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
			*(char **)(base + k->field) =
			    resolve_path(c->dir, text);
			break;
		case DK_CONV_INT:
			*(int *)(base + k->field) = (int)strtol(text, NULL, 10);
			break;
		case DK_CONV_BOOL:
			*(bool *)(base + k->field) =
			    text[0] == 't' || text[0] == 'T';
			break;
		case DK_CONV_ENUM:
			for (e = 0; k->enums[e] != NULL; e++)
				if (strcmp(k->enums[e], text) == 0)
					break;
			*(int *)(base + k->field) = e;
			break;
		}
		if (k->conv == DK_CONV_WINDOW && c->val[i] != NULL &&
		    (rc = window_parse(c, c->val[i], &d->windows)) != RR_OK)
			return rc;
	}
	/* Twice the expected build: the catch-up and a retry fit too. */
	if (d->binlog_retention_hours == 0 && d->expected_build_hours == 0)
		d->binlog_retention_hours = 24;
	else if (d->binlog_retention_hours == 0)
		d->binlog_retention_hours = d->expected_build_hours <=
		        DESIRED_MAX_BINLOG_RETENTION_HOURS / 2
		    ? 2 * d->expected_build_hours
		    : DESIRED_MAX_BINLOG_RETENTION_HOURS;
	if (d->state_dir == NULL)
		d->state_dir = xstrdup(c->dir);
	d->temp_replica_id = xasprintf("%s-rr-tmp", d->target_id);
	d->snapshot_id = xasprintf("%s-freeze", d->target_id);
	d->encrypted_snapshot_id = xasprintf("%s-freeze-enc", d->target_id);
	d->param_group = xasprintf("%s-params", d->target_id);
	d->isolation_group = xasprintf("%s-isolate-source", d->target_id);
	return RR_OK;
}
