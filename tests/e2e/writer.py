#!/usr/bin/python3
"""A steady write load "through the alias", recording every acknowledged commit.

    writer.py --world DIR/world.json --out DIR/writes.jsonl --summary DIR/writer.json
              [--interval 0.01] [--ready-file FILE] [--bind 127.0.0.x]

Every (re)connect resolves the alias record with the stand-in's resolver
(GET /_awsim/resolve?name=...), as an application re-resolving DNS would, and
connects as the admin user (password from world.json's password_file, 0600).
Each write is one transaction on app.writes(id PK, val, updated_at): an
INSERT of a new id or an UPDATE of an id whose insert was acknowledged, with
val a number that only grows.  A line goes to --out only after COMMIT
returned OK:
    {"op": "i"|"u", "id": N, "val": N, "t": unix time, "addr": "127.x.y.z", "inst": "instance id"}
A COMMIT that failed without an answer (connection lost) may or may not
have happened; it is recorded as {"doubt": true, ...} and never counted as
acknowledged.  Any error (read-only 1290, connection lost, refused) closes
the connection; the next attempt re-resolves and reconnects after a short
backoff (10 ms doubling to 50 ms, so the
window measured is at most ~50 ms longer than the real one).

Runs until SIGTERM or SIGINT (or --duration), then writes the summary JSON
and prints it on one line: commits, errors by code, and the
write-unavailability window: the longest gap between two acknowledged
commits (ms) and when it started.  --ready-file is written after the first
acknowledged commit.
"""

import argparse
import datetime
import json
import os
import random
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


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).isoformat(timespec="milliseconds")


