/*
 * loop.c - reconcile(): observe, plan, act, until converged, held, blocked
 * or failed; one line per step, progress on long waits.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <jansson.h>

#include "aws.h"
#include "clock.h"
#include "db.h"
#include "desired.h"
#include "hooks.h"
#include "lastrun.h"
#include "log.h"
#include "reconcile.h"
#include "report.h"
#include "xmalloc.h"

volatile int rr_interrupted;

static void
on_signal(int sig)
{
	(void)sig;
	rr_interrupted = 1;
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

/* Sleep secs unless interrupted or past the deadline (0 = none). */
static void
pause_for(double secs, double deadline)
{
	struct timespec ts;

	if (deadline > 0 && rr_monotonic() + secs > deadline)
		secs = deadline - rr_monotonic();
	if (secs <= 0)
		return;
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (!rr_interrupted && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * GET_LOCK names are at most 64 characters: "rdsreconcile:" and the
 * object name, hashed when that would not fit.
 */
void rr_lock_name(const struct desired *d, char *buf, size_t len);

void
rr_lock_name(const struct desired *d, char *buf, size_t len)
{
	unsigned char h[8];
	size_t i;

	if (strlen(d->name) <= 64 - 13) {
		snprintf(buf, len, "rdsreconcile:%s", d->name);
		return;
	}
	crypto_generichash(h, sizeof(h), (const unsigned char *)d->name,
	    strlen(d->name), NULL, 0);
	snprintf(buf, len, "rdsreconcile:%.30s-", d->name);
	for (i = 0; i < sizeof(h); i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%02x", h[i]);
}

/*
 * Hold the run lock while acting.  It lives on the source connection, so a
 * new connection (after a restart of the source) must take it again.
 * RR_ERR_LOCKED names the holder.
 */
static enum rr_err
ensure_lock(struct rr_ctx *c, const struct observed *o)
{
	char name[80], *who = NULL;
	unsigned long holder = 0;
	struct db *db;
	enum rr_err e;
	int got = 0;

	if (!c->opts->need_lock || !o->source.exists ||
	    o->source.endpoint[0] == '\0')
		return RR_OK;
	if ((e = rr_ctx_source(c, &o->source, &db)) != RR_OK)
		return e;
	if (c->locked)
		return RR_OK;
	rr_lock_name(c->d, name, sizeof(name));
	if ((e = db_get_lock(db, name, 0, &got)) != RR_OK)
		return e;
	if (got) {
		c->locked = 1;
		log_debug("holding lock '%s' on the source", name);
		return RR_OK;
	}
	(void)db_lock_holder(db, name, &holder, &who);
	e = rr_seterr(RR_ERR_LOCKED, "another run holds lock '%s' on source "
	    "'%s': %s", name, c->d->source_id, who ? who : "holder unknown");
	free(who);
	return e;
}

/* The wall clock as "HH:MM:SS" UTC in ts (16 bytes), the step lines' stamp. */
static const char *
clock_hms(char *ts)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, 16, "%H:%M:%S", &tm);
	return ts;
}

/*
 * One line per step on stdout: "12:00:01 NAME SYMBOL what — why" in text,
 * a JSON record (log.h) with --log-format json.  tail is a note below it.
 */
static void
print_step(const struct desired *d, const struct step *s, const char *tail)
{
	char ts[16];

	if (log_get_format() == LOG_FORMAT_JSON) {
		json_t *f = json_pack("{s:s,s:s,s:s,s:s}", "kind",
		    step_kind_name(s->kind), "symbol", step_symbol(s),
		    "operation", s->op, "why", s->why);

		if (s->kind == STEP_WAIT || s->kind == STEP_GATE)
			json_object_set_new(f, "waits_on",
			    json_string(wait_name(s->wait)));
		if (tail && *tail)
			json_object_set_new(f, "note", json_string(tail));
		if (s->kind == STEP_ACT)
			json_object_set_new(f, "arguments",
			    report_step_args_json(s));
		json_object_set_new(f, "step", json_string(s->kind == STEP_ACT ?
		    action_name(s->action) : step_kind_name(s->kind)));
		if (step_resource(d, s) != NULL)
			json_object_set_new(f, "resource",
			    json_string(step_resource(d, s)));
		log_json_record(stdout, LOG_INFO, s->what, f);
		return;
	}
	printf("%s %s %s %s%s%s\n", clock_hms(ts), d->name, step_symbol(s),
	    s->what, s->why[0] ? " — " : "", s->why);
	if (tail && *tail)
		printf("         %s\n", tail);
	fflush(stdout);
}

/*
 * Progress of one long wait (snapshot and copy PercentProgress, lag,
 * INSYNC): on a terminal one line rewritten in place; otherwise a line
 * when what is waited for changes, then again when its progress changed
 * and PROGRESS_MIN_S passed, or PROGRESS_MAX_S passed anyway.  Both are
 * multiplied by the poll scale, as every wait is.
 */
#define PROGRESS_MIN_S	10.0
#define PROGRESS_MAX_S	60.0

struct progress {
	int active;		/* a wait line is on the screen / in the log */
	int live;		/* a terminal: rewrite in place */
	double started;		/* monotonic start of this wait */
	double printed;		/* monotonic time of the last line */
	struct step last;	/* the wait in progress, as last printed */
};

static void
progress_end(struct progress *p)
{
	double waited;

	if (!p->active)
		return;
	waited = rr_monotonic() - p->started;

	if (p->live)
		printf("\n");
	if (log_get_format() == LOG_FORMAT_JSON)
		log_json_record(stdout, LOG_INFO, "waited",
		    json_pack("{s:s,s:s,s:f}", "kind", "waited", "waits_on",
		        wait_name(p->last.wait), "waited_s", waited));
	else
		printf("         waited %.0fs\n", waited);
	fflush(stdout);
	p->active = 0;
}

static void
progress_wait(struct progress *p, const struct desired *d,
    const struct step *s, double scale)
{
	size_t n = step_subject_len(s);
	int same = p->active && n == step_subject_len(&p->last) &&
	    strncmp(s->what, p->last.what, n) == 0;
	int changed = strcmp(s->what, p->last.what) != 0;
	double now = rr_monotonic(), since = now - p->printed;

	if (!same) {
		progress_end(p);
		p->active = 1;
		p->started = now;
	} else if (p->live) {
		if (!changed)
			return;
		printf("\r\033[K");
	} else if (!((changed && since >= PROGRESS_MIN_S * scale) ||
	    since >= PROGRESS_MAX_S * scale)) {
		return;
	}
	if (p->live) {
		char ts[16];

		printf("%s %s %s %s, %.0fs", clock_hms(ts), d->name,
		    step_symbol(s), s->what, now - p->started);
		fflush(stdout);
	} else {
		print_step(d, s, NULL);
	}
	p->printed = now;
	p->last = *s;
}

static double
poll_scale(const struct rr_ctx *c)
{
	return c->opts->poll_scale > 0 ? c->opts->poll_scale : 1.0;
}

/* diff-like listing of every step from o, for apply --dry-run. */
static void
print_plan(const struct desired *d, const struct observed *o)
{
	struct step *steps = xcalloc(PLAN_MAX_STEPS, sizeof(*steps));
	size_t n, i;

	n = plan_all(d, o, steps, PLAN_MAX_STEPS);
	for (i = 0; i < n; i++)
		print_step(d, &steps[i], i == 0 ? "(dry run: nothing is "
		    "executed; the steps below assume each one succeeds)" :
		    NULL);
	free(steps);
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

enum reconcile_outcome
reconcile(struct rr_ctx *c, struct step *last)
{
	const struct desired *d = c->d;
	double start = rr_monotonic(), deadline = 0;
	int critical, again = 0;
	struct progress prog;
	struct observed o;
	struct step s;
	enum rr_err e;
	size_t n;

	memset(&prog, 0, sizeof(prog));
	prog.live = isatty(STDOUT_FILENO) &&
	    log_get_format() == LOG_FORMAT_TEXT;
	memset(last, 0, sizeof(*last));
	c->phase[0] = '\0';
	c->lag_s = -1;
	if (c->opts->timeout_s > 0)
		deadline = start + (double)c->opts->timeout_s;
	log_set_object(d->name);
	for (;;) {
		log_set_step(NULL, NULL);
		if (rr_interrupted) {
			progress_end(&prog);
			fprintf(stderr, "rdsreconcile: %s: interrupted; run "
			    "again to continue\n", d->name);
			return OUTCOME_FAILED;
		}
		if (deadline > 0 && rr_monotonic() >= deadline) {
			progress_end(&prog);
			fprintf(stderr, "rdsreconcile: %s: --timeout of %lds "
			    "reached; run again to continue\n", d->name,
			    c->opts->timeout_s);
			return OUTCOME_PROGRESSING;
		}
		if (reconcile_observe_plan(c, again ? &o : NULL, &o, &s, 1,
		        &n) != RR_OK) {
			progress_end(&prog);
			fprintf(stderr, "rdsreconcile: %s: observing: %s\n",
			    d->name, rr_lasterr());
			return failed(c, last, OUTCOME_FAILED);
		}
		again = 1;
		/* The lock first: two runs must not both ask the hook. */
		if (s.kind == STEP_ACT && s.action == ACT_MARK_CUTOVER &&
		    o.before_cutover_hook == TRI_UNKNOWN && !c->opts->dry_run &&
		    ensure_lock(c, &o) == RR_OK) {
			if (ask_before_cutover(c, &o) != RR_OK)
				return OUTCOME_FAILED;
			plan_next(d, &o, &s);
		}
		*last = s;
		/* From the fence to the switch writes are down: --once must
		 * not leave that to the next cron run. */
		critical = o.target.exists &&
		    strcmp(o.target.phase, PHASE_CUTOVER) == 0;
		snprintf(c->phase, sizeof(c->phase), "%s", report_phase(&o, &s));
		c->lag_s = o.tgtrepl.configured ? o.tgtrepl.seconds_behind : -1;

		if (s.kind == STEP_WAIT) {
			progress_wait(&prog, d, &s, poll_scale(c));
			if (c->opts->once && !critical) {
				progress_end(&prog);
				return OUTCOME_PROGRESSING;
			}
			pause_for(s.requeue_after * poll_scale(c), deadline);
			continue;
		}
		progress_end(&prog);

		switch (s.kind) {
		case STEP_CONVERGED:
			print_step(d, &s, NULL);
			return OUTCOME_CONVERGED;
		case STEP_BLOCKED:
			print_step(d, &s, NULL);
			fprintf(stderr, "rdsreconcile: %s: blocked: %s\n",
			    d->name, s.what);
			rr_seterr(RR_ERR_REFUSED, "blocked: %s", s.what);
			return failed(c, &s, OUTCOME_BLOCKED);
		case STEP_GATE:
			print_step(d, &s,
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
			print_plan(d, &o);
			return OUTCOME_PROGRESSING;
		}
		if ((e = ensure_lock(c, &o)) != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: %s\n", d->name,
			    rr_lasterr());
			return e == RR_ERR_LOCKED
			    ? OUTCOME_LOCKED
			    : failed(c, &s, OUTCOME_FAILED);
		}
		print_step(d, &s, NULL);
		log_set_step(action_name(s.action), step_resource(d, &s));
		e = act(c, &o, &s);
		/* For status: the last action taken, from whichever machine. */
		if (lastrun_write(d, &s, e, time(NULL)) != RR_OK)
			log_warn("cannot record the last action: %s",
			    rr_lasterr());
		if (e != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: %s failed: %s\n",
			    d->name, action_name(s.action), rr_lasterr());
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
		if (c->opts->once && !critical)
			return OUTCOME_PROGRESSING;
	}
}
