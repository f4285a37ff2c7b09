"""An instance's settings besides its network: option group, storage type,
IOPS and throughput, CA certificate, IAM authentication, Enhanced Monitoring,
Performance Insights, CloudWatch Logs exports, backup and maintenance windows,
minor version upgrades, tag copying, deletion protection, port; and option
groups (Create/Describe/DeleteOptionGroup, the default group of each engine).

Each call takes only the members its botocore shape has (model.py refuses the
others); what a call does not take gets the default the API reference names:
a restore or a read replica does not copy the source's windows, monitoring or
Performance Insights, and gets StorageType gp2 unless told otherwise.
"""

import re
import time

from state import ACCOUNT, AwsError, now

from .base import _page, _tags

CA_CERTS = ("rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1", "rds-ca-2019")
DEFAULT_CA = "rds-ca-rsa2048-g1"
LOG_TYPES = ("audit", "error", "general", "slowquery")
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
PI_RETENTIONS = (7, 731) + tuple(31 * m for m in range(1, 24))
DEFAULT_BACKUP_WINDOW = "03:00-03:30"
DEFAULT_MAINTENANCE_WINDOW = "sun:05:00-sun:05:30"
# gp3 for MariaDB and MySQL: below 400 GiB a fixed baseline of 3000 IOPS and
# 125 MiB/s that cannot be set ("Amazon RDS DB instance storage", gp3).
GP3_THRESHOLD = 400
GP3_BASELINE = (3000, 125)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROLE_RE = re.compile(r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]{1,512}")


class Settings:
    """Defaults: what CreateDBInstance gives when a member is not sent."""

    def __init__(self, engine, version):
        self.option_group = default_option_group(engine, version)
        self.storage_type = "gp2"
        self.iops = None
        self.throughput = None
        self.ca_cert = DEFAULT_CA
        self.iam_auth = False
        self.monitoring_interval = 0
        self.monitoring_role = None
        self.pi_enabled = False
        self.pi_kms = None
        self.pi_retention = None
        self.log_exports = []
        self.backup_window = DEFAULT_BACKUP_WINDOW
        self.maintenance_window = DEFAULT_MAINTENANCE_WINDOW
        self.auto_minor = True
        self.copy_tags = False
        self.deletion_protection = False

    def describe(self):
        d = {"OptionGroupMemberships": [{"OptionGroupName": self.option_group, "Status": "in-sync"}],
             "StorageType": self.storage_type, "CACertificateIdentifier": self.ca_cert,
             "IAMDatabaseAuthenticationEnabled": self.iam_auth, "MonitoringInterval": self.monitoring_interval,
             "PerformanceInsightsEnabled": self.pi_enabled, "PreferredBackupWindow": self.backup_window,
             "PreferredMaintenanceWindow": self.maintenance_window, "AutoMinorVersionUpgrade": self.auto_minor,
             "CopyTagsToSnapshot": self.copy_tags, "DeletionProtection": self.deletion_protection}
        if self.iops is not None:
            d["Iops"] = self.iops
        if self.throughput is not None:
            d["StorageThroughput"] = self.throughput
        if self.monitoring_role:
            d["MonitoringRoleArn"] = self.monitoring_role
        if self.pi_enabled:
            d["PerformanceInsightsKMSKeyId"] = self.pi_kms
            d["PerformanceInsightsRetentionPeriod"] = self.pi_retention
        if self.log_exports:
            d["EnabledCloudwatchLogsExports"] = list(self.log_exports)
        return d


def default_option_group(engine, version):
    major, minor = version.split(".")[:2]
    return f"default:{engine}-{major}-{minor}"


