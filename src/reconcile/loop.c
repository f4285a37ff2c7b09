/*
 * loop.c - reconcile(): observe, plan, act, until converged, held, blocked
 * or failed, and the outcome it ends with.  What it prints is
 * step-output.c; the run lock is lock.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "crashpoint.h"
#include "desired.h"
#include "hooks.h"
#include "lastrun.h"
#include "log.h"
#include "plan.h"
#include "reconcile.h"
#include "report.h"
#include "step-output.h"

volatile int rr_interrupted;
volatile int rr_cancel;
static volatile int shielded;
static volatile int signal_seen;

static void
on_signal(int sig)
{
	signal_seen = sig;
	rr_interrupted = 1;
	if (!shielded)
		rr_cancel = 1;
}

void
rr_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a sleeping wait ends at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void
rr_shield(int on)
{
	shielded = on;
	rr_cancel = on ? 0 : rr_interrupted;
}

/*
 * Sleep secs, cut short by the deadline (0 = none) and, when may_cut, by a
 * signal.  While the source is fenced nothing cuts it: the wait is part of
 * resolving the fence.
 */
static void
pause_for(double secs, double deadline, int may_cut)
{
	struct timespec ts;

	if (deadline > 0 && rr_monotonic() + secs > deadline)
		secs = deadline - rr_monotonic();
	if (secs <= 0 || (may_cut && rr_interrupted))
		return;
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR &&
	    !(may_cut && rr_interrupted))
		;
}

/* Why this run must end now, or NULL. */
static const char *
stop_reason(double deadline)
{
	if (rr_interrupted)
		return signal_seen == SIGINT ? "SIGINT" : "SIGTERM";
	if (deadline > 0 && rr_monotonic() >= deadline)
		return "--timeout";
	return NULL;
}

static double
poll_scale(const struct rr_ctx *c)
{
	return c->opts->poll_scale > 0 ? c->opts->poll_scale : 1.0;
}

/* Run the failure hook; its own failure is reported, never hidden. */
static enum reconcile_outcome
failed(struct rr_ctx *c, const struct step *s, enum reconcile_outcome out)
{
	char msg[1024];

	if (c->opts->dry_run || c->d->hook_on_failure == NULL)
		return out;
	snprintf(msg, sizeof(msg), "%s", rr_lasterr()[0] ? rr_lasterr() :
	    s->what);
	if (hook_run(c->d, HOOK_ON_FAILURE, action_name(s->action), msg) !=
	    RR_OK)
		fprintf(stderr, "rdsreconcile: %s: %s\n", c->d->name,
		    rr_lasterr());
	return out;
}

/*
 * Ask the beforeCutover hook, once the plan is to start the cut-over: its
 * answer is an observation the planner weighs (a gate), like the approval
 * file.  RR_ERR_INTERRUPTED when we were asked to stop while it ran.
 */
static enum rr_err
ask_before_cutover(struct rr_ctx *c, struct observed *o)
{
	enum rr_err e;

	e = hook_run(c->d, HOOK_BEFORE_CUTOVER, action_name(ACT_MARK_CUTOVER),
	    NULL);
	if (e == RR_ERR_INTERRUPTED)
		return e;
	o->before_cutover_hook = e == RR_OK ? TRI_YES : TRI_NO;
	if (e != RR_OK) {
		snprintf(o->hook_error, sizeof(o->hook_error), "%s",
		    rr_lasterr());
		fprintf(stderr, "rdsreconcile: %s: cut-over held: %s\n",
		    c->d->name, rr_lasterr());
	}
	return RR_OK;
}

/* Seconds between attempts, before poll scaling, while a fenced source
 * waits for an error to pass (throttling, a lost connection). */
#define FENCE_RETRY_S 5

/*
 * The run is ending with the source fenced: the one case where writes stay
 * down after we exit.  Say so, with what to do.
 */
static void
fence_left(const struct rr_ctx *c, const struct observed *o)
{
	char since[32] = "an unknown time";
	struct tm tm;

	if (o->target.fenced_at > 0 && gmtime_r(&o->target.fenced_at, &tm))
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr,
	    "rdsreconcile: %s: the source '%s' is still fenced: writes are "
	    "down since %s. Run apply again now: it lifts the fence or "
	    "completes the switch at once.\n",
	    c->d->name, c->d->source_id, since);
}

/*
 * 1 while a fenced source may still wait for an error to pass: until
 * cutover.timeoutSeconds after the fence (or, without its tag, after this
 * run first saw it).
 */
