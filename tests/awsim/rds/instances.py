"""DB instances: create, read replica, restore from a snapshot, modify,
reboot, delete, describe. Each call records the new state under the lock;
the server work runs in a background thread (_spawn) that moves the status
on, never before the real work is done."""

import copy
import os
import re
import shutil
import threading
import time

from state import ACCOUNT, AwsError, now, random_id

from .base import _backend, _check_id, _page, _tags
from .settings import Settings, check_port

# Base durations in seconds (multiplied by --time-scale).
CREATING = 60
BACKING_UP = 30
MODIFYING = 30
REBOOTING = 20
DELETING = 30

# Engine -> major version -> (the full version a bare major means, the
# default parameter group family, the backend profile: which rds_*
# procedures and master user privileges the server gets, mariadb/install.py).
# The first major of each engine is the default. Families: "Working with DB
# parameter groups", RDS User Guide (mariadb10.4 ... mariadb10.11, mysql5.7,
# mysql8.0, mysql8.4); the profile split follows the docs cited in
# rds-procedures.sql and mariadb/accounts.py.
ENGINES = {
    "mariadb": {"10.11": ("10.11.6", "mariadb10.11", "mariadb10.5"),
                "10.6": ("10.6.19", "mariadb10.6", "mariadb10.5"),
                "10.4": ("10.4.34", "mariadb10.4", "mariadb10.4")},
    "mysql": {"8.0": ("8.0.35", "mysql8.0", "mysql8.0"),
              "8.4": ("8.4.3", "mysql8.4", "mysql8.4"),
              "5.7": ("5.7.44", "mysql5.7", "mysql5.7")},
}


def engine_version(engine, version=None):
    """(full version, family, profile) of engine at version (a major such as
    "10.4" or a full version such as "10.4.34"; None: the default)."""
    majors = ENGINES[engine]
    if version is None:
        full, family, profile = next(iter(majors.values()))
        return full, family, profile
    major = ".".join(version.split(".")[:2])
    if major not in majors or not re.fullmatch(r"\d+\.\d+(\.\d+)?", version):
        raise AwsError("InvalidParameterCombination", f"Cannot find version {version} for {engine}")
    full, family, profile = majors[major]
    return (full if version == major else version), family, profile


def engine_profile(engine, version):
    return engine_version(engine, version)[2]


# Endpoint names (--endpoint-names) end in this; srcaddr.c's AWSIM_DOMAIN.
ENDPOINT_DOMAIN = "awsim.test"


class Instance:
    event_source = "db-instance"   # SourceType of its events

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
        self.param_applying = 0      # parameter group changes still applying
        self.oplock = threading.Lock()  # serialises work on this instance's server
        self.root = None
        self.tags = []
        self.encrypted = False
        self.kms_key = None
        self.placement = None        # network.Placement: subnet group, VPC, security groups, public
        self.settings = None         # settings.Settings
        self.db_name = None
        self.az = region + "a"           # the primary's; a failover swaps the two
        self.secondary_az = region + "b"

    def endpoint_name(self):
        """The DNS name of its endpoint, like <id>.<account-region hash>.<region>.rds.amazonaws.com."""
        return f"{self.id}.c0awsim0test.{self.region}.rds.{ENDPOINT_DOMAIN}"

    def arn(self):
        return f"arn:aws:rds:{self.region}:{ACCOUNT}:db:{self.id}"

    # What a snapshot keeps of the instance's settings and network (snapshots._CARRIED).
    option_group = property(lambda self: self.settings.option_group)
    storage_type = property(lambda self: self.settings.storage_type)
    iops = property(lambda self: self.settings.iops)
    iam_auth = property(lambda self: self.settings.iam_auth)
    vpc_id = property(lambda self: self.placement.vpc_id)


