/*
 * observe.h - what the world looks like right now, for one desired object.
 *
 * observe() fills a struct observed from RDS, KMS, Route 53 and the MySQL
 * servers, read-only: it never mutates anything (DESIGN.md §3).  The struct
 * is plain data so that the planner (plan.h) stays pure and its tests can
 * build observed states by hand (tests/plan/).
 *
 * Durable facts that cannot be observed again live in tags on resources we
 * own (OBS_TAG_*): the freeze-point coordinates and the cut-over phase.
 */
#ifndef RR_OBSERVE_H
#define RR_OBSERVE_H

#include <stdint.h>
#include <time.h>

#include "binlog-pos.h"
#include "err.h"

/* Tag keys we write on resources we create (RDS tags, AWS Tagging docs). */
#define OBS_TAG_OBJECT		"rdsreconcile:object"	/* metadata.name: ownership */
#define OBS_TAG_ROLE		"rdsreconcile:role"
#define OBS_TAG_BINLOG_FILE	"rdsreconcile:binlog-file"
#define OBS_TAG_BINLOG_POS	"rdsreconcile:binlog-pos"
#define OBS_TAG_PHASE		"rdsreconcile:phase"	/* on the target */
#define OBS_TAG_CHANGE		"rdsreconcile:change-id" /* alias UPSERT */
/* On the target: when fence-source fenced the source, UTC seconds. */
#define OBS_TAG_FENCED "rdsreconcile:fenced-at"
/* On the target: read_only in the source's group before the fence:
 * "default" (no user value: the engine default {TrueIfReplica}), "0" or
 * "1"; lifting the fence restores exactly that. */
#define OBS_TAG_FENCE_PREV "rdsreconcile:fence-prev"
/* On the target: when lower-alias-ttl lowered the record's TTL, UTC
 * seconds, and the TTL it had before, seconds (the largest seen when it
 * was lowered again): a client may hold the source's address that long. */
#define OBS_TAG_TTL_LOWERED "rdsreconcile:ttl-lowered-at"
#define OBS_TAG_TTL_BEFORE  "rdsreconcile:ttl-before"
/* On the target: when the switch was first seen INSYNC, UTC seconds;
 * sessions on the old source are ended until the old TTL has passed. */
#define OBS_TAG_SWITCHED "rdsreconcile:switched-at"
/* On the target: the old source's VPC security groups before
 * isolate-source, comma-separated, to put them back by hand. */
#define OBS_TAG_SOURCE_SGS "rdsreconcile:source-groups"

/* Values of OBS_TAG_PHASE, in order. */
#define PHASE_CUTOVER	"cutover"	/* fencing started: never replicate again */
#define PHASE_DONE	"done"		/* alias switched and INSYNC */

enum tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

/* One resource tag (RDS API Reference, Tag: key <= 128, value <= 256). */
struct obs_tag {
	char key[129];
	char value[257];
};

/* At most 50 tags a resource (Amazon RDS User Guide, Tagging). */
#define OBS_MAX_TAGS 50

/* At most this many addresses of the target's endpoint are kept. */
#define OBS_MAX_ADDRS 5

/*
 * At most this many user-set parameters of the source's group are carried
 * to the target's (DescribeDBParameters Source=user), each value at most
 * OBS_PARAM_VALUE_MAX - 1 bytes; a group beyond either is refused.
 */
#define OBS_MAX_PARAMS      96
#define OBS_PARAM_VALUE_MAX 512

/* One parameter as the planner carries it (RDS API Reference, Parameter). */
struct obs_param {
	char name[64];                   /* ParameterName */
	char value[OBS_PARAM_VALUE_MAX]; /* ParameterValue */
	char apply_method[16]; /* immediate (dynamic) | pending-reboot */
};

/*
 * The settings a target carries from its source (rds.h, struct
 * rds_settings): "" / -1 when DescribeDBInstances did not show them.
 */
