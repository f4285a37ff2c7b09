#!/usr/bin/python3
"""The old source after isolate-source (spec.cutover.isolateSource).

    isolated.py hold --world W/world.json [--seconds N]
    isolated.py check --world W/world.json

hold: a client of the source that opened its session before the isolation:
it sits in SELECT SLEEP(N) and prints "ended: ..." when the server ends the
session (rdsreconcile's rds_kill), "not ended" when the sleep completes.

check: the source's VPC security groups are exactly the isolation group
<target>-isolate-source, tagged rdsreconcile:object=<metadata.name>, with no
inbound rule; the target is tagged with the groups the source had before
(rdsreconcile:source-groups); and a new client of the source fails.  Exit 1
with the reasons otherwise.  The admin password comes from the world's 0600
file; nothing secret is printed.
"""

import argparse
import sys
import time

import common


def hold(w, seconds):
    conn = common.mysql_connect(w["source_address"], w["db_port"], w.get("admin_user", "admin"),
                                common.read_secret(w["password_file"]), io_timeout=seconds + 30)
    t0 = time.monotonic()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT SLEEP(%s)", (seconds,))
            row = cur.fetchone()
        # KILL of a session in SLEEP() makes it return 1 on some servers.
        print("ended: SLEEP returned %s after %.1fs" % (row[0], time.monotonic() - t0)
              if row and row[0] == 1 else "not ended after %.1fs" % (time.monotonic() - t0))
    except Exception as e:  # noqa: BLE001 - any error here is the session ending
        print("ended: %s after %.1fs" % (type(e).__name__, time.monotonic() - t0))
    finally:
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass


def check(w):
    url = common.awsim_url(w.get("awsim"))
    d = common.load_desired(w["desired"])
    target = d["spec"]["target"]["dbInstanceIdentifier"].lower()
    source = d["spec"]["source"]["dbInstanceIdentifier"].lower()
    name = d["metadata"]["name"]
    rds = common.client("rds", url, w.get("region", common.DEFAULT_REGION))
    ec2 = common.client("ec2", url, w.get("region", common.DEFAULT_REGION))
    problems = []
    src = common.describe_instance(rds, source)
    tgt = common.describe_instance(rds, target)
    sgs = [g["VpcSecurityGroupId"] for g in src["VpcSecurityGroups"]]
    groups = ec2.describe_security_groups(Filters=[
        {"Name": "group-name", "Values": [target + "-isolate-source"]},
        {"Name": "vpc-id", "Values": [src["DBSubnetGroup"]["VpcId"]]}])["SecurityGroups"]
    if len(groups) != 1:
        problems.append("%d groups named %s-isolate-source" % (len(groups), target))
    else:
        g = groups[0]
        tags = {t["Key"]: t["Value"] for t in g.get("Tags", [])}
        if sgs != [g["GroupId"]]:
            problems.append("source groups %s, want [%s]" % (sgs, g["GroupId"]))
        if g["IpPermissions"]:
            problems.append("group %s has inbound rules" % g["GroupId"])
        if tags.get("rdsreconcile:object") != name:
            problems.append("group %s tags %s" % (g["GroupId"], tags))
        print("source %s in %s only (no inbound rule, tagged %s)" % (source, g["GroupId"], name))
    ttags = {t["Key"]: t["Value"] for t in rds.list_tags_for_resource(
        ResourceName=tgt["DBInstanceArn"])["TagList"]}
    if not ttags.get("rdsreconcile:source-groups"):
        problems.append("no rdsreconcile:source-groups tag on %s" % target)
    else:
        print("groups before, tagged on the target: %s" % ttags["rdsreconcile:source-groups"])
    try:
        conn = common.mysql_connect(w["source_address"], w["db_port"], w.get("admin_user", "admin"),
                                    common.read_secret(w["password_file"]), timeout=5, io_timeout=5)
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchall()
        conn.close()
        problems.append("a new client of the source connected and ran SELECT 1")
    except Exception as e:  # noqa: BLE001 - the failure is what is wanted
        print("a new client of the source fails: %s" % (str(e)[:120] or type(e).__name__))
    if problems:
        print("; ".join(problems), file=sys.stderr)
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("hold", "check"))
    ap.add_argument("--world", required=True)
    ap.add_argument("--seconds", type=int, default=60)
    a = ap.parse_args()
    w = common.load_json(a.world)
    if a.mode == "hold":
        hold(w, a.seconds)
        return 0
    return check(w)


if __name__ == "__main__":
    sys.exit(main())
