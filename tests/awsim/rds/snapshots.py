"""DB snapshots: create (a mariadb-backup copy of the instance's server),
copy, delete, describe. PercentProgress rises over the snapshot's duration."""

import os
import shutil
import time

from state import ACCOUNT, AwsError, now

from .base import _check_id, _merge_tags, _page, _tags

# Base durations in seconds (multiplied by --time-scale).
SNAPSHOT = 60
COPY = 60


# What a snapshot keeps of its instance (and a copy of its source snapshot): what a restore needs.
_CARRIED = ("engine", "engine_version", "family", "instance_class", "storage", "master_user",
            "master_password", "port", "encrypted", "kms_key", "backup_retention", "resource_id",
            "fixture", "db_name", "option_group", "storage_type", "iops", "iam_auth", "vpc_id")


class Snapshot:
    event_source = "db-snapshot"   # SourceType of its events

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


class SnapshotsMixin:
    """The DB snapshot actions and their background work."""

    def describe_snapshot(self, s):
        d = {"DBSnapshotIdentifier": s.id, "DBInstanceIdentifier": s.instance_id,
             "SnapshotCreateTime": s.created, "Engine": s.engine, "AllocatedStorage": s.storage,
             "Status": s.status, "Port": s.port, "AvailabilityZone": s.az, "VpcId": s.vpc_id,
             "InstanceCreateTime": s.instance_created, "MasterUsername": s.master_user,
             "EngineVersion": s.engine_version, "LicenseModel": "general-public-license",
             "SnapshotType": s.type, "OptionGroupName": s.option_group, "PercentProgress": s.percent,
             "StorageType": s.storage_type, "Encrypted": s.encrypted, "DBSnapshotArn": s.arn(),
             "IAMDatabaseAuthenticationEnabled": s.iam_auth,
             "ProcessorFeatures": [], "DbiResourceId": s.resource_id, "TagList": list(s.tags),
             "OriginalSnapshotCreateTime": s.original_created, "SnapshotTarget": "region"}
        if s.iops is not None:
            d["Iops"] = s.iops
        if s.encrypted:
            d["KmsKeyId"] = s.kms_key
        if s.source_arn:
            d["SourceDBSnapshotIdentifier"] = s.source_arn
            d["SourceRegion"] = s.source_region
        return d

    def _require_free_snapshot_id(self, ident, verb):
        if ident in self.state.snapshots:
            raise AwsError("DBSnapshotAlreadyExistsFault", f"Cannot {verb} the snapshot because a snapshot "
                           f"with the identifier {ident} already exists.")

    def _new_snapshot(self, ctx, ident, source, tags, verb="create"):
        """A snapshot of an instance, or a copy of a snapshot, recorded under ident."""
        self._require_free_snapshot_id(ident, verb)
        snap = Snapshot(ident, ctx.region, source)
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
            tags = _tags(p.get("Tags")) or (list(inst.tags) if inst.settings.copy_tags else [])
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
            snaps = self._listed(self.state.snapshots, p.get("DBSnapshotIdentifier"), self._snapshot)
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
            return _page("DBSnapshots", snaps, lambda s: s.id, p, self.describe_snapshot)

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
            self._require_free_snapshot_id(ident, "copy")
            encrypted, key_arn = src.encrypted, src.kms_key
            if p.get("KmsKeyId"):
                encrypted, key_arn = True, self._kms_key(ctx, p["KmsKeyId"]).arn
            elif src.encrypted:
                # The copy keeps the source's key, which must still be usable.
                self._kms_key(ctx, src.kms_key)
            tags = list(src.tags) if p.get("CopyTags") else []
            tags = _merge_tags(tags, _tags(p.get("Tags")))
            snap = self._new_snapshot(ctx, ident, src, tags, "copy")
            snap.copy_from(src)
            snap.encrypted, snap.kms_key = encrypted, key_arn
            snap.source_arn = src.arn()
            snap.source_region = src.region
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