struct obs_settings {
	char option_group[256];  /* OptionGroupMemberships[0] */
	char storage_type[16];   /* gp2 | gp3 | io1 | ... */
	int iops;                /* Iops */
	int storage_throughput;  /* StorageThroughput, MiB/s */
	char ca_certificate[64]; /* CACertificateIdentifier */
	int iam_auth;            /* IAMDatabaseAuthenticationEnabled */
	int monitoring_interval; /* seconds, 0 = off */
	char monitoring_role_arn[256];
	int performance_insights;    /* PerformanceInsightsEnabled */
	char pi_kms_key_id[256];     /* PerformanceInsightsKMSKeyId */
	int pi_retention;            /* days */
	char log_exports[64];        /* EnabledCloudwatchLogsExports,
					   sorted, comma-separated */
	char backup_window[16];      /* PreferredBackupWindow */
	char maintenance_window[32]; /* PreferredMaintenanceWindow */
	int auto_minor_version_upgrade;
	int copy_tags_to_snapshot;
	int deletion_protection;
};

/* One RDS DB instance (RDS API Reference, DBInstance). */
struct obs_instance {
	int exists;
	int ours;			/* OBS_TAG_OBJECT == metadata.name */
	char status[40];		/* DBInstanceStatus: available, creating, ... */
	char arn[256];
	char engine[32];		/* mysql | mariadb | aurora-mysql ... */
	char engine_version[32];
	char instance_class[40];
	char endpoint[256];		/* Endpoint.Address, "" while creating */
	int port;			/* Endpoint.Port */
	int encrypted;			/* StorageEncrypted */
	char kms_key_id[256];		/* KmsKeyId: a key ARN */
	int backup_retention;		/* BackupRetentionPeriod, days */
	int multi_az;
	char param_group[256];		/* DBParameterGroups[0] name */
	char param_apply[32];		/* its ParameterApplyStatus */
	char sg_ids[8][64];		/* VpcSecurityGroups ids, sorted */
	int n_sg;
	char subnet_group[256];  /* DBSubnetGroup.DBSubnetGroupName */
	char vpc_id[32];         /* DBSubnetGroup.VpcId */
	int publicly_accessible; /* PubliclyAccessible */
	int allocated_storage;   /* AllocatedStorage, GiB */
	struct obs_settings settings;
	char replica_source[64];	/* ReadReplicaSourceDBInstanceIdentifier */
	int n_replicas;			/* ReadReplicaDBInstanceIdentifiers */
	int pending_modifications;	/* PendingModifiedValues non-empty */
	char phase[32];			/* OBS_TAG_PHASE, "" when absent */
	struct binlog_pos tagged_pos;	/* OBS_TAG_BINLOG_*, file "" if absent */
	/* OBS_TAG_FENCED, 0 if absent. */
	time_t fenced_at;
	char fence_prev[8]; /* OBS_TAG_FENCE_PREV, "" if absent */
	time_t ttl_lowered_at; /* OBS_TAG_TTL_LOWERED, 0 if absent */
	long ttl_before;       /* OBS_TAG_TTL_BEFORE, seconds, 0 if absent */
	time_t switched_at;    /* OBS_TAG_SWITCHED, 0 if absent */
};

/* One DB snapshot (RDS API Reference, DBSnapshot). */
struct obs_snapshot {
	int exists;
	int ours;
	char status[40];		/* creating | available | ... */
	int percent;			/* PercentProgress, 0..100 */
	int encrypted;
	char kms_key_id[256];		/* key ARN when encrypted */
	struct binlog_pos tagged_pos;	/* freeze point carried in tags */
};

/* The replication state of a server as its replica (SHOW REPLICA STATUS). */
struct obs_replication {
	enum tri reachable;		/* could we connect and ask */
	int configured;			/* a source is set */
	int io_running;			/* Replica_IO_Running = Yes */
	int sql_running;		/* Replica_SQL_Running = Yes */
	char source_host[256];
	int source_port;
	struct binlog_pos exec;		/* Relay_Master_Log_File/Exec_Master_Log_Pos */
	long seconds_behind;		/* -1 = NULL */
	unsigned last_errno;
	unsigned io_errno; /* Last_IO_Errno: the I/O thread's own */
	int io_connecting; /* Replica_IO_Running = Connecting: it
					 * retries every MASTER_CONNECT_RETRY s */
	char last_error[512];		/* Last_SQL_Error or Last_IO_Error */
	enum tri read_only;		/* @@global.read_only */
};

