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

/*
 * Parse argv[0..argc) into one list (*out, linked by next; *n objects).
 * RR_ERR_PARSE / RR_ERR_IO with the first error's detail; *out is NULL then.
 */
enum rr_err objects_load(int argc, char **argv, struct desired **out,
    size_t *n);

/* The worst of two exit codes, for a run over many objects. */
int objects_exit_merge(int a, int b);

#endif
