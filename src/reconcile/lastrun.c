/*
 * lastrun.c - STATE_DIR/NAME.last.json: the last action taken on an
 * object (lastrun.h).  Written after each act(), read by `status`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "buf.h"
#include "desired.h"
#include "fileio.h"
#include "lastrun.h"
#include "plan.h"
#include "xmalloc.h"

/* Larger than any record lastrun_write() makes; a bigger file is refused. */
#define LASTRUN_MAX_FILE 4096

char *
lastrun_path(const struct desired *d)
{
	return xasprintf("%s/%s.last.json", d->state_dir, d->name);
}

enum rr_err
lastrun_write(const struct desired *d, const struct step *s,
    enum rr_err result, time_t when)
{
	char ts[32], *path = NULL, *json = NULL, *text = NULL;
	json_t *root = NULL;
	struct tm tm;
	enum rr_err e;

	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		e = rr_seterr(RR_ERR_INTERNAL, "time %lld out of range",
		    (long long)when);
		goto out;
	}
	if (s->kind != STEP_ACT || s->action <= ACT_NONE ||
	    s->action >= ACT__COUNT) {
		e = rr_seterr(RR_ERR_INTERNAL, "only an action is recorded as "
		    "the last action of '%s'", d->name);
		goto out;
	}
	root = json_pack("{s:s, s:s, s:s, s:s}", "time", ts,
	    "action", action_name(s->action), "what", s->what,
	    "result", rr_errname(result));
	if (root == NULL || (json = json_dumps(root, JSON_INDENT(2))) ==
	    NULL) {
		e = rr_seterr(RR_ERR_INTERNAL, "cannot encode the last action "
		    "of '%s'", d->name);
		goto out;
	}
	if (mkdir(d->state_dir, 0700) == -1 && errno != EEXIST) {
		e = rr_seterr(RR_ERR_IO, "cannot create state directory '%s': "
		    "%s", d->state_dir, strerror(errno));
		goto out;
	}
	path = lastrun_path(d);
	text = xasprintf("%s\n", json);
	e = file_write_atomic(path, text, strlen(text), 0600, 0, NULL);
out:
	free(json);
	free(path);
	free(text);
	json_decref(root);
	return e;
}

/* Copy the string member key of root into buf (size bytes). */
static enum rr_err
get_string(char *buf, size_t size, const json_t *root, const char *key,
    const char *path)
{
	const char *v = json_string_value(json_object_get(root, key));

	if (v == NULL)
		return rr_seterr(RR_ERR_PARSE, "%s: '%s' is missing or not a "
		    "string", path, key);
	if (strlen(v) >= size)
		return rr_seterr(RR_ERR_PARSE, "%s: '%s' is longer than %zu "
		    "bytes", path, key, size - 1);
	memcpy(buf, v, strlen(v) + 1);
	return RR_OK;
}

/* Whether r holds what lastrun_write() writes: a time, an action name,
 * a result name, so that status prints nothing else. */
static int
valid(const struct lastrun *r)
{
	struct tm tm;
	const char *end;
	int i, action = 0, result = strcmp(r->result, "ok") == 0;

	memset(&tm, 0, sizeof(tm));
	end = strptime(r->time, "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (i = ACT_NONE + 1; i < ACT__COUNT; i++)
		action |= strcmp(r->action, action_name(i)) == 0;
	for (i = RR_OK + 1; i < RR_ERR__COUNT; i++)
		result |= strcmp(r->result, rr_errname(i)) == 0;
	return end != NULL && *end == '\0' && strlen(r->time) == 20 &&
	    action && result;
}

enum rr_err
lastrun_read(const struct desired *d, struct lastrun *out)
{
	char *path = lastrun_path(d);
	struct lastrun r;
	json_error_t jerr;
	json_t *root = NULL;
	struct buf text;
	enum rr_err e;

	memset(&r, 0, sizeof(r));
	if ((e = file_read(&text, path, LASTRUN_MAX_FILE,
	    "last-action record")) != RR_OK) {
		buf_init(&text, 0);
		goto out;
	}
	if ((root = json_loadb(buf_str(&text), text.len,
	    JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL || !json_is_object(root)) {
		e = rr_seterr(RR_ERR_PARSE, "%s: not a JSON object%s%s", path,
		    root == NULL ? ": " : "", root == NULL ? jerr.text : "");
		goto out;
	}
	if ((e = get_string(r.time, sizeof(r.time), root, "time",
	    path)) != RR_OK ||
	    (e = get_string(r.action, sizeof(r.action), root, "action",
	    path)) != RR_OK ||
	    (e = get_string(r.what, sizeof(r.what), root, "what",
	    path)) != RR_OK ||
	    (e = get_string(r.result, sizeof(r.result), root, "result",
	    path)) != RR_OK)
		goto out;
	if (!valid(&r)) {
		e = rr_seterr(RR_ERR_PARSE, "%s: not a record of a known "
		    "action and result", path);
		goto out;
	}
	*out = r;
	e = RR_OK;
out:
	buf_release(&text);
	json_decref(root);
	free(path);
	return e;
}
