#!/usr/bin/python3
"""Sample every process's command line while a test runs; search the samples
for secrets at the end.

    procscan.py --out SUMMARY.json --secret-file FILE... [--interval 0.05]
                [--watch rdsreconcile] [--capture SRC:DEST] [--ready-file FILE]

Every --interval seconds: /proc/PID/cmdline of every process (one that ends
meanwhile is skipped), and /proc/PID/environ of the processes whose argv[0]
base name is --watch.  Distinct contents are kept in memory only, each with
the (pid, comm) pairs that showed it; nothing sampled is written anywhere.
--capture copies SRC to DEST (mode 0600) whenever SRC appears or changes:
for a sealed state file that the run removes before it ends.

On SIGTERM or SIGINT: sampling stops, the secret files are read (one secret
each, a trailing newline dropped; the secrets need not exist before then),
the kept contents are searched, and SUMMARY gets:
  passes, interval_s (mean achieved), duration_s, processes (distinct pids),
  contents (distinct contents kept), captured (times DEST was written),
  watched: {"PID": {"samples": N, "command": "apply"}},
  secrets (how many were searched for; an empty or missing file is an error),
  hits: [{"pid": N, "comm": "...", "in": "cmdline"|"environ", "secret": I}]
It never prints or writes a secret or a sampled content.  Exit 0 when the
summary was written (hits or not), 1 on a usage or secret-file error.
"""

import argparse
import json
import os
import signal
import sys
import time

STOP = False
COMMANDS = ("apply", "diff", "validate", "seal", "unseal", "keygen", "version")


def on_signal(signum, frame):
    global STOP
    STOP = True


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:         # gone, or not ours to read
        return None


def command_of(argv):
    """The subcommand word of an rdsreconcile argv, from a fixed list."""
    for word in argv[1:]:
        if word.startswith(b"-"):
            continue
        w = word.decode("ascii", "replace")
        return w if w in COMMANDS else "?"
    return "-"


class Scan:
    def __init__(self, args):
        self.a = args
        self.watch = args.watch.encode()
        self.seen = {}          # (kind, content) -> set of (pid, comm)
        self.pids = set()
        self.watched = {}       # pid -> {"samples", "command"}
        self.passes = 0
        self.captured = 0
        self.capture_last = None

    def sample(self):
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            cmdline = read("/proc/%d/cmdline" % pid)
            if not cmdline:
                continue        # gone, or a kernel thread
            comm = (read("/proc/%d/comm" % pid) or b"?").strip().decode("utf-8", "replace")
            self.pids.add(pid)
            self.seen.setdefault(("cmdline", cmdline), set()).add((pid, comm))
            argv = cmdline.rstrip(b"\0").split(b"\0")
            if os.path.basename(argv[0]) != self.watch:
                continue
            w = self.watched.setdefault(pid, {"samples": 0, "command": command_of(argv)})
            w["samples"] += 1
            environ = read("/proc/%d/environ" % pid)
            if environ:
                self.seen.setdefault(("environ", environ), set()).add((pid, comm))

    def capture(self):
        if not self.a.capture:
            return
        src, dest = self.a.capture.split(":", 1)
        data = read(src)
        if data is None or data == self.capture_last:
            return
        tmp = dest + ".tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)
        self.capture_last = data
        self.captured += 1

    def secrets(self):
        out = []
        for path in self.a.secret_file:
            data = read(path)
            if data is not None and data.endswith(b"\n"):
                data = data[:-1]
            if not data:
                raise SystemExit("procscan: secret file %s is missing or empty" % path)
            out.append(data)
        return out

    def run(self):
        if self.a.ready_file:
            with open(self.a.ready_file, "w") as f:
                f.write("%d\n" % os.getpid())
        t0 = time.monotonic()
        while not STOP:
            t = time.monotonic()
            self.sample()
            self.capture()
            self.passes += 1
            time.sleep(max(0.0, self.a.interval - (time.monotonic() - t)))
        duration = time.monotonic() - t0
        secrets = self.secrets()
        hits = []
        for (kind, content), owners in self.seen.items():
            for i, s in enumerate(secrets):
                if s in content:
                    hits.extend({"pid": pid, "comm": comm, "in": kind, "secret": i}
                                for pid, comm in sorted(owners))
        summary = {
            "passes": self.passes,
            "duration_s": round(duration, 2),
            "interval_s": round(duration / self.passes, 4) if self.passes else None,
            "processes": len(self.pids),
            "contents": len(self.seen),
            "captured": self.captured,
            "watched": {str(p): w for p, w in sorted(self.watched.items())},
            "secrets": len(secrets),
            "hits": hits,
        }
        self.seen.clear()
        tmp = self.a.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(summary, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp, self.a.out)
        return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="summary JSON, written at the end")
    ap.add_argument("--secret-file", action="append", required=True,
                    help="a file holding one secret, read at the end (repeatable)")
    ap.add_argument("--interval", type=float, default=0.05, help="seconds between passes")
    ap.add_argument("--watch", default="rdsreconcile",
                    help="argv[0] base name whose samples are counted and environ read")
    ap.add_argument("--capture", help="SRC:DEST, copy SRC to DEST whenever it changes")
    ap.add_argument("--ready-file", help="written once sampling starts")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    return Scan(args).run()


if __name__ == "__main__":
    sys.exit(main())
