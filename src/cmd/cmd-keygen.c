/*
 * cmd-keygen.c - `rdsreconcile keygen --out DIR`: a new X25519 key pair for
 * sealing credentials.  The public key goes into git; the private key goes
 * to whoever (or whatever CI runner) runs the reconciler.
 */
#include <stdio.h>

#include "cmd.h"
#include "err.h"
#include "secret.h"

static const struct option keygen_longopts[] = {
	{ "out", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

static int
keygen_exec(const struct cmd_args *args)
{
	struct secret_pubkey pub;
	const char *dir = cmd_args_get(args, 'o');
	enum rr_err rc;

	if (dir == NULL) {
		fprintf(stderr, "rdsreconcile keygen: --out DIR is required\n");
		cmd_usage(&cmd_keygen_entry, stderr);
		return EXIT_USAGE;
	}
	if ((rc = secret_keygen(&pub, dir)) != RR_OK) {
		fprintf(stderr, "rdsreconcile keygen: %s\n", rr_lasterr());
		return EXIT_FAILED;
	}
	printf("wrote %s/%s (private, mode 0600: keep it out of git)\n"
	    "wrote %s/%s (public, key id %s: safe to commit)\n",
	    dir, SECRET_PRIVATE_KEY_FILE, dir, SECRET_PUBLIC_KEY_FILE, pub.id);
	return EXIT_CONVERGED;
}

const struct cmd_entry cmd_keygen_entry = {
	.name = "keygen",
	.usage = "--out DIR",
	.summary = "create the key pair that seals credentials",
	.help =
	    "Writes DIR/" SECRET_PRIVATE_KEY_FILE " (the private key, mode 0600)\n"
	    "and DIR/" SECRET_PUBLIC_KEY_FILE " (the public key, safe to commit).\n"
	    "Never overwrites an existing key.  The reconciler reads the private\n"
	    "key from credentials.privateKeyFile or $" SECRET_PRIVATE_KEY_ENV ",\n"
	    "and refuses it when group or others may read or write it.\n"
	    "\n"
	    "  -o, --out DIR   the directory to write the two files into\n",
	.optstring = "o:",
	.longopts = keygen_longopts,
	.min_args = 0,
	.max_args = 0,
	.exec = keygen_exec,
};
