/*
 * rds.c - typed RDS Query API calls (see rds.h).
 *
 * List parameters are serialised as botocore's query serializer does from
 * service-2.json: NAME.MEMBER.N with the member's locationName (Tag,
 * VpcSecurityGroupId, Parameter) or "member" when it has none (TagKeys).
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "aws-int.h"
#include "rds.h"
#include "xmalloc.h"

#define PARAMS_PER_CALL	20	/* ModifyDBParameterGroup limit */

void
rds_tags_add(struct rds_tags *t, const char *key, const char *value)
{
	t->v = xreallocarray(t->v, t->n + 1, sizeof(*t->v));
	t->v[t->n].key = xstrdup(key);
	t->v[t->n].value = xstrdup(value ? value : "");
	t->n++;
}

const char *
rds_tags_get(const struct rds_tags *t, const char *key)
{
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++)
		if (strcmp(t->v[i].key, key) == 0)
			return t->v[i].value;
	return NULL;
}

void
rds_tags_release(struct rds_tags *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].value);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* Tags.Tag.N.Key / Tags.Tag.N.Value */
static void
add_tags(struct aws_params *p, const struct rds_tags *t)
{
	size_t i;

	for (i = 0; t != NULL && i < t->n; i++) {
		aws_params_addf(p, t->v[i].key, "Tags.Tag.%zu.Key", i + 1);
		aws_params_addf(p, t->v[i].value, "Tags.Tag.%zu.Value", i + 1);
	}
}

static void
add_sgs(struct aws_params *p, const struct strvec *l)
{
	size_t i;

	for (i = 0; l != NULL && i < l->n; i++)
		aws_params_addf(p, l->v[i],
		    "VpcSecurityGroupIds.VpcSecurityGroupId.%zu", i + 1);
}

/* <TagList><Tag><Key/><Value/></Tag>...</TagList> */
static void
parse_tags(struct rds_tags *out, const xmlNode *taglist)
{
	xmlNode *t;

	for (t = aws_xml_child(taglist, "Tag"); t != NULL;
	    t = aws_xml_next(t, "Tag")) {
		char *k = aws_xml_text(t, "Key"), *v = aws_xml_text(t, "Value");

		if (k != NULL)
			rds_tags_add(out, k, v);
		free(k);
		free(v);
	}
}

/* Text children named member of list into l. */
static void
parse_strlist(struct strvec *l, const xmlNode *list, const char *member)
{
	xmlNode *m;

	for (m = aws_xml_child(list, member); m != NULL;
	    m = aws_xml_next(m, member)) {
		xmlChar *s = xmlNodeGetContent(m);

		strvec_push(l, s ? (const char *)s : "");
		xmlFree(s);
	}
}

