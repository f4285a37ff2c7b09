/*
 * observe-plan.c - observe, then plan: the one sequence diff, status and
 * the apply loop share, so that what they show is what apply runs.
 */
#include <stdio.h>
#include <string.h>

#include "observe.h"
#include "plan.h"
#include "reconcile.h"

/* Fenced for the cut-over and the alias not moved yet: writes are down,
 * and only what the cut-over moves needs observing again. */
static int
fenced(const struct observed *o)
{
	return o->target.exists &&
	    strcmp(o->target.phase, PHASE_CUTOVER) == 0 &&
	    o->srcdb.read_only == TRI_YES &&
	    strcmp(o->record.value, o->target.endpoint) != 0;
}

enum rr_err
reconcile_observe_plan(struct rr_ctx *c, const struct observed *prev,
    struct observed *o, struct step *steps, size_t max, size_t *n)
{
	enum rr_err e;

	*n = 0;
	if (prev != NULL && fenced(prev)) {
		if (prev != o)
			*o = *prev;
		e = observe_cutover(o, c);
	} else
		e = observe(o, c);
	if (e != RR_OK)
		return e;
	snprintf(o->stopping, sizeof(o->stopping), "%s", c->stopping);
	if (max == 1) {
		plan_next(c->d, o, &steps[0]);
		*n = 1;
	} else
		*n = plan_all(c->d, o, steps, max);
	return RR_OK;
}
