/*
 * cmd-validate.c - `rdsreconcile validate FILE...`: parse and check desired
 * files offline, the same checks apply and diff make before anything else.
 */
#include <stdio.h>

#include "cmd.h"
#include "desired.h"
#include "objects.h"

static int
validate_exec(const struct cmd_args *args)
{
	struct desired *list = NULL, *d;
	size_t n;

	if (objects_load(args->argc, args->argv, &list, &n) != RR_OK) {
		fprintf(stderr, "rdsreconcile: %s\n", rr_lasterr());
		return EXIT_FAILED;
	}
	for (d = list; d != NULL; d = d->next)
		printf("%s: %s: ok (%s -> %s, key %s, alias %s)\n", d->path,
		    d->name, d->source_id, d->target_id, d->kms_key_id,
		    d->endpoint_name);
	desired_free(list);
	return EXIT_CONVERGED;
}

const struct cmd_entry cmd_validate_entry = {
	.name = "validate",
	.usage = "FILE|DIR...",
	.summary = "check desired-state files without contacting anything",
	.help =
	    "Parse each desired-state file (YAML, format rdsreconcile/v1) and\n"
	    "check it as apply would: unknown keys, types, ranges, names.\n"
	    "Errors are printed as FILE:LINE:COLUMN: message.  Exit 0 when\n"
	    "every object is valid, 1 otherwise.  Nothing is contacted.\n",
	.min_args = 1,
	.max_args = -1,
	.exec = validate_exec,
};
