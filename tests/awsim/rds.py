"""RDS: DB instances backed by real mariadbd servers, snapshots, parameter groups, tags, events.

Each API call checks AWS's rules and records the new state under the state lock;
the slow part (starting a server, a backup, a copy) runs in a background thread
that publishes status changes as it goes.  A status reads `available` only once
the real server answers.  Durations are AWS-like base seconds times the
stand-in's time scale, and never shorter than the real work.

Choices where AWS leaves room or the stand-in simplifies:
- Engines `mariadb` (10.11) and `mysql` (8.0) are both served by MariaDB 10.11.
- A restore gets the BackupRetentionPeriod its snapshot's source had (a snapshot of
  a read replica therefore restores with 0: backups and binlog off).
- No automated snapshots are taken; SnapshotType=automated lists nothing.
- Storage encryption is metadata: the bytes on disk are the same either way.
"""

import os
import re
import shutil
import sys
import threading
import time
import traceback

import kms
from state import ACCOUNT, AwsError, now, paginate, random_id

# Base durations in seconds (multiplied by --time-scale).
CREATING = 60
BACKING_UP = 30
MODIFYING = 30
REBOOTING = 20
DELETING = 30
SNAPSHOT = 60
COPY = 60
APPLYING = 5
WORKERS_TIMEOUT = 30     # real seconds shutdown() waits for background work to end

DEFAULT_SG = "sg-0a1b2c3d4e5f60718"
ENGINES = {"mariadb": ("10.11", "10.11.6", "mariadb10.11"),
           "mysql": ("8.0", "8.0.35", "mysql8.0")}
ID_RE = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*(?<!-)$")

# Parameters the stand-in models per family: name -> (default, apply type, data type,
# allowed values, description).  Defaults in braces are RDS formulas and are never
# sent to the server; the others are the family's engine defaults.
_COMMON_PARAMS = {
    "read_only": ("{TrueIfReplica}", "dynamic", "boolean", "0-1",
                  "When it is enabled, the server permits no updates except from updates performed by replication threads."),
    "max_connections": ("{DBInstanceClassMemory/12582880}", "dynamic", "integer", "1-100000",
                        "The number of simultaneous client connections allowed."),
    "max_allowed_packet": ("67108864", "dynamic", "integer", "1024-1073741824",
                           "This value by default is small, to catch large (possibly incorrect) packets."),
    "wait_timeout": ("28800", "dynamic", "integer", "1-31536000",
                     "The number of seconds the server waits for activity on a connection before closing it."),
    "event_scheduler": ("OFF", "dynamic", "string", "ON,OFF", "Enable or disable the event scheduler."),
    "log_bin_trust_function_creators": ("0", "dynamic", "boolean", "0-1",
                                        "Enforces restrictions on stored functions / triggers - logging for replication."),
    "sync_binlog": ("1", "dynamic", "integer", "0-4294967295",
                    "Sync binlog (MySQL flush to disk or rely on OS)."),
    "binlog_row_image": ("FULL", "dynamic", "string", "FULL,MINIMAL,NOBLOB",
                         "Whether to log full or minimal rows."),
    "innodb_flush_log_at_trx_commit": ("1", "dynamic", "integer", "0,1,2",
                                       "Determines Innodb transaction durability."),
    "character_set_server": (None, "dynamic", "string", "big5,latin1,utf8,utf8mb3,utf8mb4",
                             "The server's default character set."),
    "performance_schema": ("0", "static", "boolean", "0-1", "Enables or disables the Performance Schema."),
    "innodb_buffer_pool_size": ("{DBInstanceClassMemory*3/4}", "static", "integer", "5242880-9223372036854775807",
                                "The size in bytes of the memory buffer innodb uses to cache data and indexes of its tables."),
}
FAMILY_DEFAULTS = {"mariadb10.11": {"binlog_format": "MIXED"}, "mysql8.0": {"binlog_format": "ROW"}}


def family_params(family):
    params = dict(_COMMON_PARAMS)
    params["binlog_format"] = (FAMILY_DEFAULTS[family]["binlog_format"], "dynamic", "string",
                               "ROW,STATEMENT,MIXED", "Binary logging format for replication.")
    return dict(sorted(params.items()))


def _backend():
    import mariadb  # imported late: the API half of the stand-in works without it
    return mariadb


def _allowed(spec, value):
    if "," in spec or not re.fullmatch(r"\d+-\d+", spec):
        return value in spec.split(",")
    lo, hi = (int(x) for x in spec.split("-"))
    return value.isdigit() and lo <= int(value) <= hi


def _tags(tags):
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags or []]


def _merge_tags(current, new):
    out = {t["Key"]: t["Value"] for t in current}
    out.update({t["Key"]: t.get("Value", "") for t in new})
    return [{"Key": k, "Value": v} for k, v in out.items()]


def _check_id(value, param, max_len=63):
    if not (1 <= len(value) <= max_len) or not ID_RE.match(value):
        raise AwsError("InvalidParameterValue",
                       f"The parameter {param} is not a valid identifier. Identifiers must begin with a "
                       "letter; must contain only ASCII letters, digits, and hyphens; and must not end "
                       "with a hyphen or contain two consecutive hyphens.")
    return value.lower()


class ParamGroup:
    def __init__(self, name, family, description, region, default=False):
        self.name = name
        self.family = family
        self.description = description
        self.region = region
        self.default = default
        self.user = {}          # parameter name -> (value, apply method)
        self.tags = []
        self.created_mono = time.monotonic()

    def arn(self):
        return f"arn:aws:rds:{self.region}:{ACCOUNT}:pg:{self.name}"

    def values(self, replica):
        """Concrete values for the server: user values over engine defaults, formulas resolved."""
        out = {}
        for name, (default, *_rest) in family_params(self.family).items():
            value = self.user[name][0] if name in self.user else default
            if value == "{TrueIfReplica}":
                value = "1" if replica else "0"
            if value is not None and not value.startswith("{"):
                out[name] = value
        return out

    def describe(self):
        return {"DBParameterGroupName": self.name, "DBParameterGroupFamily": self.family,
                "Description": self.description, "DBParameterGroupArn": self.arn()}


class Instance:
    def __init__(self, ident, region):
        self.id = ident
        self.region = region
        self.created = now()
        self.created_mono = time.monotonic()
        self.resource_id = random_id("db-", 26)
        self.status = "creating"
        self.server = None
        self.fixture = False
        self.ip = None
        self.port = None
        self.source_id = None
        self.replicas = []
        self.pending = {}            # PendingModifiedValues not yet applied
        self.param_status = "in-sync"
        self.sg_status = "active"
        self.pending_params = False  # parameter values waiting for a reboot
        self.oplock = threading.Lock()  # serialises work on this instance's server
        self.root = None
        self.tags = []
        self.encrypted = False
        self.kms_key = None
        self.deletion_protection = False
        self.copy_tags = False
        self.public = False
        self.db_name = None

    def arn(self):
        return f"arn:aws:rds:{self.region}:{ACCOUNT}:db:{self.id}"


# What a snapshot keeps of its instance (and a copy of its source snapshot): what a restore needs.
_CARRIED = ("engine", "engine_version", "family", "instance_class", "storage", "master_user",
            "master_password", "port", "encrypted", "kms_key", "backup_retention", "resource_id",
            "fixture", "db_name")


