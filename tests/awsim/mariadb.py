"""MariaDB backend of the awsim RDS stand-in.

Each RDS DB instance of the stand-in is one real ``mariadbd`` (Debian's 10.11),
run as root, bound to its own loopback address, and made to behave like RDS
inside:

* a master user ``'<name>'@'%'`` with the global privileges RDS for MariaDB
  documents, and nothing that overrides ``read_only`` (see MASTER_PRIVILEGES);
* the ``mysql.rds_*`` stored procedures, ``SQL SECURITY DEFINER`` as
  root@localhost, plus the ``mysql.rds_configuration`` table;
* binary logs named like RDS's (``mysql-bin-changelog.000001``), ROW format
  unless params say otherwise, log_slave_updates off;
* TLS on every server (a self-signed certificate, so MASTER_SSL=1 works);
* outgoing connections from the instance's own address, as an RDS instance
  connects from its private address: a replica's I/O thread reaches its
  source from the replica's IP, so accounts restricted to it work (the
  kernel would pick 127.0.0.1; see srcaddr.c, preloaded into mariadbd);
* read replicas made from a physical copy (mariadb-backup) of the running
  source plus real binlog replication (GTID mode, so a killed replica resumes
  cleanly; Relay_Master_Log_File/Exec_Master_Log_Pos are reported as usual);
  snapshots are prepared mariadb-backup copies; a restore is a new server on
  a copy of a snapshot, with no replication configured.

API (awsim.py codes against it)::

    class MariaDBError(Exception)          # .errno: server error number or None

    srv = Server(root_dir, ip, port, server_id)
        attributes: ip, port, root_dir, server_id, pid (None when not running),
                    datadir, socket, cnf_path, error_log, binlog, params
    srv.create(master_user, master_password, binlog, params=None)
    Server.restore(snapshot_dir, root_dir, ip, port, server_id, binlog, params=None) -> Server
    srv.create_replica(root_dir, ip, port, server_id, params=None) -> Server
    srv.snapshot(dest_dir, progress=None)      # progress(pct) with rising 0..100
    srv.set_binlog(enabled)                    # restarts a running server
    srv.apply_parameters(params) -> [names needing a reboot]
    srv.start() / stop() / kill() / restart() / is_running() / remove()
    srv.replica_lag() -> int | None            # Seconds_Behind_Master
    srv.replica_status() -> dict | None        # SHOW SLAVE STATUS
    srv.sql(query, args=None) -> [tuple]       # as root over the unix socket
    srv.set_master_password(user, password)
    srv.binlog_enabled() -> bool
    stop_all()                                 # also registered with atexit
    shutdown()                                 # stop_all() and start nothing more
    helper_pids() -> [int]                     # helper programs running now
    snapshot_replica_position(snapshot_dir) -> (file, pos) | None

Layout of root_dir: my.cnf, data/ (datadir; binlogs and relay logs live here),
mysqld.sock, mysqld.pid, error.log, tls/ (self-signed cert and key),
repl.pw (0600; password of the internal replication account, on sources).
A root_dir so deep that the socket path would not fit in sun_path gets its
socket in the temp directory instead (see Server.socket). New instances are
copies of a template datadir kept in <tmp>/awsim-mariadb-templates/ and
shared by all processes (built on first use, ~0.7 s).

Notes for callers:

* Servers are child processes of the calling Python process, each in its
  own session (a Ctrl-C of the caller does not reach them); only servers
  started by this process are stopped by stop()/stop_all(). stop_all runs
  at interpreter exit, which a SIGTERM without a handler skips: a caller
  that may be terminated should turn SIGTERM into sys.exit().
* Helper programs (mariadb-backup, mariadb-install-db and the servers it
  bootstraps, openssl, cc, the template's server) run in their own session
  too, registered while they run: stop_all() kills each one's whole process
  group first, so the call that ran it fails with MariaDBError. A caller
  about to exit calls shutdown(), after which starting a server or a helper
  raises MariaDBError instead of leaving a process behind.
* Errors of every kind (start failures, mariadb-backup, file system, SQL)
  are raised as MariaDBError; .errno carries the server's error number.
* Passwords this module handles never appear in argv, the error log, the
  general log (never enabled) or the binary log: accounts are created from
  password hashes with sql_log_bin=0. Beware that MariaDB itself writes a
  client's ``CREATE USER ... IDENTIFIED BY 'plain'`` verbatim into the binary
  log (``IDENTIFIED BY PASSWORD '*hash'`` avoids it), and keeps replication
  passwords in plain text in the replica's master.info, as MySQL does.
* Like RDS, a replica whose replication was stopped with rds_stop_replication
  starts replicating again when the server restarts (master.info remains);
  only rds_reset_external_master (RESET SLAVE ALL) ends it for good.
* The rds_* procedures that RDS answers with a one-row ``Message`` result set
  (rds_start_replication, rds_stop_replication, rds_skip_repl_error) do the
  same here, so clients must read CALL results.
"""

import atexit
import contextlib
import functools
import hashlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pymysql

MARIADBD = "/usr/sbin/mariadbd"
INSTALL_DB = "/usr/bin/mariadb-install-db"
MARIADB_BACKUP = "/usr/bin/mariadb-backup"
OPENSSL = "/usr/bin/openssl"
CC = "/usr/bin/cc"
SRCADDR_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "srcaddr.c")

BINLOG_BASENAME = "mysql-bin-changelog"   # RDS's binlog file names
RELAY_BASENAME = "relay-bin"
REPL_USER = "rdsrepl"                     # internal account replicas connect with
REPL_HOST = "127.%"
READY_TIMEOUT = 30.0
STOP_TIMEOUT = 20.0

