/*
 * rds.h - typed Amazon RDS calls (Amazon RDS API Reference, API version
 * 2014-10-31; shapes and parameter names from botocore's rds service-2.json).
 *
 * Conventions: the client comes first, then outputs, then inputs.  Output
 * structs are filled only on success and released with their _release
 * function (which accepts NULL and zeroed structs).  Strings are owned by the
 * struct; NULL means "absent from the reply".  Booleans are 0/1.
 *
 * Each call names its operation in the Amazon RDS API Reference.  Errors:
 * those of every call (aws.h); RR_ERR_NOT_FOUND where a function says so,
 * when RDS answers DBInstanceNotFound, DBSnapshotNotFound or
 * DBParameterGroupNotFound (the message keeps Code, Message and
 * RequestId); other API errors are RR_ERR_AWS with aws_client_error_code()
 * telling which (for example DBInstanceAlreadyExists,
 * InvalidDBInstanceState).  Every mutating call (all but Describe* and
 * ListTagsForResource) returns RR_ERR_DRY_RUN without sending in dry run.
 * The mutating calls return once RDS has accepted the request; the
 * resource's status tells when the work is done.
 */
#ifndef RR_RDS_H
#define RR_RDS_H

#include <stddef.h>

#include "aws.h"
#include "err.h"
#include "strvec.h"

/* A resource tag (RDS API Reference, Tag). */
struct rds_tag {
	char *key;
	char *value;
};

/* TagList, in reply order. */
struct rds_tags {
	struct rds_tag *v;
	size_t n;
};

/* DBParameterGroupStatus. */
struct rds_pg_status {
	char *name;		/* DBParameterGroupName */
	char *apply_status;	/* ParameterApplyStatus: in-sync,
				   pending-reboot, applying */
};

/*
 * The settings of an instance besides its network and class, as
 * DescribeDBInstances shows them and CreateDBInstance,
 * RestoreDBInstanceFromDBSnapshot, CreateDBInstanceReadReplica and
 * ModifyDBInstance take them (RDS API Reference, DBInstance).  In a reply
 * NULL / -1 mean absent; in a request they mean "not sent".  Which call
 * takes which member is the botocore model's: see the functions below.
 */
struct rds_settings {
	char *option_group;             /* OptionGroupMemberships[0].
					   OptionGroupName */
	char *storage_type;             /* StorageType: gp2, gp3, io1, ... */
	int iops;                       /* Iops */
	int storage_throughput;         /* StorageThroughput, MiB/s */
	char *ca_certificate;           /* CACertificateIdentifier */
	int iam_auth;                   /* IAMDatabaseAuthenticationEnabled;
					   request: EnableIAMDatabase-
					   Authentication */
	int monitoring_interval;        /* MonitoringInterval, seconds */
	char *monitoring_role_arn;      /* MonitoringRoleArn */
	int performance_insights;       /* PerformanceInsightsEnabled;
					   request: EnablePerformanceInsights */
	char *pi_kms_key_id;            /* PerformanceInsightsKMSKeyId */
	int pi_retention;               /* PerformanceInsightsRetentionPeriod,
					   days */
	struct strvec log_exports;      /* EnabledCloudwatchLogsExports;
					   request: EnableCloudwatchLogs-
					   Exports (modify: Cloudwatch-
					   LogsExportConfiguration.
					   EnableLogTypes) */
	char *backup_window;            /* PreferredBackupWindow,
					   hh24:mi-hh24:mi UTC */
	char *maintenance_window;       /* PreferredMaintenanceWindow,
					   ddd:hh24:mi-ddd:hh24:mi UTC */
	int auto_minor_version_upgrade; /* AutoMinorVersionUpgrade */
	int copy_tags_to_snapshot;      /* CopyTagsToSnapshot */
	int deletion_protection;        /* DeletionProtection */
};

/* Every pointer NULL, every int -1, no log export: nothing sent. */
void rds_settings_init(struct rds_settings *s);
/* Free what *s holds and re-init it; accepts NULL. */
void rds_settings_release(struct rds_settings *s);

