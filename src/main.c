/*
 * main.c - global options, process hardening, dispatch through cmd_table.
 *
 *   rdsreconcile [-v|-q] [--log-format text|json] COMMAND [options] [args]
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <curl/curl.h>
#include <sodium.h>

#include "cmd.h"
#include "log.h"
#include "version.h"

static void
usage(FILE *f)
{
	const struct cmd_entry *const *e;

	fprintf(f,
	    "usage: rdsreconcile [-v|-q] [--log-format text|json] COMMAND "
	    "[ARGS]\n\n"
	    "Converge Amazon RDS instances to a declared state: today, "
	    "encrypt an\nunencrypted RDS MySQL/MariaDB instance behind a "
	    "Route 53 name with\nnear-zero downtime.\n\ncommands:\n");
	for (e = cmd_table; *e != NULL; e++)
		fprintf(f, "  %-10s %s\n", (*e)->name, (*e)->summary);
	fprintf(f,
	    "\nglobal options:\n"
	    "  -v, --verbose        more log output (repeat for trace)\n"
	    "  -q, --quiet          errors only\n"
	    "      --log-format F   text (default) or json, one object a line\n"
	    "      --version        print the version\n"
	    "  -h, --help           this help; COMMAND --help for a "
	    "command's\n\n"
	    "See rdsreconcile(1) for exit codes and the procedure.\n");
}

/*
 * Secrets (admin and replication passwords) pass through this process:
 * never let it dump core, and keep other users' ptrace out.
 */
static void
harden(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "log-format", required_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cmd_entry *e;
	struct cmd_args args;
	int c, verbose = 0, quiet = 0, rc;

	harden();
	while ((c = getopt_long(argc, argv, "+vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			verbose++;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'L':
			if (strcmp(optarg, "json") == 0)
				log_set_format(LOG_FORMAT_JSON);
			else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "rdsreconcile: --log-format "
				    "takes 'text' or 'json', not '%s'\n",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'V':
			printf("rdsreconcile %s\n", RDSRECONCILE_VERSION);
			return EXIT_CONVERGED;
		case 'h':
			usage(stdout);
			return EXIT_CONVERGED;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (quiet)
		log_set_level(LOG_ERROR);
	else if (verbose)
		log_set_level(verbose > 1 ? LOG_TRACE : LOG_DEBUG);

	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((e = cmd_find(argv[optind])) == NULL) {
		fprintf(stderr, "rdsreconcile: unknown command '%s' "
		    "(see rdsreconcile --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	rc = cmd_parse(e, argc - optind, argv + optind, &args);
	if (rc == -1)
		return EXIT_CONVERGED;
	if (rc != EXIT_CONVERGED)
		return rc;

	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "rdsreconcile: library initialisation failed\n");
		return EXIT_FAILED;
	}
	/* A dropped pipe (| head) must not kill us mid-mutation. */
	signal(SIGPIPE, SIG_IGN);
	rc = e->exec(&args);
	curl_global_cleanup();
	return rc;
}