static int
has_element_child(const xmlNode *n)
{
	xmlNode *c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

void
rds_settings_init(struct rds_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->iops = s->storage_throughput = s->iam_auth = -1;
	s->monitoring_interval = s->performance_insights = -1;
	s->pi_retention = s->auto_minor_version_upgrade = -1;
	s->copy_tags_to_snapshot = s->deletion_protection = -1;
}

void
rds_settings_release(struct rds_settings *s)
{
	if (s == NULL)
		return;
	free(s->option_group);
	free(s->storage_type);
	free(s->ca_certificate);
	free(s->monitoring_role_arn);
	free(s->pi_kms_key_id);
	strvec_clear(&s->log_exports);
	free(s->backup_window);
	free(s->maintenance_window);
	rds_settings_init(s);
}

static void
parse_settings(struct rds_settings *s, const xmlNode *n)
{
	rds_settings_init(s);
	s->option_group =
	    aws_xml_text(aws_xml_child(aws_xml_child(n,
	                                   "OptionGroupMemberships"),
	                     "OptionGroupMembership"),
	        "OptionGroupName");
	s->storage_type = aws_xml_text(n, "StorageType");
	s->iops = (int)aws_xml_long(n, "Iops", -1);
	s->storage_throughput = (int)aws_xml_long(n, "StorageThroughput", -1);
	s->ca_certificate = aws_xml_text(n, "CACertificateIdentifier");
	s->iam_auth = aws_xml_bool(n, "IAMDatabaseAuthenticationEnabled", -1);
	s->monitoring_interval = (int)aws_xml_long(n, "MonitoringInterval", -1);
	s->monitoring_role_arn = aws_xml_text(n, "MonitoringRoleArn");
	s->performance_insights =
	    aws_xml_bool(n, "PerformanceInsightsEnabled", -1);
	s->pi_kms_key_id = aws_xml_text(n, "PerformanceInsightsKMSKeyId");
	s->pi_retention =
	    (int)aws_xml_long(n, "PerformanceInsightsRetentionPeriod", -1);
	parse_strlist(&s->log_exports,
	    aws_xml_child(n, "EnabledCloudwatchLogsExports"), "member");
	s->backup_window = aws_xml_text(n, "PreferredBackupWindow");
	s->maintenance_window = aws_xml_text(n, "PreferredMaintenanceWindow");
	s->auto_minor_version_upgrade =
	    aws_xml_bool(n, "AutoMinorVersionUpgrade", -1);
	s->copy_tags_to_snapshot = aws_xml_bool(n, "CopyTagsToSnapshot", -1);
	s->deletion_protection = aws_xml_bool(n, "DeletionProtection", -1);
}

/* Members of s a call takes, by which call it is. */
enum settings_call { FOR_RESTORE, FOR_MODIFY };

static void
add_settings(struct aws_params *p, const struct rds_settings *s,
    enum settings_call call)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->option_group != NULL)
		aws_params_add(p, "OptionGroupName", s->option_group);
	if (s->storage_type != NULL)
		aws_params_add(p, "StorageType", s->storage_type);
	if (s->iops >= 0)
		aws_params_add_int(p, "Iops", s->iops);
	if (s->storage_throughput >= 0)
		aws_params_add_int(p, "StorageThroughput",
		    s->storage_throughput);
	if (s->iam_auth >= 0)
		aws_params_add_bool(p, "EnableIAMDatabaseAuthentication",
		    s->iam_auth);
	for (i = 0; i < s->log_exports.n; i++)
		if (call == FOR_RESTORE)
			aws_params_addf(p, s->log_exports.v[i],
			    "EnableCloudwatchLogsExports.member.%zu", i + 1);
		else
			aws_params_addf(p, s->log_exports.v[i],
			    "CloudwatchLogsExportConfiguration."
			    "EnableLogTypes.member.%zu",
			    i + 1);
	if (s->auto_minor_version_upgrade >= 0)
		aws_params_add_bool(p, "AutoMinorVersionUpgrade",
		    s->auto_minor_version_upgrade);
	if (s->copy_tags_to_snapshot >= 0)
		aws_params_add_bool(p, "CopyTagsToSnapshot",
		    s->copy_tags_to_snapshot);
	if (s->deletion_protection >= 0)
		aws_params_add_bool(p, "DeletionProtection",
		    s->deletion_protection);
	if (call == FOR_RESTORE)
		return;
	/* What RestoreDBInstanceFromDBSnapshot does not take. */
	if (s->ca_certificate != NULL)
		aws_params_add(p, "CACertificateIdentifier", s->ca_certificate);
	if (s->monitoring_interval >= 0)
		aws_params_add_int(p, "MonitoringInterval",
		    s->monitoring_interval);
	if (s->monitoring_role_arn != NULL)
		aws_params_add(p, "MonitoringRoleArn", s->monitoring_role_arn);
	if (s->performance_insights >= 0)
		aws_params_add_bool(p, "EnablePerformanceInsights",
		    s->performance_insights);
	if (s->pi_kms_key_id != NULL)
		aws_params_add(p, "PerformanceInsightsKMSKeyId",
		    s->pi_kms_key_id);
	if (s->pi_retention >= 0)
		aws_params_add_int(p, "PerformanceInsightsRetentionPeriod",
		    s->pi_retention);
	if (s->backup_window != NULL)
		aws_params_add(p, "PreferredBackupWindow", s->backup_window);
	if (s->maintenance_window != NULL)
		aws_params_add(p, "PreferredMaintenanceWindow",
		    s->maintenance_window);
}