# What RDS for MariaDB gives the master user ("Master user account
# privileges" in the RDS User Guide), in MariaDB 10.11 terms:
# - REPLICATION CLIENT is an alias of BINLOG MONITOR since 10.5.2: SHOW MASTER
#   STATUS and SHOW BINARY LOGS work.
# - SHOW SLAVE STATUS needs SLAVE MONITOR (or SUPER) since 10.5.9; RDS lists
#   only REPLICATION CLIENT, so it is not granted and the master user reads
#   replication state with CALL mysql.rds_replica_status().
# - SET GLOBAL read_only and writing while read_only=1 need READ_ONLY ADMIN,
#   which SUPER no longer implies since 10.11; neither is granted.
# - Not granted either: SUPER, CONNECTION ADMIN (killing other users'
#   threads: use mysql.rds_kill), REPLICATION SLAVE ADMIN (START/STOP SLAVE,
#   CHANGE MASTER: use the rds_* procedures), REPLICATION MASTER ADMIN,
#   BINLOG ADMIN (PURGE BINARY LOGS), BINLOG REPLAY, FILE, SHUTDOWN,
#   SET USER, FEDERATED ADMIN, CREATE TABLESPACE.
# - RELOAD is plain MariaDB RELOAD: unlike RDS it does allow FLUSH LOGS and
#   FLUSH TABLES WITH READ LOCK.
MASTER_PRIVILEGES = (
    "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, PROCESS, REFERENCES, "
    "INDEX, ALTER, SHOW DATABASES, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, "
    "REPLICATION SLAVE, BINLOG MONITOR, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, "
    "ALTER ROUTINE, CREATE USER, EVENT, TRIGGER, DELETE HISTORY")

# Options this module owns; a parameter group cannot override them.
_MANAGED_OPTIONS = frozenset((
    "user", "datadir", "socket", "pid_file", "log_error", "port", "bind_address",
    "report_host", "report_port", "server_id", "log_bin", "log_bin_index",
    "relay_log", "relay_log_index", "ssl_cert", "ssl_key", "ssl_ca",
    "skip_networking", "skip_name_resolve", "general_log_file", "basedir",
    "plugin_dir", "tmpdir"))

# Options fixed when the datadir is created; with one of these a new
# instance gets its own mariadb-install-db instead of a copy of the template.
_INSTALL_TIME_OPTIONS = frozenset((
    "innodb_page_size", "innodb_data_file_path", "innodb_data_home_dir",
    "innodb_undo_tablespaces", "innodb_undo_directory", "lower_case_table_names",
    "innodb_log_group_home_dir"))

# Files mariadb-backup adds to a backup; dropped when a copy becomes a datadir.
_BACKUP_META = re.compile(r"^(backup-my\.cnf|(xtrabackup|mariadb_backup|awsim)_\w+)$")

# Written into a snapshot of a replica: "<Relay_Master_Log_File>\t<Exec_Master_Log_Pos>".
# mariadb-backup --slave-info records only the GTID of a GTID-mode replica.
REPLICA_POSITION_FILE = "awsim_replica_position"

_SQL_MODE = "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

# mysql.rds_kill and rds_kill_query differ only in what they kill.  The
# internal accounts (root, replication threads, the replicas' rdsrepl) are
# off limits, as rdsadmin's threads are on RDS.
_RDS_KILL = """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.{name}(IN p_thread BIGINT UNSIGNED)
       SQL SECURITY DEFINER
       BEGIN
         DECLARE v_user VARCHAR(128) DEFAULT NULL;
         DECLARE v_msg VARCHAR(255);
         SELECT USER INTO v_user FROM information_schema.PROCESSLIST WHERE ID = p_thread;
         IF v_user IS NULL THEN
           SET v_msg = CONCAT('Unknown thread id: ', IFNULL(p_thread, 'NULL'));
           SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1094, MESSAGE_TEXT = v_msg;
         ELSEIF v_user IN ('root', 'system user', 'rdsrepl', 'event_scheduler') THEN
           SET v_msg = CONCAT('You are not owner of thread ', p_thread);
           SIGNAL SQLSTATE 'HY000' SET MYSQL_ERRNO = 1095, MESSAGE_TEXT = v_msg;
         END IF;
         KILL {what} p_thread;
       END"""

