/* objects.c - load the desired objects named by files and directories. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "desired.h"
#include "objects.h"
#include "reconcile.h"
#include "xmalloc.h"

static int
is_yaml(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return 0;
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	    (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

/* Append list b to *tail, keep *tail pointing at the last next field. */
static void
append(struct desired ***tail, struct desired *b)
{
	**tail = b;
	while (**tail != NULL)
		*tail = &(**tail)->next;
}

static enum rr_err
load_file(const char *path, struct desired ***tail, size_t *n)
{
	struct desired *list = NULL;
	size_t k = 0;
	enum rr_err e;

	if ((e = desired_parse_file(path, &list, &k)) != RR_OK)
		return e;
	append(tail, list);
	*n += k;
	return RR_OK;
}

static enum rr_err
load_dir(const char *dir, struct desired ***tail, size_t *n)
{
	struct dirent **names = NULL;
	enum rr_err e = RR_OK;
	int i, count;

	if ((count = scandir(dir, &names, NULL, alphasort)) < 0)
		return rr_seterr(RR_ERR_IO, "cannot read directory '%s'", dir);
	for (i = 0; i < count; i++) {
		char *path;

		if (e == RR_OK && is_yaml(names[i]->d_name)) {
			path = xasprintf("%s/%s", dir, names[i]->d_name);
			e = load_file(path, tail, n);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return e;
}

enum rr_err
objects_load(int argc, char **argv, struct desired **out, size_t *n)
{
	struct desired *list = NULL, **tail = &list, *d;
	enum rr_err e = RR_OK;
	struct stat st;
	char warn[256];
	int i;

	*out = NULL;
	*n = 0;
	for (i = 0; i < argc && e == RR_OK; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			e = load_dir(argv[i], &tail, n);
		else
			e = load_file(argv[i], &tail, n);
	}
	if (e == RR_OK && list == NULL)
		e = rr_seterr(RR_ERR_PARSE, "no desired objects found in the "
		    "arguments");
	if (e == RR_OK)
		e = desired_check_set(list);
	if (e != RR_OK) {
		desired_free(list);
		*n = 0;
		return e;
	}
	for (d = list; d != NULL; d = d->next)
		if (desired_warning(d, warn, sizeof(warn)))
			fprintf(stderr, "rdsreconcile: %s: warning: %s\n",
			    d->name, warn);
	*out = list;
	return RR_OK;
}

/* Failure beats blocked beats locked beats waiting beats pending. */
int
objects_exit_merge(int a, int b)
{
	static const int rank[] = { EXIT_CONVERGED, EXIT_PENDING, EXIT_WAITING,
		EXIT_LOCKED, EXIT_BLOCKED, EXIT_FAILED, EXIT_USAGE };
	int ra = 0, rb = 0, i;

	for (i = 0; i < (int)(sizeof(rank) / sizeof(rank[0])); i++) {
		if (rank[i] == a)
			ra = i;
		if (rank[i] == b)
			rb = i;
	}
	return ra >= rb ? a : b;
}

int
objects_opts_parse(const struct cmd_args *args, struct reconcile_opts *o)
{
	const char *v, *env;
	char *end;

	memset(o, 0, sizeof(*o));
	o->poll_scale = 1.0;
	/* For tests and demos against the stand-in's fast clock. */
	if ((env = getenv("RDSRECONCILE_POLL_SCALE")) != NULL) {
		o->poll_scale = strtod(env, &end);
		if (*end != '\0' || o->poll_scale <= 0 || o->poll_scale > 10) {
			fprintf(stderr, "rdsreconcile: RDSRECONCILE_POLL_SCALE "
			    "must be a number in (0, 10]\n");
			return EXIT_USAGE;
		}
	}
	if ((v = cmd_args_get(args, OBJECTS_OPT_TIMEOUT)) != NULL) {
		o->timeout_s = strtol(v, &end, 10);
		if (*end != '\0' || o->timeout_s <= 0) {
			fprintf(stderr, "rdsreconcile: --timeout takes whole "
			    "seconds > 0, not '%s'\n", v);
			return EXIT_USAGE;
		}
	}
	return EXIT_CONVERGED;
}

int
objects_run(const struct cmd_args *args, const struct reconcile_opts *o,
    const struct objects_visitor *v)
{
	struct desired *list = NULL, *d;
	int rc, worst = EXIT_CONVERGED;
	size_t n;

	if (objects_load(args->argc, args->argv, &list, &n) != RR_OK) {
		fprintf(stderr, "rdsreconcile: %s\n", rr_lasterr());
		if (v->failed != NULL)
			v->failed(NULL, rr_lasterr(), v->arg);
		return EXIT_FAILED;
	}
	for (d = list; d != NULL && !rr_interrupted; d = d->next) {
		struct rr_ctx ctx;

		if (rr_ctx_open(&ctx, d, o) != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: %s\n", d->name,
			    rr_lasterr());
			if (v->failed != NULL)
				v->failed(d, rr_lasterr(), v->arg);
			worst = objects_exit_merge(worst, EXIT_FAILED);
			continue;
		}
		rc = v->run(&ctx, v->arg);
		rr_ctx_close(&ctx);
		worst = objects_exit_merge(worst, rc);
	}
	desired_free(list);
	return worst;
}