static void
add_network(struct aws_params *p, const struct rds_network *net)
{
	if (net == NULL)
		return;
	if (net->db_subnet_group != NULL)
		aws_params_add(p, "DBSubnetGroupName", net->db_subnet_group);
	if (net->publicly_accessible >= 0)
		aws_params_add_bool(p, "PubliclyAccessible",
		    net->publicly_accessible);
	add_sgs(p, net->vpc_security_group_ids);
}

static void
parse_instance(struct rds_instance *o, const xmlNode *n)
{
	xmlNode *x, *m;

	o->id = aws_xml_text(n, "DBInstanceIdentifier");
	o->arn = aws_xml_text(n, "DBInstanceArn");
	o->status = aws_xml_text(n, "DBInstanceStatus");
	o->engine = aws_xml_text(n, "Engine");
	o->engine_version = aws_xml_text(n, "EngineVersion");
	o->instance_class = aws_xml_text(n, "DBInstanceClass");
	if ((x = aws_xml_child(n, "Endpoint")) != NULL) {
		o->endpoint_address = aws_xml_text(x, "Address");
		o->endpoint_port = (int)aws_xml_long(x, "Port", 0);
	}
	o->allocated_storage = (int)aws_xml_long(n, "AllocatedStorage", 0);
	o->storage_encrypted = aws_xml_bool(n, "StorageEncrypted", 0);
	o->kms_key_id = aws_xml_text(n, "KmsKeyId");
	o->backup_retention_period = (int)aws_xml_long(n,
	    "BackupRetentionPeriod", 0);
	o->multi_az = aws_xml_bool(n, "MultiAZ", 0);
	for (m = aws_xml_child(aws_xml_child(n, "VpcSecurityGroups"),
	    "VpcSecurityGroupMembership"); m != NULL;
	    m = aws_xml_next(m, "VpcSecurityGroupMembership")) {
		char *id = aws_xml_text(m, "VpcSecurityGroupId");

		if (id != NULL)
			strvec_push(&o->vpc_security_group_ids, id);
		free(id);
	}
	for (m = aws_xml_child(aws_xml_child(n, "DBParameterGroups"),
	    "DBParameterGroup"); m != NULL;
	    m = aws_xml_next(m, "DBParameterGroup")) {
		struct rds_pg_status *pg;

		o->parameter_groups = xreallocarray(o->parameter_groups,
		    o->n_parameter_groups + 1, sizeof(*o->parameter_groups));
		pg = &o->parameter_groups[o->n_parameter_groups++];
		pg->name = aws_xml_text(m, "DBParameterGroupName");
		pg->apply_status = aws_xml_text(m, "ParameterApplyStatus");
	}
	o->read_replica_source = aws_xml_text(n,
	    "ReadReplicaSourceDBInstanceIdentifier");
	parse_strlist(&o->read_replicas, aws_xml_child(n,
	    "ReadReplicaDBInstanceIdentifiers"),
	    "ReadReplicaDBInstanceIdentifier");
	o->db_subnet_group = aws_xml_text(aws_xml_child(n, "DBSubnetGroup"),
	    "DBSubnetGroupName");
	o->vpc_id = aws_xml_text(aws_xml_child(n, "DBSubnetGroup"), "VpcId");
	o->availability_zone = aws_xml_text(n, "AvailabilityZone");
	o->publicly_accessible = aws_xml_bool(n, "PubliclyAccessible", 0);
	o->master_username = aws_xml_text(n, "MasterUsername");
	o->pending_modified = has_element_child(aws_xml_child(n,
	    "PendingModifiedValues"));
	parse_tags(&o->tags, aws_xml_child(n, "TagList"));
	parse_settings(&o->settings, n);
}

