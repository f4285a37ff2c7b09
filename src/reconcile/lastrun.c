/*
 * lastrun.c - STATE_DIR/NAME.last.json: the last action taken on an
 * object (lastrun.h).  Written after each act(), read by `status`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "desired.h"
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

static enum rr_err
write_all(int fd, const char *p, size_t len, const char *path)
{
	ssize_t k;

	while (len > 0) {
		if ((k = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return rr_seterr(RR_ERR_IO, "cannot write '%s': %s",
			    path, strerror(errno));
		}
		p += k;
		len -= (size_t)k;
	}
	return RR_OK;
}

enum rr_err
lastrun_write(const struct desired *d, const struct step *s,
    enum rr_err result, time_t when)
{
	char ts[32], *path = NULL, *tmp = NULL, *text = NULL;
	json_t *root = NULL;
	struct tm tm;
	enum rr_err e;
	int fd = -1, dfd;

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
	if (root == NULL || (text = json_dumps(root, JSON_INDENT(2))) ==
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
	tmp = xasprintf("%s/.%s.last.json.XXXXXX", d->state_dir, d->name);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		e = rr_seterr(RR_ERR_IO, "cannot create a temporary file in "
		    "'%s': %s", d->state_dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* fchmod is not masked by the umask. */
	if (fchmod(fd, 0600) == -1) {
		e = rr_seterr(RR_ERR_IO, "cannot chmod '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	if ((e = write_all(fd, text, strlen(text), tmp)) != RR_OK ||
	    (e = write_all(fd, "\n", 1, tmp)) != RR_OK)
		goto out;
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		e = rr_seterr(RR_ERR_IO, "cannot write '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		e = rr_seterr(RR_ERR_IO, "cannot rename '%s' to '%s': %s", tmp,
		    path, strerror(errno));
		goto out;
	}
	free(tmp);	/* renamed: nothing to clean up */
	tmp = NULL;
	if ((dfd = open(d->state_dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	e = RR_OK;
out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
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
	char *path = lastrun_path(d), *text = NULL;
	struct lastrun r;
	json_error_t jerr;
	json_t *root = NULL;
	struct stat st;
	enum rr_err e;
	FILE *f = NULL;
	size_t n;

	memset(&r, 0, sizeof(r));
	if ((f = fopen(path, "re")) == NULL) {
		e = errno == ENOENT ?
		    rr_seterr(RR_ERR_NOT_FOUND, "no last action recorded in "
		    "'%s'", path) :
		    rr_seterr(RR_ERR_IO, "cannot open '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > LASTRUN_MAX_FILE) {
		e = rr_seterr(RR_ERR_PARSE, "'%s' is not a regular file of at "
		    "most %d bytes", path, LASTRUN_MAX_FILE);
		goto out;
	}
	text = xmalloc((size_t)st.st_size + 1);
	n = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		e = rr_seterr(RR_ERR_IO, "cannot read '%s'", path);
		goto out;
	}
	text[n] = '\0';
	if ((root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &jerr)) ==
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
	if (f != NULL)
		fclose(f);
	json_decref(root);
	free(text);
	free(path);
	return e;
}
