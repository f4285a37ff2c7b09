/*
 * hooks.c - run the user's hook executables (see hooks.h).
 *
 * The environment is built before fork(), so the child only calls
 * async-signal-safe functions (dup2, execve, _exit): libcurl's resolver
 * may have left threads behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "desired.h"
#include "hooks.h"
#include "log.h"
#include "reconcile.h"
#include "strvec.h"

extern char **environ;

#define CTX_PREFIX "RDSRECONCILE_"

const char *
hook_event_name(enum hook_event ev)
{
	switch (ev) {
	case HOOK_BEFORE_CUTOVER: return "before-cutover";
	case HOOK_AFTER_CUTOVER: return "after-cutover";
	case HOOK_ON_FAILURE: return "failure";
	}
	return "?";
}

static const char *
hook_path(const struct desired *d, enum hook_event ev)
{
	switch (ev) {
	case HOOK_BEFORE_CUTOVER: return d->hook_before_cutover;
	case HOOK_AFTER_CUTOVER: return d->hook_after_cutover;
	case HOOK_ON_FAILURE: return d->hook_on_failure;
	}
	return NULL;
}

static const char *const ctx_names[] = {
	"EVENT", "OBJECT", "SOURCE", "TARGET", "ENDPOINT", "STEP", "ERROR",
};

/*
 * Ours, without any RDSRECONCILE_<context> already set, plus the context,
 * into env (empty); env->v is then NULL-terminated, as execve() wants.
 */
static void
build_env(struct strvec *env, const struct desired *d, enum hook_event ev,
    const char *step, const char *error)
{
	const char *vals[] = { hook_event_name(ev), d->name, d->source_id,
	    d->target_id, d->endpoint_name, step, error };
	size_t i, j;

	for (i = 0; environ[i] != NULL; i++) {
		int ctx = 0;

		for (j = 0; j < sizeof(ctx_names) / sizeof(ctx_names[0]); j++) {
			size_t pl = strlen(CTX_PREFIX), nl = strlen(ctx_names[j]);

			if (strncmp(environ[i], CTX_PREFIX, pl) == 0 &&
			    strncmp(environ[i] + pl, ctx_names[j], nl) == 0 &&
			    environ[i][pl + nl] == '=')
				ctx = 1;
		}
		if (!ctx)
			strvec_push(env, environ[i]);
	}
	for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++)
		if (vals[j] != NULL)
			strvec_pushf(env, CTX_PREFIX "%s=%s", ctx_names[j],
			    vals[j]);
}

/* Wait for pid until the deadline; 1 with *status when it exited. */
static int
wait_until(pid_t pid, double deadline, int *status, int stop_on_signal)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 1;
		if (r == -1 && errno != EINTR)
			return 1;	/* not our child any more */
		if (rr_monotonic() >= deadline ||
		    (stop_on_signal && rr_interrupted))
			return 0;
		nanosleep(&tick, NULL);
	}
}

enum rr_err
hook_run(const struct desired *d, enum hook_event ev, const char *step,
    const char *error)
{
	const char *path = hook_path(d, ev), *name = hook_event_name(ev);
	struct strvec env = { NULL, 0, 0 };
	char *argv[2];
	enum rr_err e = RR_OK;
	int status = 0, devnull;
	double t0;
	pid_t pid;

	if (path == NULL)
		return RR_OK;
	if (access(path, X_OK) == -1) {
		return rr_seterr(RR_ERR_HOOK, "%s hook '%s' cannot run: %s",
		    name, path, strerror(errno));
	}
	build_env(&env, d, ev, step, error);
	argv[0] = (char *)path;
	argv[1] = NULL;
	fflush(stdout);
	fflush(stderr);
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		e = rr_seterr(RR_ERR_IO, "/dev/null: %s", strerror(errno));
		goto out;
	}
	log_info("running %s hook '%s'", name, path);
	t0 = rr_monotonic();
	if ((pid = fork()) == -1) {
		e = rr_seterr(RR_ERR_HOOK, "%s hook '%s': fork: %s", name, path,
		    strerror(errno));
		close(devnull);
		goto out;
	}
	if (pid == 0) {
		/* Its own process group, so that a stop reaches its children. */
		setpgid(0, 0);
		dup2(devnull, STDIN_FILENO);
		dup2(STDERR_FILENO, STDOUT_FILENO);
		execve(path, argv, env.v);
		_exit(127);
	}
	close(devnull);
	if (!wait_until(pid, t0 + HOOK_TIMEOUT_S, &status, 1)) {
		int interrupted = rr_interrupted;

		kill(-pid, SIGTERM);
		kill(pid, SIGTERM);
		if (!wait_until(pid, rr_monotonic() + 5, &status, 0)) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		e = interrupted ? rr_seterr(RR_ERR_INTERRUPTED, "%s hook '%s' "
		    "stopped: we were interrupted", name, path) :
		    rr_seterr(RR_ERR_HOOK, "%s hook '%s' ran longer than %ds "
		    "and was stopped", name, path, HOOK_TIMEOUT_S);
		goto out;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_info("%s hook '%s' exited 0 after %.1fs", name, path,
		    rr_monotonic() - t0);
		goto out;
	}
	if (WIFEXITED(status))
		e = rr_seterr(RR_ERR_HOOK, "%s hook '%s' exited %d%s", name,
		    path, WEXITSTATUS(status), WEXITSTATUS(status) == 127 ?
		    " (could not be executed?)" : "");
	else
		e = rr_seterr(RR_ERR_HOOK, "%s hook '%s' was killed by signal "
		    "%d", name, path, WTERMSIG(status));
out:
	strvec_clear(&env);
	return e;
}