class Writer:
    def __init__(self, args, world):
        self.a = args
        self.url = common.awsim_url(args.awsim or world.get("awsim"))
        self.record = args.record or world["record"]
        self.user = world.get("admin_user", "admin")
        self.password = common.read_secret(args.password_file or world["password_file"])
        self.default_port = world.get("db_port")
        self.conn = None
        self.addr = None
        self.inst = None
        self.next_id = None
        self.acked_ids = []
        self.seq = int(time.time() * 1000) * 1000   # vals grow across restarts too
        self.out = open(args.out, "a", encoding="utf-8", buffering=1)
        # statistics
        self.commits = self.inserts = self.updates = self.doubts = 0
        self.errors = {}
        self.error_log = []
        self.first_ack = self.last_ack = None       # (monotonic, wall)
        self.max_gap = 0.0
        self.max_gap_start = None
        self.max_gap_end = None
        self.addresses = []                          # [{"addr", "first", "last", "commits"}]
        self.connects = 0
        self.ready_written = False

    # -- connection -------------------------------------------------------------
    def connect(self):
        addr, port, inst = common.resolve(self.url, self.record)
        port = port or self.default_port
        if port is None:
            raise LookupError("no port for %s (resolver gave none, world.json neither)" % addr)
        self.conn = common.mysql_connect(addr, port, self.user, self.password, database="app",
                                         timeout=2, io_timeout=5, autocommit=False,
                                         bind_address=self.a.bind)
        self.addr = addr
        self.inst = inst     # the instance behind addr (an address may change: Multi-AZ failover)
        self.connects += 1
        if self.next_id is None:
            with self.conn.cursor() as cur:
                cur.execute("SELECT COALESCE(MAX(id), 0) FROM writes")
                self.next_id = int(cur.fetchone()[0]) + 1
            self.conn.rollback()

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
        self.conn = None

    def error(self, where, exc):
        code = exc.args[0] if getattr(exc, "args", None) and isinstance(exc.args[0], int) else type(exc).__name__
        key = "%s:%s" % (where, code)
        self.errors[key] = self.errors.get(key, 0) + 1
        if len(self.error_log) < 200:
            self.error_log.append({"t": iso(time.time()), "where": where, "code": code,
                                   "addr": self.addr, "msg": str(exc)[:200]})
        self.close()

    # -- one write --------------------------------------------------------------
    def write_once(self):
        import pymysql
        self.seq += 1
        val = self.seq
        if len(self.acked_ids) < 50 or random.random() < 0.5:
            op, wid = "i", self.next_id
            self.next_id += 1
            sql, args = "INSERT INTO writes (id, val) VALUES (%s, %s)", (wid, val)
        else:
            op, wid = "u", random.choice(self.acked_ids)
            sql, args = "UPDATE writes SET val = %s WHERE id = %s", (val, wid)
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql, args)
                if op == "u" and cur.rowcount != 1:
                    raise RuntimeError("update of id %d matched %d rows" % (wid, cur.rowcount))
        except (pymysql.MySQLError, RuntimeError) as e:
            # Nothing committed: the transaction dies with the connection.
            self.error("write", e)
            return False
        try:
            self.conn.commit()
        except pymysql.MySQLError as e:
            self.doubts += 1
            self.out.write(json.dumps({"doubt": True, "op": op, "id": wid, "val": val,
                                       "t": round(time.time(), 6), "addr": self.addr,
                                       "inst": self.inst}) + "\n")
            self.error("commit", e)
            return False
        now_m, now_w = time.monotonic(), time.time()
        self.out.write(json.dumps({"op": op, "id": wid, "val": val, "t": round(now_w, 6),
                                   "addr": self.addr, "inst": self.inst}) + "\n")
        self.commits += 1
        if op == "i":
            self.inserts += 1
            self.acked_ids.append(wid)
        else:
            self.updates += 1
        if self.last_ack is not None:
            gap = now_m - self.last_ack[0]
            if gap > self.max_gap:
                self.max_gap = gap
                self.max_gap_start = self.last_ack[1]
                self.max_gap_end = now_w
        else:
            self.first_ack = (now_m, now_w)
        self.last_ack = (now_m, now_w)
        if not self.addresses or self.addresses[-1]["addr"] != self.addr:
            self.addresses.append({"addr": self.addr, "first": iso(now_w), "commits": 0})
        self.addresses[-1]["commits"] += 1
        self.addresses[-1]["last"] = iso(now_w)
        if not self.ready_written and self.a.ready_file:
            with open(self.a.ready_file, "w") as f:
                f.write("writing\n")
            self.ready_written = True
        return True

    # -- main loop -----------------------------------------------------------------
    def run(self):
        interval = self.a.interval
        backoff = 0.01
        deadline = time.monotonic() + self.a.duration if self.a.duration else None
        next_tick = time.monotonic()
        while not STOP and (deadline is None or time.monotonic() < deadline):
            if self.conn is None:
                try:
                    self.connect()
                except Exception as e:   # resolve or connect failed
                    self.error("connect", e)
                    time.sleep(backoff)
                    backoff = min(backoff * 2, 0.05)
                    continue
            if self.write_once():
                backoff = 0.01
                next_tick += interval
                delay = next_tick - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    next_tick = time.monotonic()   # behind: no burst to catch up
            else:
                time.sleep(backoff)
                backoff = min(backoff * 2, 0.05)
                next_tick = time.monotonic()
        self.close()
        self.out.close()

    def summary(self):
        dur = (self.last_ack[0] - self.first_ack[0]) if self.first_ack and self.last_ack else 0.0
        return {
            "record": self.record, "commits": self.commits, "inserts": self.inserts,
            "updates": self.updates, "in_doubt": self.doubts,
            "errors": sum(self.errors.values()), "errors_by_code": self.errors,
            "connects": self.connects,
            "max_gap_ms": round(self.max_gap * 1000, 1),
            "max_gap_start": iso(self.max_gap_start) if self.max_gap_start else None,
            "max_gap_end": iso(self.max_gap_end) if self.max_gap_end else None,
            "first_commit": iso(self.first_ack[1]) if self.first_ack else None,
            "last_commit": iso(self.last_ack[1]) if self.last_ack else None,
            "duration_s": round(dur, 3),
            "commits_per_s": round(self.commits / dur, 1) if dur > 0 else 0.0,
            "interval_ms": self.a.interval * 1000,
            "addresses": self.addresses,
            "error_log": self.error_log,
        }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", required=True, help="world.json written by fixture.py")
    ap.add_argument("--out", required=True, help="JSONL of acknowledged commits (appended)")
    ap.add_argument("--summary", required=True, help="summary JSON, written at the end")
    ap.add_argument("--awsim", help="stand-in URL (default: world.json, then $AWSIM_URL)")
    ap.add_argument("--record", help="name to resolve (default: world.json's record)")
    ap.add_argument("--password-file", help="admin password (default: world.json's password_file)")
    ap.add_argument("--interval", type=float, default=0.01, help="seconds between writes")
    ap.add_argument("--duration", type=float, default=0, help="stop after this many seconds (0: at SIGTERM)")
    ap.add_argument("--bind", help="local address to connect from (so a test can tell the writer's "
                    "sessions from others of the same user, e.g. kill_sessions' spare_hosts)")
    ap.add_argument("--ready-file", help="written after the first acknowledged commit")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    world = common.load_json(args.world)
    w = Writer(args, world)
    common.log("writer", "writing to %s every %g ms through %s" % (
        "app.writes", args.interval * 1000, w.record))
    try:
        w.run()
    finally:
        s = w.summary()
        common.write_json(args.summary, s)
        short = {k: s[k] for k in ("commits", "inserts", "updates", "in_doubt", "errors",
                                   "max_gap_ms", "max_gap_start", "commits_per_s")}
        short["addresses"] = [a["addr"] for a in s["addresses"]]
        print("writer: " + json.dumps(short, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