/* RDS API Reference, DBInstance (DescribeDBInstances). */
struct rds_instance {
	char *id;			/* DBInstanceIdentifier */
	char *arn;			/* DBInstanceArn */
	char *status;			/* DBInstanceStatus: creating,
					   available, modifying, ... */
	char *engine;			/* Engine: mysql, mariadb */
	char *engine_version;		/* EngineVersion: "8.0.35" */
	char *instance_class;		/* DBInstanceClass: db.t3.micro */
	char *endpoint_address;		/* Endpoint.Address (NULL while
					   creating) */
	int endpoint_port;		/* Endpoint.Port, 0 when absent */
	int allocated_storage;		/* AllocatedStorage, GiB */
	int storage_encrypted;		/* StorageEncrypted */
	char *kms_key_id;		/* KmsKeyId: key ARN, NULL when
					   unencrypted */
	int backup_retention_period;	/* BackupRetentionPeriod, days */
	int multi_az;			/* MultiAZ */
	struct strvec vpc_security_group_ids;   /* VpcSecurityGroups[].
					   VpcSecurityGroupId, reply order */
	struct rds_pg_status *parameter_groups; /* DBParameterGroups */
	size_t n_parameter_groups;
	char *read_replica_source;	/* ReadReplicaSourceDBInstanceIdentifier */
	struct strvec read_replicas;    /* ReadReplicaDBInstanceIdentifiers */
	char *db_subnet_group;		/* DBSubnetGroup.DBSubnetGroupName */
	char *vpc_id;                   /* DBSubnetGroup.VpcId */
	char *availability_zone;	/* AvailabilityZone */
	int publicly_accessible;	/* PubliclyAccessible */
	char *master_username;		/* MasterUsername */
	int pending_modified;		/* PendingModifiedValues has any
					   member */
	struct rds_tags tags;		/* TagList */
	struct rds_settings settings;   /* the rest (see above) */
};

/* RDS API Reference, DBSnapshot (DescribeDBSnapshots). */
struct rds_snapshot {
	char *id;		/* DBSnapshotIdentifier */
	char *arn;		/* DBSnapshotArn */
	char *instance_id;	/* DBInstanceIdentifier it was taken of */
	char *status;		/* Status: creating, copying, available, ... */
	int percent_progress;	/* PercentProgress, 0..100 */
	int encrypted;		/* Encrypted */
	char *kms_key_id;	/* KmsKeyId: key ARN, NULL when unencrypted */
	char *snapshot_type;	/* SnapshotType: manual, automated */
	char *engine;		/* Engine */
	char *engine_version;	/* EngineVersion */
	struct rds_tags tags;	/* TagList */
};

/* A DB parameter (RDS API Reference, Parameter). */
struct rds_parameter {
	char *name;		/* ParameterName */
	char *value;		/* ParameterValue, NULL when unset */
	char *apply_type;	/* ApplyType: static | dynamic */
	char *apply_method;	/* ApplyMethod: immediate | pending-reboot */
	char *source;		/* Source: user | system | engine-default */
};

struct rds_parameters {
	struct rds_parameter *v;
	size_t n;
};

/*
 * Where a new instance goes: DBSubnetGroupName (its VPC),
 * VpcSecurityGroupIds (of that VPC), PubliclyAccessible.  NULL / -1 leave
 * RDS's default: the default VPC's subnet group for a create or restore,
 * the source's for a read replica; the VPC's default security group;
 * public when the VPC has an internet gateway ("Working with a DB
 * instance in a VPC", RDS User Guide).
 */
struct rds_network {
	const char *db_subnet_group;
	const struct strvec *vpc_security_group_ids;
	int publicly_accessible; /* -1, 0, 1 */
};

/*
 * Restore options; NULL / -1 leave RDS's default.  Of settings, a restore
 * takes OptionGroupName, StorageType, Iops, StorageThroughput,
 * EnableIAMDatabaseAuthentication, EnableCloudwatchLogsExports,
 * AutoMinorVersionUpgrade, CopyTagsToSnapshot, DeletionProtection; the
 * others of *settings are not sent (ModifyDBInstance sets them).
 */
struct rds_restore_opts {
	const char *instance_class;     /* DBInstanceClass */
	const char *availability_zone;	/* AvailabilityZone */
	const char *parameter_group;	/* DBParameterGroupName */
	struct rds_network net;
	int multi_az;			/* MultiAZ: -1, 0, 1 */
	int port;                       /* Port, 0 = the snapshot's */
	const struct rds_settings *settings; /* may be NULL */
	const struct rds_tags *tags;	/* Tags */
};

