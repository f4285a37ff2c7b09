/*
 * plan.h - the planner: desired + observed in, the next safe step out.
 *
 * plan_next() is pure: no I/O, no clock (the time is observed->now), no
 * globals.  apply runs the step it returns and observes again; diff calls
 * plan_all(), which replays plan_next() on a copy of the observation with
 * each step's expected effect applied (plan_assume()), to list every step
 * still to run.  The procedure is DESIGN.md §2, strategy replica-snapshot.
 *
 * The planner lives in src/reconcile/plan/: one file per stage
 * (ownership, preflight, target, replication, gates, cutover, cleanup),
 * the strategy's own planner that orders them (strategy-*.c), the step
 * vocabulary (step.c) and the dry run (assume.c).  Each action step's
 * arguments are resolved by the action's table entry (action.h).
 */
#ifndef RR_PLAN_H
#define RR_PLAN_H

#include <stddef.h>
#include <time.h>

#include "action.h"
#include "observe.h"

enum step_kind {
	STEP_CONVERGED,	/* nothing to do */
	STEP_ACT,	/* run one mutation */
	STEP_WAIT,	/* something is in progress: observe again later */
	STEP_GATE,	/* the cut-over is held by a gate (approval, window, ...) */
	STEP_BLOCKED,	/* unsafe or impossible: a human must act */
};

/* What a wait or gate is waiting on (for diff, status and exit codes). */
enum wait_on {
	WAIT_NONE,
	WAIT_STATUS,    /* an RDS status to become available */
	WAIT_PROGRESS,  /* snapshot/copy PercentProgress */
	WAIT_LAG,       /* replica lag */
	WAIT_POSITION,  /* the final binlog position at cut-over */
	WAIT_INSYNC,    /* Route 53 change propagation */
	WAIT_RECONNECT, /* the target's I/O thread to reconnect */
	WAIT_TTL,       /* the alias record's old TTL to run out */
	WAIT_GATE_APPROVAL,
	WAIT_GATE_WINDOW,
	WAIT_GATE_LAG,
	WAIT_GATE_POSTPONE,
	WAIT_GATE_HOOK, /* the beforeCutover hook exited non-zero */
	/* Guardrails before the fence: a transaction on the source open
	 * longer than maxTransactionSeconds, or its sessions unreadable... */
	WAIT_GATE_TRANSACTION,
	/* ...and DDL running or waiting on a metadata lock there. */
	WAIT_GATE_DDL,
};

/* Our tags and the source's: at most 4 of ours and OBS_MAX_TAGS. */
#define STEP_MAX_TAGS  (OBS_MAX_TAGS + 4)
#define STEP_MAX_HOSTS 4

/*
 * The exact values an action sends, resolved by the planner (each
 * entry's resolve, action.h) from d and the observation, so that diff
 * and apply --dry-run show what apply sends and the action decides
 * nothing.  A field the action does not send is empty: "", 0, or -1
 * where noted.  Secrets (the replication password) are never here.
 */
struct step_args {
	/* The identifier acted on: instance, snapshot, parameter group. */
	char id[256];
	/* What it is made from: source instance, snapshot or group. */
	char from[256];
	char kms_key_id[256];    /* CopyDBSnapshot KmsKeyId */
	char instance_class[40]; /* RestoreDBInstanceFromDBSnapshot */
	struct obs_tag tags[STEP_MAX_TAGS]; /* tags written */
	int n_tags;
	char untag[3][64]; /* tag keys removed */
	int n_untag;
	char sg_ids[8][64]; /* VpcSecurityGroupIds (replica, restore, modify) */
	int n_sg;
	/* DBSubnetGroupName of the replica, the restore, or the modify that
	 * moves the target to the source's; "" = not sent. */
	char subnet_group[256];
	int publicly_accessible; /* PubliclyAccessible, -1 = not sent */
	int instance_port;       /* restore Port, 0 = not sent */
	/* The settings the call sends ("" / -1 = not sent): a restore sends
	 * those RestoreDBInstanceFromDBSnapshot takes, the modify the rest
	 * (rds.h, struct rds_settings). */
	struct obs_settings settings;
	/* ModifyDBInstance DBParameterGroupName, or the group whose
	 * read_only is set. */
	char param_group[256];
	/* CreateDBParameterGroup DBParameterGroupFamily, and the values
	 * ModifyDBParameterGroup sets in it, in order. */
	char family[64];
	struct obs_param params[OBS_MAX_PARAMS + 1];
	int n_params;
	int backup_retention;           /* days, 0 = not sent */
	int multi_az;                   /* -1 = not sent */
	/* read_only's value; -1 = not sent, or for abort-cutover: reset to
	 * the engine default (ResetDBParameterGroup). */
	int read_only;
	long binlog_retention_hours;    /* 0 = not sent */
	char user[64];                  /* replication user */
	char hosts[STEP_MAX_HOSTS][64]; /* its hosts ('%' = any) */
	int n_hosts;
	char drop_hosts[8][64]; /* its other accounts, dropped first */
	int n_drop_hosts;
	char hosts_note[256]; /* why the host is '%', "" otherwise */
	int tls;              /* REQUIRE SSL / ssl_encryption, -1 = not sent */
	char host[256];       /* replication source host */
	int port;             /* and port, 0 = not sent */
	char zone_id[64];     /* Route 53 hosted zone */
	char record_type[8];  /* CNAME | A */
	long ttl;             /* seconds, 0 = not sent */
	char value[256];      /* the record's value */
};

