"""Server configuration: the options the backend sets in my.cnf, parameter
values (normalised, checked, applied to a running server) and binary logging."""

import hashlib
import os
import re
import tempfile

import pymysql

from .errors import MariaDBError, _errors_as_mariadb
from .files import _write_file

# The servers' plugin_dir: holds only awsim_slave_status.so (install.py),
# named by the hash of its source so a change builds a new one.
SLAVESTATUS_C = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "slavestatus.c")
with open(SLAVESTATUS_C, "rb") as _f:
    PLUGIN_DIR = os.path.join(tempfile.gettempdir(), "awsim-mariadb-templates",
                              "plugin-" + hashlib.sha256(_f.read()).hexdigest()[:20])

BINLOG_BASENAME = "mysql-bin-changelog"   # RDS's binlog file names
RELAY_BASENAME = "relay-bin"

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
        "plugin_dir": PLUGIN_DIR,
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


# What init_connect runs on an isolated instance: an error for every new session.
ISOLATED_INIT_CONNECT = "DO awsim_no_inbound_rule_admits_this_connection()"


def _cnf_text(options):
    lines = ["# written by tests/awsim/mariadb/config.py; rewritten on every change", "[mysqld]"]
    for key, value in options.items():
        lines.append("%s = %s" % (key, value))
    return "\n".join(lines) + "\n"


class ConfigMixin:
    """Server methods that write my.cnf and change parameter values."""

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
        if getattr(self, "isolated", False):
            opts["init_connect"] = ISOLATED_INIT_CONNECT
        return opts

    @_errors_as_mariadb
    def set_isolated(self, isolated):
        """New client connections fail (every VPC security group of the
        instance lacks an inbound rule); the sessions already open go on, as
        tracked connections do.  How: init_connect, which MariaDB runs for
        every new session of an account without CONNECTION ADMIN (the master
        user has none, as on RDS), names a function that does not exist, and
        a failing init_connect ends the session before its first statement.
        Kept in my.cnf, so it survives a restart or failover."""
        with self._lock:
            self.isolated = bool(isolated)
            self._write_cnf()
            if self.is_running():
                self.sql("SET GLOBAL init_connect = %s", (ISOLATED_INIT_CONNECT if isolated else "",))

    def _write_cnf(self):
        _write_file(self.cnf_path, _cnf_text(self._options()))

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
