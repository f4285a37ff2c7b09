"""Accounts: the master user with RDS's privileges and the internal
replication account. Passwords reach the server only as hashes, with
sql_log_bin=0, so they never appear in the binary log."""

import hashlib
import os
import secrets

from .errors import _errors_as_mariadb
from .files import _write_file

REPL_USER = "rdsrepl"                     # internal account replicas connect with
REPL_HOST = "127.%"

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

# Where RDS's master user may run SHOW SLAVE STATUS (MariaDB before 10.5,
# whose REPLICATION CLIENT covered it, and every MySQL version, where
# REPLICATION CLIENT covers SHOW REPLICA STATUS), 10.11 needs SLAVE MONITOR
# for it. MariaDB 10.5 and later: not granted ("mysql.rds_replica_status",
# RDS User Guide: the privilege "isn't granted to the RDS master user").
SHOW_SLAVE_STATUS_PROFILES = frozenset(("mariadb10.4", "mysql5.7", "mysql8.0", "mysql8.4"))


def master_privileges(profile):
    """The master user's global privileges for a profile (install.py PROFILES)."""
    if profile in SHOW_SLAVE_STATUS_PROFILES:
        return MASTER_PRIVILEGES + ", SLAVE MONITOR"
    return MASTER_PRIVILEGES


def _native_hash(password):
    """mysql_native_password hash, so plaintext never reaches the server."""
    inner = hashlib.sha1(password.encode("utf-8")).digest()
    return "*" + hashlib.sha1(inner).hexdigest().upper()


class AccountsMixin:
    """Server methods that create and update accounts."""

    @_errors_as_mariadb
    def set_master_password(self, user, password):
        """(Re)create the master user with this password and RDS's grants, as
        ModifyDBInstance MasterUserPassword does (it also restores privileges)."""
        h = _native_hash(password)
        self._query([
            ("SET SESSION sql_log_bin = 0", None),
            ("CREATE USER IF NOT EXISTS %s@'%%' IDENTIFIED BY PASSWORD %s", (user, h)),
            ("ALTER USER %s@'%%' IDENTIFIED BY PASSWORD %s ACCOUNT UNLOCK", (user, h)),
            ("GRANT " + master_privileges(self.profile) + " ON *.* TO %s@'%%' WITH GRANT OPTION", (user,)),
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
