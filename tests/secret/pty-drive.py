#!/usr/bin/python3
"""Run a command on a pseudo-terminal and type into it when it asks.

    pty-drive.py [--timeout SECONDS] -- CMD [ARG...]  <SCRIPT

SCRIPT, read from stdin (so that what is typed never sits on a command
line), is one instruction a line:

    expect REGEX    wait until the terminal output so far matches REGEX
    send TEXT       type TEXT; \\n, \\003 (^C) and other Python escapes work

Everything the command writes to the terminal goes to our stdout.  Last,
one line "pty-drive: echo on" or "pty-drive: echo off" tells whether the
terminal's ECHO flag was set when the command exited, and we exit with the
command's status (128+N when killed by signal N).  An expect that is not
met within the timeout (default 20 s) kills the command and exits 124.

Waiting for the prompt instead of sleeping matters: a program that turns
echo off with TCSAFLUSH discards whatever was typed before it asked.
"""

import argparse
import os
import pty
import re
import select
import signal
import sys
import termios
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command")
    script = []
    for line in sys.stdin.read().splitlines():
        verb, _, arg = line.partition(" ")
        if verb == "expect":
            script.append((verb, re.compile(arg.encode())))
        elif verb == "send":
            text = arg.encode("latin-1").decode("unicode_escape")
            script.append((verb, text.encode("latin-1")))
        elif line.strip():
            ap.error("bad script line: %r" % line)

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)

    out = bytearray()
    seen = 0        # output before this offset already satisfied an expect
    deadline = time.monotonic() + args.timeout
    echo = None
    status = None

    def pump(wait):
        nonlocal echo
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return True
        try:
            # Before the child's exit closes the slave, its ECHO flag is
            # still what the command left.
            echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
            data = os.read(fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        out.extend(data)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return True

    alive = True
    for verb, arg in script:
        if verb == "send":
            os.write(fd, arg)
            continue
        while alive and not arg.search(bytes(out[seen:])):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                print("\npty-drive: timed out waiting for %r" %
                      arg.pattern.decode(), file=sys.stderr)
                sys.exit(124)
            alive = pump(0.1)
        m = arg.search(bytes(out[seen:]))
        if m is None:
            break
        seen += m.end()

    while time.monotonic() < deadline:
        if alive:
            alive = pump(0.1)
        else:
            time.sleep(0.05)
        wpid, st = os.waitpid(pid, os.WNOHANG)
        if wpid:
            status = st
            try:
                echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
            except termios.error:
                pass
            while alive and pump(0):
                pass
            break
    if status is None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
        print("\npty-drive: command did not exit in time", file=sys.stderr)
        sys.exit(124)
    print("\npty-drive: echo %s" % ("on" if echo else "off"))
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()
