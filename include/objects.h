/*
 * objects.h - the desired objects named on a command line.
 *
 * Arguments are files or directories; a directory contributes its *.yaml
 * and *.yml files in name order (not recursively).  Every file is parsed
 * (desired_parse_file) and the whole set is checked with
 * desired_check_set(), so two files cannot claim the same target.
 */
#ifndef RR_OBJECTS_H
#define RR_OBJECTS_H

#include <stddef.h>

#include "err.h"

struct desired;
struct cmd_args;
struct reconcile_opts;
struct rr_ctx;

/* The long-option code of --timeout, shared by apply and diff. */
#define OBJECTS_OPT_TIMEOUT 300

/*
 * Fill *o from what every reconciling command shares: --timeout SECONDS and
 * $RDSRECONCILE_POLL_SCALE.  Returns EXIT_CONVERGED, or EXIT_USAGE after
 * printing why.
 */
int objects_opts_parse(const struct cmd_args *args, struct reconcile_opts *o);

/*
 * What a command does with each object.  run gets the object's open
 * context and returns an enum rr_exit.  failed, when not NULL, is called
 * instead when the context could not be opened (d is the object), or once
 * with d NULL when the files could not be loaded; why is rr_lasterr(),
 * already printed on stderr.  arg is passed to both, so that a command can
 * collect every object and print one document at the end.
 */
struct objects_visitor {
	int (*run)(struct rr_ctx *c, void *arg);
	void (*failed)(const struct desired *d, const char *why, void *arg);
	void *arg;
};

/*
 * Load the objects named by args, then for each: open its context, call
 * v->run, close it.  One object failing does not stop the others; the
 * worst exit code is returned (objects_exit_merge), EXIT_FAILED for an
 * object that could not be opened and when loading failed.
 */
int objects_run(const struct cmd_args *args, const struct reconcile_opts *o,
    const struct objects_visitor *v);

/*
 * Parse argv[0..argc) into one list (*out, linked by next; *n objects).
 * RR_ERR_PARSE / RR_ERR_IO with the first error's detail; *out is NULL then.
 */
enum rr_err objects_load(int argc, char **argv, struct desired **out,
    size_t *n);

/* The worst of two exit codes, for a run over many objects. */
int objects_exit_merge(int a, int b);

#endif
