#!/usr/bin/python3
"""Build the world an end-to-end test (or the demo) needs, on the stand-in.

    fixture.py --workdir DIR [--case CASE] [--rows N] [--name e2e] ...

What it makes, through signed AWS requests (botocore) and SQL (pymysql):
  * a KMS key with the alias alias/<name> (disabled for --case disabled-key);
  * a DB parameter group <source>-pg of the engine's family with
    binlog_format=ROW (STATEMENT for --case binlog-statement);
  * two security groups (made through the stand-in's control interface, as
    EC2 is not modelled) in the default VPC, or with --network private in the
    stand-in's private VPC (no internet gateway) together with a DB subnet
    group <source>-subnets over that VPC's subnets;
  * the source instance <source> (mariadb, master user admin with a random
    password, BackupRetentionPeriod 1 (0 for --case no-backups), the custom
    group, the two security groups, the subnet group with --network private);
    not made for --case missing-source;
  * for --case target-taken, an instance already named like the target,
  * for --case shared-param-group, another instance using the source's group,
    without the reconciler's ownership tag;
  * a private hosted zone <name>.internal and the alias record
    db.<name>.internal: an A record when the source's Endpoint.Address is an
    IP literal (always, on the stand-in), a CNAME otherwise;
  * seed data in database `app`: customers, orders (JSON column),
    events_nopk (no primary key), ~--rows rows in all, loaded with multi-row
    INSERTs, and the writer's empty table writes(id PK, val, updated_at);
  * a key pair (rdsreconcile keygen) and the admin password sealed with it
    (rdsreconcile seal, password on stdin).

Files written into --workdir:
  desired.yaml    the desired state for the test (zone id filled in)
  admin.pw        the admin password, mode 0600, for writer.py and verify.py
  admin.sealed    the sealed admin password (safe to show)
  key/            rdsreconcile.key (0600), rdsreconcile.pub
  world.json      what was made: ids, ARNs, endpoint, zone, counts (no secret)

Prints progress on stderr, never a password.  Exit 0 when the world is ready.
"""

import argparse
import os
import random
import secrets
import string
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402
from common import log as _log  # noqa: E402

CASES = ("ok", "missing-source", "disabled-key", "target-taken", "no-backups", "binlog-statement",
         "missing-alias", "shared-param-group")
SECURITY_GROUPS = ["sg-0e2e00000000000a1", "sg-0e2e00000000000b2"]
VPC_ID = "vpc-0e2e0000000000001"


def log(msg):
    _log("fixture", msg)


def family_of(engine, version):
    """DB parameter group family: mariadb10.11, mysql8.0, ..."""
    major = ".".join(version.split(".")[:2])
    return engine + major


def new_password():
    # Letters and digits only: no quoting question anywhere it goes.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(24))