void
rds_instance_release(struct rds_instance *i)
{
	size_t k;

	if (i == NULL)
		return;
	free(i->id);
	free(i->arn);
	free(i->status);
	free(i->engine);
	free(i->engine_version);
	free(i->instance_class);
	free(i->endpoint_address);
	free(i->kms_key_id);
	strvec_clear(&i->vpc_security_group_ids);
	for (k = 0; k < i->n_parameter_groups; k++) {
		free(i->parameter_groups[k].name);
		free(i->parameter_groups[k].apply_status);
	}
	free(i->parameter_groups);
	free(i->read_replica_source);
	strvec_clear(&i->read_replicas);
	free(i->db_subnet_group);
	free(i->vpc_id);
	free(i->availability_zone);
	free(i->master_username);
	rds_tags_release(&i->tags);
	rds_settings_release(&i->settings);
	memset(i, 0, sizeof(*i));
}

/* Run a Query call that needs no reply beyond success. */
static enum rr_err
call(struct aws_client *c, const char *action, struct aws_params *p,
    const char *not_found_code)
{
	xmlDoc *doc = NULL;
	enum rr_err e;

	e = aws_query(c, &doc, AWS_SVC_RDS, action, p);
	if (not_found_code != NULL)
		e = aws_not_found_if(c, e, not_found_code);
	xmlFreeDoc(doc);
	aws_params_release(p);
	return e;
}

/* A Describe call for one resource by its identifier. */
struct lookup {
	const char *action;    /* DescribeDBInstances */
	const char *id_param;  /* DBInstanceIdentifier */
	const char *not_found; /* the error code for "no such resource" */
	const char *element;   /* the reply element of the resource */
	const char *what;      /* "instance", for messages */
	const char *empty;     /* an empty reply, for messages */
};

static const struct lookup instance_lookup = {
	.action = "DescribeDBInstances",
	.id_param = "DBInstanceIdentifier",
	.not_found = "DBInstanceNotFound",
	.element = "DBInstance",
	.what = "instance",
	.empty = "empty DescribeDBInstances reply",
};

static const struct lookup snapshot_lookup = {
	.action = "DescribeDBSnapshots",
	.id_param = "DBSnapshotIdentifier",
	.not_found = "DBSnapshotNotFound",
	.element = "DBSnapshot",
	.what = "snapshot",
	.empty = "empty DescribeDBSnapshots reply",
};

static const struct lookup parameter_group_lookup = {
	.action = "DescribeDBParameterGroups",
	.id_param = "DBParameterGroupName",
	.not_found = "DBParameterGroupNotFound",
	.element = "DBParameterGroup",
	.what = "parameter group",
	.empty = "empty reply",
};

/*
 * Describe the resource id: its element in *n, inside *doc (xmlFreeDoc,
 * set even on failure).  RR_ERR_NOT_FOUND for the lookup's error code or
 * a reply without the element.
 */
static enum rr_err
describe_one(struct aws_client *c, xmlDoc **doc, xmlNode **n,
    const struct lookup *l, const char *id)
{
	struct aws_params p = { NULL, 0 };
	enum rr_err e;

	*n = NULL;
	aws_params_add(&p, l->id_param, id);
	e = aws_query(c, doc, AWS_SVC_RDS, l->action, &p);
	aws_params_release(&p);
	if ((e = aws_not_found_if(c, e, l->not_found)) != RR_OK)
		return e;
	if ((*n = aws_xml_find(xmlDocGetRootElement(*doc), l->element)) == NULL)
		return rr_seterr(RR_ERR_NOT_FOUND, "rds %s '%s' not found (%s)",
		    l->what, id, l->empty);
	return RR_OK;
}

