#!/usr/bin/python3
"""Checks after convergence: the encrypted target replaced the source, nothing was lost.

    verify.py --world DIR/world.json [--writes DIR/writes.jsonl] [--only NAME,...]

Reads world.json (fixture.py) and the desired file it names; asks the stand-in
(signed AWS calls and /_awsim/resolve) and both servers (SQL as admin):

  target-encrypted   <target> exists, available, StorageEncrypted=true, KmsKeyId = the
                     ARN of the key behind the declared alias
  target-settings    the source's security groups, a non-default parameter group,
                     backups on, the source's Multi-AZ
  target-carried     every setting rdsreconcile carries, field by field equal on
                     source and target (CARRIED): subnet group and VPC, security
                     groups, PubliclyAccessible, port, option group, storage,
                     CA, IAM auth, monitoring, Performance Insights, log exports,
                     windows, minor upgrades, tag copying, deletion protection
  alias-target       the record resolves to <target>'s Endpoint.Address (and Route 53
                     lists that value)
  target-open        <target> is writable (@@read_only=0) and replicates from nothing
  source-fenced      <source> exists and @@read_only=1
  writes-on-target   every acknowledged write is on the target with its last
                     acknowledged value (or the value of a later in-doubt commit)
  no-split-brain     the writer's acknowledged commits went to the source, then
                     to the target, never back
  seed-rows          the seed tables have the same row counts (and CHECKSUM TABLE)
                     on source and target, and the counts fixture.py loaded
  temp-gone          <target>-rr-tmp and the snapshot <target>-freeze are gone
  repl-user-dropped  the replication user no longer exists on the source

Each failure says what was expected and what was found.  Exit 0 when all
checks pass, 1 otherwise.  Prints no password.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402

SEED_TABLES = ("customers", "orders", "events_nopk")


class Failed(Exception):
    pass


class Verify:
    def __init__(self, args):
        self.a = args
        self.world = common.load_json(args.world)
        w = self.world
        self.url = common.awsim_url(args.awsim or w.get("awsim"))
        self.desired = common.load_desired(args.desired or w["desired"])
        spec = self.desired["spec"]
        self.source_id = spec["source"]["dbInstanceIdentifier"].lower()
        self.target_id = spec["target"]["dbInstanceIdentifier"].lower()
        self.kms_ref = spec["target"]["kmsKeyId"]
        self.zone_id = spec["endpoint"]["hostedZoneId"]
        self.record = spec["endpoint"]["name"].rstrip(".").lower() + "."
        self.repl_user = (spec.get("replication") or {}).get("user", "rdsreconcile_repl")
        region = spec.get("region") or w.get("region") or common.DEFAULT_REGION
        self.rds = common.client("rds", self.url, region)
        self.kms = common.client("kms", self.url, region)
        self.r53 = common.client("route53", self.url, region)
        self.password = common.read_secret(args.password_file or w["password_file"])
        self.user = w.get("admin_user", "admin")
        self.results = []
        self._source = self._target = None

    # -- helpers ----------------------------------------------------------------
    def source(self):
        if self._source is None:
            self._source = common.describe_instance(self.rds, self.source_id)
            if self._source is None:
                raise Failed("source %s does not exist" % self.source_id)
        return self._source

    def target(self):
        if self._target is None:
            self._target = common.describe_instance(self.rds, self.target_id)
            if self._target is None:
                raise Failed("target %s does not exist" % self.target_id)
        return self._target

    def sql(self, inst, query, args=None, one=False):
        ep = inst.get("Endpoint") or {}
        if not ep.get("Address"):
            raise Failed("%s has no endpoint (status %s)" % (inst["DBInstanceIdentifier"],
                                                            inst.get("DBInstanceStatus")))
        conn = common.mysql_connect(ep["Address"], ep["Port"], self.user, self.password, timeout=5)
        try:
            with conn.cursor() as cur:
                if callable(query):     # e.g. common.replica_status
                    return query(cur)
                cur.execute(query, args)
                rows = cur.fetchall() if cur.description else []
                return rows[0][0] if one else rows
        finally:
            conn.close()

    def check(self, name, fn):
        if self.a.only and name not in self.a.only:
            return
        t0 = time.monotonic()
        try:
            detail = fn()
            self.results.append({"check": name, "ok": True, "detail": detail})
            print("verify: ok   %-18s %s (%.1fs)" % (name, detail or "", time.monotonic() - t0), flush=True)
        except Failed as e:
            self.results.append({"check": name, "ok": False, "detail": str(e)})
            print("verify: FAIL %-18s %s" % (name, e), flush=True)
        except Exception as e:   # an unexpected error is a failure with its cause
            self.results.append({"check": name, "ok": False, "detail": "%s: %s" % (type(e).__name__, e)})
            print("verify: FAIL %-18s %s: %s" % (name, type(e).__name__, e), flush=True)

    # -- checks -----------------------------------------------------------------
    def c_target_encrypted(self):
        t = self.target()
        key = self.kms.describe_key(KeyId=self.kms_ref)["KeyMetadata"]
        problems = []
        if t.get("DBInstanceStatus") != "available":
            problems.append("status is %r, want 'available'" % t.get("DBInstanceStatus"))
        if t.get("StorageEncrypted") is not True:
            problems.append("StorageEncrypted is %r, want true" % t.get("StorageEncrypted"))
        if t.get("KmsKeyId") != key["Arn"]:
            problems.append("KmsKeyId is %r, want %s (the key of %s)" % (t.get("KmsKeyId"), key["Arn"],
                                                                          self.kms_ref))
        if problems:
            raise Failed("%s: %s" % (self.target_id, "; ".join(problems)))
        return "%s encrypted with %s" % (self.target_id, key["Arn"])

    def c_target_settings(self):
        s, t = self.source(), self.target()
        problems = []
        sg = lambda i: sorted(g["VpcSecurityGroupId"] for g in i.get("VpcSecurityGroups") or [])
        if sg(s) != sg(t):
            problems.append("security groups %s, source has %s" % (sg(t), sg(s)))
        pgs = [g["DBParameterGroupName"] for g in t.get("DBParameterGroups") or []]
        if not pgs or any(p.startswith("default.") for p in pgs):
            problems.append("parameter group %s is the default" % pgs)
        if not t.get("BackupRetentionPeriod"):
            problems.append("BackupRetentionPeriod is %r, want > 0" % t.get("BackupRetentionPeriod"))
        if bool(t.get("MultiAZ")) != bool(s.get("MultiAZ")):
            problems.append("MultiAZ %r, source has %r" % (t.get("MultiAZ"), s.get("MultiAZ")))
        if problems:
            raise Failed("%s: %s" % (self.target_id, "; ".join(problems)))
        return "groups %s, parameter group %s, backups %s days" % (sg(t), pgs, t.get("BackupRetentionPeriod"))

    def c_target_carried(self):
        s, t = self.source(), self.target()
        problems = []
        for name, get in CARRIED:
            sv, tv = get(s), get(t)
            if sv != tv:
                problems.append("%s: target %r, source %r" % (name, tv, sv))
        if problems:
            raise Failed("%s: %s" % (self.target_id, "; ".join(problems)))
        return "%d settings equal, subnet group %s in %s" % (
            len(CARRIED), s.get("DBSubnetGroup", {}).get("DBSubnetGroupName"),
            s.get("DBSubnetGroup", {}).get("VpcId"))

    def c_alias_target(self):
        t = self.target()
        addr = t["Endpoint"]["Address"]
        got, port, inst = common.resolve(self.url, self.record)
        problems = []
        if got != addr and inst != self.target_id:   # an address, or the address of a name
            problems.append("%s resolves to %s (instance %s), want %s (%s)" % (
                self.record, got, inst, addr, self.target_id))
        rrs = self.r53.list_resource_record_sets(HostedZoneId=self.zone_id, StartRecordName=self.record,
                                                 MaxItems="10")["ResourceRecordSets"]
        mine = [r for r in rrs if r["Name"] == self.record and r["Type"] in ("A", "CNAME")]
        values = [v["Value"].rstrip(".") for r in mine for v in r.get("ResourceRecords", [])]
        if values != [addr]:
            problems.append("zone %s lists %s for %s, want [%s]" % (
                self.zone_id, ["%s %s" % (r["Type"], r.get("ResourceRecords")) for r in mine],
                self.record, addr))
        if problems:
            raise Failed("; ".join(problems))
        return "%s -> %s (%s)" % (self.record, addr, self.target_id)

    def c_target_open(self):
        t = self.target()
        ro = self.sql(t, "SELECT @@GLOBAL.read_only", one=True)
        rows = self.sql(t, common.replica_status)
        problems = []
        if int(ro) != 0:
            problems.append("@@read_only=%s, want 0" % ro)
        if rows:
            problems.append("still has replication configured (replica status has %d row)" % len(rows))
        if problems:
            raise Failed("%s: %s" % (self.target_id, "; ".join(problems)))
        return "%s writable, no replication" % self.target_id

    def c_source_fenced(self):
        s = self.source()
        ro = self.sql(s, "SELECT @@GLOBAL.read_only", one=True)
        if int(ro) != 1:
            raise Failed("%s: @@read_only=%s, want 1" % (self.source_id, ro))
        return "%s exists (%s), read_only=1" % (self.source_id, s.get("DBInstanceStatus"))

    def c_ttl_lowered(self):
        """The record's TTL went down before the fence, in the stand-in's own
        record of changes, and the old TTL had passed by the fence; the
        switch time is tagged for the sessions' drain."""
        old = self.world.get("record_ttl")
        short = (self.desired["spec"]["endpoint"]).get("cutoverTtlSeconds", 5)
        if old is None or old <= short:
            return "record made with TTL %s <= %s: nothing to lower" % (old, short)
        tags = {t["Key"]: t["Value"] for t in self.rds.list_tags_for_resource(
            ResourceName=self.target()["DBInstanceArn"])["TagList"]}
        problems = []
        for k in ("ttl-lowered-at", "ttl-before", "fenced-at", "switched-at"):
            if "rdsreconcile:" + k not in tags:
                problems.append("no tag rdsreconcile:%s on %s" % (k, self.target_id))
        if problems:
            raise Failed("; ".join(problems))
        lowered = int(tags["rdsreconcile:ttl-lowered-at"])
        before = int(tags["rdsreconcile:ttl-before"])
        fenced = int(tags["rdsreconcile:fenced-at"])
        switched = int(tags["rdsreconcile:switched-at"])
        if before != old:
            problems.append("ttl-before %d, the record was made with %d" % (before, old))
        if lowered + before > fenced:
            problems.append("fenced at %d, before the old TTL passed (lowered at %d + %ds)" % (
                fenced, lowered, before))
        status, state = common.control(self.url, "/_awsim/state")
        zone = [z for z in state.get("zones", []) if z["id"] == self.zone_id]
        hist = [h for h in (zone[0]["history"] if zone else [])
                if h["record"]["Name"].rstrip(".").lower() + "." == self.record]
        addr = self.target()["Endpoint"]["Address"]
        low = [h for h in hist if h["record"].get("TTL") == short
               and [v["Value"] for v in h["record"].get("ResourceRecords", [])] != [addr]]
        switch = [h for h in hist if [v["Value"] for v in h["record"].get("ResourceRecords", [])] == [addr]]
        if not low:
            problems.append("the stand-in saw no change of %s to TTL %d on the source" % (self.record, short))
        elif not switch:
            problems.append("the stand-in saw no switch of %s" % self.record)
        else:
            # Tags hold whole seconds: 1 s of rounding.
            if low[0]["at"] + old > fenced + 1:
                problems.append("TTL lowered at %.1f in the stand-in, fenced at %d: less than %ds" % (
                    low[0]["at"], fenced, old))
            if low[0]["at"] > switch[0]["at"]:
                problems.append("TTL lowered after the switch")
            if switched + 1 < switch[0]["at"]:
                problems.append("switched-at %d before the switch at %.1f" % (switched, switch[0]["at"]))
        if problems:
            raise Failed("; ".join(problems))
        return "TTL %d -> %d at %.1f, fenced %.1fs later (old TTL %ds), switch tagged at %d" % (
            old, short, low[0]["at"], fenced - low[0]["at"], old, switched)

    def load_writes(self):
        acked, doubt, order = {}, {}, []
        path = self.a.writes
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    r = json.loads(line)
                except ValueError:
                    # The writer was killed mid-line: only the last line may be cut.
                    continue
                if r.get("doubt"):
                    doubt.setdefault(r["id"], []).append(r["val"])
                else:
                    acked[r["id"]] = r["val"]
                    # By instance where the writer knew it: an instance's
                    # address changes at a Multi-AZ failover.
                    order.append(r.get("inst") or r.get("addr"))
        return acked, doubt, order

    def c_writes_on_target(self):
        if not self.a.writes:
            return "no writer log given, skipped"
        acked, doubt, _ = self.load_writes()
        if not acked:
            raise Failed("%s holds no acknowledged write: the writer never committed" % self.a.writes)
        rows = dict(self.sql(self.target(), "SELECT id, val FROM app.writes"))
        missing, wrong = [], []
        for wid, val in acked.items():
            got = rows.get(wid)
            if got is None:
                missing.append(wid)
            elif got != val and got not in [v for v in doubt.get(wid, []) if v > val]:
                wrong.append((wid, val, got))
        if missing or wrong:
            msg = []
            if missing:
                msg.append("%d acknowledged ids missing (e.g. %s)" % (len(missing), sorted(missing)[:10]))
            if wrong:
                msg.append("%d ids with another value (id, acknowledged, found: %s)" % (len(wrong), wrong[:10]))
            raise Failed("%s of %d acknowledged: %s" % (self.target_id, len(acked), "; ".join(msg)))
        return "%d ids, last values all on %s (%d in doubt)" % (
            len(acked), self.target_id, sum(len(v) for v in doubt.values()))

    def c_no_split_brain(self):
        if not self.a.writes:
            return "no writer log given, skipped"
        _, _, order = self.load_writes()
        s_addr = self.source()["Endpoint"]["Address"]
        t_addr = self.target()["Endpoint"]["Address"]
        if self.source_id in order or self.target_id in order:
            s_addr, t_addr = self.source_id, self.target_id
        runs = []
        for a in order:
            if not runs or runs[-1][0] != a:
                runs.append([a, 0])
            runs[-1][1] += 1
        seq = [a for a, _ in runs]
        if seq not in ([s_addr, t_addr], [t_addr], [s_addr]) or (seq == [s_addr] and not self.a.allow_no_switch):
            names = {s_addr: "source", t_addr: "target"}
            raise Failed("acknowledged commits went to %s, want source then target" % (
                " -> ".join("%s(%s)x%d" % (names.get(a, "?"), a, n) for a, n in runs)))
        return " then ".join("%d on %s" % (n, "source" if a == s_addr else "target") for a, n in runs)

    def c_seed_rows(self):
        s, t = self.source(), self.target()
        want = self.world.get("seed_counts") or {}
        problems, done = [], []
        for table in SEED_TABLES:
            if table not in want:
                continue
            ns = self.sql(s, "SELECT COUNT(*) FROM app.%s" % table, one=True)
            nt = self.sql(t, "SELECT COUNT(*) FROM app.%s" % table, one=True)
            if not (ns == nt == want[table]):
                problems.append("app.%s: source %d, target %d, loaded %d" % (table, ns, nt, want[table]))
                continue
            cs = self.sql(s, "CHECKSUM TABLE app.%s" % table)[0][1]
            ct = self.sql(t, "CHECKSUM TABLE app.%s" % table)[0][1]
            if cs != ct:
                problems.append("app.%s: CHECKSUM TABLE source %s, target %s" % (table, cs, ct))
                continue
            done.append("%s %d" % (table, nt))
        if problems:
            raise Failed("; ".join(problems))
        if not done:
            return "no seed tables in world.json, skipped"
        return ", ".join(done) + " (counts and checksums equal)"

    def c_temp_gone(self):
        rr = self.target_id + "-rr-tmp"
        snap = self.target_id + "-freeze"
        waited = 0.0
        t0 = time.monotonic()
        while True:
            i = common.describe_instance(self.rds, rr)
            s = common.describe_snapshot(self.rds, snap)
            if i is None and s is None:
                break
            waited = time.monotonic() - t0
            if waited >= self.a.gone_grace:
                left = []
                if i is not None:
                    left.append("instance %s (%s)" % (rr, i.get("DBInstanceStatus")))
                if s is not None:
                    left.append("snapshot %s (%s)" % (snap, s.get("Status")))
                raise Failed("still there %.0fs after convergence: %s" % (waited, ", ".join(left)))
            time.sleep(0.2)
        note = " (deletions still finishing for %.1fs after convergence)" % waited if waited > 0.5 else ""
        return "%s and %s gone%s" % (rr, snap, note)

    def c_repl_user_dropped(self):
        n = self.sql(self.source(), "SELECT COUNT(*) FROM mysql.user WHERE User = %s", (self.repl_user,), one=True)
        if n:
            hosts = [r[0] for r in self.sql(self.source(), "SELECT Host FROM mysql.user WHERE User = %s",
                                            (self.repl_user,))]
            raise Failed("%s still has user %r (hosts %s)" % (self.source_id, self.repl_user, hosts))
        return "no %r on %s" % (self.repl_user, self.source_id)

    def run(self):
        for name in ("target-encrypted", "target-settings", "target-carried", "alias-target", "target-open",
                     "source-fenced", "ttl-lowered", "writes-on-target", "no-split-brain", "seed-rows",
                     "temp-gone", "repl-user-dropped"):
            self.check(name, getattr(self, "c_" + name.replace("-", "_")))
        failed = [r for r in self.results if not r["ok"]]
        print("verify: %d passed, %d failed" % (len(self.results) - len(failed), len(failed)), flush=True)
        if self.a.json:
            common.write_json(self.a.json, self.results)
        return 1 if failed else 0