def _minutes(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def check_backup_window(w):
    m = re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", w)
    if not m:
        raise AwsError("InvalidParameterValue", "The backup window must be in the format hh24:mi-hh24:mi in UTC.")
    a, b = (_minutes(x) for x in w.split("-"))
    if (b - a) % 1440 < 30:
        raise AwsError("InvalidParameterValue", "The backup window must be at least 30 minutes.")
    return w


def check_maintenance_window(w):
    w = w.lower()
    t = r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d"
    if not re.fullmatch(f"{t}-{t}", w):
        raise AwsError("InvalidParameterValue",
                       "The maintenance window must be in the format ddd:hh24:mi-ddd:hh24:mi in UTC.")

    def at(x):
        d, hm = x.split(":", 1)
        return DAYS.index(d) * 1440 + _minutes(hm)
    a, b = (at(x) for x in w.split("-"))
    if (b - a) % (7 * 1440) < 30:
        raise AwsError("InvalidParameterValue", "The maintenance window must be at least 30 minutes.")
    return w


def check_port(port):
    if not 1150 <= port <= 65535:
        raise AwsError("InvalidParameterValue", f"Invalid port {port}: the port must be between 1150 and 65535.")
    return port


class OptionGroup:
    def __init__(self, name, engine, major, description, region, default=False):
        self.name, self.engine, self.major, self.description = name, engine, major, description
        self.region, self.default = region, default
        self.tags = []
        self.created_mono = 0 if default else time.monotonic()
        self.created = now()

    def arn(self):
        return f"arn:aws:rds:{self.region}:{ACCOUNT}:og:{self.name}"

    def describe(self):
        return {"OptionGroupName": self.name, "OptionGroupDescription": self.description,
                "EngineName": self.engine, "MajorEngineVersion": self.major, "Options": [],
                "AllowsVpcAndNonVpcInstanceMemberships": True, "OptionGroupArn": self.arn()}


class SettingsMixin:
    """Reading settings from a call's parameters, and the option group actions."""

    def _option_group(self, name, engine, version):
        """The option group name, checked: it exists and is for this engine and major version."""
        key = name.lower()
        og = self.state.option_groups.get(key)
        if og is None and key == default_option_group(engine, version):
            og = self._default_option_group(engine, version)
        if og is None or not self.state.visible(og.created_mono):
            raise AwsError("OptionGroupNotFoundFault", f"Specified OptionGroupName: {name} not found.")
        major = ".".join(version.split(".")[:2])
        if og.engine != engine or og.major != major:
            raise AwsError("InvalidParameterCombination",
                           f"The option group {og.name} is for {og.engine} {og.major}; this DB instance "
                           f"runs {engine} {major}.")
        return og.name

    def _default_option_group(self, engine, version):
        name = default_option_group(engine, version)
        og = self.state.option_groups.get(name)
        if og is None:
            major = ".".join(version.split(".")[:2])
            og = OptionGroup(name, engine, major, f"Default option group for {engine} {major}", "us-east-1",
                             default=True)
            self.state.option_groups[name] = og
        return og

    def _read_settings(self, ctx, s, p, engine, version, storage, modify=False):
        """Set s (a Settings) from the members of p, each checked as RDS does;
        storage is the allocated storage, GiB."""
        if "OptionGroupName" in p:
            s.option_group = self._option_group(p["OptionGroupName"], engine, version)
        self._read_storage(s, p, modify, engine, storage)
        if "CACertificateIdentifier" in p:
            if p["CACertificateIdentifier"] not in CA_CERTS:
                raise AwsError("CertificateNotFoundFault", f"Certificate not found: {p['CACertificateIdentifier']}")
            s.ca_cert = p["CACertificateIdentifier"]
        if "EnableIAMDatabaseAuthentication" in p:
            s.iam_auth = p["EnableIAMDatabaseAuthentication"]
        self._read_monitoring(s, p, modify)
        self._read_performance_insights(ctx, s, p)
        if "EnableCloudwatchLogsExports" in p:
            s.log_exports = self._log_types(p["EnableCloudwatchLogsExports"], engine, version)
        if "CloudwatchLogsExportConfiguration" in p:
            c = p["CloudwatchLogsExportConfiguration"]
            on = self._log_types(c.get("EnableLogTypes", []), engine, version)
            off = self._log_types(c.get("DisableLogTypes", []), engine, version)
            if set(on) & set(off):
                raise AwsError("InvalidParameterCombination",
                               "You cannot enable and disable the same log type: " + ", ".join(sorted(set(on) & set(off))))
            s.log_exports = sorted((set(s.log_exports) | set(on)) - set(off))
        if "PreferredBackupWindow" in p:
            s.backup_window = check_backup_window(p["PreferredBackupWindow"])
        if "PreferredMaintenanceWindow" in p:
            s.maintenance_window = check_maintenance_window(p["PreferredMaintenanceWindow"])
        for attr, key in (("auto_minor", "AutoMinorVersionUpgrade"), ("copy_tags", "CopyTagsToSnapshot"),
                          ("deletion_protection", "DeletionProtection")):
            if key in p:
                setattr(s, attr, p[key])

    @staticmethod
    def _log_types(types, engine, version):
        bad = [t for t in types if t not in LOG_TYPES]
        if bad:
            raise AwsError("InvalidParameterCombination",
                           f"You cannot use the log types '{', '.join(bad)}' with engine version {engine} {version}. "
                           "For supported log types, use the DescribeDBEngineVersions API action.")
        return sorted(set(types))

    @staticmethod
    def _read_storage(s, p, modify, engine, storage):
        st = p.get("StorageType")
        iops = p.get("Iops")
        tput = p.get("StorageThroughput")
        if st is None:
            if not modify:
                st = "io1" if iops else "gp2"
            else:
                st = s.storage_type
                if st == "gp3" and storage < GP3_THRESHOLD:
                    iops = tput = None   # the baseline shown, not set
                else:
                    iops = s.iops if iops is None else iops
                    tput = s.throughput if tput is None else tput
        if st not in ("gp2", "gp3", "io1", "io2", "standard"):
            raise AwsError("InvalidParameterValue", f"Invalid storage type: {st}")
        if st in ("io1", "io2") and not iops:
            raise AwsError("InvalidParameterCombination", f"You must specify Iops with storage type {st}.")
        if iops is not None and st in ("gp2", "standard"):
            raise AwsError("InvalidParameterCombination",
                           f"You can't specify IOPS or storage throughput for storage type {st}.")
        if iops is not None and iops < 1000:
            raise AwsError("InvalidParameterValue", f"Invalid Iops {iops}: must be at least 1000.")
        if tput is not None and st != "gp3":
            raise AwsError("InvalidParameterCombination",
                           f"You can't specify storage throughput for storage type {st}.")
        if st == "gp3" and storage < GP3_THRESHOLD:
            if iops is not None or tput is not None:
                raise AwsError("InvalidParameterCombination",
                               f"You can't specify IOPS or storage throughput for engine {engine} and a storage "
                               f"size less than {GP3_THRESHOLD}.")
            iops, tput = GP3_BASELINE   # what RDS shows for gp3 below the threshold
        s.storage_type, s.iops, s.throughput = st, iops, tput

    @staticmethod
    def _read_monitoring(s, p, modify):
        interval = p.get("MonitoringInterval", s.monitoring_interval if modify else 0)
        role = p.get("MonitoringRoleArn", s.monitoring_role if modify else None)
        if interval not in MONITORING_INTERVALS:
            raise AwsError("InvalidParameterValue", f"Invalid MonitoringInterval {interval}: valid values are "
                           + ", ".join(map(str, MONITORING_INTERVALS)))
        if interval and not role:
            raise AwsError("InvalidParameterCombination",
                           "A MonitoringRoleARN value is required if you specify a MonitoringInterval value other than 0.")
        if role and not ROLE_RE.fullmatch(role):
            raise AwsError("InvalidParameterValue", f"Invalid MonitoringRoleArn: {role}")
        if "MonitoringRoleArn" in p and p["MonitoringRoleArn"] and not interval:
            raise AwsError("InvalidParameterCombination",
                           "If you specify MonitoringRoleArn, you must set MonitoringInterval to a value other than 0.")
        s.monitoring_interval = interval
        s.monitoring_role = role if interval else None

    def _read_performance_insights(self, ctx, s, p):
        enabled = p.get("EnablePerformanceInsights", s.pi_enabled)
        if not enabled:
            if p.get("PerformanceInsightsKMSKeyId") or p.get("PerformanceInsightsRetentionPeriod"):
                raise AwsError("InvalidParameterCombination",
                               "PerformanceInsightsKMSKeyId and PerformanceInsightsRetentionPeriod need "
                               "EnablePerformanceInsights.")
            s.pi_enabled, s.pi_kms, s.pi_retention = False, None, None
            return
        retention = p.get("PerformanceInsightsRetentionPeriod", s.pi_retention or 7)
        if retention not in PI_RETENTIONS:
            raise AwsError("InvalidParameterValue", f"Invalid PerformanceInsightsRetentionPeriod {retention}: "
                           "valid values are 7, month * 31 (month 1-23) and 731.")
        if p.get("PerformanceInsightsKMSKeyId"):
            kms = self._kms_key(ctx, p["PerformanceInsightsKMSKeyId"]).arn
            if s.pi_kms and kms != s.pi_kms:
                raise AwsError("InvalidParameterCombination",
                               "The KMS key of Performance Insights cannot be changed once set.")
        else:
            kms = s.pi_kms or self._aws_rds_key(ctx).arn
        s.pi_enabled, s.pi_kms, s.pi_retention = True, kms, retention

    # -- option groups ------------------------------------------------------------
    def CreateOptionGroup(self, p, ctx):
        from .base import _check_id
        name = _check_id(p["OptionGroupName"], "OptionGroupName", 255)
        engine = p["EngineName"].lower()
        from .instances import ENGINES
        if engine not in ENGINES or p["MajorEngineVersion"] not in ENGINES[engine]:
            raise AwsError("InvalidParameterCombination",
                           f"Cannot find major version {p['MajorEngineVersion']} for {p['EngineName']}")
        with self.state.lock:
            if name in self.state.option_groups:
                raise AwsError("OptionGroupAlreadyExistsFault", f"Option group {name} already exists.")
            og = OptionGroup(name, engine, p["MajorEngineVersion"], p["OptionGroupDescription"], ctx.region)
            og.tags = _tags(p.get("Tags"))
            self.state.option_groups[name] = og
            return {"OptionGroup": og.describe()}

    def DescribeOptionGroups(self, p, ctx):
        from .instances import ENGINES
        with self.state.lock:
            for engine, majors in ENGINES.items():
                for version, _family, _profile in majors.values():
                    self._default_option_group(engine, version)
            if p.get("OptionGroupName"):
                og = self.state.option_groups.get(p["OptionGroupName"].lower())
                if og is None or not self.state.visible(og.created_mono):
                    raise AwsError("OptionGroupNotFoundFault", f"Specified OptionGroupName: {p['OptionGroupName']} not found.")
                groups = [og]
            else:
                groups = [g for g in self.state.option_groups.values() if self.state.visible(g.created_mono)]
            if p.get("EngineName"):
                groups = [g for g in groups if g.engine == p["EngineName"].lower()]
            if p.get("MajorEngineVersion"):
                groups = [g for g in groups if g.major == p["MajorEngineVersion"]]
            groups.sort(key=lambda g: g.name)
            return _page("OptionGroupsList", groups, lambda g: g.name, p, OptionGroup.describe)

    def DeleteOptionGroup(self, p, ctx):
        with self.state.lock:
            name = p["OptionGroupName"].lower()
            og = self.state.option_groups.get(name)
            if og is None:
                raise AwsError("OptionGroupNotFoundFault", f"Specified OptionGroupName: {name} not found.")
            if og.default:
                raise AwsError("InvalidOptionGroupStateFault", "Default option groups cannot be deleted.")
            if any(i.settings.option_group == name for i in self.state.instances.values()):
                raise AwsError("InvalidOptionGroupStateFault", f"The option group {name} is in use.")
            del self.state.option_groups[name]
        return {}