enum rr_err
rds_describe_instance(struct aws_client *c, struct rds_instance *out,
    const char *id)
{
	struct rds_instance inst;
	xmlDoc *doc = NULL;
	xmlNode *n;
	enum rr_err e;

	memset(&inst, 0, sizeof(inst));
	memset(out, 0, sizeof(*out));
	if ((e = describe_one(c, &doc, &n, &instance_lookup, id)) != RR_OK)
		goto out;
	parse_instance(&inst, n);
	*out = inst;
	memset(&inst, 0, sizeof(inst));	/* transferred */
out:
	rds_instance_release(&inst);
	xmlFreeDoc(doc);
	return e;
}

enum rr_err
rds_describe_snapshot(struct aws_client *c, struct rds_snapshot *out,
    const char *id)
{
	struct rds_snapshot s;
	xmlDoc *doc = NULL;
	xmlNode *n;
	enum rr_err e;

	memset(&s, 0, sizeof(s));
	memset(out, 0, sizeof(*out));
	if ((e = describe_one(c, &doc, &n, &snapshot_lookup, id)) != RR_OK)
		goto out;
	s.id = aws_xml_text(n, "DBSnapshotIdentifier");
	s.arn = aws_xml_text(n, "DBSnapshotArn");
	s.instance_id = aws_xml_text(n, "DBInstanceIdentifier");
	s.status = aws_xml_text(n, "Status");
	s.percent_progress = (int)aws_xml_long(n, "PercentProgress", 0);
	s.encrypted = aws_xml_bool(n, "Encrypted", 0);
	s.kms_key_id = aws_xml_text(n, "KmsKeyId");
	s.snapshot_type = aws_xml_text(n, "SnapshotType");
	s.engine = aws_xml_text(n, "Engine");
	s.engine_version = aws_xml_text(n, "EngineVersion");
	parse_tags(&s.tags, aws_xml_child(n, "TagList"));
	*out = s;
	memset(&s, 0, sizeof(s));	/* transferred */
out:
	rds_snapshot_release(&s);
	xmlFreeDoc(doc);
	return e;
}

void
rds_snapshot_release(struct rds_snapshot *s)
{
	if (s == NULL)
		return;
	free(s->id);
	free(s->arn);
	free(s->instance_id);
	free(s->status);
	free(s->kms_key_id);
	free(s->snapshot_type);
	free(s->engine);
	free(s->engine_version);
	rds_tags_release(&s->tags);
	memset(s, 0, sizeof(*s));
}

enum rr_err
rds_create_read_replica(struct aws_client *c, const char *replica_id,
    const char *source_id, const struct rds_network *net,
    const struct rds_tags *tags)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "DBInstanceIdentifier", replica_id);
	aws_params_add(&p, "SourceDBInstanceIdentifier", source_id);
	add_network(&p, net);
	add_tags(&p, tags);
	return call(c, "CreateDBInstanceReadReplica", &p, "DBInstanceNotFound");
}

enum rr_err
rds_create_snapshot(struct aws_client *c, const char *snap_id,
    const char *instance_id, const struct rds_tags *tags)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "DBSnapshotIdentifier", snap_id);
	aws_params_add(&p, "DBInstanceIdentifier", instance_id);
	add_tags(&p, tags);
	return call(c, "CreateDBSnapshot", &p, "DBInstanceNotFound");
}

enum rr_err
rds_copy_snapshot(struct aws_client *c, const char *src_id,
    const char *dst_id, const char *kms_key_id, int copy_tags,
    const struct rds_tags *tags)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "SourceDBSnapshotIdentifier", src_id);
	aws_params_add(&p, "TargetDBSnapshotIdentifier", dst_id);
	if (kms_key_id != NULL)
		aws_params_add(&p, "KmsKeyId", kms_key_id);
	aws_params_add_bool(&p, "CopyTags", copy_tags);
	add_tags(&p, tags);
	return call(c, "CopyDBSnapshot", &p, "DBSnapshotNotFound");
}