def _path(*keys):
    """A getter of a DescribeDBInstances value by keys (ints index lists); None if absent."""
    def get(d):
        for k in keys:
            try:
                d = d[k]
            except (KeyError, IndexError, TypeError):
                return None
        return d
    return get


# What rdsreconcile carries from the source to the target (README.md, "Settings
# carried"): DescribeDBInstances field, read the same way on both.
CARRIED = (
    ("DBSubnetGroup.DBSubnetGroupName", _path("DBSubnetGroup", "DBSubnetGroupName")),
    ("DBSubnetGroup.VpcId", _path("DBSubnetGroup", "VpcId")),
    ("VpcSecurityGroups", lambda i: sorted(g["VpcSecurityGroupId"] for g in i.get("VpcSecurityGroups") or [])),
    ("PubliclyAccessible", _path("PubliclyAccessible")),
    ("Endpoint.Port", _path("Endpoint", "Port")),
    ("OptionGroupMemberships", lambda i: sorted(g["OptionGroupName"] for g in i.get("OptionGroupMemberships") or [])),
    ("StorageType", _path("StorageType")),
    ("Iops", _path("Iops")),
    ("StorageThroughput", _path("StorageThroughput")),
    ("CACertificateIdentifier", _path("CACertificateIdentifier")),
    ("IAMDatabaseAuthenticationEnabled", _path("IAMDatabaseAuthenticationEnabled")),
    ("MonitoringInterval", _path("MonitoringInterval")),
    ("MonitoringRoleArn", _path("MonitoringRoleArn")),
    ("PerformanceInsightsEnabled", _path("PerformanceInsightsEnabled")),
    ("PerformanceInsightsKMSKeyId", _path("PerformanceInsightsKMSKeyId")),
    ("PerformanceInsightsRetentionPeriod", _path("PerformanceInsightsRetentionPeriod")),
    ("EnabledCloudwatchLogsExports", lambda i: sorted(i.get("EnabledCloudwatchLogsExports") or [])),
    ("PreferredBackupWindow", _path("PreferredBackupWindow")),
    ("PreferredMaintenanceWindow", _path("PreferredMaintenanceWindow")),
    ("AutoMinorVersionUpgrade", _path("AutoMinorVersionUpgrade")),
    ("CopyTagsToSnapshot", _path("CopyTagsToSnapshot")),
    ("DeletionProtection", _path("DeletionProtection")),
    ("MultiAZ", _path("MultiAZ")),
)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", required=True, help="world.json written by fixture.py")
    ap.add_argument("--writes", help="writer.py's JSONL of acknowledged commits")
    ap.add_argument("--desired", help="desired file (default: world.json's)")
    ap.add_argument("--awsim", help="stand-in URL (default: world.json, then $AWSIM_URL)")
    ap.add_argument("--password-file", help="admin password (default: world.json's)")
    ap.add_argument("--only", type=lambda s: set(s.split(",")), help="comma-separated checks to run")
    ap.add_argument("--gone-grace", type=float, default=20,
                    help="seconds the temporary resources may take to disappear")
    ap.add_argument("--allow-no-switch", action="store_true",
                    help="accept a writer log whose commits all went to the source")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args(argv)
    return Verify(args).run()


if __name__ == "__main__":
    sys.exit(main())
