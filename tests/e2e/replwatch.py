#!/usr/bin/python3
"""What the replication user and channel look like while `apply` runs.

    replwatch.py --world DIR/world.json --out DIR/replwatch.json [--interval 0.1]

Polls, as the admin user, until SIGTERM or SIGINT:
  the source   the Host of every account named like the replication user
               (mysql.user), and the client address of every Binlog Dump
               session of that user (information_schema.PROCESSLIST);
               @@have_ssl once
  the target   CALL mysql.rds_replica_status() or SHOW SLAVE STATUS
               (common.replica_status, MariaDB's names): Master_User,
               Master_SSL_Allowed, Slave_IO_Running, when configured
and then writes a summary to --out:
  {"polls": N, "source_have_ssl": "YES", "target_address": "127.x.y.z",
   "user_hosts": [[hosts...], ...],      distinct non-empty host lists seen
   "dump_addresses": [...],              distinct client addresses of the dumps
   "ssl_allowed": [...],                 distinct Master_SSL_Allowed while the
                                         target replicated as that user
   "replicating_polls": N, "errors": N}
A connection that fails (the source ends client sessions at cut-over) is
opened again on the next poll.  Prints no password.
"""

import argparse
import os
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import common  # noqa: E402

STOP = False


def on_signal(signum, frame):
    global STOP
    STOP = True


class Watch:
    def __init__(self, args, world):
        self.a = args
        self.url = common.awsim_url(args.awsim or world.get("awsim"))
        desired = common.load_desired(world["desired"])
        spec = desired["spec"]
        self.target_id = spec["target"]["dbInstanceIdentifier"].lower()
        self.repl_user = (spec.get("replication") or {}).get("user", "rdsreconcile_repl")
        region = spec.get("region") or world.get("region") or common.DEFAULT_REGION
        self.rds = common.client("rds", self.url, region)
        self.user = world.get("admin_user", "admin")
        self.password = common.read_secret(world["password_file"])
        self.source_ep = (world["source_address"], world["db_port"])
        self.target_ep = None
        self.conns = {}
        self.s = {"polls": 0, "source_have_ssl": None, "target_address": None,
                  "user_hosts": [], "dump_addresses": [], "ssl_allowed": [],
                  "replicating_polls": 0, "errors": 0}

    def query(self, which, ep, sql, args=None, dicts=False):
        conn = self.conns.get(which)
        try:
            if conn is None:
                conn = common.mysql_connect(ep[0], ep[1], self.user, self.password,
                                            timeout=2, io_timeout=5)
                self.conns[which] = conn
            with conn.cursor() as cur:
                if callable(sql):       # e.g. common.replica_status: dicts already
                    return sql(cur)
                cur.execute(sql, args)
                names = [d[0] for d in cur.description] if cur.description else []
                rows = cur.fetchall() if names else []
                while cur.nextset():
                    pass
            return [dict(zip(names, r)) for r in rows] if dicts else rows
        except Exception:
            self.s["errors"] += 1
            self.conns.pop(which, None)
            if conn is not None:
                try:
                    conn.close()
                except Exception:
                    pass
            return None

    @staticmethod
    def add(lst, value):
        if value not in lst:
            lst.append(value)

    def poll_source(self):
        s = self.s
        if s["source_have_ssl"] is None:
            rows = self.query("source", self.source_ep, "SELECT @@GLOBAL.have_ssl")
            if rows:
                s["source_have_ssl"] = rows[0][0]
        rows = self.query("source", self.source_ep,
                          "SELECT Host FROM mysql.user WHERE User = %s ORDER BY Host",
                          (self.repl_user,))
        if rows:
            self.add(s["user_hosts"], [r[0] for r in rows])
        rows = self.query("source", self.source_ep,
                          "SELECT HOST FROM information_schema.PROCESSLIST "
                          "WHERE USER = %s AND COMMAND LIKE 'Binlog Dump%%'", (self.repl_user,))
        for (host,) in rows or ():
            self.add(s["dump_addresses"], host.rsplit(":", 1)[0])

    def poll_target(self):
        s = self.s
        if self.target_ep is None:
            try:
                inst = common.describe_instance(self.rds, self.target_id)
            except Exception:
                s["errors"] += 1
                return
            ep = (inst or {}).get("Endpoint") or {}
            if not ep.get("Address") or inst.get("DBInstanceStatus") != "available":
                return
            self.target_ep = (ep["Address"], ep["Port"])
            s["target_address"] = ep["Address"]
        rows = self.query("target", self.target_ep, common.replica_status)
        for r in rows or ():
            if r.get("Master_User") != self.repl_user:
                continue
            s["replicating_polls"] += 1
            self.add(s["ssl_allowed"], r.get("Master_SSL_Allowed"))

    def run(self):
        while not STOP:
            t0 = time.monotonic()
            self.s["polls"] += 1
            self.poll_source()
            self.poll_target()
            time.sleep(max(0.0, self.a.interval - (time.monotonic() - t0)))
        for conn in self.conns.values():
            try:
                conn.close()
            except Exception:
                pass
        common.write_json(self.a.out, self.s)
        return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", required=True, help="world.json written by fixture.py")
    ap.add_argument("--out", required=True, help="summary JSON, written at the end")
    ap.add_argument("--awsim", help="stand-in URL (default: world.json, then $AWSIM_URL)")
    ap.add_argument("--interval", type=float, default=0.1, help="seconds between polls")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return Watch(args, common.load_json(args.world)).run()


if __name__ == "__main__":
    sys.exit(main())
