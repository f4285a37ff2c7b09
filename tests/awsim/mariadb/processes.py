"""The programs the backend runs and the registry of those running now.

Servers (mariadbd) and helper programs (mariadb-backup, mariadb-install-db,
openssl, cc) run in their own sessions. stop_all() kills the helpers with
their process groups, then stops the servers; after shutdown() nothing more
is started.
"""

import atexit
import contextlib
import os
import signal
import subprocess
import threading
import time

import pymysql

from .errors import MariaDBError
from .files import _tail

MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = "/usr/bin/mariadb-install-db"
MARIADB_BACKUP = "/usr/bin/mariadb-backup"
OPENSSL = "/usr/bin/openssl"
CC = "/usr/bin/cc"

READY_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0


_registry_lock = threading.Lock()
_running = set()          # Servers whose mariadbd this process started and runs
_helpers = {}             # pid -> Popen of helper programs running now
_closed = False           # set by shutdown(): nothing more is started


def stop_all():
    """Kill every running helper program with its process group, then stop
    every server this process started (SIGTERM, then SIGKILL)."""
    with _registry_lock:
        helpers = list(_helpers.values())
        servers = list(_running)
    for proc in helpers:
        _kill_group(proc)
    for srv in servers:
        try:
            srv.stop()
        except Exception:   # keep stopping the others
            pass


def shutdown():
    """stop_all(), and from now on refuse to start servers or helpers."""
    global _closed
    with _registry_lock:
        _closed = True
    stop_all()


def helper_pids():
    """PIDs of the helper programs running now (each leads its process group)."""
    with _registry_lock:
        return sorted(pid for pid, proc in _helpers.items() if proc.returncode is None)


def _check_open(what):
    """Under _registry_lock: refuse to start what after shutdown()."""
    if _closed:
        raise MariaDBError("shutting down: %s not started" % what)


def _kill_group(proc):
    """SIGKILL a helper's process group (its session) unless it was reaped."""
    if proc.returncode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@contextlib.contextmanager
def _helper(cmd, **kwargs):
    """Run a helper program in its own session, registered for stop_all();
    on leaving, it is killed (with its process group) if still running,
    reaped and unregistered."""
    with _registry_lock:
        _check_open(os.path.basename(cmd[0]))
        proc = subprocess.Popen(cmd, start_new_session=True, **kwargs)
        _helpers[proc.pid] = proc
    try:
        yield proc
    finally:
        if proc.poll() is None:
            _kill_group(proc)
        proc.wait()
        with _registry_lock:
            if _helpers.get(proc.pid) is proc:
                del _helpers[proc.pid]


atexit.register(stop_all)


def _run(cmd, what, timeout=120):
    """Run a helper program; raise MariaDBError with its output tail on failure."""
    with _helper(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                 stderr=subprocess.STDOUT) as proc:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise MariaDBError("%s timed out" % what) from exc   # _helper kills it
    out = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise MariaDBError("%s failed (exit %d): %s"
                           % (what, proc.returncode, out.strip()[-3000:]))
    return out


# ---------------------------------------------------------------------------
# mariadbd: connecting, waiting until it answers, stopping it

def _connect_socket(socket, timeout=10):
    return pymysql.connect(unix_socket=socket, user="root", autocommit=True,
                           connect_timeout=timeout, charset="utf8mb4")


def _wait_ready(proc, socket, log_path, log_start, timeout=READY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        rc = proc.poll()
        if rc is not None:
            raise MariaDBError("mariadbd exited with status %s while starting: %s"
                               % (rc, _tail(log_path, log_start)))
        if os.path.exists(socket):
            try:
                conn = _connect_socket(socket, timeout=2)
                try:
                    with conn.cursor() as cur:
                        cur.execute("SELECT 1")
                        cur.fetchall()
                    return
                finally:
                    conn.close()
            except pymysql.MySQLError:
                pass
        if time.monotonic() > deadline:
            raise MariaDBError("mariadbd not ready after %.0f s: %s"
                               % (timeout, _tail(log_path, log_start)))
        time.sleep(0.03)


def _terminate(proc, timeout=STOP_TIMEOUT):
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        except ProcessLookupError:
            pass
    else:
        proc.wait()