enum rr_err
rds_restore_from_snapshot(struct aws_client *c, const char *instance_id,
    const char *snap_id, const struct rds_restore_opts *o)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "DBInstanceIdentifier", instance_id);
	aws_params_add(&p, "DBSnapshotIdentifier", snap_id);
	if (o != NULL) {
		if (o->instance_class != NULL)
			aws_params_add(&p, "DBInstanceClass", o->instance_class);
		add_network(&p, &o->net);
		if (o->availability_zone != NULL)
			aws_params_add(&p, "AvailabilityZone",
			    o->availability_zone);
		if (o->parameter_group != NULL)
			aws_params_add(&p, "DBParameterGroupName",
			    o->parameter_group);
		if (o->multi_az >= 0)
			aws_params_add_bool(&p, "MultiAZ", o->multi_az);
		if (o->port > 0)
			aws_params_add_int(&p, "Port", o->port);
		add_settings(&p, o->settings, FOR_RESTORE);
		add_tags(&p, o->tags);
	}
	return call(c, "RestoreDBInstanceFromDBSnapshot", &p,
	    "DBSnapshotNotFound");
}

enum rr_err
rds_modify_instance(struct aws_client *c, const char *id,
    const struct rds_modify *m)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "DBInstanceIdentifier", id);
	add_sgs(&p, m->vpc_security_group_ids);
	if (m->parameter_group != NULL)
		aws_params_add(&p, "DBParameterGroupName", m->parameter_group);
	if (m->backup_retention_period >= 0)
		aws_params_add_int(&p, "BackupRetentionPeriod",
		    m->backup_retention_period);
	if (m->multi_az >= 0)
		aws_params_add_bool(&p, "MultiAZ", m->multi_az);
	if (m->db_subnet_group != NULL)
		aws_params_add(&p, "DBSubnetGroupName", m->db_subnet_group);
	if (m->publicly_accessible >= 0)
		aws_params_add_bool(&p, "PubliclyAccessible",
		    m->publicly_accessible);
	add_settings(&p, m->settings, FOR_MODIFY);
	aws_params_add_bool(&p, "ApplyImmediately", m->apply_immediately);
	return call(c, "ModifyDBInstance", &p, "DBInstanceNotFound");
}

enum rr_err
rds_reboot_instance(struct aws_client *c, const char *id)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "DBInstanceIdentifier", id);
	return call(c, "RebootDBInstance", &p, "DBInstanceNotFound");
}

enum rr_err
rds_delete_instance(struct aws_client *c, const char *id,
    int skip_final_snapshot, const char *final_snapshot_id)
{
	struct aws_params p = { NULL, 0 };

	if (!skip_final_snapshot && final_snapshot_id == NULL)
		return rr_seterr(RR_ERR_INTERNAL, "deleting '%s' with a final "
		    "snapshot needs its name", id);
	aws_params_add(&p, "DBInstanceIdentifier", id);
	aws_params_add_bool(&p, "SkipFinalSnapshot", skip_final_snapshot);
	if (!skip_final_snapshot)
		aws_params_add(&p, "FinalDBSnapshotIdentifier",
		    final_snapshot_id);
	return call(c, "DeleteDBInstance", &p, "DBInstanceNotFound");
}

enum rr_err
rds_delete_snapshot(struct aws_client *c, const char *id)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "DBSnapshotIdentifier", id);
	return call(c, "DeleteDBSnapshot", &p, "DBSnapshotNotFound");
}

enum rr_err
rds_add_tags(struct aws_client *c, const char *arn,
    const struct rds_tags *tags)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "ResourceName", arn);
	add_tags(&p, tags);
	return call(c, "AddTagsToResource", &p, NULL);
}