class Fixture:
    def __init__(self, args):
        self.a = args
        self.url = common.awsim_url(args.awsim)
        self.rds = common.client("rds", self.url, args.region)
        self.kms = common.client("kms", self.url, args.region)
        self.r53 = common.client("route53", self.url, args.region)
        self.world = {"case": args.case, "region": args.region, "name": args.name,
                      "source": args.source, "target": args.target, "awsim": self.url,
                      "record": args.record, "admin_user": "admin",
                      "password_file": os.path.join(os.path.abspath(args.workdir), "admin.pw"),
                      "security_groups": SECURITY_GROUPS}
        self.t0 = time.monotonic()
        # Non-default settings of the source (--settings): what the reconciler must carry.
        self.settings = {} if not args.settings else dict(
            StorageType="gp3",
            EnableIAMDatabaseAuthentication=True, MonitoringInterval=30,
            MonitoringRoleArn="arn:aws:iam::123456789012:role/rds-monitoring-role",
            EnablePerformanceInsights=True, PerformanceInsightsRetentionPeriod=31,
            EnableCloudwatchLogsExports=["error", "slowquery"], PreferredBackupWindow="04:00-04:30",
            PreferredMaintenanceWindow="tue:06:00-tue:06:30", AutoMinorVersionUpgrade=False,
            CopyTagsToSnapshot=True)

    def step(self, msg):
        log("%6.2fs %s" % (time.monotonic() - self.t0, msg))

    # -- KMS ------------------------------------------------------------------
    def make_key(self):
        a = self.a
        key = self.kms.create_key(Description="rdsreconcile %s test key" % a.name)["KeyMetadata"]
        self.kms.create_alias(AliasName=a.alias, TargetKeyId=key["KeyId"])
        if a.case == "disabled-key":
            self.kms.disable_key(KeyId=key["KeyId"])
        self.world.update(key_id=key["KeyId"], key_arn=key["Arn"], key_alias=a.alias,
                          key_enabled=a.case != "disabled-key")
        self.step("kms key %s, alias %s%s" % (key["KeyId"], a.alias,
                                            " (disabled)" if a.case == "disabled-key" else ""))

    # -- parameter group --------------------------------------------------------
    def make_param_group(self):
        a = self.a
        fmt = "STATEMENT" if a.case == "binlog-statement" else "ROW"
        family = family_of(a.engine, a.engine_version)
        name = a.source + "-pg"
        self.rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family,
                                           Description="source of the %s test" % a.name)
        self.rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
            {"ParameterName": "binlog_format", "ParameterValue": fmt, "ApplyMethod": "immediate"}])
        self.world.update(param_group=name, binlog_format=fmt, family=family)
        self.step("parameter group %s (%s, binlog_format=%s)" % (name, family, fmt))

    # -- network ----------------------------------------------------------------
    def make_network(self):
        """The source's security groups (and, for --network private, its subnet group)."""
        a = self.a
        status, net = common.control(self.url, "/_awsim/network?region=" + a.region)
        if status != 200:
            raise SystemExit("fixture: GET /_awsim/network: %s" % net)
        vpc = net["default_vpc"] if a.network == "default" else next(
            v["id"] for v in net["vpcs"] if not v["internet_gateway"])
        have = {g["id"] for v in net["vpcs"] for g in v["security_groups"]}
        want = [{"id": sg, "vpc": vpc, "name": "%s-%d" % (a.name, i)}
                for i, sg in enumerate(SECURITY_GROUPS) if sg not in have]
        if want:
            status, out = common.control(self.url, "/_awsim/network", "POST",
                                         {"region": a.region, "security_groups": want})
            if status != 200:
                raise SystemExit("fixture: POST /_awsim/network: %s" % out)
        self.world.update(vpc=vpc, network=a.network, subnet_group=None)
        if a.network == "private":
            subnets = [s["id"] for v in net["vpcs"] if v["id"] == vpc for s in v["subnets"]]
            name = a.source + "-subnets"
            self.rds.create_db_subnet_group(DBSubnetGroupName=name, SubnetIds=subnets,
                                            DBSubnetGroupDescription="private subnets of the %s test" % a.name)
            self.world["subnet_group"] = name
        self.step("security groups %s in %s%s" % (", ".join(SECURITY_GROUPS), vpc,
                                                 ", subnet group " + self.world["subnet_group"]
                                                 if self.world["subnet_group"] else ""))

    def make_option_group(self):
        """An option group of the source's own (--settings): the target must get it too."""
        a = self.a
        name = a.source + "-opts"
        self.rds.create_option_group(OptionGroupName=name, EngineName=a.engine,
                                     MajorEngineVersion=".".join(a.engine_version.split(".")[:2]),
                                     OptionGroupDescription="options of the %s test" % a.name)
        self.settings["OptionGroupName"] = name
        self.world["settings"] = sorted(self.settings)
        self.step("option group %s; source settings %s" % (name, ", ".join(sorted(self.settings))))

    # -- instances --------------------------------------------------------------
    def create_instance(self, ident, password, retention, param_group, tags, multi_az=False):
        a = self.a
        kw = dict(DBInstanceIdentifier=ident, DBInstanceClass=a.instance_class, Engine=a.engine,
                  EngineVersion=a.engine_version, MasterUsername="admin",
                  MasterUserPassword=password, AllocatedStorage=20,
                  BackupRetentionPeriod=retention, VpcSecurityGroupIds=SECURITY_GROUPS,
                  StorageEncrypted=False, Tags=tags, MultiAZ=multi_az)
        if param_group:
            kw["DBParameterGroupName"] = param_group
        if self.world.get("subnet_group"):
            kw["DBSubnetGroupName"] = self.world["subnet_group"]
        kw.update(self.settings)
        self.rds.create_db_instance(**kw)

    def wait_available(self, ident):
        def ready():
            inst = common.describe_instance(self.rds, ident)
            if inst is None:
                return None
            st = inst.get("DBInstanceStatus")
            if st in ("failed", "incompatible-parameters", "storage-full"):
                raise SystemExit("fixture: instance %s is %s" % (ident, st))
            return inst if st == "available" and inst.get("Endpoint") else None
        return common.wait_for("instance %s available" % ident, ready, self.a.timeout)

    def make_source(self, password):
        a = self.a
        if a.case == "missing-source":
            self.step("no source instance (case missing-source)")
            return None
        retention = 0 if a.case == "no-backups" else 1
        self.create_instance(a.source, password, retention, self.world["param_group"],
                             [{"Key": "env", "Value": "e2e"}, {"Key": "app", "Value": a.name}],
                             multi_az=a.multi_az)
        inst = self.wait_available(a.source)
        ep = inst["Endpoint"]
        self.world.update(source_address=ep["Address"], db_port=ep["Port"],
                          source_arn=inst.get("DBInstanceArn"), backup_retention=retention)
        self.step("source %s available at %s:%s (backups %s)" % (
            a.source, ep["Address"], ep["Port"], "off" if retention == 0 else "%d day" % retention))
        return inst

    def make_own_replica(self):
        """The source's own read replica: it inherits the group, and read_only={TrueIfReplica}."""
        ident = self.a.source + "-ro"
        self.rds.create_db_instance_read_replica(DBInstanceIdentifier=ident,
                                                 SourceDBInstanceIdentifier=self.a.source)
        inst = self.wait_available(ident)
        self.world["own_replica"] = ident
        self.world["own_replica_address"] = inst["Endpoint"]["Address"]
        self.wait_available(self.a.source)
        self.step("read replica %s of the source" % ident)

    def make_sharer(self):
        """Another instance using the source's parameter group: a fence there would fence it too."""
        a = self.a
        ident = a.source + "-other"
        self.create_instance(ident, new_password(), 0, self.world["param_group"],
                             [{"Key": "owner", "Value": "someone-else"}])
        self.wait_available(ident)
        self.step("instance %s shares parameter group %s (case shared-param-group)" % (
            ident, self.world["param_group"]))

    def make_intruder(self):
        """An instance named like the target, made by someone else (no ownership tag)."""
        a = self.a
        self.create_instance(a.target, new_password(), 1, None,
                             [{"Key": "owner", "Value": "someone-else"}])
        inst = self.wait_available(a.target)
        self.world["intruder_address"] = inst["Endpoint"]["Address"]
        self.step("instance %s already exists, not ours (case target-taken)" % a.target)

    # -- Route 53 -----------------------------------------------------------------
    def make_zone(self, address):
        a = self.a
        zone_name = a.record.split(".", 1)[1]
        out = self.r53.create_hosted_zone(
            Name=zone_name, CallerReference="e2e-" + uuid.uuid4().hex,
            HostedZoneConfig={"Comment": "rdsreconcile %s test" % a.name, "PrivateZone": True},
            VPC={"VPCRegion": a.region, "VPCId": VPC_ID})
        zone_id = out["HostedZone"]["Id"].rsplit("/", 1)[-1]
        value = address or "192.0.2.10"   # TEST-NET: no source to point at
        rtype = "A" if is_ipv4(value) else "CNAME"
        if a.case == "missing-alias":
            self.world.update(zone_id=zone_id, zone_name=zone_name)
            self.step("private zone %s (%s), no record %s" % (zone_name, zone_id, a.record))
            return
        change = self.r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={
            "Comment": "the name applications use",
            "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
                "Name": a.record, "Type": rtype, "TTL": a.record_ttl,
                "ResourceRecords": [{"Value": value}]}}]})
        cid = change["ChangeInfo"]["Id"]
        common.wait_for("route 53 change %s INSYNC" % cid,
                        lambda: self.r53.get_change(Id=cid)["ChangeInfo"]["Status"] == "INSYNC",
                        a.timeout)
        self.world.update(zone_id=zone_id, zone_name=zone_name, record_type=rtype,
                          record_value=value, record_ttl=a.record_ttl)
        self.step("private zone %s (%s), %s %s -> %s" % (zone_name, zone_id, rtype, a.record, value))

    # -- data ---------------------------------------------------------------------
    def seed(self, inst, password):
        a = self.a
        ep = inst["Endpoint"]
        conn = common.mysql_connect(ep["Address"], ep["Port"], "admin", password, autocommit=False)
        rnd = random.Random(a.seed)
        n_cust = a.rows * 4 // 10
        n_ord = a.rows * 4 // 10
        n_ev = a.rows - n_cust - n_ord
        counts = {}
        try:
            with conn.cursor() as cur:
                cur.execute("CREATE DATABASE IF NOT EXISTS app")
                cur.execute("USE app")
                cur.execute("""CREATE TABLE customers (
                      id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, email VARCHAR(128) NOT NULL,
                      balance DECIMAL(12,2) NOT NULL, created_at DATETIME NOT NULL,
                      KEY (email)) ENGINE=InnoDB""")
                cur.execute("""CREATE TABLE orders (
                      id BIGINT PRIMARY KEY, customer_id INT NOT NULL, amount DECIMAL(12,2) NOT NULL,
                      doc JSON NOT NULL, KEY (customer_id)) ENGINE=InnoDB""")
                cur.execute("""CREATE TABLE events_nopk (
                      ts DATETIME(6) NOT NULL, kind VARCHAR(16) NOT NULL, payload VARCHAR(255))
                      ENGINE=InnoDB""")
                cur.execute("""CREATE TABLE writes (
                      id BIGINT PRIMARY KEY, val BIGINT NOT NULL,
                      updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
                        ON UPDATE CURRENT_TIMESTAMP(6)) ENGINE=InnoDB""")
                batch = 2000
                base = 1700000000

                def load(sql, rows):
                    for i in range(0, len(rows), batch):
                        cur.executemany(sql, rows[i:i + batch])   # one multi-row INSERT

                load("INSERT INTO customers (id, name, email, balance, created_at) VALUES (%s,%s,%s,%s,%s)",
                     [(i, "customer %d" % i, "c%d@example.test" % i, "%d.%02d" % (rnd.randrange(100000), i % 100),
                       time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(base + i * 37)))
                      for i in range(1, n_cust + 1)])
                conn.commit()
                counts["customers"] = n_cust
                load("INSERT INTO orders (id, customer_id, amount, doc) VALUES (%s,%s,%s,%s)",
                     [(i, rnd.randrange(1, n_cust + 1), "%d.%02d" % (rnd.randrange(5000), i % 100),
                       '{"sku": "SKU-%d", "qty": %d, "tags": ["a", "b"], "note": "o\\u00e9 %d"}'
                       % (rnd.randrange(1000), rnd.randrange(1, 9), i))
                      for i in range(1, n_ord + 1)])
                conn.commit()
                counts["orders"] = n_ord
                kinds = ("login", "logout", "view", "click")
                load("INSERT INTO events_nopk (ts, kind, payload) VALUES (%s,%s,%s)",
                     [(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(base + i // 3)) + ".%06d" % (i % 1000000),
                       kinds[i % 4], None if i % 7 == 0 else "event %d" % i)
                      for i in range(n_ev)])
                # A few identical rows: a table without a key may hold duplicates,
                # and replication must neither lose nor multiply them.
                cur.execute("INSERT INTO events_nopk (ts, kind, payload) VALUES "
                            "('2024-01-01 00:00:00', 'dup', 'same'), ('2024-01-01 00:00:00', 'dup', 'same'),"
                            "('2024-01-01 00:00:00', 'dup', 'same')")
                conn.commit()
                counts["events_nopk"] = n_ev + 3
                for t, n in counts.items():
                    cur.execute("SELECT COUNT(*) FROM app.%s" % t)
                    got = cur.fetchone()[0]
                    if got != n:
                        raise SystemExit("fixture: app.%s has %d rows, loaded %d" % (t, got, n))
        finally:
            conn.close()
        self.world["seed_counts"] = counts
        self.step("seeded app.customers %d, app.orders %d (JSON), app.events_nopk %d (no key), "
                  "app.writes empty" % (counts["customers"], counts["orders"], counts["events_nopk"]))

    # -- secrets and the desired file --------------------------------------------
    def seal(self, password):
        a = self.a
        wd = a.workdir
        keydir = os.path.join(wd, "key")
        priv = os.path.join(keydir, "rdsreconcile.key")
        pub = os.path.join(keydir, "rdsreconcile.pub")
        if not os.path.exists(priv):
            os.makedirs(keydir, mode=0o700, exist_ok=True)
            run([a.rdsreconcile, "keygen", "--out", keydir], "rdsreconcile keygen")
        sealed = os.path.join(wd, "admin.sealed")
        if os.path.exists(sealed):
            os.unlink(sealed)
        run([a.rdsreconcile, "seal", "--public-key", pub, "--name", "admin", "--out", sealed],
            "rdsreconcile seal", stdin=(password + "\n").encode())
        self.world.update(private_key=priv, public_key=pub, sealed_admin=sealed)
        self.step("sealed the admin password into %s" % sealed)

    def write_desired(self):
        a = self.a
        text = DESIRED % dict(
            name=a.name, region=a.region, source=a.source, target=a.target, alias=a.alias,
            zone=self.world.get("zone_id", "Z0000000000NONE"), record=a.record, ttl=a.ttl,
            approval=a.approval, cutover_timeout=a.cutover_timeout)
        if a.cutover_ttl is not None:
            text = text.replace("    ttl: %d\n" % a.ttl,
                                "    ttl: %d\n    cutoverTtlSeconds: %d\n" % (a.ttl, a.cutover_ttl))
        path = os.path.join(a.workdir, "desired.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        self.world["desired"] = path
        self.step("wrote %s" % path)

    def build(self):
        a = self.a
        os.makedirs(a.workdir, exist_ok=True)
        os.makedirs(os.path.join(a.workdir, "state"), mode=0o700, exist_ok=True)
        password = new_password()
        common.write_private(os.path.join(a.workdir, "admin.pw"), password + "\n")
        self.make_key()
        self.make_param_group()
        self.make_network()
        if a.settings:
            self.make_option_group()
        inst = self.make_source(password)
        if a.case == "target-taken":
            self.make_intruder()
        if a.case == "shared-param-group":
            self.make_sharer()
        if inst is not None and a.own_replica:
            self.make_own_replica()
        self.make_zone(inst["Endpoint"]["Address"] if inst else None)
        if inst is not None and a.rows > 0 and not a.no_seed:
            self.seed(inst, password)
        else:
            self.world["seed_counts"] = {}
        if not a.no_seal:
            self.seal(password)
        self.write_desired()
        common.write_json(os.path.join(a.workdir, "world.json"), self.world)
        self.step("world ready (case %s)" % a.case)


DESIRED = """\
# Written by tests/e2e/fixture.py for one test run.
apiVersion: rdsreconcile/v1
kind: EncryptedInstance
metadata:
  name: %(name)s
spec:
  region: %(region)s
  source:
    dbInstanceIdentifier: %(source)s
  target:
    dbInstanceIdentifier: %(target)s
    kmsKeyId: %(alias)s
  endpoint:
    hostedZoneId: %(zone)s
    name: %(record)s
    ttl: %(ttl)d
  replication:
    binlogRetentionHours: 1
  cutover:
    approval: %(approval)s
    maxLagSeconds: 1
    timeoutSeconds: %(cutover_timeout)d
  credentials:
    admin:
      user: admin
      passwordFile: admin.sealed
    privateKeyFile: key/rdsreconcile.key
    stateDir: state
"""


def is_ipv4(value):
    import ipaddress
    try:
        ipaddress.IPv4Address(value)
        return True
    except ValueError:
        return False


def run(cmd, what, stdin=None):
    """Run a helper; its output is shown only on failure (it holds no secret:
    the secret goes on stdin, and rdsreconcile never echoes it)."""
    res = subprocess.run(cmd, input=stdin if stdin is not None else b"",
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if res.returncode != 0:
        raise SystemExit("fixture: %s failed (exit %d):\n%s" % (
            what, res.returncode, res.stdout.decode("utf-8", "replace").strip()))
    return res.stdout


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", required=True, help="where desired.yaml and friends go")
    ap.add_argument("--case", choices=CASES, default="ok")
    ap.add_argument("--awsim", help="stand-in URL (default $AWSIM_URL)")
    ap.add_argument("--region", default=os.environ.get("AWS_REGION", common.DEFAULT_REGION))
    ap.add_argument("--name", default="e2e", help="metadata.name of the desired object")
    ap.add_argument("--source", help="source instance id (default <name>-src)")
    ap.add_argument("--target", help="target instance id (default <source>-enc)")
    ap.add_argument("--alias", help="KMS alias (default alias/<name>)")
    ap.add_argument("--record", help="alias record (default db.<name>.internal)")
    ap.add_argument("--ttl", type=int, default=1, help="spec.endpoint.ttl")
    ap.add_argument("--record-ttl", type=int,
                    help="TTL the record is made with (default --ttl): above the cut-over TTL, apply lowers it")
    ap.add_argument("--cutover-ttl", type=int, help="spec.endpoint.cutoverTtlSeconds (default: not written)")
    ap.add_argument("--approval", choices=("auto", "manual"), default="auto")
    ap.add_argument("--cutover-timeout", type=int, default=30)
    ap.add_argument("--network", choices=("default", "private"), default="default",
                    help="the source's VPC: the default one, or a private one with its own subnet group")
    ap.add_argument("--settings", action="store_true",
                    help="the source gets non-default settings (storage, windows, monitoring, ...)")
    ap.add_argument("--engine", default="mariadb")
    ap.add_argument("--engine-version", default="10.11.6")
    ap.add_argument("--instance-class", default="db.t3.micro")
    ap.add_argument("--own-replica", action="store_true",
                    help="give the source a read replica of its own, <source>-ro (it shares the group)")
    ap.add_argument("--multi-az", action="store_true", help="a Multi-AZ source (the target copies it)")
    ap.add_argument("--rows", type=int, default=100000, help="seed rows in all (0: none)")
    ap.add_argument("--no-seed", action="store_true", help="create the tables' world, load no data")
    ap.add_argument("--no-seal", action="store_true", help="skip keygen/seal (no rdsreconcile needed)")
    ap.add_argument("--seed", type=int, default=1, help="random seed of the data")
    ap.add_argument("--rdsreconcile", default=os.environ.get("RDSRECONCILE", "./rdsreconcile"))
    ap.add_argument("--timeout", type=float, default=90, help="bound of each wait, seconds")
    args = ap.parse_args(argv)
    args.source = args.source or args.name + "-src"
    args.target = args.target or args.source + "-enc"
    args.alias = args.alias or "alias/" + args.name
    args.record = args.record or "db.%s.internal" % args.name
    if args.record_ttl is None:
        args.record_ttl = args.ttl
    from botocore.exceptions import BotoCoreError, ClientError
    try:
        Fixture(args).build()
    except ClientError as e:
        err = e.response.get("Error", {})
        raise SystemExit("fixture: %s: %s: %s (request %s)" % (
            e.operation_name, err.get("Code"), err.get("Message"),
            e.response.get("ResponseMetadata", {}).get("RequestId")))
    except (BotoCoreError, TimeoutError, OSError) as e:
        raise SystemExit("fixture: %s" % e)
    except Exception as e:  # pymysql errors and the like: say what, never a password
        raise SystemExit("fixture: %s: %s" % (type(e).__name__, e))
    return 0


if __name__ == "__main__":
    sys.exit(main())
