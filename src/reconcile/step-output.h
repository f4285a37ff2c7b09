/*
 * step-output.h - apply's output on stdout (step-output.c): a line per
 * step, the progress of long waits, the dry run's plan.
 */
#ifndef RR_STEP_OUTPUT_H
#define RR_STEP_OUTPUT_H

#include "plan.h"

struct desired;
struct observed;

/*
 * One line per step on stdout: "12:00:01 NAME SYMBOL what — why" in text,
 * a JSON record (log.h) with --log-format json, the action's arguments
 * included.  tail, when not NULL or "", is a note below it.
 */
void
step_print(const struct desired *d, const struct step *s, const char *tail);

/* The progress of one long wait, as it was last printed. */
struct progress {
	int active;       /* a wait line is on the screen / in the log */
	int live;         /* a terminal: rewrite in place */
	double started;   /* monotonic start of this wait, seconds */
	double printed;   /* monotonic time of the last line, seconds */
	struct step last; /* the wait in progress, as last printed */
};

/*
 * A wait step s: on a terminal one line rewritten in place; otherwise a
 * line when what is waited for changes, then when its progress changed
 * and 10 s passed, or 60 s passed anyway, both times scale.
 */
void progress_wait(struct progress *p, const struct desired *d,
    const struct step *s, double scale);

/* The wait in progress is over: "waited Ns". */
void progress_end(struct progress *p);

/* Every step from o (plan_all()), for apply --dry-run. */
void step_print_plan(const struct desired *d, const struct observed *o);

#endif