# The rds_* objects. Procedure parameters are prefixed p_ because inside a
# routine a parameter named like a column shadows the column.
_RDS_OBJECTS = [
    """CREATE TABLE IF NOT EXISTS mysql.rds_configuration (
         name VARCHAR(100) NOT NULL PRIMARY KEY,
         value VARCHAR(100) DEFAULT NULL,
         description VARCHAR(300) NOT NULL
       ) ENGINE=InnoDB""",
    """INSERT IGNORE INTO mysql.rds_configuration (name, value, description) VALUES
       ('binlog retention hours', NULL,
        'binlog retention hours specifies the duration in hours before binary logs are automatically deleted.'),
       ('source delay', '0',
        'source delay specifies replication delay in seconds between current instance and its master.'),
       ('target delay', '0',
        'target delay specifies replication delay in seconds between current instance and its future read-replica.')""",

    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_set_configuration(
         IN p_name VARCHAR(100), IN p_value VARCHAR(100))
       SQL SECURITY DEFINER
       BEGIN
         DECLARE v_msg VARCHAR(255);
         IF p_name = 'binlog retention hours' THEN
           IF p_value IS NOT NULL AND (p_value NOT REGEXP '^[0-9]+$'
               OR CAST(p_value AS UNSIGNED) NOT BETWEEN 1 AND 168) THEN
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT =
               'For binlog retention hours the value must be between 1 and 168 inclusive or be NULL';
           END IF;
         ELSEIF p_name IN ('source delay', 'target delay') THEN
           IF p_value IS NULL OR p_value NOT REGEXP '^[0-9]+$'
               OR CAST(p_value AS UNSIGNED) > 86400 THEN
             SET v_msg = CONCAT('For ', p_name, ' the value must be between 0 and 86400 inclusive');
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_msg;
           END IF;
         ELSE
           SET v_msg = CONCAT('Invalid configuration name: ', IFNULL(p_name, 'NULL'));
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = v_msg;
         END IF;
         UPDATE mysql.rds_configuration
            SET value = IF(p_value IS NULL, NULL, CAST(CAST(p_value AS UNSIGNED) AS CHAR))
          WHERE name = p_name;
       END""",

    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_show_configuration()
       SQL SECURITY DEFINER
       BEGIN
         SELECT name, value, description FROM mysql.rds_configuration ORDER BY name;
       END""",

    # CHANGE MASTER takes only literals, so the statement is built as text and
    # run with EXECUTE IMMEDIATE (PREPARE + EXECUTE + DEALLOCATE in one; no
    # session variable keeps the password). QUOTE() makes each string a safe
    # literal, numbers go through typed parameters. MASTER_USE_GTID=no: file/position replication as on MySQL.
    # MASTER_CONNECT_RETRY=1 so a restarted source is found again quickly.
    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_set_external_master(
         IN p_host VARCHAR(255), IN p_port INT UNSIGNED, IN p_user VARCHAR(128),
         IN p_password VARCHAR(255), IN p_log_file VARCHAR(255),
         IN p_log_pos BIGINT UNSIGNED, IN p_ssl INT)
       SQL SECURITY DEFINER
       BEGIN
         DECLARE v_delay BIGINT UNSIGNED DEFAULT 0;
         IF p_host IS NULL OR p_port IS NULL OR p_user IS NULL OR p_password IS NULL
            OR p_log_file IS NULL OR p_log_pos IS NULL THEN
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid arguments';
         END IF;
         SELECT IFNULL(CAST(value AS UNSIGNED), 0) INTO v_delay
           FROM mysql.rds_configuration WHERE name = 'source delay';
         EXECUTE IMMEDIATE CONCAT('CHANGE MASTER TO MASTER_HOST = ', QUOTE(TRIM(p_host)),
           ', MASTER_PORT = ', p_port,
           ', MASTER_USER = ', QUOTE(TRIM(p_user)),
           ', MASTER_PASSWORD = ', QUOTE(p_password),
           ', MASTER_LOG_FILE = ', QUOTE(TRIM(p_log_file)),
           ', MASTER_LOG_POS = ', p_log_pos,
           ', MASTER_SSL = ', IF(IFNULL(p_ssl, 0) <> 0, 1, 0),
           ', MASTER_USE_GTID = no, MASTER_CONNECT_RETRY = 1, MASTER_DELAY = ', v_delay);
       END""",

    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_set_external_master_gtid(
         IN p_host VARCHAR(255), IN p_port INT UNSIGNED, IN p_user VARCHAR(128),
         IN p_password VARCHAR(255), IN p_gtid VARCHAR(4096), IN p_ssl INT)
       SQL SECURITY DEFINER
       BEGIN
         DECLARE v_delay BIGINT UNSIGNED DEFAULT 0;
         IF p_host IS NULL OR p_port IS NULL OR p_user IS NULL OR p_password IS NULL
            OR p_gtid IS NULL THEN
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid arguments';
         END IF;
         SELECT IFNULL(CAST(value AS UNSIGNED), 0) INTO v_delay
           FROM mysql.rds_configuration WHERE name = 'source delay';
         SET GLOBAL gtid_slave_pos = p_gtid;
         EXECUTE IMMEDIATE CONCAT('CHANGE MASTER TO MASTER_HOST = ', QUOTE(TRIM(p_host)),
           ', MASTER_PORT = ', p_port,
           ', MASTER_USER = ', QUOTE(TRIM(p_user)),
           ', MASTER_PASSWORD = ', QUOTE(p_password),
           ', MASTER_SSL = ', IF(IFNULL(p_ssl, 0) <> 0, 1, 0),
           ', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1, MASTER_DELAY = ', v_delay);
       END""",

    # STOP SLAVE first: RESET SLAVE ALL refuses while the threads run.
    # Idempotent: with nothing configured both are no-ops (notes only).
    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_reset_external_master()
       SQL SECURITY DEFINER
       BEGIN
         STOP SLAVE;
         RESET SLAVE ALL;
       END""",

    # Waits up to ~2 s for both threads to run, then reports like RDS.
    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_start_replication()
       SQL SECURITY DEFINER
       BEGIN
         DECLARE v_running VARCHAR(10) DEFAULT 'OFF';
         DECLARE v_i INT DEFAULT 0;
         START SLAVE;
         WHILE v_i < 20 AND v_running <> 'ON' DO
           SELECT VARIABLE_VALUE INTO v_running FROM information_schema.GLOBAL_STATUS
            WHERE VARIABLE_NAME = 'SLAVE_RUNNING';
           IF v_running <> 'ON' THEN
             DO SLEEP(0.1);
           END IF;
           SET v_i = v_i + 1;
         END WHILE;
         IF v_running = 'ON' THEN
           SELECT 'Slave running normally.' AS Message;
         ELSE
           SELECT 'Slave has encountered an error. Run CALL mysql.rds_replica_status(); to see the error.' AS Message;
         END IF;
       END""",

    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_stop_replication()
       SQL SECURITY DEFINER
       BEGIN
         STOP SLAVE;
         SELECT 'Slave is down or disabled' AS Message;
       END""",

    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_start_replication_until(
         IN p_log_file VARCHAR(255), IN p_log_pos BIGINT UNSIGNED)
       SQL SECURITY DEFINER
       BEGIN
         IF p_log_file IS NULL OR p_log_pos IS NULL THEN
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'Invalid arguments';
         END IF;
         EXECUTE IMMEDIATE CONCAT('START SLAVE UNTIL MASTER_LOG_FILE = ', QUOTE(TRIM(p_log_file)),
           ', MASTER_LOG_POS = ', p_log_pos);
       END""",

    # Without access to Last_SQL_Errno from SQL, "running" stands for "no
    # error to skip". Skipping hides lost or duplicated rows; it exists only
    # because RDS has it.
    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_skip_repl_error()
       SQL SECURITY DEFINER
       BEGIN
         DECLARE v_running VARCHAR(10) DEFAULT 'OFF';
         SELECT VARIABLE_VALUE INTO v_running FROM information_schema.GLOBAL_STATUS
          WHERE VARIABLE_NAME = 'SLAVE_RUNNING';
         IF v_running = 'ON' THEN
           SELECT 'Slave is running normally.  No errors to skip.' AS Message;
         ELSE
           STOP SLAVE;
           SET GLOBAL sql_slave_skip_counter = 1;
           START SLAVE;
           SELECT 'Statement in error has been skipped' AS Message;
         END IF;
       END""",

    _RDS_KILL.format(name="rds_kill", what="CONNECTION"),
    _RDS_KILL.format(name="rds_kill_query", what="QUERY"),

    # SHOW SLAVE STATUS cannot be prepared, but runs directly in a procedure
    # and returns its own result set with the real column names.
    """CREATE OR REPLACE DEFINER=`root`@`localhost` PROCEDURE mysql.rds_replica_status()
       SQL SECURITY DEFINER
       BEGIN
         SHOW SLAVE STATUS;
       END""",
]


class MariaDBError(Exception):
    """A server could not be created, started, copied or queried."""

    def __init__(self, message, errno=None):
        super().__init__(message)
        self.errno = errno


def _errors_as_mariadb(func):
    """Callers catch MariaDBError only: file-system and driver errors become one."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MariaDBError:
            raise
        except OSError as exc:
            raise MariaDBError("%s: %s" % (func.__name__, exc)) from exc
        except pymysql.MySQLError as exc:
            raise MariaDBError("%s: %s" % (func.__name__, exc),
                               exc.args[0] if exc.args else None) from exc
    return wrapper


# ---------------------------------------------------------------------------
# process registry

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


# ---------------------------------------------------------------------------
# helpers

def _native_hash(password):
    """mysql_native_password hash, so plaintext never reaches the server."""
    inner = hashlib.sha1(password.encode("utf-8")).digest()
    return "*" + hashlib.sha1(inner).hexdigest().upper()


def _norm_name(name):
    return str(name).strip().lower().replace("-", "_")


def _norm_value(value):
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    return str(value).strip()


def _normalize_params(params):
    out = {}
    for name, value in (params or {}).items():
        key = _norm_name(name)
        if key in _MANAGED_OPTIONS:
            raise MariaDBError("parameter %s is managed by the stand-in" % key)
        if key == "general_log" and _norm_value(value).upper() not in ("0", "OFF", "FALSE"):
            raise MariaDBError("general_log would record passwords; it stays off")
        out[key] = _norm_value(value)
    return out


def _canonical(value):
    """Comparable form of a variable value: booleans, sizes with K/M/G."""
    v = ("" if value is None else str(value)).strip().upper()
    if v in ("1", "ON", "TRUE", "YES"):
        return "ON"
    if v in ("0", "OFF", "FALSE", "NO"):
        return "OFF"
    m = re.fullmatch(r"([0-9]+)([KMGT])", v)
    if m:
        return str(int(m.group(1)) * 1024 ** ("KMGT".index(m.group(2)) + 1))
    return v


def _tail(path, start=0, limit=3000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            end = f.tell()
            f.seek(max(start, end - limit))
            return f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


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


def _tree_size(path, skip=None):
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            if skip and skip(name):
                continue
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def _is_log_file(name):
    return name.startswith(BINLOG_BASENAME + ".") or name.startswith(RELAY_BASENAME + ".")


def _strip_backup_meta(datadir):
    for name in os.listdir(datadir):
        if _BACKUP_META.match(name):
            os.unlink(os.path.join(datadir, name))


def _read_binlog_info(backup_dir):
    """(file, pos) of the server's binlog at the backup's consistent point."""
    for name in ("mariadb_backup_binlog_info", "xtrabackup_binlog_info"):
        path = os.path.join(backup_dir, name)
        if os.path.exists(path):
            with open(path) as f:
                fields = f.read().split()
            if len(fields) >= 2:
                return fields[0], int(fields[1])
    raise MariaDBError("backup in %s has no binlog coordinates" % backup_dir)


def snapshot_replica_position(snapshot_dir):
    """(Relay_Master_Log_File, Exec_Master_Log_Pos) of the replica a snapshot
    was taken of, which the snapshot's data is consistent with; None if it
    was no replica (or was copied cold)."""
    path = os.path.join(snapshot_dir, REPLICA_POSITION_FILE)
    if os.path.exists(path):
        with open(path) as f:
            fields = f.read().split("\t")
        return fields[0], int(fields[1])
    for name in ("mariadb_backup_slave_info", "xtrabackup_slave_info"):
        path = os.path.join(snapshot_dir, name)
        if os.path.exists(path):
            with open(path) as f:
                text = f.read()
            m = re.search(r"MASTER_LOG_FILE\s*=\s*'([^']+)'\s*,\s*MASTER_LOG_POS\s*=\s*(\d+)", text)
            if m:
                return m.group(1), int(m.group(2))
    return None


def _claim_dir(path):
    """Make sure path can be created by a copy: absent (an empty one is removed)."""
    if os.path.exists(path):
        if os.listdir(path):
            raise MariaDBError("%s is not empty" % path)
        os.rmdir(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)


# ---------------------------------------------------------------------------
# TLS material: one self-signed key pair per process, copied into each root so
# a root stays usable on its own.

_tls_lock = threading.Lock()
_tls_cache = None          # (cert_pem, key_pem) bytes


def _tls_material():
    global _tls_cache
    with _tls_lock:
        if _tls_cache is None:
            tmp = tempfile.mkdtemp(prefix="awsim-tls-")
            try:
                cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
                _run([OPENSSL, "req", "-x509", "-newkey", "ec",
                      "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                      "-keyout", key, "-out", cert, "-days", "3650",
                      "-subj", "/CN=awsim-rds"], "openssl req")
                with open(cert, "rb") as f:
                    cert_pem = f.read()
                with open(key, "rb") as f:
                    key_pem = f.read()
                _tls_cache = (cert_pem, key_pem)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        return _tls_cache


# ---------------------------------------------------------------------------
# srcaddr.so: built from srcaddr.c once per machine and source text, into
# <tmp>/awsim-mariadb-templates/ beside the templates (built aside, then
# renamed into place).

_srcaddr_lock = threading.Lock()
_srcaddr_path = None


def _srcaddr_lib():
    global _srcaddr_path
    with _srcaddr_lock:
        if _srcaddr_path is not None and os.path.exists(_srcaddr_path):
            return _srcaddr_path
        with open(SRCADDR_C, "rb") as f:
            key = hashlib.sha256(f.read()).hexdigest()[:20]
        final = os.path.join(TEMPLATE_PARENT, "srcaddr-%s.so" % key)
        if not os.path.exists(final):
            os.makedirs(TEMPLATE_PARENT, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix="srcaddr-", suffix=".so", dir=TEMPLATE_PARENT)
            os.close(fd)
            try:
                _run([CC, "-shared", "-fPIC", "-O2", "-Wall", "-o", tmp, SRCADDR_C, "-ldl"],
                     "cc srcaddr.so")
                os.chmod(tmp, 0o755)
                os.replace(tmp, final)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        _srcaddr_path = final
        return final


# ---------------------------------------------------------------------------
# configuration

def _base_options(root_dir, datadir, socket, server_id):
    # Small buffers keep start-up fast and memory low. Commits write the redo
    # log at once (=1): with =2 the first mariadb-backup of a fresh server
    # waits ~1 s for the background log write. sync_binlog=0 and no
    # doublewrite: a killed mariadbd still loses nothing (the OS has the data).
    return {
        "user": "root",
        "datadir": datadir,
        "socket": socket,
        "pid_file": os.path.join(root_dir, "mysqld.pid"),
        "log_error": os.path.join(root_dir, "error.log"),
        "server_id": str(server_id),
        "skip_name_resolve": "1",
        "performance_schema": "OFF",
        "innodb_buffer_pool_size": "32M",
        "innodb_log_file_size": "16M",
        "innodb_log_buffer_size": "4M",
        "innodb_flush_log_at_trx_commit": "1",
        "innodb_doublewrite": "0",
        "innodb_use_native_aio": "0",
        "innodb_buffer_pool_dump_at_shutdown": "OFF",
        "innodb_buffer_pool_load_at_startup": "OFF",
        "key_buffer_size": "1M",
        "aria_pagecache_buffer_size": "8M",
        "sync_binlog": "0",
        "relay_log": RELAY_BASENAME,
        "relay_log_index": RELAY_BASENAME + ".index",
    }


def _cnf_text(options):
    lines = ["# written by tests/awsim/mariadb.py; rewritten on every change", "[mysqld]"]
    for key, value in options.items():
        lines.append("%s = %s" % (key, value))
    return "\n".join(lines) + "\n"


def _write_file(path, text, mode=0o644):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    os.replace(tmp, path)


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


def _install_rds_objects(conn):
    with conn.cursor() as cur:
        cur.execute("SET SESSION sql_log_bin = 0")
        cur.execute("SET SESSION sql_mode = %s", (_SQL_MODE,))
        for stmt in _RDS_OBJECTS:
            cur.execute(stmt)


def _install_db(cnf_path, what):
    _run([INSTALL_DB, "--defaults-file=" + cnf_path, "--auth-root-authentication-method=socket",
          "--skip-test-db", "--user=root"], what, timeout=120)


# ---------------------------------------------------------------------------
# template datadir: mariadb-install-db costs ~0.7 s, a copy of a clean
# installed datadir ~0.05 s. The template is built once and shared by every
# process on the machine: <tmp>/awsim-mariadb-templates/<key>/data, where the
# key covers the mariadbd binary, the base options and the rds_* objects, so
# a change to any of them builds a new one. Built aside, then renamed into
# place, so a reader never sees a half-built template.

TEMPLATE_PARENT = os.path.join(tempfile.gettempdir(), "awsim-mariadb-templates")

_template_lock = threading.Lock()
_template_data = None


def _template_key():
    st = os.stat(MARIADBD)
    h = hashlib.sha256()
    h.update(("%s %d %d\n" % (MARIADBD, st.st_size, int(st.st_mtime))).encode())
    h.update(repr(sorted(_base_options("/r", "/d", "/s", 1).items())).encode())
    h.update(repr(_RDS_OBJECTS).encode())
    return h.hexdigest()[:20]


def _build_template(root):
    datadir = os.path.join(root, "data")
    socket = os.path.join(root, "mysqld.sock")
    opts = _base_options(root, datadir, socket, 1)
    opts["skip_networking"] = "1"
    cnf = os.path.join(root, "my.cnf")
    _write_file(cnf, _cnf_text(opts))
    _install_db(cnf, "mariadb-install-db (template)")
    log = os.path.join(root, "error.log")
    with _helper([MARIADBD, "--defaults-file=" + cnf], stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        try:
            _wait_ready(proc, socket, log, 0)
            conn = _connect_socket(socket)
            try:
                _install_rds_objects(conn)
            finally:
                conn.close()
        finally:
            _terminate(proc)
    if proc.returncode != 0:
        raise MariaDBError("template server did not shut down cleanly: " + _tail(log))
    _write_file(os.path.join(root, "complete"), "")


def _template_datadir():
    global _template_data
    with _template_lock:
        if _template_data is not None and os.path.exists(
                os.path.join(os.path.dirname(_template_data), "complete")):
            return _template_data
        final = os.path.join(TEMPLATE_PARENT, _template_key())
        if not os.path.exists(os.path.join(final, "complete")):
            os.makedirs(TEMPLATE_PARENT, exist_ok=True)
            build = tempfile.mkdtemp(prefix="build-", dir=TEMPLATE_PARENT)
            try:
                _build_template(build)
                try:
                    os.rename(build, final)
                except OSError:
                    # Fine if another process got there first; a final
                    # without the marker was damaged by someone else.
                    if not os.path.exists(os.path.join(final, "complete")):
                        raise MariaDBError("template %s is incomplete; remove it" % final)
            finally:
                shutil.rmtree(build, ignore_errors=True)
        _template_data = os.path.join(final, "data")
        return _template_data


# ---------------------------------------------------------------------------

class Server:
    """One mariadbd, run as root, bound to ip:port, with its own directory
    root_dir (datadir root_dir/data, socket root_dir/mysqld.sock, config
    root_dir/my.cnf, log root_dir/error.log)."""

    def __init__(self, root_dir, ip, port, server_id):
        self.root_dir = os.path.abspath(root_dir)
        self.ip = ip
        self.port = int(port)
        self.server_id = int(server_id)
        self.binlog = False
        self.params = {}
        self.datadir = os.path.join(self.root_dir, "data")
        self.cnf_path = os.path.join(self.root_dir, "my.cnf")
        self.error_log = os.path.join(self.root_dir, "error.log")
        self.socket = os.path.join(self.root_dir, "mysqld.sock")
        if len(self.socket.encode()) > 100:
            # sun_path holds 108 bytes; a deep root gets a short socket path.
            digest = hashlib.sha1(self.root_dir.encode()).hexdigest()[:16]
            self.socket = os.path.join(tempfile.gettempdir(), "awsim-mdb-%s.sock" % digest)
        self._proc = None
        self._lock = threading.RLock()          # process state and config
        self._backup_lock = threading.RLock()   # one mariadb-backup at a time

    def __repr__(self):
        return "<mariadb.Server %s:%d id=%d pid=%s>" % (self.ip, self.port, self.server_id, self.pid)

    @property
    def pid(self):
        proc = self._proc
        if proc is not None and proc.poll() is None:
            return proc.pid
        return None

    # -- configuration -----------------------------------------------------

    def _options(self, binlog=None):
        binlog = self.binlog if binlog is None else binlog
        opts = _base_options(self.root_dir, self.datadir, self.socket, self.server_id)
        opts.update({
            "port": str(self.port),
            "bind_address": self.ip,
            "report_host": self.ip,
            "report_port": str(self.port),
            "ssl_cert": os.path.join(self.root_dir, "tls", "cert.pem"),
            "ssl_key": os.path.join(self.root_dir, "tls", "key.pem"),
        })
        if binlog:
            opts.update({"log_bin": BINLOG_BASENAME,
                         "log_bin_index": BINLOG_BASENAME + ".index",
                         "binlog_format": "ROW",
                         "log_slave_updates": "OFF"})
        opts.update(self.params)
        return opts

    def _write_cnf(self):
        _write_file(self.cnf_path, _cnf_text(self._options()))

    def _prepare_root(self):
        os.makedirs(self.root_dir, exist_ok=True)
        tls = os.path.join(self.root_dir, "tls")
        os.makedirs(tls, exist_ok=True)
        cert, key = _tls_material()
        _write_file(os.path.join(tls, "cert.pem"), cert)
        _write_file(os.path.join(tls, "key.pem"), key, 0o600)
        self._write_cnf()

    # -- process control -----------------------------------------------------

    def is_running(self):
        proc = self._proc
        return proc is not None and proc.poll() is None

    @_errors_as_mariadb
    def start(self, _extra_args=()):
        """Start a stopped server (same data); no-op if running."""
        with self._lock:
            if self.is_running():
                return
            if not os.path.isdir(self.datadir):
                raise MariaDBError("%s has no datadir" % self.root_dir)
            if self._proc is not None:          # reap a dead one
                self._proc.wait()
                self._proc = None
            if os.path.lexists(self.socket):    # stale after a kill
                os.unlink(self.socket)
            try:
                log_start = os.path.getsize(self.error_log)
            except OSError:
                log_start = 0
            env = dict(os.environ, LD_PRELOAD=_srcaddr_lib(), AWSIM_SOURCE_ADDRESS=self.ip)
            # Started and registered under one lock: stop_all() either sees
            # this server or shutdown() came first and it is not started.
            with open(self.error_log, "ab") as log, _registry_lock:
                _check_open("mariadbd for %s:%d" % (self.ip, self.port))
                proc = subprocess.Popen([MARIADBD, "--defaults-file=" + self.cnf_path]
                                        + list(_extra_args),
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                        start_new_session=True, close_fds=True, env=env)
                self._proc = proc
                _running.add(self)
            try:
                _wait_ready(proc, self.socket, self.error_log, log_start)
            except BaseException:
                proc.kill()
                proc.wait()
                self._forget()
                raise

    def _forget(self):
        self._proc = None
        with _registry_lock:
            _running.discard(self)

    def stop(self):
        """SIGTERM, wait up to 20 s, then SIGKILL. Idempotent."""
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            _terminate(proc)
            self._forget()

    def kill(self):
        """SIGKILL now: 'the instance's server died'."""
        with self._lock:
            proc = self._proc
            if proc is None:
                return
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            self._forget()

    def restart(self):
        with self._lock:
            self.stop()
            self.start()

    @_errors_as_mariadb
    def remove(self):
        """stop() and delete root_dir."""
        self.stop()
        shutil.rmtree(self.root_dir, ignore_errors=True)
        if not self.socket.startswith(self.root_dir + os.sep) and os.path.lexists(self.socket):
            os.unlink(self.socket)

    # -- SQL -------------------------------------------------------------------

    def _connect(self):
        if not self.is_running():
            raise MariaDBError("server %s:%d is not running" % (self.ip, self.port))
        try:
            return _connect_socket(self.socket)
        except pymysql.MySQLError as exc:
            raise MariaDBError("cannot connect to %s:%d: %s" % (self.ip, self.port, exc),
                               exc.args[0] if exc.args else None) from exc

    def _query(self, statements, dict_rows=False):
        """Run statements (list of (sql, args)) on one root connection; return
        the last one's rows (tuples, or dicts keyed by column name)."""
        conn = self._connect()
        try:
            with conn.cursor() as cur:
                rows, names = [], None
                for query, args in statements:
                    cur.execute(query, args)
                    names = [d[0] for d in cur.description] if cur.description else None
                    rows = list(cur.fetchall())
                if dict_rows:
                    return [dict(zip(names, r)) for r in rows] if names else []
                return [tuple(r) for r in rows]
        except pymysql.MySQLError as exc:
            raise MariaDBError("%s:%d: %s" % (self.ip, self.port, exc),
                               exc.args[0] if exc.args else None) from exc
        finally:
            conn.close()

    def sql(self, query, args=None):
        """Run one statement as root over the unix socket; returns its rows."""
        return self._query([(query, args)])

    def replica_status(self):
        """SHOW SLAVE STATUS as a dict; None if no replication is configured."""
        rows = self._query([("SHOW SLAVE STATUS", None)], dict_rows=True)
        return rows[0] if rows else None

    def replica_lag(self):
        """Seconds_Behind_Master; None when not replicating or NULL."""
        status = self.replica_status()
        if status is None or status.get("Seconds_Behind_Master") is None:
            return None
        return int(status["Seconds_Behind_Master"])

    def binlog_enabled(self):
        if self.is_running():
            return bool(int(self.sql("SELECT @@GLOBAL.log_bin")[0][0]))
        return self.binlog

    # -- accounts --------------------------------------------------------------

    @_errors_as_mariadb
    def set_master_password(self, user, password):
        """(Re)create the master user with this password and RDS's grants, as
        ModifyDBInstance MasterUserPassword does (it also restores privileges)."""
        h = _native_hash(password)
        self._query([
            ("SET SESSION sql_log_bin = 0", None),
            ("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY PASSWORD %s", (user, h)),
            ("ALTER USER %s@'%%' IDENTIFIED BY PASSWORD %s ACCOUNT UNLOCK", (user, h)),
            ("GRANT " + MASTER_PRIVILEGES + " ON *.* TO %s@'%%' WITH GRANT OPTION", (user,)),
        ])

    def _repl_password(self):
        """Password of the internal replication account, created on first use."""
        path = os.path.join(self.root_dir, "repl.pw")
        with self._lock:
            if os.path.exists(path):
                with open(path) as f:
                    password = f.read().strip()
            else:
                password = secrets.token_urlsafe(24)
                _write_file(path, password, 0o600)
            h = _native_hash(password)
            self._query([
                ("SET SESSION sql_log_bin = 0", None),
                ("CREATE USER IF NOT EXISTS %s@%s IDENTIFIED BY PASSWORD %s",
                 (REPL_USER, REPL_HOST, h)),
                ("ALTER USER %s@%s IDENTIFIED BY PASSWORD %s", (REPL_USER, REPL_HOST, h)),
                ("GRANT REPLICATION SLAVE ON *.* TO %s@%s", (REPL_USER, REPL_HOST)),
            ])
            return password

    # -- lifecycle -------------------------------------------------------------

    @_errors_as_mariadb
    def create(self, master_user, master_password, binlog, params=None):
        """Fresh instance with the master user and the rds_* procedures;
        returns once it accepts connections."""
        params = _normalize_params(params)
        _claim_dir(self.datadir)
        self.binlog = bool(binlog)
        self.params = params
        self._prepare_root()
        own_install = any(k in _INSTALL_TIME_OPTIONS for k in params)
        try:
            if own_install:
                # Install without log_bin so the bootstrap writes no binlog.
                install_cnf = os.path.join(self.root_dir, "install.cnf")
                _write_file(install_cnf, _cnf_text(self._options(binlog=False)))
                try:
                    _install_db(install_cnf, "mariadb-install-db")
                finally:
                    os.unlink(install_cnf)
            else:
                shutil.copytree(_template_datadir(), self.datadir, symlinks=True)
            self.start()
            if own_install:
                conn = self._connect()
                try:
                    _install_rds_objects(conn)
                finally:
                    conn.close()
            self.set_master_password(master_user, master_password)
        except BaseException:
            self._abandon()
            raise

    def _abandon(self):
        """After a failed create/restore: no process, no half-made datadir
        (error.log stays for diagnosis), so the same root can be retried."""
        self.stop()
        shutil.rmtree(self.datadir, ignore_errors=True)

    @classmethod
    @_errors_as_mariadb
    def restore(cls, snapshot_dir, root_dir, ip, port, server_id, binlog, params=None):
        """New server from a snapshot; replication configuration removed."""
        if not os.path.isdir(snapshot_dir):
            raise MariaDBError("snapshot %s does not exist" % snapshot_dir)
        srv = cls(root_dir, ip, port, server_id)
        srv.binlog = bool(binlog)
        srv.params = _normalize_params(params)
        _claim_dir(srv.datadir)
        try:
            srv._prepare_root()
            shutil.copytree(snapshot_dir, srv.datadir, symlinks=True)
            _strip_backup_meta(srv.datadir)
            # A copy of a replica may carry master.info: do not let it connect.
            srv.start(["--skip-slave-start"])
            srv._reset_replication()
        except BaseException:
            srv._abandon()
            raise
        return srv

    def _reset_replication(self):
        names = [r["Connection_name"] for r in
                 self._query([("SHOW ALL SLAVES STATUS", None)], dict_rows=True)]
        stmts = []
        for name in names:
            stmts.append(("STOP SLAVE %s" % self._conn_name(name), None))
            stmts.append(("RESET SLAVE %s ALL" % self._conn_name(name), None))
        if not names:
            stmts = [("STOP SLAVE", None), ("RESET SLAVE ALL", None)]
        self._query(stmts)

    @staticmethod
    def _conn_name(name):
        return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'" if name else ""

    @_errors_as_mariadb
    def create_replica(self, root_dir, ip, port, server_id, params=None):
        """A read replica of self, from a mariadb-backup copy of the running
        self (no downtime), replicating from the copy's binlog coordinates
        (as their GTID: see below). binlog off, read_only=ON unless params
        say otherwise."""
        if not self.is_running():
            raise MariaDBError("source %s:%d is not running" % (self.ip, self.port))
        if not self.binlog_enabled():
            raise MariaDBError("source %s:%d has binary logging off" % (self.ip, self.port))
        user_params = _normalize_params(params)
        rep = Server(root_dir, ip, port, server_id)
        rep.binlog = False
        rep.params = dict({"read_only": "ON"}, **user_params)
        _claim_dir(rep.datadir)
        password = self._repl_password()
        staging = os.path.join(rep.root_dir, "backup.tmp")
        try:
            rep._prepare_root()
            shutil.rmtree(staging, ignore_errors=True)
            self._backup(staging)
            log_file, log_pos = _read_binlog_info(staging)
            # The GTID of exactly that binlog position. (The GTID in
            # xtrabackup_binlog_info is gtid_current_pos, which on a former
            # replica may name transactions absent from this binlog.)
            gtid = self.sql("SELECT BINLOG_GTID_POS(%s, %s)", (log_file, log_pos))[0][0]
            if gtid is None:
                raise MariaDBError("no GTID position for %s:%d" % (log_file, log_pos))
            os.rename(staging, rep.datadir)
            _strip_backup_meta(rep.datadir)
            rep.start(["--skip-slave-start"])
            # GTID mode: the applied position is stored in mysql.gtid_slave_pos
            # in the same transaction as the data, so a killed replica resumes
            # without losing or repeating a transaction (file/position mode
            # keeps it in relay-log.info, which is not crash-safe). SHOW SLAVE
            # STATUS still reports Relay_Master_Log_File/Exec_Master_Log_Pos.
            rep._query([
                ("SET GLOBAL gtid_slave_pos = %s", (gtid,)),
                ("CHANGE MASTER TO MASTER_HOST = %s, MASTER_PORT = %s, MASTER_USER = %s, "
                 "MASTER_PASSWORD = %s, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1",
                 (self.ip, self.port, REPL_USER, password)),
                ("START SLAVE", None),
            ])
        except BaseException:
            rep._abandon()
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return rep

    # -- physical copies -------------------------------------------------------

    def _backup(self, target, extra=(), progress=None):
        """mariadb-backup --backup then --prepare into target (must not exist
        or be empty). Reports 0..95 through progress."""
        with self._backup_lock:     # BACKUP STAGE admits one backup per server
            self._backup_locked(target, extra, progress)

    def _backup_locked(self, target, extra, progress):
        total = max(1, _tree_size(self.datadir, skip=_is_log_file))
        # --log-copy-interval: the redo log copier polls every 1 s by default,
        # which alone costs ~1 s per backup.
        cmd = [MARIADB_BACKUP, "--defaults-file=" + self.cnf_path, "--backup",
               "--target-dir=" + target, "--user=root", "--socket=" + self.socket,
               "--log-copy-interval=50"] + list(extra)
        last = [-1]

        def report(pct):
            if progress is not None and pct > last[0]:
                last[0] = pct
                progress(pct)

        report(0)
        with tempfile.TemporaryFile() as log:
            with _helper(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log) as proc:
                while proc.poll() is None:
                    if progress is not None:
                        report(min(89, int(90 * _tree_size(target) / total)))
                    time.sleep(0.05)
            if proc.returncode != 0:
                log.seek(0)
                out = log.read().decode("utf-8", "replace").strip()[-3000:]
                raise MariaDBError("mariadb-backup --backup of %s:%d failed (exit %d): %s"
                                   % (self.ip, self.port, proc.returncode, out))
        report(90)
        _run([MARIADB_BACKUP, "--defaults-file=" + os.path.join(target, "backup-my.cnf"),
              "--prepare", "--target-dir=" + target], "mariadb-backup --prepare")
        report(95)

    @_errors_as_mariadb
    def snapshot(self, dest_dir, progress=None):
        """Physical copy into dest_dir (absent or empty): mariadb-backup
        --backup and --prepare of a running server. Of a replica, the copy is
        made with its SQL thread stopped and records the
        Relay_Master_Log_File/Exec_Master_Log_Pos it is consistent with (read
        by snapshot_replica_position); replication is left as it was. A
        stopped server is copied cold (then with master.info, and no recorded
        position)."""
        _claim_dir(dest_dir)
        if not self.is_running():
            # Binlogs are not part of a snapshot; everything else is.
            if progress:
                progress(0)
            shutil.copytree(self.datadir, dest_dir, symlinks=True,
                            ignore=lambda _d, names: [n for n in names
                                                      if n.startswith(BINLOG_BASENAME + ".")])
            if progress:
                progress(100)
            return
        try:
            with self._backup_lock:
                status = self.replica_status()
                if status is None:
                    self._backup(dest_dir, (), progress)
                else:
                    self._backup_replica(dest_dir, status, progress)
        except BaseException:
            shutil.rmtree(dest_dir, ignore_errors=True)
            raise
        if progress:
            progress(100)

    def _backup_replica(self, dest_dir, status, progress):
        # What --safe-slave-backup does, done here so the position the data
        # is consistent with is known: stop the SQL thread (if it runs) for
        # the copy, read the position, start it again only if it ran.
        # (--slave-info still adds the GTID; --safe-slave-backup is then a no-op.)
        was_running = status["Slave_SQL_Running"] == "Yes"
        if was_running:
            self.sql("STOP SLAVE SQL_THREAD")
        try:
            st = self.replica_status()
            position = "%s\t%d\n" % (st["Relay_Master_Log_File"], int(st["Exec_Master_Log_Pos"]))
            self._backup(dest_dir, ["--slave-info", "--safe-slave-backup",
                                    "--safe-slave-backup-timeout=60"], progress)
            _write_file(os.path.join(dest_dir, REPLICA_POSITION_FILE), position)
        finally:
            if was_running:
                self.sql("START SLAVE SQL_THREAD")

    # -- configuration changes -------------------------------------------------

    @_errors_as_mariadb
    def set_binlog(self, enabled):
        """Turn log_bin on or off; restarts a running server."""
        with self._lock:
            self.binlog = bool(enabled)
            self._write_cnf()
            if self.is_running():
                self.restart()

    @_errors_as_mariadb
    def apply_parameters(self, params):
        """Apply parameter-group values: dynamic ones now with SET GLOBAL, all
        written to my.cnf. Returns the names that need a reboot: static ones
        whose running value differs. Unknown names raise MariaDBError before
        anything is applied; a stopped server just gets the new my.cnf."""
        params = _normalize_params(params)
        with self._lock:
            if not self.is_running():
                self.params.update(params)
                self._write_cnf()
                return []
            info = {}
            for name in params:
                rows = self._query([(
                    "SELECT READ_ONLY, VARIABLE_SCOPE, GLOBAL_VALUE "
                    "FROM information_schema.SYSTEM_VARIABLES "
                    "WHERE VARIABLE_NAME = %s", (name.upper(),))])
                if not rows:
                    raise MariaDBError("unknown parameter %s" % name, 1193)
                if rows[0][1] == "SESSION ONLY":
                    raise MariaDBError("%s is not a global variable" % name, 1228)
                info[name] = (rows[0][0] == "YES", rows[0][2])
            static = []
            try:
                for name, value in params.items():
                    read_only, current = info[name]
                    if read_only:
                        # Static: takes effect at the next start; a reboot is
                        # needed only if the running value differs.
                        if _canonical(current) != _canonical(value):
                            static.append(name)
                    else:
                        size = re.fullmatch(r"([0-9]+)([KMGT])", value.upper())
                        if size:        # my.cnf takes 64M, SET GLOBAL only numbers
                            literal = _canonical(value)
                        elif re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value):
                            literal = value
                        else:
                            literal = pymysql.converters.escape_string(value)
                            literal = "'" + literal + "'"
                        self._query([("SET SESSION lock_wait_timeout = 60", None),
                                     ("SET GLOBAL %s = %s" % (name, literal), None)])
                    self.params[name] = value
            finally:
                self._write_cnf()
            return static