enum rr_err
rds_remove_tags(struct aws_client *c, const char *arn,
    const struct strvec *keys)
{
	struct aws_params p = { NULL, 0 };
	size_t i;

	aws_params_add(&p, "ResourceName", arn);
	for (i = 0; keys != NULL && i < keys->n; i++)
		aws_params_addf(&p, keys->v[i], "TagKeys.member.%zu", i + 1);
	return call(c, "RemoveTagsFromResource", &p, NULL);
}

enum rr_err
rds_list_tags(struct aws_client *c, struct rds_tags *out, const char *arn)
{
	struct aws_params p = { NULL, 0 };
	struct rds_tags t = { NULL, 0 };
	xmlDoc *doc = NULL;
	enum rr_err e;

	memset(out, 0, sizeof(*out));
	aws_params_add(&p, "ResourceName", arn);
	if ((e = aws_query(c, &doc, AWS_SVC_RDS, "ListTagsForResource",
	    &p)) != RR_OK)
		goto out;
	parse_tags(&t, aws_xml_find(xmlDocGetRootElement(doc), "TagList"));
	*out = t;
	memset(&t, 0, sizeof(t));	/* transferred */
out:
	rds_tags_release(&t);
	xmlFreeDoc(doc);
	aws_params_release(&p);
	return e;
}

enum rr_err
rds_create_parameter_group(struct aws_client *c, const char *name,
    const char *family, const char *description,
    const struct rds_tags *tags)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "DBParameterGroupName", name);
	aws_params_add(&p, "DBParameterGroupFamily", family);
	aws_params_add(&p, "Description", description);
	add_tags(&p, tags);
	return call(c, "CreateDBParameterGroup", &p, NULL);
}

enum rr_err
rds_describe_parameter_group(struct aws_client *c, char **family,
    const char *name)
{
	xmlDoc *doc = NULL;
	xmlNode *n;
	enum rr_err e;

	*family = NULL;
	if ((e = describe_one(c, &doc, &n, &parameter_group_lookup, name)) !=
	    RR_OK)
		goto out;
	*family = aws_xml_text(n, "DBParameterGroupFamily");
	if (*family == NULL)
		*family = xstrdup("");
out:
	xmlFreeDoc(doc);
	return e;
}

enum rr_err
rds_describe_parameters(struct aws_client *c, struct rds_parameters *out,
    const char *name, const char *source)
{
	struct rds_parameters r = { NULL, 0 };
	char *marker = NULL;
	enum rr_err e;

	memset(out, 0, sizeof(*out));
	do {
		struct aws_params p = { NULL, 0 };
		xmlDoc *doc = NULL;
		xmlNode *res, *m;

		aws_params_add(&p, "DBParameterGroupName", name);
		if (source != NULL)
			aws_params_add(&p, "Source", source);
		aws_params_add(&p, "MaxRecords", "100");
		if (marker != NULL)
			aws_params_add(&p, "Marker", marker);
		e = aws_query(c, &doc, AWS_SVC_RDS, "DescribeDBParameters", &p);
		e = aws_not_found_if(c, e, "DBParameterGroupNotFound");
		aws_params_release(&p);
		free(marker);
		marker = NULL;
		if (e != RR_OK)
			goto out;
		res = aws_xml_find(xmlDocGetRootElement(doc),
		    "DescribeDBParametersResult");
		for (m = aws_xml_child(aws_xml_child(res, "Parameters"),
		    "Parameter"); m != NULL; m = aws_xml_next(m, "Parameter")) {
			struct rds_parameter *q;

			r.v = xreallocarray(r.v, r.n + 1, sizeof(*r.v));
			q = &r.v[r.n++];
			q->name = aws_xml_text(m, "ParameterName");
			q->value = aws_xml_text(m, "ParameterValue");
			q->apply_type = aws_xml_text(m, "ApplyType");
			q->apply_method = aws_xml_text(m, "ApplyMethod");
			q->source = aws_xml_text(m, "Source");
		}
		marker = aws_xml_text(res, "Marker");
		if (marker != NULL && *marker == '\0') {
			free(marker);
			marker = NULL;
		}
		xmlFreeDoc(doc);
	} while (marker != NULL);
	*out = r;
	memset(&r, 0, sizeof(r));	/* transferred */
	e = RR_OK;
out:
	free(marker);
	rds_parameters_release(&r);
	return e;
}

