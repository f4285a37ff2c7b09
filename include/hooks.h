/*
 * hooks.h - the user's executables run on events (spec.hooks).
 *
 * A hook is run with no arguments, stdin from /dev/null, its stdout and
 * stderr sent to our stderr, and our environment plus the context:
 *
 *   RDSRECONCILE_EVENT     before-cutover | after-cutover | failure
 *   RDSRECONCILE_OBJECT    metadata.name
 *   RDSRECONCILE_SOURCE    spec.source.dbInstanceIdentifier
 *   RDSRECONCILE_TARGET    spec.target.dbInstanceIdentifier
 *   RDSRECONCILE_ENDPOINT  spec.endpoint.name, with its final dot
 *   RDSRECONCILE_STEP      the step the event is about ("mark-cutover")
 *   RDSRECONCILE_ERROR     failure only: the error, as printed (no secret
 *                          is ever in it, see err.h)
 *
 * No password is ever put in a hook's environment.  Hooks do not run under
 * --dry-run or in diff/status: they may have effects of their own.
 *
 * When: beforeCutover right before the step that starts the cut-over (the
 * writes on the source are still open; a non-zero exit holds the cut-over
 * and the run exits 3, waiting); afterCutover once, in the run that marks
 * the cut-over done (the alias points at the target and is INSYNC);
 * onFailure when an object's run ends failed or blocked.
 */
#ifndef RR_HOOKS_H
#define RR_HOOKS_H

#include "err.h"

struct desired;

enum hook_event {
	HOOK_BEFORE_CUTOVER,
	HOOK_AFTER_CUTOVER,
	HOOK_ON_FAILURE,
};

/* A hook that runs longer than this, in seconds, is stopped (SIGTERM,
 * then SIGKILL 5 s later) and counts as failed. */
#define HOOK_TIMEOUT_S 300

/* "before-cutover", "after-cutover", "failure". */
const char *hook_event_name(enum hook_event ev);

/*
 * Run d's hook for ev, if one is declared; step names the step (action
 * name) and error is the failure's message (NULL otherwise).  Waits for
 * it, at most HOOK_TIMEOUT_S seconds.  RR_OK when no hook is declared or
 * it exited 0; RR_ERR_HOOK (with the exit status or the reason it could
 * not run) otherwise; RR_ERR_INTERRUPTED when we were asked to stop while
 * it ran (the hook is stopped too).
 */
enum rr_err hook_run(const struct desired *d, enum hook_event ev,
    const char *step, const char *error);

#endif
