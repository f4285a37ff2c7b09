/*
 * step-output.c - what apply prints: one line per step (text, or a JSON
 * record with --log-format json), the progress of long waits, and the
 * dry run's plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "clock.h"
#include "desired.h"
#include "log.h"
#include "report.h"
#include "step-output.h"
#include "xmalloc.h"

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
void
step_print(const struct desired *d, const struct step *s, const char *tail)
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
		json_object_set_new(f, "step",
		    json_string(s->kind == STEP_ACT ? action_name(s->action)
		                                    : step_kind_name(s->kind)));
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
#define PROGRESS_MIN_S 10.0
#define PROGRESS_MAX_S 60.0

void
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

void
progress_wait(struct progress *p, const struct desired *d, const struct step *s,
    double scale)
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
		step_print(d, s, NULL);
	}
	p->printed = now;
	p->last = *s;
}

/* diff-like listing of every step from o, for apply --dry-run. */
void
step_print_plan(const struct desired *d, const struct observed *o)
{
	struct step *steps = xcalloc(PLAN_MAX_STEPS, sizeof(*steps));
	size_t n, i;

	n = plan_all(d, o, steps, PLAN_MAX_STEPS);
	for (i = 0; i < n; i++)
		step_print(d, &steps[i],
		    i == 0
		        ? "(dry run: nothing is "
		          "executed; the steps below assume each one succeeds)"
		        : NULL);
	free(steps);
}
