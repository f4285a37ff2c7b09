"""What a new server is made from: the datadir (a copy of a template built
once per machine with mariadb-install-db, or its own install), the rds_*
objects of rds-procedures.sql, the TLS key pair, and srcaddr.so, preloaded
so a server connects out from its own address."""

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading

from .config import PLUGIN_DIR, SLAVESTATUS_C, _base_options, _cnf_text
from .errors import MariaDBError
from .files import _tail, _write_file
from .processes import (CC, INSTALL_DB, MARIADBD, OPENSSL, _connect_socket, _helper, _run,
                        _terminate, _wait_ready)

SRCADDR_C = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "srcaddr.c")

_SQL_MODE = "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

# The rds_* objects (the mysql.rds_configuration table and the mysql.rds_*
# procedures), in rds-procedures.sql beside this file.
RDS_PROCEDURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rds-procedures.sql")

# The engine versions a server can stand for, each with its own set of rds_*
# procedures (rds-procedures.sql) and master user privileges (accounts.py):
# RDS for MariaDB before 10.5 and from 10.5, RDS for MySQL 5.7, 8.0 and 8.4.
# All are served by the one Debian mariadbd (10.11).
PROFILES = ("mariadb10.4", "mariadb10.5", "mysql5.7", "mysql8.0", "mysql8.4")
DEFAULT_PROFILE = "mariadb10.5"


def _load_rds_objects(path):
    """The statements of rds-procedures.sql, in order, as (text, profiles):
    each ends with $$ at the end of a line; comment, blank and DELIMITER lines
    between statements are skipped. A statement after lines "-- each: k=v ..."
    is a template, made once per such line with its {k} replaced by v. A
    "-- profiles: a b" line (or a profiles=a,b key of an each line) limits
    the statement to those profiles; profiles is None for every profile."""
    stmts, lines, each, only = [], [], [], None
    with open(path) as f:
        for line in f:
            if not lines:
                s = line.strip()
                if s.startswith("-- each:"):
                    each.append(dict(kv.split("=", 1) for kv in s[len("-- each:"):].split()))
                if s.startswith("-- profiles:"):
                    only = frozenset(s[len("-- profiles:"):].split())
                if not s or s.startswith("--") or s.upper().startswith("DELIMITER "):
                    continue
            lines.append(line)
            if line.rstrip().endswith("$$"):
                text = "".join(lines).rstrip()[:-2]
                for v in each or [None]:
                    if v is None:
                        stmts.append((text, only))
                        continue
                    prof = frozenset(v["profiles"].split(",")) if "profiles" in v else only
                    stmts.append((text.format(**v), prof))
                lines, each, only = [], [], None
    if lines:
        raise MariaDBError("%s: the last statement does not end with $$" % path)
    for _text, prof in stmts:
        if prof is not None and not prof <= set(PROFILES):
            raise MariaDBError("%s: unknown profile in %s" % (path, sorted(prof - set(PROFILES))))
    return stmts


_RDS_OBJECTS = _load_rds_objects(RDS_PROCEDURES)


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


def _install_rds_objects(conn, profile):
    if profile not in PROFILES:
        raise MariaDBError("unknown profile %r" % (profile,))
    _udf_lib()
    with conn.cursor() as cur:
        cur.execute("SET SESSION sql_log_bin = 0")
        cur.execute("SET SESSION sql_mode = %s", (_SQL_MODE,))
        for stmt, only in _RDS_OBJECTS:
            if only is None or profile in only:
                cur.execute(stmt)


# ---------------------------------------------------------------------------
# awsim_slave_status.so (slavestatus.c), the UDF behind rds_replica_status:
# built once per machine and source text into PLUGIN_DIR (config.py), the
# servers' plugin_dir, built aside, then renamed into place.

_udf_lock = threading.Lock()


def _udf_lib():
    with _udf_lock:
        final = os.path.join(PLUGIN_DIR, "awsim_slave_status.so")
        if os.path.exists(final):
            return final
        os.makedirs(PLUGIN_DIR, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="udf-", suffix=".so", dir=PLUGIN_DIR)
        os.close(fd)
        try:
            _run([CC, "-shared", "-fPIC", "-O2", "-Wall", "-I/usr/include/mariadb", "-o", tmp,
                  SLAVESTATUS_C, "-lmariadb"], "cc awsim_slave_status.so")
            os.chmod(tmp, 0o755)
            os.replace(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return final


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
_template_data = {}        # profile -> datadir


def _template_key(profile):
    st = os.stat(MARIADBD)
    h = hashlib.sha256()
    h.update(("%s %d %d\n" % (MARIADBD, st.st_size, int(st.st_mtime))).encode())
    h.update(repr(sorted(_base_options("/r", "/d", "/s", 1).items())).encode())
    h.update(repr([t for t, only in _RDS_OBJECTS if only is None or profile in only]).encode())
    return profile + "-" + h.hexdigest()[:20]


def _build_template(root, profile):
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
                _install_rds_objects(conn, profile)
            finally:
                conn.close()
        finally:
            _terminate(proc)
    if proc.returncode != 0:
        raise MariaDBError("template server did not shut down cleanly: " + _tail(log))
    _write_file(os.path.join(root, "complete"), "")


def _template_datadir(profile):
    with _template_lock:
        data = _template_data.get(profile)
        if data is not None and os.path.exists(os.path.join(os.path.dirname(data), "complete")):
            return data
        final = os.path.join(TEMPLATE_PARENT, _template_key(profile))
        if not os.path.exists(os.path.join(final, "complete")):
            os.makedirs(TEMPLATE_PARENT, exist_ok=True)
            build = tempfile.mkdtemp(prefix="build-", dir=TEMPLATE_PARENT)
            try:
                _build_template(build, profile)
                try:
                    os.rename(build, final)
                except OSError:
                    # Fine if another process got there first; a final
                    # without the marker was damaged by someone else.
                    if not os.path.exists(os.path.join(final, "complete")):
                        raise MariaDBError("template %s is incomplete; remove it" % final)
            finally:
                shutil.rmtree(build, ignore_errors=True)
        _template_data[profile] = os.path.join(final, "data")
        return _template_data[profile]
