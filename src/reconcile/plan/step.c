/*
 * step.c - the vocabulary of a step (plan.h): its kind, what it waits on,
 * its symbol and resource, and how a stage fills one in.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "plan-int.h"

const char *
wait_name(enum wait_on w)
{
	switch (w) {
	case WAIT_NONE: return "";
	case WAIT_STATUS: return "status";
	case WAIT_PROGRESS: return "progress";
	case WAIT_LAG: return "lag";
	case WAIT_POSITION: return "position";
	case WAIT_INSYNC: return "insync";
	case WAIT_RECONNECT: return "reconnect";
	case WAIT_TTL: return "ttl";
	case WAIT_GATE_APPROVAL: return "approval";
	case WAIT_GATE_WINDOW: return "window";
	case WAIT_GATE_LAG: return "lag";
	case WAIT_GATE_POSTPONE: return "postpone";
	case WAIT_GATE_HOOK: return "hook";
	case WAIT_GATE_TRANSACTION: return "transaction";
	case WAIT_GATE_DDL: return "ddl";
	}
	return "";
}

const char *
step_kind_name(enum step_kind k)
{
	switch (k) {
	case STEP_CONVERGED: return "converged";
	case STEP_ACT: return "act";
	case STEP_WAIT: return "wait";
	case STEP_GATE: return "gate";
	case STEP_BLOCKED: return "blocked";
	}
	return "";
}

const char *
step_resource(const struct desired *d, const struct step *s)
{
	const struct action_entry *e;

	if (s->kind == STEP_WAIT || s->kind == STEP_GATE) {
		switch (s->wait) {
		case WAIT_INSYNC:
		case WAIT_TTL: return d->endpoint_name;
		case WAIT_LAG:
		case WAIT_POSITION:
		case WAIT_GATE_APPROVAL:
		case WAIT_GATE_WINDOW:
		case WAIT_GATE_LAG:
		case WAIT_GATE_POSTPONE:
		case WAIT_GATE_HOOK: return d->target_id;
		case WAIT_GATE_TRANSACTION:
		case WAIT_GATE_DDL: return d->source_id;
		default: return NULL;
		}
	}
	if ((e = action_get(s->action)) == NULL)
		return NULL;
	return action_resource_name(d, e->resource);
}

size_t
step_subject_len(const struct step *s)
{
	const char *p = strstr(s->what, " (");

	return p ? (size_t)(p - s->what) : strlen(s->what);
}

const char *
step_symbol(const struct step *s)
{
	switch (s->kind) {
	case STEP_CONVERGED: return "=";
	case STEP_WAIT:
	case STEP_GATE: return "…";
	case STEP_BLOCKED: return "!";
	case STEP_ACT: break;
	}
	return action_get(s->action) != NULL ? action_get(s->action)->symbol
	                                     : "~";
}

static void
plan_vset(struct step *s, enum step_kind kind, enum action a, enum wait_on w,
    int requeue, const char *op, const char *why, const char *fmt, va_list ap)
{
	s->kind = kind;
	s->action = a;
	s->wait = w;
	s->requeue_after = requeue;
	/* An action's operation is its table entry's. */
	if (kind == STEP_ACT && action_get(a) != NULL)
		op = action_get(a)->op;
	snprintf(s->op, sizeof(s->op), "%s", op);
	snprintf(s->why, sizeof(s->why), "%s", why);
	vsnprintf(s->what, sizeof(s->what), fmt, ap);
	/* What is not sent, where 0 is a value. */
	s->args.multi_az = s->args.read_only = s->args.tls = -1;
	s->args.publicly_accessible = -1;
	step_settings_unset(&s->args.settings);
}

void
step_settings_unset(struct obs_settings *st)
{
	memset(st, 0, sizeof(*st));
	st->iops = st->storage_throughput = st->iam_auth = -1;
	st->monitoring_interval = st->performance_insights = -1;
	st->pi_retention = st->auto_minor_version_upgrade = -1;
	st->copy_tags_to_snapshot = st->deletion_protection = -1;
}

void
plan_set(struct step *s, enum step_kind kind, enum action a, enum wait_on w,
    int requeue, const char *op, const char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	plan_vset(s, kind, a, w, requeue, op, why, fmt, ap);
	va_end(ap);
}

void
plan_act(const struct desired *d, const struct observed *o, struct step *s,
    enum action a, const char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	plan_vset(s, STEP_ACT, a, WAIT_NONE, 0, "", why, fmt, ap);
	va_end(ap);
	if (action_get(a) != NULL)
		action_get(a)->resolve(d, o, s);
}

int
plan_decided(const struct step *s)
{
	return s->what[0] != '\0';
}

int
plan_is_status(const struct obs_instance *i, const char *status)
{
	return strcmp(i->status, status) == 0;
}

int
plan_same_sgs(const struct obs_instance *a, const struct obs_instance *b)
{
	int i;

	if (a->n_sg != b->n_sg)
		return 0;
	for (i = 0; i < a->n_sg; i++)
		if (strcmp(a->sg_ids[i], b->sg_ids[i]) != 0)
			return 0;
	return 1;
}