/*
 * ModifyDBInstance; NULL / -1 leave a setting unchanged.  It takes every
 * member of *settings; log exports are sent as
 * CloudwatchLogsExportConfiguration.EnableLogTypes (enabled, never
 * disabled).  db_subnet_group moves the instance (one of another VPC
 * needs that VPC's security groups, and a Single-AZ instance without
 * replicas: "Updating the VPC for a DB instance", RDS User Guide).
 */
struct rds_modify {
	const struct strvec *vpc_security_group_ids;
	const char *parameter_group;	/* DBParameterGroupName */
	int backup_retention_period;	/* days, -1 */
	int multi_az;			/* -1, 0, 1 */
	int apply_immediately;		/* ApplyImmediately: 0, 1 */
	const char *db_subnet_group;    /* DBSubnetGroupName */
	int publicly_accessible;        /* -1, 0, 1 */
	const struct rds_settings *settings; /* may be NULL */
};
#define RDS_MODIFY_INIT \
	{ \
		NULL, NULL, -1, -1, 1, NULL, -1, NULL \
	}

/* Append a copy of key and value (NULL: "") to t; never fails. */
void rds_tags_add(struct rds_tags *t, const char *key, const char *value);
/* The value of the first tag named key (owned by t), or NULL. */
const char *rds_tags_get(const struct rds_tags *t, const char *key);
/* Free every tag and zero t; accepts NULL. */
void rds_tags_release(struct rds_tags *t);

/*
 * DescribeDBInstances for the instance id: *out (rds_instance_release).
 * RR_ERR_NOT_FOUND for DBInstanceNotFound or an empty reply.
 */
enum rr_err rds_describe_instance(struct aws_client *c,
    struct rds_instance *out, const char *id);
/* Free what *i holds and zero it; accepts NULL. */
void rds_instance_release(struct rds_instance *i);

/*
 * DescribeDBSnapshots for the snapshot id: *out (rds_snapshot_release).
 * RR_ERR_NOT_FOUND for DBSnapshotNotFound or an empty reply.
 */
enum rr_err rds_describe_snapshot(struct aws_client *c,
    struct rds_snapshot *out, const char *id);
/* Free what *s holds and zero it; accepts NULL. */
void rds_snapshot_release(struct rds_snapshot *s);

/*
 * CreateDBInstanceReadReplica: replica_id of source_id in the same region,
 * with the source's class, placed by *net (may be NULL: RDS's defaults,
 * the source's subnet group but the VPC's default security group); tags
 * (may be NULL) on the replica.  RR_ERR_NOT_FOUND when the source does not
 * exist (DBInstanceNotFound).
 */
enum rr_err rds_create_read_replica(struct aws_client *c,
    const char *replica_id, const char *source_id,
    const struct rds_network *net, const struct rds_tags *tags);

/*
 * CreateDBSnapshot snap_id of instance_id; tags (may be NULL) on it.
 * RR_ERR_NOT_FOUND when the instance does not exist (DBInstanceNotFound).
 */
enum rr_err rds_create_snapshot(struct aws_client *c, const char *snap_id,
    const char *instance_id, const struct rds_tags *tags);

/*
 * CopyDBSnapshot src_id to dst_id in the same region.  kms_key_id (key
 * id, ARN, alias name or alias ARN; NULL for none) makes the copy
 * encrypted with that key; copy_tags (0/1) sets CopyTags; tags (may be
 * NULL) are added to the copy.  RR_ERR_NOT_FOUND when src_id does not
 * exist (DBSnapshotNotFound).
 */
enum rr_err rds_copy_snapshot(struct aws_client *c, const char *src_id,
    const char *dst_id, const char *kms_key_id, int copy_tags,
    const struct rds_tags *tags);

/*
 * RestoreDBInstanceFromDBSnapshot: a new instance instance_id from snap_id;
 * opts may be NULL (RDS's defaults for all).  RR_ERR_NOT_FOUND when the
 * snapshot does not exist (DBSnapshotNotFound).
 */
enum rr_err rds_restore_from_snapshot(struct aws_client *c,
    const char *instance_id, const char *snap_id,
    const struct rds_restore_opts *opts);

/*
 * ModifyDBInstance id with what *m sets (see struct rds_modify).
 * RR_ERR_NOT_FOUND for DBInstanceNotFound.
 */
