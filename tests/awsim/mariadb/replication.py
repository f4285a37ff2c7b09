"""Replication: read replicas made from a mariadb-backup copy of the running
source plus real binlog replication (GTID mode), the replica's status, the
position a snapshot of a replica is consistent with, and removing
replication from a restored copy."""

import os
import re
import shutil
import time

from .accounts import REPL_USER
from .backup import _strip_backup_meta
from .config import _normalize_params
from .errors import MariaDBError, _errors_as_mariadb
from .files import _claim_dir, _write_file

# Written into a snapshot of a replica: "<Relay_Master_Log_File>\t<Exec_Master_Log_Pos>".
# mariadb-backup --slave-info records only the GTID of a GTID-mode replica.
REPLICA_POSITION_FILE = "awsim_replica_position"


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


class ReplicationMixin:
    """Server methods for replicas and their sources."""

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

    def binlog_retention_hours(self):
        """mysql.rds_configuration's `binlog retention hours`: an int, or None (NULL)."""
        rows = self.sql("SELECT value FROM mysql.rds_configuration WHERE name = 'binlog retention hours'")
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    @_errors_as_mariadb
    def purge_binlogs(self, max_age):
        """Purge the binlog files closed more than max_age seconds ago (by the
        file's mtime, as MariaDB's own expiry), oldest first up to the first
        younger one; never the current file. A file a connected replica is
        still reading is kept by the server itself (PURGE BINARY LOGS stops
        there). Returns the names purged."""
        names = [r[0] for r in self.sql("SHOW BINARY LOGS")]
        if len(names) < 2:
            return []
        keep = names[-1]
        for name in names[:-1]:
            if time.time() - os.path.getmtime(os.path.join(self.datadir, name)) <= max_age:
                keep = name
                break
        if keep == names[0]:
            return []
        try:
            self.sql("PURGE BINARY LOGS TO %s", (keep,))
        except MariaDBError as exc:
            if exc.errno != 1378:     # ER_LOG_IN_USE: the files before it are gone
                raise
        left = {r[0] for r in self.sql("SHOW BINARY LOGS")}
        return [n for n in names if n not in left]

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
        rep = type(self)(root_dir, ip, port, server_id)
        rep.profile = self.profile
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
