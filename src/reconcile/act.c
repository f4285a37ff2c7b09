/*
 * act.c - run the one mutation a step names, through its entry in the
 * action table (action.h).  Decides nothing: the entries live in
 * src/reconcile/actions/, one file per family.
 */
#include "action.h"
#include "context.h"
#include "plan.h"

enum rr_err
act(struct rr_ctx *c, const struct observed *o, const struct step *s)
{
	const struct action_entry *e;

	/* Enforced here, beside the AWS client's own refusal. */
	if (c->opts->dry_run)
		return rr_seterr(RR_ERR_DRY_RUN, "dry run: %s not executed",
		    action_name(s->action));
	if (s->kind != STEP_ACT)
		return RR_OK;
	if ((e = action_get(s->action)) == NULL)
		return rr_seterr(RR_ERR_INTERNAL, "no action for step '%s'",
		    s->what);
	return e->run(c, o, s);
}
