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

#include "aws.h"
#include "db.h"
#include "desired.h"
#include "log.h"
#include "reconcile.h"

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

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sleep secs unless interrupted or past the deadline (0 = none). */
static void
pause_for(double secs, double deadline)
{
	struct timespec ts;

	if (deadline > 0 && mono() + secs > deadline)
		secs = deadline - mono();
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

static void
print_step(const struct desired *d, const struct step *s, const char *tail)
{
	char ts[16];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	printf("%s %s %s %s%s%s\n", ts, d->name, step_symbol(s), s->what,
	    s->why[0] ? " — " : "", s->why);
	if (tail && *tail)
		printf("         %s\n", tail);
	fflush(stdout);
}

static double
poll_scale(const struct rr_ctx *c)
{
	return c->opts->poll_scale > 0 ? c->opts->poll_scale : 1.0;
}

int
reconcile(struct rr_ctx *c, struct step *last)
{
	const struct desired *d = c->d;
	double start = mono(), deadline = 0, wait_start = 0;
	struct observed o;
	struct step s, prev;
	enum rr_err e;
	int isatty_out = isatty(STDOUT_FILENO);

	memset(&prev, 0, sizeof(prev));
	if (c->opts->timeout_s > 0)
		deadline = start + (double)c->opts->timeout_s;
	log_set_object(d->name);
	for (;;) {
		if (rr_interrupted) {
			fprintf(stderr, "rdsreconcile: %s: interrupted; run "
			    "again to continue\n", d->name);
			return EXIT_FAILED;
		}
		if (deadline > 0 && mono() >= deadline) {
			fprintf(stderr, "rdsreconcile: %s: --timeout of %lds "
			    "reached; run again to continue\n", d->name,
			    c->opts->timeout_s);
			return EXIT_PENDING;
		}
		if ((e = observe(&o, c)) != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: observing: %s\n",
			    d->name, rr_lasterr());
			return EXIT_FAILED;
		}
		plan_next(d, &o, &s);
		*last = s;

		if (s.kind == STEP_WAIT) {
			int same = prev.kind == STEP_WAIT &&
			    strcmp(prev.what, s.what) == 0;

			if (prev.kind != STEP_WAIT)
				wait_start = mono();
			if (!same) {
				if (isatty_out && prev.kind == STEP_WAIT)
					printf("\n");
				print_step(d, &s, NULL);
			}
			prev = s;
			if (c->opts->once)
				return EXIT_PENDING;
			pause_for(s.requeue_after * poll_scale(c), deadline);
			continue;
		}
		if (prev.kind == STEP_WAIT)
			printf("         waited %.0fs\n", mono() - wait_start);
		prev = s;

		switch (s.kind) {
		case STEP_CONVERGED:
			print_step(d, &s, NULL);
			return EXIT_CONVERGED;
		case STEP_BLOCKED:
			print_step(d, &s, NULL);
			fprintf(stderr, "rdsreconcile: %s: blocked: %s\n",
			    d->name, s.what);
			return EXIT_BLOCKED;
		case STEP_GATE:
			print_step(d, &s, "replication keeps running; run "
			    "again when the gate opens");
			return EXIT_WAITING;
		case STEP_WAIT:
		case STEP_ACT:
			break;
		}

		if (c->opts->dry_run) {
			print_step(d, &s, "(dry run: not executed)");
			return EXIT_PENDING;
		}
		if ((e = ensure_lock(c, &o)) != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: %s\n", d->name,
			    rr_lasterr());
			return e == RR_ERR_LOCKED ? EXIT_LOCKED : EXIT_FAILED;
		}
		print_step(d, &s, NULL);
		if ((e = act(c, &o, &s)) != RR_OK) {
			fprintf(stderr, "rdsreconcile: %s: %s failed: %s\n",
			    d->name, action_name(s.action), rr_lasterr());
			return EXIT_FAILED;
		}
		if (c->opts->once)
			return EXIT_PENDING;
	}
}
