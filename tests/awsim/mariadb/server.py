"""Server: one mariadbd per RDS DB instance, and its lifecycle: create,
restore from a snapshot, start, stop, kill, restart, remove, and SQL as root.
Replicas, snapshots, accounts and parameters are in the mixins it is made of
(replication.py, backup.py, accounts.py, config.py)."""

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading

import pymysql

from .accounts import AccountsMixin
from .backup import BackupMixin, _strip_backup_meta
from .config import _INSTALL_TIME_OPTIONS, ConfigMixin, _cnf_text, _normalize_params
from .errors import MariaDBError, _errors_as_mariadb
from .files import _claim_dir, _write_file
from .install import (DEFAULT_PROFILE, PROFILES, _install_db, _install_rds_objects, _srcaddr_lib,
                      _template_datadir, _tls_material, _udf_lib)
from .processes import (MARIADBD, _check_open, _connect_socket, _registry_lock, _running,
                        _terminate, _wait_ready)
from .replication import ReplicationMixin


class Server(ConfigMixin, AccountsMixin, ReplicationMixin, BackupMixin):
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
        self.isolated = False                   # no security group admits a new client
        self.profile = DEFAULT_PROFILE          # engine version it stands for (install.py)
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
            _udf_lib()    # mysql.func names it; a server starts without it, but CALLs fail
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
    def move(self, ip):
        """Restart on another address (a Multi-AZ failover): same data, every
        connection dropped; it listens on ip and connects out from it."""
        with self._lock:
            running = self.is_running()
            self.stop()
            self.ip = ip
            self._write_cnf()
            if running:
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

    def binlog_enabled(self):
        if self.is_running():
            return bool(int(self.sql("SELECT @@GLOBAL.log_bin")[0][0]))
        return self.binlog

    # -- lifecycle -------------------------------------------------------------

    @_errors_as_mariadb
    def create(self, master_user, master_password, binlog, params=None, profile=DEFAULT_PROFILE):
        """Fresh instance with the master user and the rds_* procedures of
        profile (one of PROFILES); returns once it accepts connections."""
        if profile not in PROFILES:
            raise MariaDBError("unknown profile %r" % (profile,))
        self.profile = profile
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
                shutil.copytree(_template_datadir(profile), self.datadir, symlinks=True)
            self.start()
            if own_install:
                conn = self._connect()
                try:
                    _install_rds_objects(conn, profile)
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
    def restore(cls, snapshot_dir, root_dir, ip, port, server_id, binlog, params=None,
                profile=DEFAULT_PROFILE):
        """New server from a snapshot; replication configuration removed.
        profile: that of the server the snapshot was taken of."""
        if not os.path.isdir(snapshot_dir):
            raise MariaDBError("snapshot %s does not exist" % snapshot_dir)
        srv = cls(root_dir, ip, port, server_id)
        srv.profile = profile
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
