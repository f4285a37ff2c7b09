/*
 * cmd-unseal.c - `rdsreconcile unseal --i-know-this-prints-a-secret ...`:
 * print a sealed credential, for debugging only.  Without the flag it
 * refuses, so that nothing (a script, a habit) prints a secret by accident.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "err.h"
#include "secret.h"

#define OPT_I_KNOW 256

static const struct option unseal_longopts[] = {
	{ "private-key", required_argument, NULL, 'k' },
	{ "name", required_argument, NULL, 'n' },
	{ "i-know-this-prints-a-secret", no_argument, NULL, OPT_I_KNOW },
	{ NULL, 0, NULL, 0 },
};

/* write(2) straight from secret memory: no stdio buffer keeps a copy. */
static enum rr_err
write_secret(int fd, const char *p, size_t len)
{
	ssize_t r;

	while (len > 0) {
		r = write(fd, p, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return rr_seterr(RR_ERR_IO, "cannot write to stdout: %s",
			    strerror(errno));
		p += r;
		len -= (size_t)r;
	}
	return RR_OK;
}

static int
unseal_exec(const struct cmd_args *args)
{
	const char *keypath = cmd_args_get(args, 'k');
	const char *name = cmd_args_get(args, 'n');
	struct secret_keypair *key = NULL;
	struct secret *s = NULL;
	enum rr_err rc;
	int ret = EXIT_FAILED;

	if (cmd_args_count(args, OPT_I_KNOW) == 0) {
		fprintf(stderr, "rdsreconcile unseal: refusing to print a "
		    "secret: unseal is for debugging and writes the plaintext "
		    "to stdout, where terminals, scrollback and CI logs keep "
		    "it; add --i-know-this-prints-a-secret if that is what you "
		    "want\n");
		return EXIT_USAGE;
	}
	if (name == NULL) {
		fprintf(stderr, "rdsreconcile unseal: --name is required\n");
		cmd_usage(&cmd_unseal_entry, stderr);
		return EXIT_USAGE;
	}
	if ((rc = secret_keypair_load_private(&key, keypath)) != RR_OK)
		goto out;
	if ((rc = secret_unseal_file(&s, args->argv[0], name, key)) != RR_OK)
		goto out;
	if ((rc = write_secret(STDOUT_FILENO, secret_data(s),
	    secret_len(s))) != RR_OK)
		goto out;
	/* A newline for a person at a terminal; exact bytes for a pipe. */
	if (isatty(STDOUT_FILENO) &&
	    (rc = write_secret(STDOUT_FILENO, "\n", 1)) != RR_OK)
		goto out;
	ret = EXIT_CONVERGED;
out:
	if (ret != EXIT_CONVERGED)
		fprintf(stderr, "rdsreconcile unseal: %s\n", rr_lasterr());
	secret_free(s);
	secret_keypair_free(key);
	return ret;
}

const struct cmd_entry cmd_unseal_entry = {
	.name = "unseal",
	.usage = "[--private-key FILE] --name NAME "
	    "--i-know-this-prints-a-secret FILE",
	.summary = "print a sealed credential (debugging only)",
	.help =
	    "Prints the secret sealed in FILE to stdout, exactly (a newline is\n"
	    "added only when stdout is a terminal).  Refuses without\n"
	    "--i-know-this-prints-a-secret.  The reconciler never needs this.\n"
	    "\n"
	    "  -k, --private-key FILE   the private key; default\n"
	    "                           $" SECRET_PRIVATE_KEY_ENV "\n"
	    "  -n, --name NAME          the name the file must be sealed under\n"
	    "      --i-know-this-prints-a-secret\n",
	.optstring = "k:n:",
	.longopts = unseal_longopts,
	.min_args = 1,
	.max_args = 1,
	.exec = unseal_exec,
};