enum rr_err rds_modify_instance(struct aws_client *c, const char *id,
    const struct rds_modify *m);

/* RebootDBInstance id, without failover.  RR_ERR_NOT_FOUND for
 * DBInstanceNotFound. */
enum rr_err rds_reboot_instance(struct aws_client *c, const char *id);

/*
 * DeleteDBInstance id.  With skip_final_snapshot 0 a final snapshot named
 * final_snapshot_id is taken (RR_ERR_INTERNAL, nothing sent, when that is
 * NULL).  RR_ERR_NOT_FOUND for DBInstanceNotFound.
 */
enum rr_err rds_delete_instance(struct aws_client *c, const char *id,
    int skip_final_snapshot, const char *final_snapshot_id);

/* DeleteDBSnapshot id.  RR_ERR_NOT_FOUND for DBSnapshotNotFound. */
enum rr_err rds_delete_snapshot(struct aws_client *c, const char *id);

/*
 * Tags of the resource named by arn (instance, snapshot, parameter group):
 * rds_add_tags adds or overwrites them (AddTagsToResource), rds_remove_tags
 * removes the keys listed (RemoveTagsFromResource), rds_list_tags returns
 * every tag in *out, to rds_tags_release (ListTagsForResource).  These map
 * no error to RR_ERR_NOT_FOUND: a missing resource is RR_ERR_AWS.
 */
enum rr_err rds_add_tags(struct aws_client *c, const char *arn,
    const struct rds_tags *tags);
enum rr_err rds_remove_tags(struct aws_client *c, const char *arn,
    const struct strvec *keys);
enum rr_err rds_list_tags(struct aws_client *c, struct rds_tags *out,
    const char *arn);

/*
 * CreateDBParameterGroup name in family ("mysql8.0", "mariadb10.11") with
 * description; tags may be NULL.  RR_ERR_AWS with
 * DBParameterGroupAlreadyExists when the name is taken.
 */
enum rr_err rds_create_parameter_group(struct aws_client *c,
    const char *name, const char *family, const char *description,
    const struct rds_tags *tags);

/*
 * DescribeDBParameterGroups for one name: its family in *family (free();
 * "" when the reply has none).  RR_ERR_NOT_FOUND for
 * DBParameterGroupNotFound or an empty reply.
 */
enum rr_err rds_describe_parameter_group(struct aws_client *c,
    char **family, const char *name);

/*
 * DescribeDBParameters of the group name, every page (MaxRecords 100,
 * Marker), into *out (rds_parameters_release).  source filters by Source
 * ("user", "system", "engine-default") or is NULL for all.
 * RR_ERR_NOT_FOUND for DBParameterGroupNotFound.
 */
enum rr_err rds_describe_parameters(struct aws_client *c,
    struct rds_parameters *out, const char *name, const char *source);
/* Free every parameter and zero p; accepts NULL. */
void rds_parameters_release(struct rds_parameters *p);

/*
 * ModifyDBParameterGroup name with the n params' .name, .value (NULL: "")
 * and .apply_method ("immediate" or "pending-reboot"; NULL:
 * "pending-reboot"), 20 per call as the API allows; n 0 sends nothing.
 * The first failing call stops it, earlier calls stay applied.
 * RR_ERR_NOT_FOUND for DBParameterGroupNotFound.
 */
enum rr_err rds_modify_parameter_group(struct aws_client *c,
    const char *name, const struct rds_parameter *params, size_t n);

/*
 * ResetDBParameterGroup: parameter name of group back to its engine
 * default, ApplyMethod immediate (RDS API Reference; a dynamic parameter
 * such as read_only).  RR_ERR_NOT_FOUND for DBParameterGroupNotFound.
 */
enum rr_err
rds_reset_parameter(struct aws_client *c, const char *group, const char *name);

/*
 * Every instance whose DBParameterGroups names group: DescribeDBInstances
 * of the whole account and region, every page (MaxRecords 100, Marker;
 * the API has no filter by parameter group).  Appends each identifier to
 * *ids and its ReadReplicaSourceDBInstanceIdentifier ("" for none) to
 * *sources, in reply order.  What was appended stays on failure.
 */
enum rr_err rds_parameter_group_users(struct aws_client *c, struct strvec *ids,
    struct strvec *sources, const char *group);

#endif
