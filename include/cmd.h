/*
 * cmd.h - the command table.
 *
 * Each subcommand lives in src/cmd/cmd-NAME.c and exports one struct
 * cmd_entry.  main() looks the name up (exact match only: "ap" never runs
 * "apply"), parses the options the entry declares with getopt_long, checks
 * the positional argument count, and only then calls exec(), so command
 * bodies never re-check their arguments.
 */
#ifndef RR_CMD_H
#define RR_CMD_H

#include <getopt.h>
#include <stdio.h>

/*
 * Exit codes, documented in rdsreconcile(1).  diff follows terraform
 * plan -detailed-exitcode (0 converged, 1 error, 2 changes pending);
 * apply --once adds 3 and 4.
 */
enum rr_exit {
	EXIT_CONVERGED = 0,	/* nothing left to do */
	EXIT_FAILED = 1,	/* an error; see the message */
	EXIT_PENDING = 2,	/* diff: changes pending; apply --once: progressing */
	EXIT_WAITING = 3,	/* held by a cut-over gate (approval, window, lag, postpone) */
	EXIT_BLOCKED = 4,	/* needs a human: refused preflight, replication error */
	EXIT_LOCKED = 5,	/* another run holds the object's lock */
	EXIT_USAGE = 64,	/* bad command line (EX_USAGE) */
};

/* What a command needs; main() prepares it so the body does not have to. */
#define CMD_NEEDS_AWS	0x1	/* AWS credentials and region are loaded */
#define CMD_MUTATES	0x2	/* may change AWS or MySQL state (honours --dry-run) */

#define CMD_MAXOPTS 32

/* Options as parsed for one invocation. */
struct cmd_args {
	int n;				/* options seen */
	int key[CMD_MAXOPTS];		/* getopt_long's return value */
	const char *val[CMD_MAXOPTS];	/* its argument, or NULL */
	int argc;			/* positional arguments */
	char **argv;
};

/* Last value of option key, or NULL (also NULL when given without value). */
const char *cmd_args_get(const struct cmd_args *a, int key);
/* How many times option key was given. */
int cmd_args_count(const struct cmd_args *a, int key);

struct cmd_entry {
	const char *name;	/* exact subcommand name */
	const char *usage;	/* "[--dry-run] FILE..." */
	const char *summary;	/* one line for `rdsreconcile --help` */
	const char *help;	/* the body of `rdsreconcile NAME --help` */
	const char *optstring;	/* getopt short options */
	const struct option *longopts;
	int min_args, max_args;	/* positional count; max -1 = no limit */
	unsigned flags;		/* CMD_* */
	/* Returns an enum rr_exit value. */
	int (*exec)(const struct cmd_args *args);
};

/* The entries, one per src/cmd/cmd-NAME.c. */
extern const struct cmd_entry cmd_apply_entry;
extern const struct cmd_entry cmd_diff_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_validate_entry;
extern const struct cmd_entry cmd_keygen_entry;
extern const struct cmd_entry cmd_seal_entry;
extern const struct cmd_entry cmd_unseal_entry;
extern const struct cmd_entry cmd_version_entry;

/* The table, NULL-terminated (src/cmd/cmd.c). */
extern const struct cmd_entry *const cmd_table[];

/* Exact-name lookup; NULL if there is no such command. */
const struct cmd_entry *cmd_find(const char *name);

/*
 * Parse argv (argv[0] is the command name) for entry e into *out.
 * Returns EXIT_CONVERGED (0) to run, EXIT_USAGE after printing a usage error,
 * or -1 when --help was printed and the caller should exit 0.
 */
int cmd_parse(const struct cmd_entry *e, int argc, char **argv,
    struct cmd_args *out);

void cmd_usage(const struct cmd_entry *e, FILE *f);

#endif