void
rds_parameters_release(struct rds_parameters *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
		free(p->v[i].apply_type);
		free(p->v[i].apply_method);
		free(p->v[i].source);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

enum rr_err
rds_modify_parameter_group(struct aws_client *c, const char *name,
    const struct rds_parameter *params, size_t n)
{
	size_t i, k;
	enum rr_err e = RR_OK;

	for (i = 0; i < n && e == RR_OK; i += PARAMS_PER_CALL) {
		struct aws_params p = { NULL, 0 };

		aws_params_add(&p, "DBParameterGroupName", name);
		for (k = 0; k < PARAMS_PER_CALL && i + k < n; k++) {
			const struct rds_parameter *q = &params[i + k];

			aws_params_addf(&p, q->name,
			    "Parameters.Parameter.%zu.ParameterName", k + 1);
			aws_params_addf(&p, q->value ? q->value : "",
			    "Parameters.Parameter.%zu.ParameterValue", k + 1);
			aws_params_addf(&p, q->apply_method ? q->apply_method :
			    "pending-reboot",
			    "Parameters.Parameter.%zu.ApplyMethod", k + 1);
		}
		e = call(c, "ModifyDBParameterGroup", &p,
		    "DBParameterGroupNotFound");
	}
	return e;
}

enum rr_err
rds_reset_parameter(struct aws_client *c, const char *group, const char *name)
{
	struct aws_params p = { NULL, 0 };

	aws_params_add(&p, "DBParameterGroupName", group);
	aws_params_add(&p, "Parameters.Parameter.1.ParameterName", name);
	aws_params_add(&p, "Parameters.Parameter.1.ApplyMethod", "immediate");
	return call(c, "ResetDBParameterGroup", &p, "DBParameterGroupNotFound");
}

enum rr_err
rds_parameter_group_users(struct aws_client *c, struct strvec *ids,
    struct strvec *sources, const char *group)
{
	char *marker = NULL;
	enum rr_err e;

	do {
		struct aws_params p = { NULL, 0 };
		xmlDoc *doc = NULL;
		xmlNode *res, *m;

		aws_params_add(&p, "MaxRecords", "100");
		if (marker != NULL)
			aws_params_add(&p, "Marker", marker);
		e = aws_query(c, &doc, AWS_SVC_RDS, "DescribeDBInstances", &p);
		aws_params_release(&p);
		free(marker);
		marker = NULL;
		if (e != RR_OK) {
			xmlFreeDoc(doc);
			goto out;
		}
		res = aws_xml_find(xmlDocGetRootElement(doc),
		    "DescribeDBInstancesResult");
		for (m = aws_xml_child(aws_xml_child(res, "DBInstances"),
		         "DBInstance");
		     m != NULL; m = aws_xml_next(m, "DBInstance")) {
			struct rds_instance ri;
			size_t k;

			memset(&ri, 0, sizeof(ri));
			parse_instance(&ri, m);
			for (k = 0; k < ri.n_parameter_groups; k++)
				if (ri.parameter_groups[k].name &&
				    strcmp(ri.parameter_groups[k].name,
				        group) == 0)
					break;
			if (k < ri.n_parameter_groups && ri.id) {
				strvec_push(ids, ri.id);
				strvec_push(sources,
				    ri.read_replica_source
				        ? ri.read_replica_source
				        : "");
			}
			rds_instance_release(&ri);
		}
		marker = aws_xml_text(res, "Marker");
		if (marker != NULL && *marker == '\0') {
			free(marker);
			marker = NULL;
		}
		xmlFreeDoc(doc);
	} while (marker != NULL);
out:
	free(marker);
	return e;
}