class Snapshot:
    def __init__(self, ident, region, inst):
        self.id = ident
        self.region = region
        self.created = now()
        self.original_created = self.created
        self.created_mono = time.monotonic()
        self.status = "creating"
        self.percent = 0
        self.type = "manual"
        self.dir = None
        self.tags = []
        self.source_arn = None
        self.source_region = None
        for attr in _CARRIED:
            setattr(self, attr, getattr(inst, attr))
        self.instance_id = inst.id
        self.instance_created = inst.created
        self.az = inst.region + "a"

    def arn(self):
        return f"arn:aws:rds:{self.region}:{ACCOUNT}:snapshot:{self.id}"

    def copy_from(self, other):
        for attr in _CARRIED + ("instance_id", "instance_created", "az", "original_created"):
            setattr(self, attr, getattr(other, attr))


class RDS:
    def __init__(self, state):
        self.state = state
        self.serial = 0
        self.workers = set()         # background threads of _spawn still running
        self.workers_lock = threading.Lock()
        self.ensure_defaults("us-east-1")

    # -- helpers ------------------------------------------------------------------
    def ensure_defaults(self, region):
        with self.state.lock:
            for family in FAMILY_DEFAULTS:
                name = f"default.{family}"
                if name not in self.state.param_groups:
                    self.state.param_groups[name] = ParamGroup(
                        name, family, f"Default parameter group for {family}", region, default=True)
                    self.state.param_groups[name].created_mono = 0

    def _spawn(self, what, fn, *args):
        """Run slow work in a thread; a failure marks the resource failed, as RDS does.
        Threads are tracked so shutdown() can wait for them; none starts once stopping."""
        gen = self.state.generation

        def run():
            try:
                fn(*args)
            except Exception as e:  # noqa: BLE001 - any failure becomes a 'failed' status
                if self.state.stopping.is_set() or gen != self.state.generation:
                    return
                traceback.print_exc()
                with self.state.lock:
                    res = args[0]
                    res.status = "failed"
                    res.failure = str(e)
                    kind = "db-instance" if isinstance(res, Instance) else "db-snapshot"
                    self._event(kind, res.id, res.arn(), f"{what} failed: {e}", ["failure"])
            finally:
                with self.workers_lock:
                    self.workers.discard(threading.current_thread())
        with self.workers_lock:
            if self.state.stopping.is_set():
                return
            t = threading.Thread(target=run, name=f"{what}", daemon=True)
            self.workers.add(t)
            t.start()

    def _wait_rest(self, started, base):
        """Sleep whatever remains of base scaled seconds since started."""
        left = base * self.state.time_scale - (time.monotonic() - started)
        if left > 0:
            self.state.stopping.wait(left)

    def _alive(self, res, table):
        return table.get(res.id) is res and not self.state.stopping.is_set()

    def _set_status(self, inst, status, message=None, categories=None):
        self.state.wait_hold("instance", inst.id, inst.status)
        with self.state.lock:
            if self.state.instances.get(inst.id) is not inst:
                return False
            inst.status = status
            if message:
                self._event("db-instance", inst.id, inst.arn(), message, categories or [])
            return True

    def _event(self, source_type, ident, arn, message, categories):
        with self.state.lock:
            self.state.events.append({"SourceIdentifier": ident, "SourceType": source_type,
                                      "Message": message, "EventCategories": list(categories),
                                      "Date": now(), "SourceArn": arn})

    def _root(self, kind, ident):
        with self.state.lock:
            self.serial += 1
            return os.path.join(self.state.state_dir, kind, f"{ident}-{self.serial}")

    @staticmethod
    def _ref_id(ref, kind):
        """Identifier from an id or an ARN of the given kind (db, snapshot, pg)."""
        if ref.startswith("arn:"):
            parts = ref.split(":")
            if len(parts) < 7 or parts[2] != "rds" or parts[5] != kind:
                raise AwsError("InvalidParameterValue", f"Invalid resource name: {ref}")
            ref = parts[6]
        return ref.lower()

    def _instance(self, ref):
        ident = self._ref_id(ref, "db")
        inst = self.state.instances.get(ident)
        if inst is None or not self.state.visible(inst.created_mono):
            raise AwsError("DBInstanceNotFoundFault", f"DBInstance {ident} not found.")
        return inst

    def _snapshot(self, ref):
        ident = self._ref_id(ref, "snapshot")
        snap = self.state.snapshots.get(ident)
        if snap is None or not self.state.visible(snap.created_mono):
            raise AwsError("DBSnapshotNotFoundFault", f"DBSnapshot {ident} not found.")
        return snap

    def _param_group(self, name):
        pg = self.state.param_groups.get(name.lower())
        if pg is None or not self.state.visible(pg.created_mono):
            raise AwsError("DBParameterGroupNotFoundFault", f"DBParameterGroup not found: {name}")
        return pg

    def _family_group(self, name, family):
        pg = self._param_group(name or f"default.{family}")
        if pg.family != family:
            raise AwsError("InvalidParameterCombination",
                           f"The parameter group {pg.name} with DBParameterGroupFamily {pg.family} can't be "
                           f"used for this instance. Use a parameter group with DBParameterGroupFamily {family}.")
        return pg

    def _kms_key(self, ctx, ref):
        key = kms.resolve(self.state, ctx.region, ref)
        if key is None:
            raise AwsError("KMSKeyNotAccessibleFault", f"The specified KMS key [{ref}] does not exist, "
                           "is not enabled or you do not have permissions to access it.")
        if not key.enabled:
            raise AwsError("KMSKeyNotAccessibleFault", f"The specified KMS key [{key.arn}] is not "
                           "accessible: the key is disabled.")
        return key

    def _aws_rds_key(self, ctx):
        """The AWS managed key aws/rds, made on first use as AWS does."""
        with self.state.lock:
            alias = self.state.aliases.get((ctx.region, "alias/aws/rds"))
            if alias:
                return self.state.keys[alias.key_id]
            key = kms.Key(ctx.region, "Default key that protects my RDS database volumes when no "
                          "other key is defined", [], "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT")
            key.manager = "AWS"
            key.created_mono = 0     # never hidden by hide_new_seconds, as the default groups
            alias = kms.Alias(ctx.region, "alias/aws/rds", key.id)
            alias.created_mono = 0
            self.state.keys[key.id] = key
            self.state.aliases[(ctx.region, "alias/aws/rds")] = alias
            return key

    def _require_free_instance_id(self, ident):
        if ident in self.state.instances:
            raise AwsError("DBInstanceAlreadyExistsFault", "DB instance already exists")

    def _sgs(self, ids):
        for sg in ids or []:
            if not re.fullmatch(r"sg-[0-9a-f]{8,17}", sg):
                raise AwsError("InvalidParameterValue", f"Invalid security group , groupId= {sg}")
        return list(ids) if ids else [DEFAULT_SG]

    def _new_instance(self, ctx, ident, *, engine, engine_version, family, instance_class, storage,
                      master_user, master_password, param_group, backup_retention, multi_az, sgs,
                      encrypted, kms_key, tags, port=None):
        inst = Instance(ident, ctx.region)
        inst.engine, inst.engine_version, inst.family = engine, engine_version, family
        inst.instance_class, inst.storage = instance_class, storage
        inst.master_user, inst.master_password = master_user, master_password
        inst.param_group = param_group
        inst.backup_retention, inst.multi_az, inst.sgs = backup_retention, multi_az, sgs
        inst.encrypted, inst.kms_key, inst.tags = encrypted, kms_key, tags
        inst.ip, inst.server_id = self.state.allocate_ip()
        inst.port = port or self.state.db_port
        inst.root = self._root("instances", ident)
        self.state.instances[ident] = inst
        return inst

    def _finish_creation(self, inst, started, message):
        """The tail every create/restore/replica shares: creating, backing-up, available."""
        self._wait_rest(started, CREATING)
        if inst.backup_retention > 0:
            if not self._set_status(inst, "backing-up"):
                return
            self.state.sleep(BACKING_UP)
        self._set_status(inst, "available", message, ["creation"])

    # -- instances ----------------------------------------------------------------
    def describe_instance(self, inst):
        d = {
            "DBInstanceIdentifier": inst.id, "DBInstanceClass": inst.instance_class,
            "Engine": inst.engine, "DBInstanceStatus": inst.status,
            "MasterUsername": inst.master_user,
            "AllocatedStorage": inst.storage, "PreferredBackupWindow": "03:00-03:30",
            "BackupRetentionPeriod": inst.backup_retention, "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg, "Status": inst.sg_status} for sg in inst.sgs],
            "DBParameterGroups": [{"DBParameterGroupName": inst.param_group,
                                   "ParameterApplyStatus": inst.param_status}],
            "AvailabilityZone": inst.region + "a",
            "DBSubnetGroup": {"DBSubnetGroupName": "default", "DBSubnetGroupDescription": "default",
                              "VpcId": "vpc-0a1b2c3d", "SubnetGroupStatus": "Complete",
                              "Subnets": [{"SubnetIdentifier": "subnet-0a1b2c3d",
                                           "SubnetAvailabilityZone": {"Name": inst.region + "a"},
                                           "SubnetStatus": "Active"}]},
            "PreferredMaintenanceWindow": "sun:05:00-sun:05:30",
            "PendingModifiedValues": dict(inst.pending),
            "MultiAZ": inst.multi_az, "EngineVersion": inst.engine_version,
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": list(inst.replicas),
            "ReadReplicaDBClusterIdentifiers": [],
            "LicenseModel": "general-public-license",
            "OptionGroupMemberships": [{"OptionGroupName": f"default:{inst.engine}-{inst.engine_version.split('.')[0]}-"
                                        f"{inst.engine_version.split('.')[1]}", "Status": "in-sync"}],
            "PubliclyAccessible": inst.public, "StorageType": "gp2", "DbInstancePort": 0,
            "StorageEncrypted": inst.encrypted, "DbiResourceId": inst.resource_id,
            "CACertificateIdentifier": "rds-ca-rsa2048-g1", "DomainMemberships": [],
            "CopyTagsToSnapshot": inst.copy_tags, "MonitoringInterval": 0,
            "DBInstanceArn": inst.arn(), "IAMDatabaseAuthenticationEnabled": False,
            "PerformanceInsightsEnabled": False, "DeletionProtection": inst.deletion_protection,
            "AssociatedRoles": [], "TagList": list(inst.tags), "CustomerOwnedIpEnabled": False,
            "BackupTarget": "region", "NetworkType": "IPV4",
        }
        if inst.db_name:
            d["DBName"] = inst.db_name
        if inst.status != "creating" or inst.fixture:
            d["Endpoint"] = {"Address": inst.ip, "Port": inst.port, "HostedZoneId": "Z2R2ITUGPM61AM"}
            d["InstanceCreateTime"] = inst.created
            if inst.backup_retention > 0:
                d["LatestRestorableTime"] = now()
        if inst.source_id:
            d["ReadReplicaSourceDBInstanceIdentifier"] = inst.source_id
            d["StatusInfos"] = [{"StatusType": "read replication", "Normal": True, "Status": "replicating"}]
        if inst.encrypted:
            d["KmsKeyId"] = inst.kms_key
        return d

    def DescribeDBInstances(self, p, ctx):
        with self.state.lock:
            if p.get("DBInstanceIdentifier"):
                insts = [self._instance(p["DBInstanceIdentifier"])]
            else:
                insts = [i for i in self.state.instances.values() if self.state.visible(i.created_mono)]
            for f in p.get("Filters", []):
                values = f["Values"]
                if f["Name"] == "db-instance-id":
                    wanted = {self._ref_id(v, "db") for v in values}
                    insts = [i for i in insts if i.id in wanted]
                elif f["Name"] == "engine":
                    insts = [i for i in insts if i.engine in values]
                elif f["Name"] == "dbi-resource-id":
                    insts = [i for i in insts if i.resource_id in values]
                else:
                    raise AwsError("InvalidParameterValue", f"Unrecognized filter name: {f['Name']}")
            insts.sort(key=lambda i: i.id)
            page, marker = paginate(insts, lambda i: i.id, p.get("MaxRecords"), p.get("Marker"))
            out = {"DBInstances": [self.describe_instance(i) for i in page]}
        if marker:
            out["Marker"] = marker
        return out

    def CreateDBInstance(self, p, ctx):
        ident = _check_id(p["DBInstanceIdentifier"], "DBInstanceIdentifier")
        engine = p["Engine"].lower()
        if engine not in ENGINES:
            raise AwsError("InvalidParameterValue", f"Invalid DB engine: {p['Engine']}")
        major, default_version, family = ENGINES[engine]
        version = p.get("EngineVersion", default_version)
        if not (version == major or version.startswith(major + ".")):
            raise AwsError("InvalidParameterCombination", f"Cannot find version {version} for {engine}")
        if not p["DBInstanceClass"].startswith("db."):
            raise AwsError("InvalidParameterCombination",
                           "RDS does not support creating a DB instance with the following combination: "
                           f"DBInstanceClass={p['DBInstanceClass']}, Engine={engine}, EngineVersion={version}, "
                           "LicenseModel=general-public-license.")
        storage = p.get("AllocatedStorage", 0)
        if not 20 <= storage <= 65536:
            raise AwsError("InvalidParameterValue",
                           f"Invalid storage size for engine name {engine} and storage type gp2: {storage}")
        user = p.get("MasterUsername")
        if not user:
            raise AwsError("InvalidParameterValue", "The parameter MasterUsername must be provided and must not be blank.")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,15}", user) or user.lower() in ("rdsadmin", "root", "rdsrepl"):
            raise AwsError("InvalidParameterValue", f"MasterUsername {user} cannot be used as it is a reserved word "
                           "used by the engine" if user.lower() in ("rdsadmin", "root", "rdsrepl") else
                           "The parameter MasterUsername is not a valid identifier.")
        password = p.get("MasterUserPassword")
        self._check_password(password)
        retention = p.get("BackupRetentionPeriod", 1)
        if not 0 <= retention <= 35:
            raise AwsError("InvalidParameterValue", "Invalid backup retention period: must be between 0 and 35")
        if p.get("KmsKeyId") and not p.get("StorageEncrypted"):
            raise AwsError("InvalidParameterCombination",
                           "The KmsKeyId parameter is only valid when StorageEncrypted is true.")
        sgs = self._sgs(p.get("VpcSecurityGroupIds"))
        with self.state.lock:
            self._require_free_instance_id(ident)
            pg = self._family_group(p.get("DBParameterGroupName"), family)
            key = None
            if p.get("StorageEncrypted"):
                key = self._kms_key(ctx, p["KmsKeyId"]) if p.get("KmsKeyId") else self._aws_rds_key(ctx)
            inst = self._new_instance(
                ctx, ident, engine=engine, engine_version=version, family=family,
                instance_class=p["DBInstanceClass"], storage=storage, master_user=user,
                master_password=password, param_group=pg.name, backup_retention=retention,
                multi_az=p.get("MultiAZ", False), sgs=sgs, encrypted=bool(key),
                kms_key=key.arn if key else None, tags=_tags(p.get("Tags")), port=None)
            inst.db_name = p.get("DBName")
            inst.copy_tags = p.get("CopyTagsToSnapshot", False)
            inst.deletion_protection = p.get("DeletionProtection", False)
            inst.public = p.get("PubliclyAccessible", False)
            values = pg.values(replica=False)
            out = {"DBInstance": self.describe_instance(inst)}
        self._spawn("create", self._create_worker, inst, values)
        return out

    @staticmethod
    def _check_password(password):
        if not password:
            raise AwsError("InvalidParameterValue", "The parameter MasterUserPassword must be provided and must not be blank.")
        if not 8 <= len(password) <= 41:
            raise AwsError("InvalidParameterValue", "The parameter MasterUserPassword is not a valid password "
                           "because it is shorter than 8 characters." if len(password) < 8 else
                           "The parameter MasterUserPassword is not a valid password because it is longer than 41 characters.")
        if any(c in password for c in "/\"@ "):
            raise AwsError("InvalidParameterValue", "The parameter MasterUserPassword is not a valid password. "
                           "Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.")

    def _create_worker(self, inst, values):
        started = time.monotonic()
        with inst.oplock:
            server = _backend().Server(inst.root, inst.ip, inst.port, inst.server_id)
            server.create(inst.master_user, inst.master_password, binlog=inst.backup_retention > 0,
                          params=values)
            if inst.db_name:
                server.sql(f"CREATE DATABASE IF NOT EXISTS `{inst.db_name}`")
            with self.state.lock:
                inst.server = server
                if not self._alive(inst, self.state.instances):
                    server.remove()
                    return
        self._finish_creation(inst, started, "DB instance created")

    def CreateDBInstanceReadReplica(self, p, ctx):
        ident = _check_id(p["DBInstanceIdentifier"], "DBInstanceIdentifier")
        sgs = self._sgs(p.get("VpcSecurityGroupIds"))
        with self.state.lock:
            self._require_free_instance_id(ident)
            src = self._instance(p["SourceDBInstanceIdentifier"])
            if src.status != "available":
                raise AwsError("InvalidDBInstanceStateFault", f"DB Instance {src.id} is not in available state.")
            if src.backup_retention <= 0:
                raise AwsError("InvalidDBInstanceStateFault",
                               "Automated backups are not enabled for this database instance. To enable "
                               "automated backups, use ModifyDBInstance to set the backup retention period "
                               "to a non-zero value.")
            if p.get("KmsKeyId") and not src.encrypted:
                raise AwsError("InvalidParameterCombination",
                               "Cannot create an encrypted read replica from an unencrypted DB instance. "
                               "Encrypt a copy of a snapshot of the DB instance instead.")
            key_arn = src.kms_key
            if p.get("KmsKeyId"):
                key_arn = self._kms_key(ctx, p["KmsKeyId"]).arn
            pg = self._family_group(p.get("DBParameterGroupName") or src.param_group, src.family)
            inst = self._new_instance(
                ctx, ident, engine=src.engine, engine_version=src.engine_version, family=src.family,
                instance_class=p.get("DBInstanceClass", src.instance_class), storage=src.storage,
                master_user=src.master_user, master_password=src.master_password, param_group=pg.name,
                backup_retention=0, multi_az=p.get("MultiAZ", False), sgs=sgs, encrypted=src.encrypted,
                kms_key=key_arn, tags=_tags(p.get("Tags")), port=p.get("Port"))
            inst.source_id = src.id
            inst.copy_tags = p.get("CopyTagsToSnapshot", False)
            inst.deletion_protection = p.get("DeletionProtection", False)
            inst.db_name = src.db_name
            src.replicas.append(inst.id)
            src.status = "modifying"  # RDS shows the source modifying while it seeds a replica
            values = pg.values(replica=True)
            out = {"DBInstance": self.describe_instance(inst)}
        self._spawn("create read replica", self._replica_worker, inst, src, values)
        return out

    def _replica_worker(self, inst, src, values):
        started = time.monotonic()
        try:
            with src.oplock, inst.oplock:
                if src.server is None:
                    raise RuntimeError(f"source {src.id} has no server (a fixture)")
                server = src.server.create_replica(inst.root, inst.ip, inst.port, inst.server_id, params=values)
                with self.state.lock:
                    inst.server = server
                    if not self._alive(inst, self.state.instances):
                        server.remove()
                        return
        finally:
            self._set_status(src, "available")
        self._finish_creation(inst, started, "Read replica created")

    def ModifyDBInstance(self, p, ctx):
        if p.get("NewDBInstanceIdentifier"):
            raise AwsError("InvalidParameterCombination", "Renaming a DB instance is not supported by this stand-in")
        with self.state.lock:
            inst = self._instance(p["DBInstanceIdentifier"])
            if inst.status != "available":
                raise AwsError("InvalidDBInstanceStateFault", "Database instance is not in available state.")
            now_changes = {}
            later = {}
            immediate = p.get("ApplyImmediately", False)
            if "VpcSecurityGroupIds" in p:
                now_changes["sgs"] = self._sgs(p["VpcSecurityGroupIds"])
            if "DBParameterGroupName" in p:
                now_changes["param_group"] = self._family_group(p["DBParameterGroupName"], inst.family).name
            if "MasterUserPassword" in p:
                self._check_password(p["MasterUserPassword"])
                now_changes["password"] = p["MasterUserPassword"]
            if "BackupRetentionPeriod" in p:
                r = p["BackupRetentionPeriod"]
                if not 0 <= r <= 35:
                    raise AwsError("InvalidParameterValue", "Invalid backup retention period: must be between 0 and 35")
                if r == 0 and inst.replicas:
                    raise AwsError("InvalidDBInstanceStateFault",
                                   "Cannot set the backup retention period to 0 while the instance has read replicas.")
                # Changes between non-zero values need no outage and apply at once.
                if (r > 0) == (inst.backup_retention > 0):
                    now_changes["retention"] = r
                else:
                    later["BackupRetentionPeriod"] = r
            if "MultiAZ" in p:
                later["MultiAZ"] = p["MultiAZ"]
            if "DBInstanceClass" in p:
                later["DBInstanceClass"] = p["DBInstanceClass"]
            if "AllocatedStorage" in p:
                later["AllocatedStorage"] = p["AllocatedStorage"]
            for attr, key in (("copy_tags", "CopyTagsToSnapshot"), ("deletion_protection", "DeletionProtection"),
                              ("public", "PubliclyAccessible")):
                if key in p:
                    setattr(inst, attr, p[key])
            inst.pending.update(later)
            if "password" in now_changes:
                inst.pending["MasterUserPassword"] = "****"
            work = bool(now_changes) or (immediate and inst.pending)
            if work:
                apply_pending = dict(inst.pending) if immediate else {}
                inst.status = "modifying"
                if "sgs" in now_changes:
                    inst.sgs, inst.sg_status = now_changes["sgs"], "adding"
                if "param_group" in now_changes:
                    inst.param_group, inst.param_status = now_changes["param_group"], "applying"
                if "retention" in now_changes:
                    inst.backup_retention = now_changes["retention"]
            out = {"DBInstance": self.describe_instance(inst)}
        if work:
            self._spawn("modify", self._modify_worker, inst, now_changes, apply_pending)
        return out

    def _modify_worker(self, inst, changes, pending):
        started = time.monotonic()
        with inst.oplock:
            if "password" in changes and inst.server:
                inst.server.set_master_password(inst.master_user, changes["password"])
            retention = pending.get("BackupRetentionPeriod")
            if retention is not None and inst.server:
                inst.server.set_binlog(retention > 0)
        self._wait_rest(started, MODIFYING)
        self.state.wait_hold("instance", inst.id, "modifying")  # before the values show
        with self.state.lock:
            if "password" in changes:
                inst.master_password = changes["password"]
            inst.pending.pop("MasterUserPassword", None)
            for key in pending:
                inst.pending.pop(key, None)
            if retention is not None:
                inst.backup_retention = retention
            if "MultiAZ" in pending:
                inst.multi_az = pending["MultiAZ"]
            if "DBInstanceClass" in pending:
                inst.instance_class = pending["DBInstanceClass"]
            if "AllocatedStorage" in pending:
                inst.storage = pending["AllocatedStorage"]
            inst.sg_status = "active"
            if "param_group" in changes:
                # A newly associated group takes effect at the next reboot.
                inst.param_status = "pending-reboot"
                inst.pending_params = True
        if retention:
            if not self._set_status(inst, "backing-up"):
                return
            self.state.sleep(BACKING_UP)
        self._set_status(inst, "available", "Finished applying modification to DB instance", ["configuration change"])

    def RebootDBInstance(self, p, ctx):
        with self.state.lock:
            inst = self._instance(p["DBInstanceIdentifier"])
            if inst.status != "available":
                raise AwsError("InvalidDBInstanceStateFault", f"DB instance {inst.id} is not in available state.")
            if p.get("ForceFailover") and not inst.multi_az:
                raise AwsError("InvalidParameterCombination", "Cannot force failover on a Single-AZ DB instance.")
            inst.status = "rebooting"
            values = self.state.param_groups[inst.param_group].values(replica=bool(inst.source_id))
            out = {"DBInstance": self.describe_instance(inst)}
        self._spawn("reboot", self._reboot_worker, inst, values)
        return out

    def _reboot_worker(self, inst, values):
        started = time.monotonic()
        with inst.oplock:
            if inst.server:
                if inst.pending_params:
                    inst.server.apply_parameters(values)
                inst.server.restart()
        self._wait_rest(started, REBOOTING)
        with self.state.lock:
            if inst.pending_params:
                inst.pending_params = False
                inst.param_status = "in-sync"
        self._set_status(inst, "available", "DB instance restarted", ["availability"])

    def DeleteDBInstance(self, p, ctx):
        with self.state.lock:
            inst = self._instance(p["DBInstanceIdentifier"])
            if inst.status == "deleting":
                raise AwsError("InvalidDBInstanceStateFault", f"Instance {inst.id} is already being deleted.")
            if inst.replicas:
                raise AwsError("InvalidDBInstanceStateFault",
                               f"Cannot delete instance {inst.id} because it has read replicas: "
                               + ", ".join(inst.replicas))
            if inst.deletion_protection:
                raise AwsError("InvalidParameterCombination",
                               "Cannot delete protected DB Instance, please disable deletion protection and try again.")
            final = p.get("FinalDBSnapshotIdentifier")
            if p.get("SkipFinalSnapshot") and final:
                raise AwsError("InvalidParameterCombination",
                               "Cannot specify both SkipFinalSnapshot and FinalDBSnapshotIdentifier.")
            snap = None
            if not p.get("SkipFinalSnapshot") and not inst.source_id:
                if not final:
                    raise AwsError("InvalidParameterCombination",
                                   "FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
                snap = self._new_snapshot(ctx, _check_id(final, "FinalDBSnapshotIdentifier", 255), inst,
                                          inst.tags if inst.copy_tags else [])
            inst.status = "deleting"
            out = {"DBInstance": self.describe_instance(inst)}
        self._spawn("delete", self._delete_worker, inst, snap)
        return out

    def _delete_worker(self, inst, snap):
        started = time.monotonic()
        with inst.oplock:
            if snap is not None:
                self._snapshot_work(inst, snap)
            if inst.server:
                inst.server.remove()
        self._wait_rest(started, DELETING)
        self.state.wait_hold("instance", inst.id, "deleting")
        with self.state.lock:
            if self.state.instances.get(inst.id) is inst:
                del self.state.instances[inst.id]
                src = self.state.instances.get(inst.source_id) if inst.source_id else None
                if src and inst.id in src.replicas:
                    src.replicas.remove(inst.id)
                self._event("db-instance", inst.id, inst.arn(), "DB instance deleted", ["deletion"])
        shutil.rmtree(inst.root, ignore_errors=True)

    # -- snapshots ------------------------------------------------------------------
    def describe_snapshot(self, s):
        d = {"DBSnapshotIdentifier": s.id, "DBInstanceIdentifier": s.instance_id,
             "SnapshotCreateTime": s.created, "Engine": s.engine, "AllocatedStorage": s.storage,
             "Status": s.status, "Port": s.port, "AvailabilityZone": s.az, "VpcId": "vpc-0a1b2c3d",
             "InstanceCreateTime": s.instance_created, "MasterUsername": s.master_user,
             "EngineVersion": s.engine_version, "LicenseModel": "general-public-license",
             "SnapshotType": s.type, "OptionGroupName": f"default:{s.engine}-{s.engine_version.split('.')[0]}-"
             f"{s.engine_version.split('.')[1]}", "PercentProgress": s.percent, "StorageType": "gp2",
             "Encrypted": s.encrypted, "DBSnapshotArn": s.arn(), "IAMDatabaseAuthenticationEnabled": False,
             "ProcessorFeatures": [], "DbiResourceId": s.resource_id, "TagList": list(s.tags),
             "OriginalSnapshotCreateTime": s.original_created, "SnapshotTarget": "region"}
        if s.encrypted:
            d["KmsKeyId"] = s.kms_key
        if s.source_arn:
            d["SourceDBSnapshotIdentifier"] = s.source_arn
            d["SourceRegion"] = s.source_region
        return d

    def _new_snapshot(self, ctx, ident, inst, tags):
        if ident in self.state.snapshots:
            raise AwsError("DBSnapshotAlreadyExistsFault", f"Cannot create the snapshot because a snapshot "
                           f"with the identifier {ident} already exists.")
        snap = Snapshot(ident, ctx.region, inst)
        snap.tags = tags
        snap.dir = self._root("snapshots", ident)
        self.state.snapshots[ident] = snap
        return snap

    def CreateDBSnapshot(self, p, ctx):
        ident = _check_id(p["DBSnapshotIdentifier"], "DBSnapshotIdentifier", 255)
        with self.state.lock:
            inst = self._instance(p["DBInstanceIdentifier"])
            if inst.status != "available":
                raise AwsError("InvalidDBInstanceStateFault",
                               f"Cannot create a snapshot because the database instance {inst.id} is not "
                               "currently in the available state.")
            tags = _tags(p.get("Tags")) or (list(inst.tags) if inst.copy_tags else [])
            snap = self._new_snapshot(ctx, ident, inst, tags)
            inst.status = "backing-up"
            self._event("db-snapshot", snap.id, snap.arn(), "Creating manual snapshot", ["creation"])
            out = {"DBSnapshot": self.describe_snapshot(snap)}
        self._spawn("create snapshot", self._snapshot_worker, snap, inst)
        return out

    def _snapshot_worker(self, snap, inst):
        try:
            with inst.oplock:
                self._snapshot_work(inst, snap)
        finally:
            self._set_status(inst, "available")

    def _snapshot_work(self, inst, snap):
        """Copy the data (its content is the moment the backup starts), then let
        PercentProgress rise over the rest of the snapshot's duration."""
        started = time.monotonic()

        def progress(pct):
            with self.state.lock:
                snap.percent = max(snap.percent, min(int(pct) * 6 // 10, 60))

        if inst.server is not None:
            inst.server.snapshot(snap.dir, progress=progress)
        self._ramp(snap, started, SNAPSHOT)
        self._snapshot_done(snap, "Manual snapshot created")

    def _ramp(self, snap, started, base):
        total = base * self.state.time_scale
        while True:
            elapsed = time.monotonic() - started
            with self.state.lock:
                snap.percent = max(snap.percent, min(99, int(100 * elapsed / total) if total else 99))
            if elapsed >= total or self.state.stopping.is_set():
                return
            self.state.stopping.wait(min(total / 10, total - elapsed))

    def _snapshot_done(self, snap, message):
        self.state.wait_hold("snapshot", snap.id, snap.status)
        with self.state.lock:
            if self.state.snapshots.get(snap.id) is snap:
                snap.percent = 100
                snap.status = "available"
                self._event("db-snapshot", snap.id, snap.arn(), message, ["creation"])

    def DescribeDBSnapshots(self, p, ctx):
        with self.state.lock:
            if p.get("DBSnapshotIdentifier"):
                snaps = [self._snapshot(p["DBSnapshotIdentifier"])]
            else:
                snaps = [s for s in self.state.snapshots.values() if self.state.visible(s.created_mono)]
            if p.get("DBInstanceIdentifier"):
                ident = self._ref_id(p["DBInstanceIdentifier"], "db")
                snaps = [s for s in snaps if s.instance_id == ident]
            if p.get("SnapshotType"):
                snaps = [s for s in snaps if s.type == p["SnapshotType"]]
            if p.get("DbiResourceId"):
                snaps = [s for s in snaps if s.resource_id == p["DbiResourceId"]]
            for f in p.get("Filters", []):
                values = f["Values"]
                getter = {"db-instance-id": lambda s: s.instance_id, "db-snapshot-id": lambda s: s.id,
                          "snapshot-type": lambda s: s.type, "engine": lambda s: s.engine,
                          "dbi-resource-id": lambda s: s.resource_id}.get(f["Name"])
                if getter is None:
                    raise AwsError("InvalidParameterValue", f"Unrecognized filter name: {f['Name']}")
                if f["Name"] in ("db-instance-id", "db-snapshot-id"):
                    values = [v.rsplit(":", 1)[-1].lower() for v in values]
                snaps = [s for s in snaps if getter(s) in values]
            snaps.sort(key=lambda s: s.id)
            page, marker = paginate(snaps, lambda s: s.id, p.get("MaxRecords"), p.get("Marker"))
            out = {"DBSnapshots": [self.describe_snapshot(s) for s in page]}
        if marker:
            out["Marker"] = marker
        return out

    def DeleteDBSnapshot(self, p, ctx):
        with self.state.lock:
            snap = self._snapshot(p["DBSnapshotIdentifier"])
            if snap.status not in ("available", "failed"):
                raise AwsError("InvalidDBSnapshotStateFault", f"Cannot delete the snapshot {snap.id} because "
                               f"it is in the {snap.status} state.")
            del self.state.snapshots[snap.id]
            snap.status = "deleted"
            self._event("db-snapshot", snap.id, snap.arn(), "Deleted manual snapshot", ["deletion"])
            out = {"DBSnapshot": self.describe_snapshot(snap)}
        shutil.rmtree(snap.dir, ignore_errors=True)
        return out

    def CopyDBSnapshot(self, p, ctx):
        ident = _check_id(p["TargetDBSnapshotIdentifier"], "TargetDBSnapshotIdentifier", 255)
        with self.state.lock:
            src = self._snapshot(p["SourceDBSnapshotIdentifier"])
            if src.status != "available":
                raise AwsError("InvalidDBSnapshotStateFault", f"Snapshot {src.id} is not in available state.")
            if ident in self.state.snapshots:
                raise AwsError("DBSnapshotAlreadyExistsFault", f"Cannot copy the snapshot because a snapshot "
                               f"with the identifier {ident} already exists.")
            encrypted, key_arn = src.encrypted, src.kms_key
            if p.get("KmsKeyId"):
                encrypted, key_arn = True, self._kms_key(ctx, p["KmsKeyId"]).arn
            elif src.encrypted:
                # The copy keeps the source's key, which must still be usable.
                self._kms_key(ctx, src.kms_key)
            tags = list(src.tags) if p.get("CopyTags") else []
            tags = _merge_tags(tags, _tags(p.get("Tags")))
            snap = Snapshot(ident, ctx.region, src)
            snap.copy_from(src)
            snap.encrypted, snap.kms_key = encrypted, key_arn
            snap.tags = tags
            snap.source_arn = src.arn()
            snap.source_region = src.region
            snap.dir = self._root("snapshots", ident)
            self.state.snapshots[ident] = snap
            self._event("db-snapshot", snap.id, snap.arn(), "Started copy of snapshot", ["creation"])
            out = {"DBSnapshot": self.describe_snapshot(snap)}
        self._spawn("copy snapshot", self._copy_worker, snap, src)
        return out

    def _copy_worker(self, snap, src):
        started = time.monotonic()
        # Encryption is metadata here: the copy is a byte-identical directory; the
        # key only decides what the API reports and which restores may proceed.
        if os.path.isdir(src.dir):
            shutil.copytree(src.dir, snap.dir)
        self._ramp(snap, started, COPY)
        self._snapshot_done(snap, "Finished copy of snapshot")

    def RestoreDBInstanceFromDBSnapshot(self, p, ctx):
        ident = _check_id(p["DBInstanceIdentifier"], "DBInstanceIdentifier")
        if not p.get("DBSnapshotIdentifier"):
            raise AwsError("InvalidParameterCombination",
                           "One of DBSnapshotIdentifier or DBClusterSnapshotIdentifier must be specified")
        sgs = self._sgs(p.get("VpcSecurityGroupIds"))
        with self.state.lock:
            self._require_free_instance_id(ident)
            snap = self._snapshot(p["DBSnapshotIdentifier"])
            if snap.status != "available":
                raise AwsError("InvalidDBSnapshotStateFault", f"Snapshot {snap.id} is not in available state.")
            if p.get("Engine") and p["Engine"].lower() != snap.engine:
                raise AwsError("InvalidParameterCombination",
                               f"The engine {p['Engine']} does not match the snapshot's engine {snap.engine}")
            if snap.encrypted:
                self._kms_key(ctx, snap.kms_key)
            pg = self._family_group(p.get("DBParameterGroupName"), snap.family)
            inst = self._new_instance(
                ctx, ident, engine=snap.engine, engine_version=snap.engine_version, family=snap.family,
                instance_class=p.get("DBInstanceClass", snap.instance_class), storage=snap.storage,
                master_user=snap.master_user, master_password=snap.master_password, param_group=pg.name,
                backup_retention=snap.backup_retention, multi_az=p.get("MultiAZ", False), sgs=sgs,
                encrypted=snap.encrypted, kms_key=snap.kms_key, tags=_tags(p.get("Tags")), port=None)
            inst.db_name = snap.db_name
            inst.copy_tags = p.get("CopyTagsToSnapshot", False)
            inst.deletion_protection = p.get("DeletionProtection", False)
            values = pg.values(replica=False)
            out = {"DBInstance": self.describe_instance(inst)}
        self._spawn("restore", self._restore_worker, inst, snap, values)
        return out

    def _restore_worker(self, inst, snap, values):
        started = time.monotonic()
        mariadb = _backend()
        with inst.oplock:
            binlog = inst.backup_retention > 0
            if snap.fixture or not os.path.isdir(snap.dir):
                server = mariadb.Server(inst.root, inst.ip, inst.port, inst.server_id)
                server.create(inst.master_user, inst.master_password, binlog=binlog, params=values)
            else:
                server = mariadb.Server.restore(snap.dir, inst.root, inst.ip, inst.port, inst.server_id,
                                                binlog=binlog, params=values)
            with self.state.lock:
                inst.server = server
                if not self._alive(inst, self.state.instances):
                    server.remove()
                    return
        self._finish_creation(inst, started, "Restored from snapshot " + snap.id)

    # -- tags -------------------------------------------------------------------
    def _tagged(self, arn):
        parts = arn.split(":")
        if len(parts) < 7 or parts[0] != "arn" or parts[2] != "rds":
            raise AwsError("InvalidParameterValue", f"Invalid resource name: {arn}")
        kind = parts[5]
        if kind == "db":
            return self._instance(arn)
        if kind == "snapshot":
            return self._snapshot(arn)
        if kind == "pg":
            return self._param_group(parts[6])
        raise AwsError("InvalidParameterValue", f"Invalid resource name: {arn}")

    def AddTagsToResource(self, p, ctx):
        with self.state.lock:
            res = self._tagged(p["ResourceName"])
            merged = _merge_tags(res.tags, p["Tags"])
            if len(merged) > 50:
                raise AwsError("TagQuotaPerResourceExceeded", "Cannot have more than 50 tags per resource")
            res.tags = merged
        return {}

    def RemoveTagsFromResource(self, p, ctx):
        with self.state.lock:
            res = self._tagged(p["ResourceName"])
            res.tags = [t for t in res.tags if t["Key"] not in set(p["TagKeys"])]
        return {}

    def ListTagsForResource(self, p, ctx):
        with self.state.lock:
            return {"TagList": list(self._tagged(p["ResourceName"]).tags)}

    # -- parameter groups -----------------------------------------------------------
    def CreateDBParameterGroup(self, p, ctx):
        name = _check_id(p["DBParameterGroupName"], "DBParameterGroupName", 255)
        family = p["DBParameterGroupFamily"]
        if family not in FAMILY_DEFAULTS:
            raise AwsError("InvalidParameterValue", f"DBParameterGroupFamily {family} is not a valid parameter "
                           f"group family (this stand-in has {', '.join(FAMILY_DEFAULTS)})")
        with self.state.lock:
            if name in self.state.param_groups:
                raise AwsError("DBParameterGroupAlreadyExistsFault", f"Parameter group {name} already exists")
            pg = ParamGroup(name, family, p["Description"], ctx.region)
            pg.tags = _tags(p.get("Tags"))
            self.state.param_groups[name] = pg
            return {"DBParameterGroup": pg.describe()}

    def DescribeDBParameterGroups(self, p, ctx):
        with self.state.lock:
            if p.get("DBParameterGroupName"):
                groups = [self._param_group(p["DBParameterGroupName"])]
            else:
                groups = [g for g in self.state.param_groups.values() if self.state.visible(g.created_mono)]
            groups.sort(key=lambda g: g.name)
            page, marker = paginate(groups, lambda g: g.name, p.get("MaxRecords"), p.get("Marker"))
            out = {"DBParameterGroups": [g.describe() for g in page]}
        if marker:
            out["Marker"] = marker
        return out

    def DeleteDBParameterGroup(self, p, ctx):
        with self.state.lock:
            pg = self._param_group(p["DBParameterGroupName"])
            if pg.default or any(i.param_group == pg.name for i in self.state.instances.values()):
                raise AwsError("InvalidDBParameterGroupStateFault",
                               f"Parameter group {pg.name} is in use or is a default group and cannot be deleted.")
            del self.state.param_groups[pg.name]
        return {}

    def DescribeDBParameters(self, p, ctx):
        with self.state.lock:
            pg = self._param_group(p["DBParameterGroupName"])
            rows = []
            for name, (default, apply_type, data_type, allowed, desc) in family_params(pg.family).items():
                row = {"ParameterName": name, "Description": desc,
                       "Source": "user" if name in pg.user else "engine-default",
                       "ApplyType": apply_type, "DataType": data_type, "AllowedValues": allowed,
                       "IsModifiable": True,
                       "ApplyMethod": pg.user[name][1] if name in pg.user else "pending-reboot"}
                value = pg.user[name][0] if name in pg.user else default
                if value is not None:
                    row["ParameterValue"] = value
                rows.append(row)
            if p.get("Source"):
                if p["Source"] not in ("user", "system", "engine-default"):
                    raise AwsError("InvalidParameterValue", f"Invalid source: {p['Source']}")
                rows = [r for r in rows if r["Source"] == p["Source"]]
            page, marker = paginate(rows, lambda r: r["ParameterName"], p.get("MaxRecords"), p.get("Marker"))
        out = {"Parameters": page}
        if marker:
            out["Marker"] = marker
        return out

    def ModifyDBParameterGroup(self, p, ctx):
        params = p["Parameters"]
        if not 1 <= len(params) <= 20:
            raise AwsError("InvalidParameterValue", "You can modify between 1 and 20 parameters in one request.")
        with self.state.lock:
            pg = self._param_group(p["DBParameterGroupName"])
            if pg.default:
                raise AwsError("InvalidDBParameterGroupStateFault",
                               f"Default parameter groups cannot be modified: {pg.name}")
            catalog = family_params(pg.family)
            changes = {}
            for prm in params:
                name = prm.get("ParameterName")
                if not name:
                    raise AwsError("InvalidParameterValue", "ParameterName must be provided")
                if name not in catalog:
                    raise AwsError("InvalidParameterValue", f"Could not find parameter with name: {name}")
                if "ParameterValue" not in prm:
                    raise AwsError("InvalidParameterValue", f"ParameterValue must be provided for {name}")
                method = prm.get("ApplyMethod")
                if method is None:
                    raise AwsError("InvalidParameterValue", f"ApplyMethod must be provided for {name}")
                value = prm["ParameterValue"]
                _, apply_type, _, allowed, _ = catalog[name]
                if not _allowed(allowed, value):
                    raise AwsError("InvalidParameterValue", f"Value: {value} is not allowed for: {name} "
                                   f"(allowed: {allowed})")
                if apply_type == "static" and method == "immediate":
                    raise AwsError("InvalidParameterCombination",
                                   f"cannot use immediate apply method for static parameter {name}")
                changes[name] = (value, method)
            pg.user.update(changes)
            immediate = {n: v for n, (v, m) in changes.items() if m == "immediate"}
            users = [i for i in self.state.instances.values() if i.param_group == pg.name]
            for inst in users:
                if len(immediate) < len(changes):
                    inst.param_status = "pending-reboot"
                    inst.pending_params = True
                elif immediate and inst.param_status == "in-sync":
                    inst.param_status = "applying"
            self._event("db-parameter-group", pg.name, pg.arn(), "Updated parameter group", ["configuration change"])
        if immediate:
            for inst in users:
                self._spawn("apply parameters", self._apply_worker, inst, immediate)
        return {"DBParameterGroupName": pg.name}

    def _apply_worker(self, inst, values):
        started = time.monotonic()
        with inst.oplock:
            if inst.server is not None and inst.status != "deleting":
                inst.server.apply_parameters(values)
        self._wait_rest(started, APPLYING)
        with self.state.lock:
            if inst.param_status == "applying":
                inst.param_status = "in-sync"

    # -- events --------------------------------------------------------------------
    def DescribeEvents(self, p, ctx):
        if p.get("SourceIdentifier") and not p.get("SourceType"):
            raise AwsError("InvalidParameterCombination", "SourceType must be specified with SourceIdentifier")
        end = p.get("EndTime") or now()
        start = p.get("StartTime")
        if start is None:
            import datetime
            start = end - datetime.timedelta(minutes=p.get("Duration", 60))
        with self.state.lock:
            events = [e for e in self.state.events if start <= e["Date"] <= end]
        if p.get("SourceType"):
            events = [e for e in events if e["SourceType"] == p["SourceType"]]
        if p.get("SourceIdentifier"):
            events = [e for e in events if e["SourceIdentifier"] == p["SourceIdentifier"].lower()]
        if p.get("EventCategories"):
            want = set(p["EventCategories"])
            events = [e for e in events if want & set(e["EventCategories"])]
        keyed = [(f"{i:012d}", e) for i, e in enumerate(events)]
        page, marker = paginate(keyed, lambda ke: ke[0], p.get("MaxRecords"), p.get("Marker"))
        out = {"Events": [e for _, e in page]}
        if marker:
            out["Marker"] = marker
        return out

    # -- control interface -------------------------------------------------------------
    def instance_state(self, inst):
        return {"id": inst.id, "status": inst.status, "address": inst.ip, "port": inst.port,
                "engine": inst.engine, "encrypted": inst.encrypted, "kms_key": inst.kms_key,
                "source": inst.source_id, "replicas": list(inst.replicas),
                "parameter_group": inst.param_group, "parameter_status": inst.param_status,
                "backup_retention": inst.backup_retention, "fixture": inst.fixture,
                "root_dir": inst.root, "pid": inst.server.pid if inst.server else None}

    def snapshot_state(self, s):
        return {"id": s.id, "status": s.status, "percent": s.percent, "instance": s.instance_id,
                "encrypted": s.encrypted, "kms_key": s.kms_key, "dir": s.dir, "source": s.source_arn}

    def control_instances(self):
        """Instances with what only the servers know (replica lag, binlog, running)."""
        with self.state.lock:
            items = [(self.instance_state(i), i.server) for i in self.state.instances.values()]
        out = []
        for info, server in items:
            info["running"] = bool(server and server.is_running())
            info["replica_lag"] = None
            info["binlog"] = None
            if info["running"]:
                try:
                    info["replica_lag"] = server.replica_lag()
                    info["binlog"] = server.binlog_enabled()
                    st = server.replica_status()
                    if st:
                        info["replication"] = {k: st.get(k) for k in (
                            "Slave_IO_Running", "Slave_SQL_Running", "Master_Host", "Master_Port",
                            "Relay_Master_Log_File", "Exec_Master_Log_Pos", "Last_Error")}
                except Exception as e:  # noqa: BLE001 - report, do not fail the listing
                    info["error"] = str(e)
            out.append(info)
        return out

    def control_stop_server(self, ident):
        with self.state.lock:
            inst = self._instance(ident)
        if inst.server:
            inst.server.stop()

    def control_start_server(self, ident):
        with self.state.lock:
            inst = self._instance(ident)
        if inst.server:
            inst.server.start()

    def instance_by_address(self, ip):
        for inst in self.state.instances.values():
            if inst.ip == ip:
                return inst.id, inst.port
        return None

    def fixtures(self, data):
        """Metadata-only instances (no server behind them), e.g. for pagination tests.

        {"instances": [{"id": "fx-1", "engine": "mariadb", "status": "available",
                        "backup_retention": 1, "tags": {"k": "v"}}], "count": N, "prefix": "fixture-"}
        """
        specs = list(data.get("instances", []))
        for i in range(int(data.get("count", 0))):
            specs.append({"id": f"{data.get('prefix', 'fixture-')}{i:03d}"})
        made = []

        class _Ctx:
            region = data.get("region", "us-east-1")
        with self.state.lock:
            for spec in specs:
                ident = _check_id(spec["id"], "id")
                self._require_free_instance_id(ident)
                engine = spec.get("engine", "mariadb")
                _, version, family = ENGINES[engine]
                inst = self._new_instance(
                    _Ctx, ident, engine=engine, engine_version=version, family=family,
                    instance_class=spec.get("class", "db.t3.micro"), storage=20,
                    master_user=spec.get("master_user", "admin"), master_password="fixture-password",
                    param_group=f"default.{family}", backup_retention=spec.get("backup_retention", 1),
                    multi_az=False, sgs=[DEFAULT_SG], encrypted=False, kms_key=None,
                    tags=[{"Key": k, "Value": v} for k, v in spec.get("tags", {}).items()])
                inst.fixture = True
                inst.status = spec.get("status", "available")
                made.append(ident)
        return {"instances": made}

    def reset(self):
        """Stop every server and forget every resource (the state itself is reset by the caller)."""
        self.shutdown()
        for kind in ("instances", "snapshots"):
            shutil.rmtree(os.path.join(self.state.state_dir, kind), ignore_errors=True)

    def shutdown(self, final=False):
        """Stop every server and helper program. final (the process is about to
        exit, state.stopping is set): start nothing more, then wait (bounded)
        for the background threads, so none still writes in the state dir when
        the caller removes it."""
        try:
            backend = _backend()
        except ImportError:
            backend = None
        if not final:
            if backend:
                backend.stop_all()
            return
        if backend:
            backend.shutdown()
        deadline = time.monotonic() + WORKERS_TIMEOUT
        with self.workers_lock:
            workers = list(self.workers)
        for t in workers:
            t.join(max(0.0, deadline - time.monotonic()))
        left = [t.name for t in workers if t.is_alive()]
        if left:
            print(f"awsim: background work still running after {WORKERS_TIMEOUT} s: "
                  + ", ".join(left), file=sys.stderr)
        if backend:
            backend.stop_all()
