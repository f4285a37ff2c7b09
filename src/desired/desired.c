/*
 * desired.c - parse desired-state files (format v1): the entry points.
 *
 * The YAML is read into a tree (dtree.c); each document is checked against
 * the key table generated from the JSON Schema (walk.c), its values and
 * the schema's defaults are stored into struct desired (store.c, window.c),
 * and the rules the schema cannot express are checked last (validate.c).
 * The first error wins and carries file:line:column.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired-int.h"
#include "desired-keys.h"
#include "xmalloc.h"

static void
mark_of(const struct pctx *c, const char *path, struct desired_mark *m)
{
	const struct dnode *v = c->val[key_index(path)];

	m->line = v ? v->line : 0;
	m->col = v ? v->col : 0;
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
	free(d->isolation_group);
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
	enum rr_err rc;

	*out = NULL;
	if ((rc = walk_doc(c, root)) != RR_OK)
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
	if ((rc = store_values(c, d)) != RR_OK)
		goto out;
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

/* The name of value i of the enum at path, "?" when out of range. */
static const char *
enum_name(const char *path, int i)
{
	int k = key_index(path), j;

	for (j = 0; desired_keys[k].enums[j] != NULL; j++)
		if (j == i)
			return desired_keys[k].enums[j];
	return "?";
}

const char *
desired_strategy_name(enum desired_strategy s)
{
	return enum_name("spec.strategy", (int)s);
}

const char *
desired_approval_name(enum desired_approval a)
{
	return enum_name("spec.cutover.approval", (int)a);
}