struct step {
	enum step_kind kind;
	enum action action;	/* ACT_NONE unless kind == STEP_ACT */
	enum wait_on wait;	/* for STEP_WAIT and STEP_GATE */
	int requeue_after;	/* seconds until observing again is useful */
	char what[256];		/* "create read replica 'db-enc-rr-tmp'" */
	char why[256];		/* "a frozen copy of the source is needed" */
	char op[64];		/* the AWS action or SQL: "CreateDBSnapshot" */
	struct binlog_pos pos;	/* coordinates the action uses, if any */
	struct step_args args;  /* what an action sends (kind STEP_ACT) */
};

/* Every setting of st "not sent": "" and -1. */
void step_settings_unset(struct obs_settings *st);

/* Terraform-style symbol: "+" create, "~" modify, "-" delete, "…" wait,
 * "!" blocked, "=" converged. */
const char *step_symbol(const struct step *s);
const char *step_kind_name(enum step_kind k); /* "act", "wait", ... */
const char *wait_name(enum wait_on w);	/* "approval", "lag", ... */

struct desired;

/*
 * The resource a step acts on or waits for, by its AWS/MySQL name: an
 * instance or snapshot identifier, the parameter group, or the record
 * name.  NULL when the step is not about one resource.  Points into d.
 */
const char *step_resource(const struct desired *d, const struct step *s);

/*
 * Length of the part of s->what that names what is waited for: a wait's
 * what is "subject (progress)", e.g. "wait for snapshot 'x' (creating,
 * 40%)"; two observations of one wait have the same subject.
 */
size_t step_subject_len(const struct step *s);

/* The next step for d given o.  Pure; never fails. */
void plan_next(const struct desired *d, const struct observed *o,
    struct step *out);

/*
 * Mark in o the effect a successful step s will have (a create makes the
 * resource exist and become available, a wait is over, a gate passes), so
 * that plan_next on the result gives the step after it.  Pure.
 */
void plan_assume(const struct desired *d, struct observed *o,
    const struct step *s);

/*
 * The cut-over gates as the planner weighs them once the target replicates
 * without error: plan_next() waits (STEP_WAIT, WAIT_LAG) while the lag gate
 * is closed, then holds the cut-over (STEP_GATE) at the first closed one of
 * approval, window, postpone, transaction, ddl, in that order; the last two
 * are asked again just before the source is fenced.  status shows all of
 * them.
 */
struct gate_state {
	int lag_open;		/* the target replicates and its
				 * seconds_behind is known, <= maxLagSeconds */
	int approval_open;	/* cutover.approval auto, or approved */
	int window_open;	/* o->now inside cutover.window, or none
				 * declared */
	time_t window_next;	/* earliest time >= o->now inside the window,
				 * UTC seconds (o->now when open) */
	int postpone_open;	/* no postpone file declared, or it is absent */
	/* The guardrails before the fence: no transaction on the source open
	 * longer than maxTransactionSeconds, and its sessions were read... */
	int transaction_open;
	int ddl_open; /* ...no DDL running or waiting on a
				 * metadata lock there */
};

/* Evaluate the gates for d given o.  Pure: the time is o->now. */
void plan_gates(const struct desired *d, const struct observed *o,
    struct gate_state *g);

/*
 * 1 when writes are down for the cut-over: the target is tagged
 * phase=cutover, the source is fenced (read_only=1 read on it or set in
 * its parameter group) and the alias does not point at the target yet.
 * From then until the switch or the fence's lifting, apply does not exit
 * (loop.c): a signal or --timeout makes the planner lift the fence, unless
 * the target already holds the final position.  Pure.
 */
int plan_fence_held(const struct observed *o);

/*
 * Seconds of cutover.timeoutSeconds kept for lifting the fence (a fifth,
 * at most 60): the planner lifts it once the source has been fenced for
 * the timeout less this, so that writes are back within the timeout.
 */
long plan_fence_reserve(const struct desired *d);

/* Enough for every step of a plan from nothing (about 25 today). */
#define PLAN_MAX_STEPS 64

/*
 * Every step from o to convergence, in order, at most max.  Stops after a
 * STEP_BLOCKED or STEP_CONVERGED (included).  Returns the count.
 */
size_t plan_all(const struct desired *d, const struct observed *o,
    struct step *steps, size_t max);

#endif