/*
 * A session on the source that holds the cut-over (db.h, struct
 * db_session): named by thread id, user, host, age and state, never by its
 * statement.  seen = 0: none.
 */
struct obs_session {
	int seen;
	uint64_t id; /* thread id */
	char user[64];
	char host[128];
	long age_s;
	char state[96];
};

/* The source server seen through SQL with the admin credentials. */
struct obs_source_db {
	enum tri reachable;
	char error[256];		/* why not reachable */
	enum tri log_bin;		/* @@log_bin */
	char binlog_format[16];		/* @@binlog_format */
	enum tri read_only;		/* @@read_only: 1 once fenced */
	struct binlog_pos binlog;	/* SHOW MASTER STATUS */
	char binlog_oldest[128];        /* SHOW BINARY LOGS' first file, ""
					 * unknown: older ones are purged */
	long binlog_retention_hours;	/* rds_show_configuration, -1 = NULL */
	enum tri repl_user_exists;
	/* The Host of each account named like the replication user
	 * (mysql.user), at most 8; valid when repl_user_exists is known. */
	char repl_user_hosts[8][64];
	int n_repl_user_hosts;
	/* Every one of those accounts holds the replication grant
	 * (db_user_can_replicate): TRI_NO is a user made by a run killed
	 * between CREATE USER and GRANT. */
	enum tri repl_user_granted;
	/* During the cut-over only: whether some session holds the run lock
	 * (IS_USED_LOCK), and which ("connection 12 of 'admin' from ...").
	 * A fenced source with the lock free was left by a run that is
	 * gone. */
	enum tri lock_held;
	char lock_holder[160];
	int client_connections;		/* others' connections, not replication */
	int tls;                        /* our session is encrypted: the source
					 * offers TLS (DB_TLS_PREFER) */
	/* The guardrails before the fence: the oldest open transaction
	 * (INNODB_TRX), and the longest-running of n_ddl sessions running
	 * DDL or waiting on a metadata lock (PROCESSLIST).  guard_error says
	 * why they could not be read ("" when they were): nothing then
	 * shows the source is clear.  Not read once the source is fenced
	 * for the cut-over (read_only 1, phase cutover): nothing weighs
	 * them then. */
	struct obs_session oldest_trx;
	struct obs_session ddl;
	int n_ddl;
	char guard_error[256];
};

/* The KMS key named by spec.target.kmsKeyId (KMS API Reference, KeyMetadata). */
struct obs_key {
	int exists;
	char arn[256];
	char state[32];			/* KeyState: Enabled, Disabled, ... */
};

/* The security group isolate-source gives the old source (EC2 API
 * Reference, SecurityGroup), observed once the cut-over is done and
 * spec.cutover.isolateSource is on. */
struct obs_group {
	int exists;
	int ours;      /* tag rdsreconcile:object == metadata.name */
	char id[64];   /* GroupId */
	int n_inbound; /* IpPermissions */
};

/* The alias record (Route 53 API Reference, ResourceRecordSet). */
struct obs_record {
	int zone_exists;
	int exists;
	char type[8];			/* CNAME | A */
	char value[256];		/* the first ResourceRecord value */
	long ttl;			/* seconds */
};

