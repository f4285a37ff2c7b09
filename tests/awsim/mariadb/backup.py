"""Snapshots: physical copies of a server's datadir made with mariadb-backup
(--backup, then --prepare) while it runs, or copied cold when it is stopped."""

import os
import re
import shutil
import subprocess
import tempfile
import time

from .config import BINLOG_BASENAME, RELAY_BASENAME
from .errors import MariaDBError, _errors_as_mariadb
from .files import _claim_dir, _tree_size
from .processes import MARIADB_BACKUP, _helper, _run

# Files mariadb-backup adds to a backup; dropped when a copy becomes a datadir.
_BACKUP_META = re.compile(r"^(backup-my\.cnf|(xtrabackup|mariadb_backup|awsim)_\w+)$")


def _is_log_file(name):
    return name.startswith(BINLOG_BASENAME + ".") or name.startswith(RELAY_BASENAME + ".")


def _strip_backup_meta(datadir):
    for name in os.listdir(datadir):
        if _BACKUP_META.match(name):
            os.unlink(os.path.join(datadir, name))


class BackupMixin:
    """Server methods that copy the datadir."""

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
