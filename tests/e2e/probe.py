#!/usr/bin/python3
"""Print, as one JSON object, the state a held cut-over must leave alone.

    probe.py --world W/world.json [--target-source-delay SECONDS] [--no-write]
    probe.py --world W/world.json --source-sql-state

  source_read_only  @@global.read_only on the source (0: writes still open)
  source_write      1 when the admin user could INSERT on the source now
  target_exists     the target instance exists
  target_io, target_sql   Slave_IO_Running / Slave_SQL_Running = Yes
  target_lag        Seconds_Behind_Master (null when unknown)
  record            the alias record's value (what clients resolve)

--source-sql-state prints only what a run could change on the source
through SQL, and writes nothing: read_only, the binlog retention
(rds_show_configuration) and every account (user@host); a refused run must
leave it as it was.

--target-source-delay first sets RDS's 'source delay' on the target
(mysql.rds_set_configuration), which rds_set_external_master turns into
MASTER_DELAY: a replica that lags on purpose while writes arrive.

The admin password comes from the world's 0600 file; nothing secret is
printed.
"""

import argparse
import json
import sys

import common


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--target-source-delay", type=int)
    ap.add_argument("--no-write", action="store_true",
                    help="do not test the source with an INSERT")
    ap.add_argument("--source-sql-state", action="store_true")
    a = ap.parse_args()
    w = common.load_json(a.world)
    d = common.load_desired(w["desired"])["spec"]
    url = common.awsim_url(w.get("awsim"))
    rds = common.client("rds", url, d.get("region") or common.DEFAULT_REGION)
    r53 = common.client("route53", url, d.get("region") or common.DEFAULT_REGION)
    pw = common.read_secret(w["password_file"])
    out = {}

    src = common.describe_instance(rds, d["source"]["dbInstanceIdentifier"])
    ep = src["Endpoint"]
    conn = common.mysql_connect(ep["Address"], ep["Port"], "admin", pw)
    if a.source_sql_state:
        with conn.cursor() as cur:
            cur.execute("SELECT @@global.read_only")
            out["read_only"] = int(cur.fetchone()[0])
            cur.execute("CALL mysql.rds_show_configuration()")
            out["configuration"] = {str(r[0]): r[1] for r in cur.fetchall()}
            while cur.nextset():
                pass
            cur.execute("SELECT CONCAT(User, '@', Host) FROM mysql.user "
                        "ORDER BY 1")
            out["accounts"] = [r[0] for r in cur.fetchall()]
        conn.close()
        json.dump(out, sys.stdout, sort_keys=True)
        print()
        return
    with conn.cursor() as cur:
        cur.execute("SELECT @@global.read_only")
        out["source_read_only"] = int(cur.fetchone()[0])
        try:
            if a.no_write:
                raise RuntimeError("not tested (--no-write)")
            cur.execute("CREATE DATABASE IF NOT EXISTS e2e_probe")
            cur.execute("CREATE TABLE IF NOT EXISTS e2e_probe.t "
                        "(id INT PRIMARY KEY AUTO_INCREMENT)")
            cur.execute("INSERT INTO e2e_probe.t VALUES ()")
            out["source_write"] = 1
        except Exception as e:  # read_only refuses it
            out["source_write"] = 0
            out["source_write_error"] = str(e)
    conn.close()

    tgt = common.describe_instance(rds, d["target"]["dbInstanceIdentifier"])
    out["target_exists"] = tgt is not None
    if tgt and (tgt.get("Endpoint") or {}).get("Address"):
        ep = tgt["Endpoint"]
        conn = common.mysql_connect(ep["Address"], ep["Port"], "admin", pw)
        with conn.cursor() as cur:
            if a.target_source_delay is not None:
                cur.execute("CALL mysql.rds_set_configuration('source delay', %s)",
                            (str(a.target_source_delay),))
                out["target_source_delay"] = a.target_source_delay
            rows = common.replica_status(cur)
            st = rows[0] if rows else {}
        conn.close()
        out["target_io"] = st.get("Slave_IO_Running")
        out["target_sql"] = st.get("Slave_SQL_Running")
        out["target_lag"] = st.get("Seconds_Behind_Master")
    name = d["endpoint"]["name"].rstrip(".").lower() + "."
    rr = r53.list_resource_record_sets(HostedZoneId=d["endpoint"]["hostedZoneId"],
                                       StartRecordName=name, MaxItems="1")
    recs = [r for r in rr["ResourceRecordSets"] if r["Name"] == name]
    out["record"] = recs[0]["ResourceRecords"][0]["Value"] if recs else None
    json.dump(out, sys.stdout, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
