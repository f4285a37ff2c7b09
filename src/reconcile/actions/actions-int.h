/*
 * actions-int.h - what the action families (src/reconcile/actions/) share:
 * our tags, "already exists" as success, short-lived connections,
 * read_only in a parameter group, and the entries the table lists.
 */
#ifndef RR_ACTIONS_INT_H
#define RR_ACTIONS_INT_H

#include "action.h"
#include "observe.h"
#include "plan.h"
#include "rds.h"
#include "context.h"

struct db;
struct secret;

/* Add one tag to the arguments (resolve). */
void act_args_tag(struct step_args *a, const char *key, const char *value);

/* Add our tags (resolve): OBS_TAG_OBJECT=d->name, OBS_TAG_ROLE=role and,
 * when pos is given and known, OBS_TAG_BINLOG_*. */
void act_args_ours(struct step_args *a, const struct desired *d,
    const char *role, const struct binlog_pos *pos);

/* The tags of a as the RDS client takes them, pointing into a; v has
 * room for STEP_MAX_TAGS. */
const struct rds_tags *
act_rds_tags(const struct step_args *a, struct rds_tag *v, struct rds_tags *l);

/*
 * The source's network for a replica or a restore (resolve): its subnet
 * group, security groups and PubliclyAccessible, so the new instance
 * lands in the source's VPC and not the account's default one.
 */
void act_args_network(struct step_args *a, const struct obs_instance *src);

/*
 * The settings of src a RestoreDBInstanceFromDBSnapshot takes (resolve):
 * option group, storage (Iops and throughput only where they can be
 * provisioned), IAM authentication, log exports, minor upgrades, tag
 * copying, deletion protection.
 */
void
act_args_restore_settings(struct step_args *a, const struct obs_instance *src);

/*
 * The settings of src for the ModifyDBInstance after the restore
 * (resolve): those a restore does not take (CA, monitoring, Performance
 * Insights, windows), and those it takes where tgt differs from src.
 */
void act_args_modify_settings(struct step_args *a,
    const struct obs_instance *src, const struct obs_instance *tgt);

/* The RDS client's view of a step's network and settings, pointing into
 * the step and into itself (no allocation; valid while both live). */
struct act_rds_view {
	char *sgs[8];
	struct strvec sgl;
	char logs_buf[64];
	char *logs[8];
	struct rds_network net;
	struct rds_settings settings;
};
void act_rds_view(const struct step_args *a, struct act_rds_view *v);

/* One tag on the resource arn (AddTagsToResource). */
enum rr_err act_tag_one(struct rr_ctx *c, const char *arn, const char *key,
    const char *value);

/* e from a create, RR_OK when the AWS error code is exists_code: the
 * next observation checks the resource is ours before anything else. */
enum rr_err
act_created(struct rr_ctx *c, enum rr_err e, const char *exists_code);

/* A new connection to instance i with the admin credentials. */
enum rr_err
act_connect(struct rr_ctx *c, const struct obs_instance *i, struct db **db);

/* fn on instance i over a short-lived connection. */
enum rr_err act_call_on(struct rr_ctx *c, const struct obs_instance *i,
    enum rr_err (*fn)(struct db *));

/* read_only=1 or 0, applied immediately, in parameter group group. */
enum rr_err act_set_read_only(struct rr_ctx *c, const char *group, int on);

/* The sealed replication password, created when missing (*created_new). */
enum rr_err
act_repl_password(struct rr_ctx *c, struct secret **pw, int *created_new);

/* resolve: only the identifier acted on, the target's or the temporary
 * replica's. */
void act_resolve_target_id(const struct desired *d, const struct observed *o,
    struct step *s);
void act_resolve_temp_id(const struct desired *d, const struct observed *o,
    struct step *s);

/* The entries, one per ACTIONS line (include/action.h), each defined in
 * its family's file. */
#define ACTION_DECLARE_(value, entry) extern const struct action_entry entry;
ACTIONS(ACTION_DECLARE_)
#undef ACTION_DECLARE_

#endif