static int
fence_retry(const struct rr_ctx *c, const struct observed *o, int held,
    time_t held_since)
{
	time_t from =
	    o->target.fenced_at > 0 ? o->target.fenced_at : held_since;

	return held && time(NULL) < from + c->d->cutover_timeout_seconds;
}

enum reconcile_outcome
reconcile(struct rr_ctx *c, struct step *last)
{
	const struct desired *d = c->d;
	double start = rr_monotonic(), deadline = 0;
	int critical = 0, one_unit = 0, held = 0, again = 0;
	int recheck_fence = 0;
	time_t held_since = 0;
	const char *why;
	struct progress prog;
	struct observed o;
	struct step s;
	enum rr_err e;
	size_t n;

	memset(&prog, 0, sizeof(prog));
	prog.live = isatty(STDOUT_FILENO) &&
	    log_get_format() == LOG_FORMAT_TEXT;
	memset(last, 0, sizeof(*last));
	c->phase[0] = c->stopping[0] = '\0';
	c->lag_s = -1;
	if (c->opts->timeout_s > 0)
		deadline = start + (double)c->opts->timeout_s;
	log_set_object(d->name);
	for (;;) {
		log_set_step(NULL, NULL);
		/* From the cut-over on, a signal must not cut an AWS call
		 * short: it may be the one that resolves the fence. */
		rr_shield(critical);
		if (reconcile_observe_plan(c, again ? &o : NULL, &o, &s, 1,
		        &n) != RR_OK) {
			progress_end(&prog);
			fprintf(stderr, "rdsreconcile: %s: observing: %s\n",
			    d->name, rr_lasterr());
			if (fence_retry(c, &o, held, held_since)) {
				/* The last observation still holds: fenced. */
				pause_for(FENCE_RETRY_S * poll_scale(c), 0, 0);
				continue;
			}
			if (held)
				fence_left(c, &o);
			return failed(c, last, OUTCOME_FAILED);
		}
		again = 1;
		held = plan_fence_held(&o);
		if (held && held_since == 0)
			held_since = time(NULL);
		if (recheck_fence && !held) {
			progress_end(&prog);
			fprintf(stderr,
			    "rdsreconcile: %s: the fence did not take "
			    "effect; run again to continue\n",
			    d->name);
			return failed(c, last, OUTCOME_FAILED);
		}
		recheck_fence = 0;
		/* The cut-over, from its start: shielded from signals. */
		critical = o.target.exists &&
		    strcmp(o.target.phase, PHASE_CUTOVER) == 0;
		/* Until the switch: --once must not leave that to the next
		 * cron run.  After it (the stale-session drain, as long as
		 * the old TTL) one step per run is fine again. */
		one_unit = critical &&
		    !(o.record.exists &&
		        strcmp(o.record.value, o.target.endpoint) == 0);
		/* Checked once observed: a run that must stop and finds the
		 * source fenced, even one begun past its --timeout, resolves
		 * the fence first. */
		if ((why = stop_reason(deadline)) != NULL &&
		    c->stopping[0] == '\0') {
			progress_end(&prog);
			if (!critical) {
				if (rr_interrupted) {
					fprintf(stderr,
					    "rdsreconcile: %s: "
					    "interrupted; run again to "
					    "continue\n",
					    d->name);
					return OUTCOME_FAILED;
				}
				fprintf(stderr,
				    "rdsreconcile: %s: --timeout of "
				    "%lds reached; run again to continue\n",
				    d->name, c->opts->timeout_s);
				return OUTCOME_PROGRESSING;
			}
			snprintf(c->stopping, sizeof(c->stopping), "%s", why);
			if (held)
				fprintf(stderr,
				    "rdsreconcile: %s: %s with the "
				    "source fenced: finishing the switch or "
				    "lifting the fence before exiting\n",
				    d->name, why);
			snprintf(o.stopping, sizeof(o.stopping), "%s", why);
			plan_next(d, &o, &s);
		}
		if (c->stopping[0] != '\0' && !held) {
			/* Nothing is down: the rest is for the next run. */
			progress_end(&prog);
			fprintf(stderr,
			    "rdsreconcile: %s: stopped (%s); run "
			    "again to continue\n",
			    d->name, c->stopping);
			return rr_interrupted ? OUTCOME_FAILED
			                      : OUTCOME_PROGRESSING;
		}
		/* The lock first: two runs must not both ask the hook. */
		if (s.kind == STEP_ACT && s.action == ACT_MARK_CUTOVER &&
		    o.before_cutover_hook == TRI_UNKNOWN && !c->opts->dry_run &&
		    rr_lock_ensure(c, &o.source) == RR_OK) {
			if (ask_before_cutover(c, &o) != RR_OK)
				return OUTCOME_FAILED;
			plan_next(d, &o, &s);
		}
		*last = s;
		snprintf(c->phase, sizeof(c->phase), "%s", report_phase(&o, &s));
		c->lag_s = o.tgtrepl.configured ? o.tgtrepl.seconds_behind : -1;

		if (s.kind == STEP_WAIT) {
			progress_wait(&prog, d, &s, poll_scale(c));
			crash_point("wait:%s", wait_name(s.wait));
			if (c->opts->once && !one_unit) {
				progress_end(&prog);
				return OUTCOME_PROGRESSING;
			}
			pause_for(s.requeue_after * poll_scale(c),
			    held ? 0 : deadline, !held);
			continue;
		}
		progress_end(&prog);

		switch (s.kind) {
		case STEP_CONVERGED:
			step_print(d, &s, NULL);
			return OUTCOME_CONVERGED;
		case STEP_BLOCKED:
			step_print(d, &s, NULL);
			fprintf(stderr, "rdsreconcile: %s: blocked: %s\n",
			    d->name, s.what);
			if (held)
				fence_left(c, &o);
			rr_seterr(RR_ERR_REFUSED, "blocked: %s", s.what);
			return failed(c, &s, OUTCOME_BLOCKED);
		case STEP_GATE:
			step_print(d, &s,
			    s.wait == WAIT_GATE_HOOK
			        ? "replication keeps running; run again when the "
			          "hook allows it"
			        : "replication keeps running; "
			          "run again when the gate opens");
			return OUTCOME_GATED;
		case STEP_WAIT:
		case STEP_ACT:
			break;
		}

		if (c->opts->dry_run) {
			step_print_plan(d, &o);
			return OUTCOME_PROGRESSING;
		}
		if ((e = rr_lock_ensure(c, &o.source)) != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: %s\n", d->name,
			    rr_lasterr());
			if (e == RR_ERR_LOCKED) {
				/* Alive, or it would not hold the lock: the
				 * fence is that run's to resolve. */
				if (held)
					fprintf(stderr,
					    "rdsreconcile: %s: the "
					    "source is fenced; the run holding "
					    "the lock resolves it\n",
					    d->name);
				return OUTCOME_LOCKED;
			}
			if (fence_retry(c, &o, held, held_since)) {
				pause_for(FENCE_RETRY_S * poll_scale(c), 0, 0);
				continue;
			}
			if (held)
				fence_left(c, &o);
			return failed(c, &s, OUTCOME_FAILED);
		}
		step_print(d, &s, NULL);
		log_set_step(action_name(s.action), step_resource(d, &s));
		crash_point("%s/act:before", action_name(s.action));
		e = act(c, &o, &s);
		crash_point("%s/act:after", action_name(s.action));
		/* For status: the last action taken, from whichever machine. */
		if (lastrun_write(d, &s, e, time(NULL)) != RR_OK)
			log_warn("cannot record the last action: %s",
			    rr_lasterr());
		if (e != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: %s failed: %s\n",
			    d->name, action_name(s.action), rr_lasterr());
			if (fence_retry(c, &o, held, held_since)) {
				pause_for(FENCE_RETRY_S * poll_scale(c), 0, 0);
				continue;
			}
			if (s.action == ACT_FENCE_SOURCE) {
				/* It may have taken effect all the same: look
				 * once more, and resolve it if it did. */
				fprintf(stderr,
				    "rdsreconcile: %s: the source "
				    "may be fenced: observing again\n",
				    d->name);
				recheck_fence = 1;
				continue;
			}
			if (held)
				fence_left(c, &o);
			return failed(c, &s, OUTCOME_FAILED);
		}
		if (s.action == ACT_ABORT_CUTOVER) {
			fprintf(stderr,
			    "rdsreconcile: %s: cut-over aborted: "
			    "%s; the source takes writes again and the alias "
			    "is unchanged; find the cause, then run apply "
			    "again\n",
			    d->name, s.why);
			rr_seterr(RR_ERR_TIMEOUT, "cut-over aborted: %s",
			    s.why);
			return failed(c, &s, OUTCOME_BLOCKED);
		}
		if (s.action == ACT_MARK_DONE &&
		    hook_run(d, HOOK_AFTER_CUTOVER, action_name(s.action),
		    NULL) != RR_OK)
			/* The cut-over is done; a failed report does not undo
			 * it, but the user must hear about it. */
			fprintf(stderr, "rdsreconcile: %s: %s\n", d->name,
			    rr_lasterr());
		if (c->opts->once && !one_unit)
			return OUTCOME_PROGRESSING;
	}
}