struct observed {
	time_t now;			/* UTC seconds, read by observe() */
	struct obs_instance source;
	struct obs_instance temp;	/* the temporary read replica */
	struct obs_instance target;
	struct obs_snapshot freeze;	/* snapshot of the stopped temp replica */
	struct obs_snapshot copy;	/* its encrypted copy */
	struct obs_key key;
	struct obs_record record;
	struct obs_group isolation;
	int target_pg_exists;		/* our parameter group for the target */
	int target_pg_ours;
	enum tri target_pg_read_only;	/* read_only=1 set in that group */
	enum tri source_pg_read_only;	/* read_only=1 set in the source's group */
	/* The source's group as the target's is made from it, observed while
	 * the target's group is still to be made (source_pg_observed):
	 * DescribeDBParameterGroups DBParameterGroupFamily, and its user-set
	 * values but read_only; too_many when they do not fit. */
	int source_pg_observed;
	char source_pg_family[64];
	struct obs_param source_params[OBS_MAX_PARAMS];
	int n_source_params;
	int source_params_too_many;
	/* read_only has a user value in the source's group (DescribeDBParameters
	 * Source "user"); TRI_NO: the engine default {TrueIfReplica}. */
	enum tri source_pg_read_only_set;
	/* The other instances using the source's parameter group, but for
	 * the source's own read replicas (read-only anyway): ", "-separated,
	 * "" for none.  A fence there would fence them too. */
	char source_pg_shared[512];
	int n_source_pg_shared;
	char change_status[16];		/* Route 53 GetChange of our tagged
					 * change id: PENDING, INSYNC or "" */
	struct obs_source_db srcdb;
	struct obs_replication temprepl; /* temp replica's replication */
	struct obs_replication tgtrepl;	/* target's replication from source */
	int repl_password_stored;	/* sealed replication password exists */
	/* The source's own tags, those outside the aws: and rdsreconcile:
	 * namespaces (DescribeDBInstances TagList): the target gets them. */
	struct obs_tag source_tags[OBS_MAX_TAGS];
	int n_source_tags;
	/* The addresses the target's endpoint resolves to here
	 * (getaddrinfo, at most OBS_MAX_ADDRS, in its order, IPv4 ones
	 * flagged private per RFC 1918/6598, loopback, link-local);
	 * target_resolve_error is gai_strerror() when it did not resolve. */
	char target_addrs[OBS_MAX_ADDRS][64];
	int target_addr_public[OBS_MAX_ADDRS];
	int n_target_addrs;
	char target_resolve_error[128];
	int approved;			/* --approve-cutover or approval file */
	/* Seconds the source has been fenced for this cut-over (now minus
	 * target.fenced_at), whichever run fenced it; 0 outside the
	 * cut-over or without the tag. */
	long position_wait_s;
	int postponed;			/* the postpone flag file exists */
	/* Why the run observing must end (a signal, --timeout), "" while
	 * it may go on: with the source fenced, the planner then lifts the
	 * fence unless the target already holds every write (loop.c). */
	char stopping[64];
	/* The beforeCutover hook's answer: TRI_YES when none is declared,
	 * TRI_UNKNOWN until the apply loop asks it (only once the plan is
	 * to start the cut-over: it may have effects), TRI_NO when it
	 * exited non-zero, with its error in hook_error. */
	enum tri before_cutover_hook;
	char hook_error[256];
};

struct rr_ctx;

/*
 * Observe the world for c->d.  Fills *o (zeroed first).  Read-only: no
 * mutating AWS call, no DDL/DML.  Missing resources are not errors (exists
 * = 0); RR_ERR_AWS/RR_ERR_HTTP/RR_ERR_CREDENTIALS when AWS could not be
 * asked at all.  An unreachable MySQL server is recorded (reachable =
 * TRI_NO), not returned, because the planner decides what it means.
 */
enum rr_err observe(struct observed *o, struct rr_ctx *c);

/*
 * Refresh *o, a full observe() from earlier in this run, while the source
 * is fenced for the cut-over and writes are down: the target instance and
 * its tags, both parameter groups' read_only, the alias record and change,
 * both servers through SQL and the local files.  The rest (the source and
 * temporary instances, the snapshots, the key, the target group's
 * ownership) is kept: nothing the cut-over does moves it, and it saves 7
 * of 12 AWS calls a pass inside the write-unavailability window.  Same
 * errors as observe().
 */
enum rr_err observe_cutover(struct observed *o, struct rr_ctx *c);

/* arn:aws:rds:REGION:ACCOUNT:pg:GROUP from an instance ARN; NULL if that
 * is not an instance ARN.  The caller frees it. */
char *rr_pg_arn(const char *instance_arn, const char *group);

#endif
