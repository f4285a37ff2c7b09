#!/usr/bin/python3
"""One storm's outcome, as one JSON object on stdout (tests/faults/run).

    outcome.py --world DIR/world.json --writes DIR/writes.jsonl
               --writer DIR/writer.json --calls DIR/calls.json

  lost        acknowledged writes not on the instance the alias leads to now,
              with their last acknowledged value (or a later in-doubt one);
              the same rule as verify.py's writes-on-target, counted
  duplicated  resources made twice: successful Create*/Copy*/Restore* calls
              of the stand-in's call log beyond the first, per action and name
  created     {"rds.Action name": successful calls} of those calls
  resolved    the fence is resolved: the alias leads to the target or the
              source, and that instance takes writes (@@read_only = 0)
  alias       the instance id the alias leads to; read_only its @@read_only
  gap_ms      the longest time without an acknowledged commit, from the
              writer's first one to --end (when the runner stopped it): the
              gaps between commits and the one after the last (a source
              left fenced shows there); the longest time writes were down,
              fenced or not

Asks the stand-in's resolver (control interface, never faulted) and the
server as the admin user; run it after the storm's faults are cleared.
Prints no password.  Exit 0 whenever it could measure (the runner judges).
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import common  # noqa: E402


def load_writes(path):
    acked, doubt, times = {}, {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue    # the writer stopped mid-line: only the last one
            if r.get("doubt"):
                doubt.setdefault(r["id"], []).append(r["val"])
            else:
                acked[r["id"]] = r["val"]
                times.append(r["t"])
    return acked, doubt, times


def longest_gap(times, end):
    times = sorted(times) + ([end] if end else [])
    return max((b - a for a, b in zip(times, times[1:])), default=0.0)


def created(calls):
    made = {}
    for c in calls.get("calls", []):
        if c.get("status") == 200 and c.get("resource") and \
                c["action"].startswith(("Create", "Copy", "Restore")):
            k = "%s.%s %s" % (c["service"], c["action"], c["resource"])
            made[k] = made.get(k, 0) + 1
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--writes", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--calls", required=True)
    ap.add_argument("--end", type=float, help="unix time the writer was stopped")
    a = ap.parse_args()
    world = common.load_json(a.world)
    url = common.awsim_url(world.get("awsim"))
    out = {"lost": None, "duplicated": None, "created": {}, "resolved": False,
           "alias": None, "read_only": None, "gap_ms": None, "error": None}
    try:
        made = created(common.load_json(a.calls))
        out["created"] = made
        out["duplicated"] = sum(n - 1 for n in made.values())
    except (OSError, ValueError) as e:
        out["error"] = "calls: %s" % e
    try:
        out["writer_gap_ms"] = common.load_json(a.writer).get("max_gap_ms")
    except (OSError, ValueError) as e:
        out["error"] = "writer summary: %s" % e
    try:
        addr, port, inst = common.resolve(url, world["record"])
        out["alias"] = inst
        pw = common.read_secret(world["password_file"])
        conn = common.mysql_connect(addr, port or world.get("db_port"), world.get("admin_user", "admin"),
                                    pw, database="app")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT @@GLOBAL.read_only")
                out["read_only"] = int(cur.fetchone()[0])
                cur.execute("SELECT id, val FROM writes")
                rows = dict(cur.fetchall())
        finally:
            conn.close()
        out["resolved"] = inst in (world["target"], world["source"]) and out["read_only"] == 0
        acked, doubt, times = load_writes(a.writes)
        out["gap_ms"] = round(longest_gap(times, a.end) * 1000, 1)
        lost = 0
        for wid, val in acked.items():
            got = rows.get(wid)
            if got is None or (got != val and got not in [v for v in doubt.get(wid, []) if v > val]):
                lost += 1
        out["lost"] = lost
        out["acked"] = len(acked)
    except Exception as e:  # noqa: BLE001 - reported, the runner counts it as a failure
        out["error"] = "%s: %s" % (type(e).__name__, e)
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
