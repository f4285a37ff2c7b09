/*
 * cmd-seal.c - `rdsreconcile seal --public-key FILE --name NAME [--out FILE]`:
 * seal a credential for git.
 *
 * The secret comes from stdin, or from a no-echo prompt asked twice when
 * stdin is a terminal: never from argv (visible in /proc/PID/cmdline and
 * shell history) nor the environment (/proc/PID/environ, child processes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "secret.h"

static const struct option seal_longopts[] = {
	{ "public-key", required_argument, NULL, 'k' },
	{ "name", required_argument, NULL, 'n' },
	{ "out", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

static int
seal_exec(const struct cmd_args *args)
{
	const char *pubpath = cmd_args_get(args, 'k');
	const char *name = cmd_args_get(args, 'n');
	const char *out = cmd_args_get(args, 'o');
	struct secret_pubkey pub;
	struct secret *s = NULL;
	char *text = NULL;
	enum rr_err rc;
	int ret = EXIT_FAILED;

	if (pubpath == NULL || name == NULL) {
		fprintf(stderr, "rdsreconcile seal: --public-key and --name are "
		    "required\n");
		cmd_usage(&cmd_seal_entry, stderr);
		return EXIT_USAGE;
	}
	if (secret_name_check(name) != RR_OK) {
		fprintf(stderr, "rdsreconcile seal: %s\n", rr_lasterr());
		return EXIT_USAGE;
	}
	if ((rc = secret_public_key_load(&pub, pubpath)) != RR_OK)
		goto out;
	if ((rc = secret_read_input(&s, STDIN_FILENO, name)) != RR_OK)
		goto out;
	if (out == NULL || strcmp(out, "-") == 0) {
		if ((rc = secret_seal(&text, name, s, &pub)) != RR_OK)
			goto out;
		/* Sealed text only: no plaintext goes through stdio. */
		if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
			rc = rr_seterr(RR_ERR_IO, "cannot write to stdout");
			goto out;
		}
	} else {
		/* 0644: the file is meant to be committed. */
		if ((rc = secret_seal_to_file(out, name, s, &pub, 0644)) !=
		    RR_OK)
			goto out;
		fprintf(stderr, "sealed '%s' to key %s in %s\n", name, pub.id,
		    out);
	}
	ret = EXIT_CONVERGED;
out:
	if (ret != EXIT_CONVERGED)
		fprintf(stderr, "rdsreconcile seal: %s\n", rr_lasterr());
	secret_free(s);
	free(text);
	return ret;
}

const struct cmd_entry cmd_seal_entry = {
	.name = "seal",
	.usage = "--public-key FILE --name NAME [--out FILE]",
	.summary = "seal a credential (from stdin or a prompt) for git",
	.help =
	    "Reads the secret from stdin when it is not a terminal (one trailing\n"
	    "newline is removed, so `printf 'pw\\n' |` seals \"pw\"), otherwise\n"
	    "prompts twice without echo.  There is no option to pass the secret\n"
	    "on the command line.  Writes the sealed file (see\n"
	    "doc/sealed-format.md), bound to NAME: unsealing it under another\n"
	    "name fails.  The desired file names it, e.g.\n"
	    "credentials.admin.passwordFile, sealed with --name admin.\n"
	    "\n"
	    "  -k, --public-key FILE   the public key (rdsreconcile.pub)\n"
	    "  -n, --name NAME         what the secret is: 1 to 200 of\n"
	    "                          A-Z a-z 0-9 . _ - /\n"
	    "  -o, --out FILE          write FILE atomically, mode 0644; '-' or\n"
	    "                          no --out: stdout\n",
	.optstring = "k:n:o:",
	.longopts = seal_longopts,
	.min_args = 0,
	.max_args = 0,
	.exec = seal_exec,
};
