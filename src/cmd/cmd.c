/*
 * cmd.c - the command table, exact lookup, and per-command option parsing.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

/* One line per command, in the order `rdsreconcile --help` lists them. */
const struct cmd_entry *const cmd_table[] = {
	&cmd_apply_entry,
	&cmd_diff_entry,
	&cmd_status_entry,
	&cmd_validate_entry,
	&cmd_keygen_entry,
	&cmd_seal_entry,
	&cmd_unseal_entry,
	&cmd_version_entry,
	NULL,
};

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *const *e;

	for (e = cmd_table; *e != NULL; e++)
		if (strcmp((*e)->name, name) == 0)
			return *e;
	return NULL;
}

const char *
cmd_args_get(const struct cmd_args *a, int key)
{
	const char *v = NULL;
	int i;

	for (i = 0; i < a->n; i++)
		if (a->key[i] == key)
			v = a->val[i];
	return v;
}

int
cmd_args_count(const struct cmd_args *a, int key)
{
	int i, n = 0;

	for (i = 0; i < a->n; i++)
		if (a->key[i] == key)
			n++;
	return n;
}

void
cmd_usage(const struct cmd_entry *e, FILE *f)
{
	fprintf(f, "usage: rdsreconcile %s %s\n", e->name, e->usage);
}

int
cmd_parse(const struct cmd_entry *e, int argc, char **argv,
    struct cmd_args *out)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	struct option longopts[CMD_MAXOPTS + 2];
	char optstring[128];
	int c, n = 0;

	memset(out, 0, sizeof(*out));
	/* Every command takes --help; the table need not say so. */
	if (e->longopts != NULL)
		for (; n < CMD_MAXOPTS && e->longopts[n].name != NULL; n++)
			longopts[n] = e->longopts[n];
	longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n] = none[0];
	/* Leading '+': stop at the first positional (POSIX order); ':' to
	 * report a missing argument ourselves. */
	snprintf(optstring, sizeof(optstring), "+:%sh",
	    e->optstring ? e->optstring : "");

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (c == 'h') {
			cmd_usage(e, stdout);
			if (e->help)
				printf("\n%s", e->help);
			return -1;
		}
		if (c == '?' || c == ':') {
			const char *what = c == '?' ? "unknown option" :
			    "option needs an argument";
			if (optopt)
				fprintf(stderr, "rdsreconcile %s: %s '-%c'\n",
				    e->name, what, optopt);
			else
				fprintf(stderr, "rdsreconcile %s: %s '%s'\n",
				    e->name, what, argv[optind - 1]);
			cmd_usage(e, stderr);
			return EXIT_USAGE;
		}
		if (out->n == CMD_MAXOPTS) {
			fprintf(stderr, "rdsreconcile %s: too many options\n",
			    e->name);
			return EXIT_USAGE;
		}
		out->key[out->n] = c;
		out->val[out->n] = optarg;
		out->n++;
	}
	out->argc = argc - optind;
	out->argv = argv + optind;
	if (out->argc < e->min_args ||
	    (e->max_args >= 0 && out->argc > e->max_args)) {
		fprintf(stderr, "rdsreconcile %s: wrong number of arguments\n",
		    e->name);
		cmd_usage(e, stderr);
		return EXIT_USAGE;
	}
	return EXIT_CONVERGED;
}