class InstancesMixin:
    """The DB instance actions and their background work."""

    def _require_free_instance_id(self, ident):
        if ident in self.state.instances:
            raise AwsError("DBInstanceAlreadyExistsFault", "DB instance already exists")

    def _new_instance(self, ctx, ident, *, engine, engine_version, family, instance_class, storage,
                      master_user, master_password, param_group, backup_retention, multi_az, placement,
                      settings, encrypted, kms_key, tags, port=None):
        inst = Instance(ident, ctx.region)
        inst.engine, inst.engine_version, inst.family = engine, engine_version, family
        inst.instance_class, inst.storage = instance_class, storage
        inst.master_user, inst.master_password = master_user, master_password
        inst.param_group = param_group
        inst.backup_retention, inst.multi_az = backup_retention, multi_az
        inst.placement, inst.settings = placement, settings
        # The primary in the subnet group's first AZ, the standby in its
        # next (Multi-AZ); a failover swaps the two.
        azs = self.subnet_group_azs(inst)
        inst.az = azs[0]
        inst.secondary_az = azs[1] if len(azs) > 1 else azs[0]
        inst.encrypted, inst.kms_key, inst.tags = encrypted, kms_key, tags
        inst.ip, inst.server_id = self.state.allocate_ip()
        inst.port = port or self.state.db_port
        inst.root = self._root("instances", ident)
        self.state.instances[ident] = inst
        self._publish_hosts()
        return inst

    def _publish_hosts(self):
        """With --endpoint-names, the hosts file srcaddr.so resolves endpoint names from."""
        with self.state.lock:
            if self.state.endpoint_names:
                self.state.write_hosts([(i.ip, i.endpoint_name()) for i in self.state.instances.values()
                                        if i.ip])

    def _endpoint_address(self, inst):
        return inst.endpoint_name() if self.state.endpoint_names else inst.ip

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
            "AllocatedStorage": inst.storage,
            "BackupRetentionPeriod": inst.backup_retention, "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": sg, "Status": inst.sg_status}
                                  for sg in inst.placement.sgs],
            "DBParameterGroups": [{"DBParameterGroupName": inst.param_group,
                                   "ParameterApplyStatus": inst.param_status}],
            "AvailabilityZone": inst.az,
            "DBSubnetGroup": self.describe_subnet_group_of(inst),
            "PendingModifiedValues": dict(inst.pending),
            "MultiAZ": inst.multi_az, "EngineVersion": inst.engine_version,
            "ReadReplicaDBInstanceIdentifiers": list(inst.replicas),
            "ReadReplicaDBClusterIdentifiers": [],
            "LicenseModel": "general-public-license",
            "PubliclyAccessible": inst.placement.public, "DbInstancePort": 0,
            "StorageEncrypted": inst.encrypted, "DbiResourceId": inst.resource_id,
            "DomainMemberships": [],
            "DBInstanceArn": inst.arn(),
            "AssociatedRoles": [], "TagList": list(inst.tags), "CustomerOwnedIpEnabled": False,
            "BackupTarget": "region", "NetworkType": "IPV4",
        }
        d.update(inst.settings.describe())
        if inst.db_name:
            d["DBName"] = inst.db_name
        if inst.status != "creating" or inst.fixture:
            d["Endpoint"] = {"Address": self._endpoint_address(inst), "Port": inst.port,
                             "HostedZoneId": "Z2R2ITUGPM61AM"}
            d["InstanceCreateTime"] = inst.created
            if inst.backup_retention > 0:
                d["LatestRestorableTime"] = now()
        if inst.multi_az:
            d["SecondaryAvailabilityZone"] = inst.secondary_az
        if inst.source_id:
            d["ReadReplicaSourceDBInstanceIdentifier"] = inst.source_id
            d["StatusInfos"] = [{"StatusType": "read replication", "Normal": True, "Status": "replicating"}]
        if inst.encrypted:
            d["KmsKeyId"] = inst.kms_key
        return d

    def DescribeDBInstances(self, p, ctx):
        with self.state.lock:
            insts = self._listed(self.state.instances, p.get("DBInstanceIdentifier"), self._instance)
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
            return _page("DBInstances", insts, lambda i: i.id, p, self.describe_instance)

    def CreateDBInstance(self, p, ctx):
        ident = _check_id(p["DBInstanceIdentifier"], "DBInstanceIdentifier")
        engine = p["Engine"].lower()
        if engine not in ENGINES:
            raise AwsError("InvalidParameterValue", f"Invalid DB engine: {p['Engine']}")
        version, family, _profile = engine_version(engine, p.get("EngineVersion"))
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
        port = check_port(p["Port"]) if "Port" in p else None
        with self.state.lock:
            self._require_free_instance_id(ident)
            placement = self._placement(ctx, p)
            pg = self._family_group(p.get("DBParameterGroupName"), family)
            settings = Settings(engine, version)
            self._read_settings(ctx, settings, p, engine, version, storage)
            key = None
            if p.get("StorageEncrypted"):
                key = self._kms_key(ctx, p["KmsKeyId"]) if p.get("KmsKeyId") else self._aws_rds_key(ctx)
            inst = self._new_instance(
                ctx, ident, engine=engine, engine_version=version, family=family,
                instance_class=p["DBInstanceClass"], storage=storage, master_user=user,
                master_password=password, param_group=pg.name, backup_retention=retention,
                multi_az=p.get("MultiAZ", False), placement=placement, settings=settings, encrypted=bool(key),
                kms_key=key.arn if key else None, tags=_tags(p.get("Tags")), port=port)
            inst.db_name = p.get("DBName")
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
                          params=values, profile=engine_profile(inst.engine, inst.engine_version))
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
        port = check_port(p["Port"]) if "Port" in p else None
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
            placement = self._placement(ctx, p, source=src)
            # What the API reference says a replica inherits: option group, port,
            # minor version upgrades; everything else starts at its default.
            settings = Settings(src.engine, src.engine_version)
            settings.option_group = src.settings.option_group
            settings.auto_minor = src.settings.auto_minor
            self._read_settings(ctx, settings, p, src.engine, src.engine_version, src.storage)
            inst = self._new_instance(
                ctx, ident, engine=src.engine, engine_version=src.engine_version, family=src.family,
                instance_class=p.get("DBInstanceClass", src.instance_class), storage=src.storage,
                master_user=src.master_user, master_password=src.master_password, param_group=pg.name,
                backup_retention=0, multi_az=p.get("MultiAZ", False), placement=placement, settings=settings,
                encrypted=src.encrypted, kms_key=key_arn, tags=_tags(p.get("Tags")), port=port or src.port)
            inst.source_id = src.id
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
            placement = self._modified_placement(ctx, inst, p)
            if placement.sgs != inst.placement.sgs:
                now_changes["sgs"] = placement.sgs
            settings = copy.copy(inst.settings)
            settings.log_exports = list(settings.log_exports)
            self._read_settings(ctx, settings, p, inst.engine, inst.engine_version, inst.storage, modify=True)
            if "DBPortNumber" in p and check_port(p["DBPortNumber"]) != inst.port:
                # A port change restarts the server at once, whatever ApplyImmediately says.
                now_changes["port"] = p["DBPortNumber"]
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
            inst.placement = placement
            inst.settings = settings
            inst.pending.update(later)
            if "password" in now_changes:
                inst.pending["MasterUserPassword"] = "****"
            work = bool(now_changes) or (immediate and inst.pending)
            if work:
                apply_pending = dict(inst.pending) if immediate else {}
                inst.status = "modifying"
                if "sgs" in now_changes:
                    inst.sg_status = "adding"
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
            if "port" in changes and inst.server:
                inst.server.stop()
                inst.server.port = changes["port"]
                inst.server._write_cnf()
                inst.server.start()
            retention = pending.get("BackupRetentionPeriod")
            if retention is not None and inst.server:
                inst.server.set_binlog(retention > 0)
            if "sgs" in changes and inst.server:
                inst.server.set_isolated(self._no_inbound(inst.placement.region, changes["sgs"]))
        self._wait_rest(started, MODIFYING)
        self.state.wait_hold("instance", inst.id, "modifying")  # before the values show
        with self.state.lock:
            if "password" in changes:
                inst.master_password = changes["password"]
            if "port" in changes:
                inst.port = changes["port"]
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

    def _no_inbound(self, region, sgs):
        """No group of sgs has an inbound rule (only groups made through EC2's
        CreateSecurityGroup lack one here: ec2.py)."""
        with self.state.lock:
            meta = getattr(self._net(region), "sg_meta", {})
            return all(not meta.get(sg, {}).get("inbound", True) for sg in sgs)

    def _modified_placement(self, ctx, inst, p):
        """The placement p asks of a ModifyDBInstance: a subnet group in another VPC
        only for a Single-AZ instance without replicas, and then with security groups
        of that VPC (user guide, "Updating the VPC for a DB instance")."""
        cur = inst.placement
        net = self._net(cur.region)
        group, vpc = cur.group, cur.vpc_id
        if p.get("DBSubnetGroupName"):
            g = self._subnet_group(cur.region, p["DBSubnetGroupName"])
            if g.vpc_id != cur.vpc_id:
                if inst.multi_az or inst.replicas or inst.source_id:
                    raise AwsError("InvalidVPCNetworkStateFault",
                                   "Moving to a DB subnet group in another VPC needs a Single-AZ DB instance "
                                   "that is not a read replica and has none.")
                if not p.get("VpcSecurityGroupIds"):
                    raise AwsError("InvalidParameterCombination",
                                   f"The DB instance and EC2 security group are in different VPCs. The DB instance "
                                   f"is in {g.vpc_id} and the EC2 security group is in {cur.vpc_id}")
            group, vpc = g.name, g.vpc_id
        sgs = self._check_sgs(net, p["VpcSecurityGroupIds"], vpc) if p.get("VpcSecurityGroupIds") else cur.sgs
        public = cur.public
        if "PubliclyAccessible" in p or vpc != cur.vpc_id:
            public = self._check_public(net, vpc, p.get("PubliclyAccessible", cur.public and net.vpcs[vpc].igw))
        return type(cur)(cur.region, group, vpc, sgs, public)

    def RebootDBInstance(self, p, ctx):
        with self.state.lock:
            inst = self._instance(p["DBInstanceIdentifier"])
            if inst.status != "available":
                raise AwsError("InvalidDBInstanceStateFault", f"DB instance {inst.id} is not in available state.")
            # API Reference, RebootDBInstance, ForceFailover: "You can't enable
            # force failover if the instance isn't configured for Multi-AZ."
            if p.get("ForceFailover") and not inst.multi_az:
                raise AwsError("InvalidParameterCombination", "Cannot force failover on a Single-AZ DB instance.")
            out = self._start_reboot(inst, bool(p.get("ForceFailover")))
        return out

    def _start_reboot(self, inst, failover):
        """rebooting, then the restart (through a failover: on a new address) in the background."""
        with self.state.lock:
            inst.status = "rebooting"
            values = self.state.param_groups[inst.param_group].values(replica=bool(inst.source_id))
            out = {"DBInstance": self.describe_instance(inst)}
        self._spawn("reboot", self._reboot_worker, inst, values, failover)
        return out

    def _reboot_worker(self, inst, values, failover=False):
        """A Multi-AZ failover (User Guide, "Failing over a Multi-AZ DB instance"):
        the standby in the other zone becomes the primary and the endpoint's DNS
        record moves to it. Here: the server restarts on a new loopback address
        (same data; every connection dropped; outgoing connections leave from the
        new address), the endpoint name now resolves to it, the zones swap.
        Events of the "failover" category, RDS-EVENT-0013 and -0015 (User Guide,
        "Amazon RDS event categories and event messages")."""
        started = time.monotonic()
        if failover:
            self._event("db-instance", inst.id, inst.arn(), "Multi-AZ instance failover started.", ["failover"])
        with inst.oplock:
            new_ip = None
            if failover:
                new_ip, _ = self.state.allocate_ip()
            if inst.server:
                if inst.pending_params:
                    inst.server.apply_parameters(values)
                if new_ip:
                    inst.server.move(new_ip)
                else:
                    inst.server.restart()
            if new_ip:
                with self.state.lock:
                    inst.ip = new_ip
                    inst.az, inst.secondary_az = inst.secondary_az, inst.az
                    self._publish_hosts()
        self._wait_rest(started, REBOOTING)
        with self.state.lock:
            if inst.pending_params:
                inst.pending_params = False
                inst.param_status = "in-sync"
        if failover:
            self.state.wait_hold("instance", inst.id, "rebooting")
            self._event("db-instance", inst.id, inst.arn(), "Multi-AZ instance failover completed.", ["failover"])
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
            if inst.settings.deletion_protection:
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
                                          inst.tags if inst.settings.copy_tags else [])
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
                self._publish_hosts()
        shutil.rmtree(inst.root, ignore_errors=True)

    def RestoreDBInstanceFromDBSnapshot(self, p, ctx):
        ident = _check_id(p["DBInstanceIdentifier"], "DBInstanceIdentifier")
        if not p.get("DBSnapshotIdentifier"):
            raise AwsError("InvalidParameterCombination",
                           "One of DBSnapshotIdentifier or DBClusterSnapshotIdentifier must be specified")
        port = check_port(p["Port"]) if "Port" in p else None
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
            placement = self._placement(ctx, p)
            # A restore keeps the snapshot's option group and port (user guide, API
            # reference); every other setting is the call's or its default.
            settings = Settings(snap.engine, snap.engine_version)
            settings.option_group = snap.option_group
            self._read_settings(ctx, settings, p, snap.engine, snap.engine_version, snap.storage)
            inst = self._new_instance(
                ctx, ident, engine=snap.engine, engine_version=snap.engine_version, family=snap.family,
                instance_class=p.get("DBInstanceClass", snap.instance_class), storage=snap.storage,
                master_user=snap.master_user, master_password=snap.master_password, param_group=pg.name,
                backup_retention=snap.backup_retention, multi_az=p.get("MultiAZ", False), placement=placement,
                settings=settings, encrypted=snap.encrypted, kms_key=snap.kms_key, tags=_tags(p.get("Tags")),
                port=port or snap.port)
            inst.db_name = snap.db_name
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
                server.create(inst.master_user, inst.master_password, binlog=binlog, params=values,
                              profile=engine_profile(inst.engine, inst.engine_version))
            else:
                server = mariadb.Server.restore(snap.dir, inst.root, inst.ip, inst.port, inst.server_id,
                                                binlog=binlog, params=values,
                                                profile=engine_profile(inst.engine, inst.engine_version))
            with self.state.lock:
                inst.server = server
                if not self._alive(inst, self.state.instances):
                    server.remove()
                    return
        self._finish_creation(inst, started, "Restored from snapshot " + snap.id)
