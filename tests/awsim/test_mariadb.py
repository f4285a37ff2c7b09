"""Tests of tests/awsim/mariadb/ (the MariaDB backend) against real mariadbd servers.

Run from the repository root with Debian's Python:
    /usr/bin/python3 -m unittest tests.awsim.test_mariadb
or as a script: /usr/bin/python3 tests/awsim/test_mariadb.py

Servers bind 127.0.77.N on one free port (or $AWSIM_TEST_DB_PORT) and live
in a temporary directory.
"""

import os
import secrets
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
import unittest

import pymysql

try:
    from . import mariadb
except ImportError:      # run as a script or from this directory
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import mariadb

MASTER = "admin"

ER_SPECIFIC_ACCESS_DENIED = 1227
ER_OPTION_PREVENTS_STATEMENT = 1290
ER_SIGNAL_EXCEPTION = 1644
ER_NO_SUCH_THREAD = 1094
ER_KILL_DENIED = 1095
ER_SP_DOES_NOT_EXIST = 1305


def ip(n):
    return "127.0.77.%d" % n


def _free_port():
    # A fixed port would clash with another run of these tests on the machine.
    with socket.socket() as s:
        s.bind((ip(1), 0))
        return s.getsockname()[1]


PORT = int(os.environ.get("AWSIM_TEST_DB_PORT") or 0) or _free_port()

def wait_for(pred, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


class Client:
    """The master user over TCP, as the C tool connects."""

    def __init__(self, srv, user=MASTER, password=None):
        self.conn = pymysql.connect(host=srv.ip, port=srv.port, user=user,
                                    password=password, autocommit=True,
                                    connect_timeout=5)

    def rows(self, query, args=None):
        with self.conn.cursor() as cur:
            cur.execute(query, args)
            rows = [tuple(r) for r in cur.fetchall()]
            while cur.nextset():          # CALL ends with an extra status result
                pass
            return rows

    def dicts(self, query, args=None):
        """First result set as (column names, list of dicts)."""
        with self.conn.cursor() as cur:
            cur.execute(query, args)
            names = [d[0] for d in cur.description] if cur.description else []
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
            while cur.nextset():
                pass
            return names, rows

    def errno_of(self, query, args=None):
        try:
            self.rows(query, args)
        except pymysql.MySQLError as exc:
            return exc.args[0]
        return None

    def close(self):
        self.conn.close()


def our_mariadbd_pids(root, program=b"mariadbd"):
    """PIDs of live program (mariadbd) processes whose command line mentions root."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as f:
                argv = f.read().split(b"\0")
            with open("/proc/%s/stat" % entry) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and argv and argv[0].endswith(program) \
                and any(root.encode() in a for a in argv):
            pids.append(int(entry))
    return pids


class MariaDBBackendTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="awsim-mariadb-test-")
        cls.master_pw = secrets.token_urlsafe(16)
        cls.timings = {}
        t = time.monotonic()
        cls.source = mariadb.Server(os.path.join(cls.tmp, "source"), ip(1), PORT, 1)
        cls.source.create(MASTER, cls.master_pw, binlog=True)
        cls.timings["create (incl. template)"] = time.monotonic() - t

    @classmethod
    def tearDownClass(cls):
        mariadb.stop_all()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        if os.environ.get("AWSIM_TIMINGS"):
            for k, v in cls.timings.items():
                sys.stderr.write("%-28s %.2f s\n" % (k, v))

    def client(self, srv, **kw):
        kw.setdefault("password", self.master_pw)
        c = Client(srv, **kw)
        self.addCleanup(c.close)
        return c

    # ------------------------------------------------------------------

    def test_a_master_user_rds_like(self):
        src = self.source
        self.assertTrue(src.is_running())
        self.assertIsNotNone(src.pid)
        self.assertTrue(src.binlog_enabled())
        self.assertEqual(src.sql("SELECT @@GLOBAL.binlog_format")[0][0], "ROW")
        self.assertEqual(src.sql("SELECT @@GLOBAL.log_slave_updates")[0][0], 0)
        self.assertEqual(src.sql("SELECT @@GLOBAL.bind_address")[0][0], ip(1))

        grants = " ".join(r[0] for r in src.sql("SHOW GRANTS FOR %s@'%%'", (MASTER,)))
        for priv in ("SUPER", "READ_ONLY ADMIN", "SLAVE MONITOR", "CONNECTION ADMIN",
                     "REPLICATION SLAVE ADMIN", "BINLOG ADMIN"):
            self.assertNotIn(priv, grants)
        for priv in ("REPLICATION SLAVE", "BINLOG MONITOR", "CREATE USER", "PROCESS",
                     "EXECUTE", "WITH GRANT OPTION"):
            self.assertIn(priv, grants)

        m = self.client(src)
        m.rows("CREATE DATABASE IF NOT EXISTS priv")
        m.rows("CREATE TABLE priv.t (id INT PRIMARY KEY)")
        m.rows("INSERT INTO priv.t VALUES (1)")
        self.assertEqual(m.rows("SELECT id FROM priv.t"), [(1,)])

        self.assertEqual(m.errno_of("SET GLOBAL read_only = 1"), ER_SPECIFIC_ACCESS_DENIED)
        self.assertEqual(src.sql("SELECT @@GLOBAL.read_only")[0][0], 0)
        file_, pos = m.rows("SHOW MASTER STATUS")[0][:2]
        self.assertTrue(file_.startswith("mysql-bin-changelog."))
        self.assertGreater(pos, 0)
        self.assertEqual(m.errno_of("SHOW SLAVE STATUS"), ER_SPECIFIC_ACCESS_DENIED)
        self.assertEqual(m.errno_of("STOP SLAVE"), ER_SPECIFIC_ACCESS_DENIED)

        # The fence: read_only through the parameter group.
        self.assertEqual(src.apply_parameters({"read_only": "1"}), [])
        self.assertEqual(src.sql("SELECT @@GLOBAL.read_only")[0][0], 1)
        self.assertEqual(m.errno_of("INSERT INTO priv.t VALUES (2)"), ER_OPTION_PREVENTS_STATEMENT)
        self.assertEqual(m.errno_of("SET GLOBAL read_only = 0"), ER_SPECIFIC_ACCESS_DENIED)
        with open(src.cnf_path) as f:
            self.assertIn("read_only = 1", f.read())
        self.assertEqual(src.apply_parameters({"read_only": "0"}), [])
        m.rows("INSERT INTO priv.t VALUES (2)")

        # Dynamic vs static parameters; unknown names are refused.
        static = src.apply_parameters({"max_connections": "120", "performance_schema": "OFF"})
        self.assertEqual(static, [])            # static, but already the running value
        static = src.apply_parameters({"performance_schema": "1", "wait_timeout": "600"})
        self.assertEqual(static, ["performance_schema"])
        self.assertEqual(src.sql("SELECT @@GLOBAL.wait_timeout")[0][0], 600)
        self.assertEqual(src.apply_parameters({"performance_schema": "0"}), [])
        self.assertEqual(src.sql("SELECT @@GLOBAL.max_connections")[0][0], 120)
        with self.assertRaises(mariadb.MariaDBError):
            src.apply_parameters({"no_such_variable": "1"})
        with self.assertRaises(mariadb.MariaDBError):
            src.apply_parameters({"server_id": "9"})

        # TLS is on (self-signed, unverified, as RDS's ssl_encryption=1 uses it).
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        tls = pymysql.connect(host=src.ip, port=src.port, user=MASTER, password=self.master_pw,
                              ssl=ctx, connect_timeout=5)
        try:
            with tls.cursor() as cur:
                cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
                self.assertTrue(cur.fetchone()[1])
        finally:
            tls.close()

        # New master password: old one stops working.
        new_pw = secrets.token_urlsafe(16)
        src.set_master_password(MASTER, new_pw)
        with self.assertRaises(pymysql.MySQLError):
            Client(src, password=self.master_pw)
        Client(src, password=new_pw).close()
        src.set_master_password(MASTER, self.master_pw)

    def test_b_rds_configuration(self):
        m = self.client(self.source)
        names, rows = m.dicts("CALL mysql.rds_show_configuration()")
        self.assertEqual(names, ["name", "value", "description"])
        conf = {r["name"]: r["value"] for r in rows}
        self.assertIn("binlog retention hours", conf)
        self.assertIsNone(conf["binlog retention hours"])
        self.assertIn("source delay", conf)

        m.rows("CALL mysql.rds_set_configuration('binlog retention hours', 24)")
        conf = {r[0]: r[1] for r in m.rows("CALL mysql.rds_show_configuration()")}
        self.assertEqual(conf["binlog retention hours"], "24")
        for bad in ("169", "0", "'x'"):
            self.assertEqual(
                m.errno_of("CALL mysql.rds_set_configuration('binlog retention hours', %s)" % bad),
                ER_SIGNAL_EXCEPTION, bad)
        self.assertEqual(m.errno_of("CALL mysql.rds_set_configuration('no such thing', 1)"),
                         ER_SIGNAL_EXCEPTION)
        m.rows("CALL mysql.rds_set_configuration('binlog retention hours', 168)")
        m.rows("CALL mysql.rds_set_configuration('binlog retention hours', NULL)")
        conf = {r[0]: r[1] for r in m.rows("CALL mysql.rds_show_configuration()")}
        self.assertIsNone(conf["binlog retention hours"])

        # Arguments are quoted safely into CHANGE MASTER (nothing is started).
        host = "h', MASTER_HOST='evil"
        password = "p'w\\\", x"
        m.rows("CALL mysql.rds_set_external_master(%s, 3306, %s, %s, 'f.000001', 4, 0)",
               (host, "u'\\", password))
        st = self.source.replica_status()
        self.assertEqual((st["Master_Host"], st["Master_User"], st["Master_Log_File"],
                          st["Read_Master_Log_Pos"], st["Slave_IO_Running"]),
                         (host, "u'\\", "f.000001", 4, "No"))
        with open(os.path.join(self.source.datadir, "master.info")) as f:
            self.assertTrue(password + "\n" in f.read(), "password not stored verbatim")
        self.assertEqual(
            m.errno_of("CALL mysql.rds_set_external_master(NULL, 3306, 'u', 'p', 'f', 4, 0)"),
            ER_SIGNAL_EXCEPTION)
        m.rows("CALL mysql.rds_reset_external_master()")
        self.assertIsNone(self.source.replica_status())

        # The procedures are root's, callable by the master user.
        procs = self.source.sql(
            "SELECT ROUTINE_NAME, DEFINER, SECURITY_TYPE FROM information_schema.ROUTINES "
            "WHERE ROUTINE_SCHEMA = 'mysql' AND ROUTINE_NAME LIKE 'rds\\_%%'")
        names = {r[0] for r in procs}
        for expected in ("rds_set_external_master", "rds_set_external_master_gtid",
                         "rds_start_replication", "rds_stop_replication",
                         "rds_reset_external_master",
                         "rds_skip_repl_error", "rds_kill", "rds_kill_query",
                         "rds_set_configuration", "rds_show_configuration",
                         "rds_replica_status"):
            self.assertIn(expected, names)
        # RDS for MariaDB has no rds_start_replication_until (test_h: MySQL).
        self.assertNotIn("rds_start_replication_until", names)
        for _name, definer, security in procs:
            self.assertEqual((definer, security), ("root@localhost", "DEFINER"))

    def test_c_replica_snapshot_restore_replicate(self):
        src = self.source
        m = self.client(src)
        m.rows("CREATE DATABASE app")
        m.rows("CREATE TABLE app.items (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40))")
        # No key: a row applied twice would show up as a duplicate here.
        m.rows("CREATE TABLE app.journal (n INT, note VARCHAR(40))")

        counter = [0]

        def write(k, note):
            for _ in range(k):
                counter[0] += 1
                m.rows("INSERT INTO app.items (v) VALUES (%s)", (note,))
                m.rows("INSERT INTO app.journal VALUES (%s, %s)", (counter[0], note))

        def content(srv):
            return (srv.sql("SELECT id, v FROM app.items ORDER BY id"),
                    srv.sql("SELECT n, note FROM app.journal ORDER BY n, note"))

        write(50, "before replica")

        # 1. read replica
        t = time.monotonic()
        replica = src.create_replica(os.path.join(self.tmp, "replica"), ip(2), PORT, 2)
        self.timings["create_replica"] = time.monotonic() - t
        self.assertFalse(replica.binlog_enabled())
        self.assertEqual(replica.sql("SELECT @@GLOBAL.read_only")[0][0], 1)
        write(30, "after replica")
        m.rows("UPDATE app.items SET v = 'updated' WHERE id <= 5")
        wait_for(lambda: content(replica) == content(src), what="replica catch-up")
        wait_for(lambda: replica.replica_lag() == 0, what="replica lag 0")
        st = replica.replica_status()
        self.assertEqual((st["Slave_IO_Running"], st["Slave_SQL_Running"]), ("Yes", "Yes"))
        self.assertEqual(st["Master_Host"], ip(1))
        self.assertEqual(st["Master_Port"], PORT)

        r = self.client(replica)
        self.assertEqual(r.errno_of("INSERT INTO app.items (v) VALUES ('x')"),
                         ER_OPTION_PREVENTS_STATEMENT)

        # 2. freeze point, as the master user
        self.assertEqual(r.rows("CALL mysql.rds_stop_replication()"),
                         [("Slave is down or disabled",)])
        names, rows = r.dicts("CALL mysql.rds_replica_status()")
        for col in ("Relay_Source_Log_File", "Exec_Source_Log_Pos", "Replica_IO_Running",
                    "Replica_SQL_Running", "Seconds_Behind_Master", "Last_Errno", "Last_Error",
                    "Last_IO_Error", "Last_SQL_Error", "Source_Host", "Source_Port"):
            self.assertIn(col, names)
        frozen = rows[0]
        self.assertEqual((frozen["Replica_IO_Running"], frozen["Replica_SQL_Running"]), ("No", "No"))
        self.assertIsNone(replica.replica_lag())
        coords = (frozen["Relay_Source_Log_File"], int(frozen["Exec_Source_Log_Pos"]))
        frozen_content = content(replica)

        write(20, "after freeze")          # not in the snapshot

        # 3. snapshot of the stopped replica
        progress = []
        t = time.monotonic()
        snap = os.path.join(self.tmp, "snap-replica")
        replica.snapshot(snap, progress=progress.append)
        self.timings["snapshot (replica)"] = time.monotonic() - t
        self.assertEqual(progress[0], 0)
        self.assertEqual(progress[-1], 100)
        self.assertEqual(progress, sorted(set(progress)))
        self.assertEqual(mariadb.snapshot_replica_position(snap), coords)
        # The snapshot left replication stopped.
        st = replica.replica_status()
        self.assertEqual((st["Slave_IO_Running"], st["Slave_SQL_Running"]), ("No", "No"))

        # An encrypted copy is a copy of the directory.
        snap_copy = os.path.join(self.tmp, "snap-replica-encrypted")
        shutil.copytree(snap, snap_copy)

        # 4. restore
        t = time.monotonic()
        target = mariadb.Server.restore(snap_copy, os.path.join(self.tmp, "target"),
                                        ip(3), PORT, 3, binlog=True)
        self.timings["restore"] = time.monotonic() - t
        self.assertIsNone(target.replica_status())
        self.assertTrue(target.binlog_enabled())
        self.assertEqual(target.sql("SELECT @@GLOBAL.read_only")[0][0], 0)
        self.assertEqual(content(target), frozen_content)
        self.assertNotEqual(content(target), content(src))
        t_m = self.client(target)               # master user and password from the data
        names, rows = t_m.dicts("CALL mysql.rds_replica_status()")
        self.assertIn("Exec_Source_Log_Pos", names)
        self.assertEqual(rows, [])

        # 5. replicate from the source at the recorded coordinates, over TLS
        repl_pw = secrets.token_urlsafe(16)
        # The account admits the target's own address only: its I/O thread
        # connects from there (srcaddr.c), as an RDS instance from its own.
        m.rows("CREATE USER 'repl'@%s IDENTIFIED BY %s REQUIRE SSL", (target.ip, repl_pw))
        m.rows("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'repl'@%s", (target.ip,))
        t_m.rows("CALL mysql.rds_set_external_master(%s, %s, 'repl', %s, %s, %s, 1)",
                 (src.ip, src.port, repl_pw, coords[0], coords[1]))
        self.assertEqual(t_m.rows("CALL mysql.rds_start_replication()"),
                         [("Slave running normally.",)])
        write(20, "after target")
        m.rows("DELETE FROM app.items WHERE id BETWEEN 10 AND 12")
        wait_for(lambda: content(target) == content(src), what="target catch-up")
        _, rows = t_m.dicts("CALL mysql.rds_replica_status()")
        st = rows[0]
        self.assertEqual((st["Replica_IO_Running"], st["Replica_SQL_Running"]), ("Yes", "Yes"))
        self.assertEqual((st["Last_Errno"], st["Last_IO_Error"], st["Last_SQL_Error"]),
                         (0, "", ""))
        self.assertEqual(st["Source_SSL_Allowed"], "Yes")
        dumps = src.sql("SELECT HOST FROM information_schema.PROCESSLIST "
                        "WHERE USER = 'repl' AND COMMAND LIKE 'Binlog Dump%%'")
        self.assertEqual([h.rsplit(":", 1)[0] for (h,) in dumps], [target.ip],
                         "the target connects from its own address")
        items, journal = content(target)
        self.assertEqual(len(journal), counter[0])
        self.assertEqual(sorted(n for n, _ in journal), list(range(1, counter[0] + 1)))

        # 6. cut-over: fence, final position, exact catch-up, detach
        src.apply_parameters({"read_only": "1"})
        final_file, final_pos = m.rows("SHOW MASTER STATUS")[0][:2]

        def applied():
            _, rows = t_m.dicts("CALL mysql.rds_replica_status()")
            return (rows[0]["Relay_Source_Log_File"], int(rows[0]["Exec_Source_Log_Pos"])) \
                == (final_file, final_pos)
        wait_for(applied, what="target at the final position")
        t_m.rows("CALL mysql.rds_stop_replication()")
        t_m.rows("CALL mysql.rds_reset_external_master()")
        t_m.rows("CALL mysql.rds_reset_external_master()")      # idempotent
        self.assertIsNone(target.replica_status())
        t_m.rows("INSERT INTO app.items (v) VALUES ('on target')")
        src.apply_parameters({"read_only": "0"})

        # No password in any error log; ours are not in the binary logs either.
        with open(os.path.join(src.root_dir, "repl.pw")) as f:
            internal_pw = f.read().strip()
        secrets_ = [self.master_pw.encode(), internal_pw.encode(), repl_pw.encode()]
        for srv in (src, replica, target):
            with open(srv.error_log, "rb") as f:
                log = f.read()
            for secret in secrets_:      # assertNotIn would print the secret
                self.assertFalse(secret in log, "a password is in " + srv.error_log)
            for name in os.listdir(srv.datadir):
                if name.startswith("mysql-bin-changelog.0"):
                    with open(os.path.join(srv.datadir, name), "rb") as f:
                        data = f.read()
                    self.assertFalse(self.master_pw.encode() in data, "master password in " + name)
                    self.assertFalse(internal_pw.encode() in data, "rdsrepl password in " + name)

        # A restored target keeps no replication across a restart.
        target.restart()
        self.assertIsNone(target.replica_status())
        # The replica resumes replication after a restart, as on RDS.
        replica.restart()
        wait_for(lambda: content(replica) == content(src), what="replica resumed")

        # A cold copy of a stopped replica carries master.info; the restore
        # must still end up with no replication, also after a restart.
        replica.stop()
        cold = os.path.join(self.tmp, "snap-replica-cold")
        replica.snapshot(cold)
        self.assertTrue(os.path.exists(os.path.join(cold, "master.info")))
        cold_target = mariadb.Server.restore(cold, os.path.join(self.tmp, "cold-target"),
                                             ip(8), PORT, 8, binlog=False)
        self.assertIsNone(cold_target.replica_status())
        cold_target.restart()
        self.assertIsNone(cold_target.replica_status())
        cold_target.remove()
        replica.start()

    def test_d_snapshot_of_source_and_binlog_switch(self):
        srv = mariadb.Server(os.path.join(self.tmp, "nolog"), ip(4), PORT, 4)
        t = time.monotonic()
        srv.create(MASTER, self.master_pw, binlog=False)
        self.timings["create"] = time.monotonic() - t
        self.assertFalse(srv.binlog_enabled())
        with self.assertRaises(mariadb.MariaDBError):
            srv.create_replica(os.path.join(self.tmp, "nolog-replica"), ip(5), PORT, 5)
        self.assertEqual(srv.sql("SHOW MASTER STATUS"), [])
        srv.set_binlog(True)
        self.assertTrue(srv.binlog_enabled())
        self.assertTrue(srv.sql("SHOW MASTER STATUS")[0][0].startswith("mysql-bin-changelog."))
        m = self.client(srv)
        m.rows("CREATE DATABASE d")
        m.rows("CREATE TABLE d.t (id INT PRIMARY KEY)")
        m.rows("INSERT INTO d.t VALUES (1), (2), (3)")

        t = time.monotonic()
        snap = os.path.join(self.tmp, "snap-nolog")
        srv.snapshot(snap)
        self.timings["snapshot (source)"] = time.monotonic() - t
        self.assertIsNone(mariadb.snapshot_replica_position(snap))
        restored = mariadb.Server.restore(snap, os.path.join(self.tmp, "nolog-restored"),
                                          ip(5), PORT, 5, binlog=False,
                                          params={"max_connections": "77"})
        self.assertEqual(restored.sql("SELECT id FROM d.t ORDER BY id"), [(1,), (2,), (3,)])
        self.assertEqual(restored.sql("SELECT @@GLOBAL.max_connections")[0][0], 77)
        self.assertFalse(restored.binlog_enabled())
        srv.set_binlog(False)
        self.assertFalse(srv.binlog_enabled())

        # A stopped server is copied cold.
        restored.stop()
        cold = os.path.join(self.tmp, "snap-cold")
        restored.snapshot(cold)
        again = mariadb.Server.restore(cold, os.path.join(self.tmp, "cold-restored"),
                                       ip(6), PORT, 6, binlog=True)
        self.assertEqual(again.sql("SELECT COUNT(*) FROM d.t"), [(3,)])
        again.remove()
        self.assertFalse(os.path.exists(again.root_dir))
        restored.remove()

    def test_e_stop_kill_start(self):
        srv = mariadb.Server(os.path.join(self.tmp, "life"), ip(7), PORT, 7)
        srv.create(MASTER, self.master_pw, binlog=True)
        srv.sql("CREATE DATABASE life")
        srv.sql("CREATE TABLE life.t (id INT PRIMARY KEY)")
        srv.sql("INSERT INTO life.t VALUES (1)")

        srv.kill()
        self.assertFalse(srv.is_running())
        self.assertIsNone(srv.pid)
        with self.assertRaises(mariadb.MariaDBError):
            srv.sql("SELECT 1")
        with self.assertRaises(pymysql.MySQLError):
            Client(srv, password=self.master_pw)
        srv.start()
        self.assertEqual(srv.sql("SELECT id FROM life.t"), [(1,)])   # committed row survived

        pid = srv.pid
        srv.stop()
        srv.stop()                    # idempotent
        self.assertFalse(os.path.exists("/proc/%d" % pid))
        self.assertEqual(our_mariadbd_pids(srv.root_dir), [])
        srv.start()
        srv.start()                   # no-op when running
        old = srv.pid
        srv.restart()
        self.assertNotEqual(srv.pid, old)
        self.assertEqual(srv.sql("SELECT id FROM life.t"), [(1,)])

        # A failed start leaves nothing behind: the port is taken by srv.
        clash = mariadb.Server(os.path.join(self.tmp, "clash"), ip(7), PORT, 8)
        with self.assertRaises(mariadb.MariaDBError) as cm:
            clash.create(MASTER, self.master_pw, binlog=False)
        self.assertIn("error.log", " ".join(os.listdir(clash.root_dir)))
        self.assertFalse(clash.is_running())
        self.assertEqual(our_mariadbd_pids(clash.root_dir), [])
        self.assertTrue(str(cm.exception))

        # move() (a Multi-AZ failover): the same data on another address,
        # a connection to the old one dropped, nothing listening there.
        c = Client(srv, password=self.master_pw)
        old = srv.pid
        srv.move(ip(12))
        self.assertEqual(srv.ip, ip(12))
        self.assertNotEqual(srv.pid, old)
        with self.assertRaises(pymysql.MySQLError):
            c.rows("SELECT 1")
        c.close()
        self.assertEqual(self.client(srv).rows("SELECT id FROM life.t"), [(1,)])
        self.assertEqual(srv.sql("SELECT @@bind_address"), [(ip(12),)])
        with self.assertRaises(OSError):
            socket.create_connection((ip(7), PORT), timeout=2).close()

    def test_f_rds_kill(self):
        src = self.source
        m = self.client(src)
        victim = self.client(src)
        vid = victim.rows("SELECT CONNECTION_ID()")[0][0]
        m.rows("CALL mysql.rds_kill_query(%s)", (vid,))
        self.assertEqual(victim.rows("SELECT 1"), [(1,)])     # query kill keeps the session
        m.rows("CALL mysql.rds_kill(%s)", (vid,))
        with self.assertRaises(pymysql.MySQLError):
            victim.rows("SELECT 1")
        # Killing another user's thread directly needs CONNECTION ADMIN.
        other = self.client(src)
        oid = other.rows("SELECT CONNECTION_ID()")[0][0]
        src.sql("CREATE USER IF NOT EXISTS 'app'@'%%' IDENTIFIED BY %s", (self.master_pw,))
        app = self.client(src, user="app")
        self.assertNotEqual(app.errno_of("KILL %d" % oid), None)
        self.assertEqual(m.errno_of("CALL mysql.rds_kill(99999999)"), ER_NO_SUCH_THREAD)
        conn = src._connect()      # a root session is off limits, as rdsadmin's are
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT CONNECTION_ID()")
                root_id = cur.fetchone()[0]
            self.assertEqual(m.errno_of("CALL mysql.rds_kill(%s)", (root_id,)), ER_KILL_DENIED)
        finally:
            conn.close()

    def test_g_replica_killed_under_load(self):
        """A replica killed while applying writes resumes with no lost or
        repeated transaction (file/position replication would stop with a
        duplicate-key error here)."""
        src = self.source
        m = self.client(src)
        m.rows("CREATE DATABASE crash")
        m.rows("CREATE TABLE crash.t (id INT AUTO_INCREMENT PRIMARY KEY, n INT)")
        m.rows("CREATE TABLE crash.j (n INT)")
        replica = src.create_replica(os.path.join(self.tmp, "crash-replica"), ip(9), PORT, 9)
        self.assertEqual(replica.replica_status()["Using_Gtid"], "Slave_Pos")
        n = [0]
        for _ in range(2):
            stop = threading.Event()

            def writer():
                w = Client(src, password=self.master_pw)
                try:
                    while not stop.is_set():
                        n[0] += 1
                        w.rows("INSERT INTO crash.t (n) VALUES (%s)", (n[0],))
                        w.rows("INSERT INTO crash.j VALUES (%s)", (n[0],))
                finally:
                    w.close()

            th = threading.Thread(target=writer)
            th.start()
            try:
                time.sleep(0.3)
                replica.kill()
                time.sleep(0.1)
                replica.start()
                time.sleep(0.2)
            finally:
                stop.set()
                th.join()

        def same():
            st = replica.replica_status()
            self.assertEqual(st["Last_SQL_Errno"], 0, st["Last_SQL_Error"])
            q = "SELECT COUNT(*), COUNT(DISTINCT n), SUM(n) FROM crash.j"
            return replica.sql(q) == src.sql(q) and \
                replica.sql("SELECT * FROM crash.t ORDER BY id") == \
                src.sql("SELECT * FROM crash.t ORDER BY id")
        wait_for(same, what="replica caught up after kills")
        self.assertEqual(src.sql("SELECT COUNT(*), COUNT(DISTINCT n) FROM crash.j"), [(n[0], n[0])])
        self.assertGreater(n[0], 20)
        replica.remove()

    def test_h_mysql_profile_until(self):
        """A server standing for RDS for MySQL 8.0: the master user may run
        SHOW SLAVE STATUS, no rds_replica_status, and
        rds_start_replication_until stops at an exact position."""
        src = mariadb.Server(os.path.join(self.tmp, "my-src"), ip(10), PORT, 10)
        src.create(MASTER, self.master_pw, binlog=True, profile="mysql8.0")
        m = self.client(src)
        m.rows("CREATE DATABASE u")
        m.rows("CREATE TABLE u.t (id INT AUTO_INCREMENT PRIMARY KEY, v INT)")
        replica = src.create_replica(os.path.join(self.tmp, "my-replica"), ip(11), PORT, 11)
        self.assertEqual(replica.profile, "mysql8.0")
        r = self.client(replica)
        self.assertEqual(r.errno_of("CALL mysql.rds_replica_status()"), ER_SP_DOES_NOT_EXIST)
        r.rows("CALL mysql.rds_stop_replication()")
        m.rows("INSERT INTO u.t (v) VALUES (1)")
        until_file, until_pos = m.rows("SHOW MASTER STATUS")[0][:2]
        m.rows("INSERT INTO u.t (v) VALUES (2)")
        r.rows("CALL mysql.rds_start_replication_until(%s, %s)", (until_file, until_pos))
        wait_for(lambda: r.dicts("SHOW SLAVE STATUS")[1][0]["Slave_SQL_Running"] == "No",
                 what="replica stopped at the until position")
        st = r.dicts("SHOW SLAVE STATUS")[1][0]
        self.assertEqual((st["Relay_Master_Log_File"], int(st["Exec_Master_Log_Pos"])),
                         (until_file, until_pos))
        self.assertEqual(replica.sql("SELECT v FROM u.t ORDER BY id"), [(1,)])
        replica.remove()
        src.remove()

    def test_y_stop_all_kills_helpers(self):
        """stop_all() kills running helper programs with their process groups:
        a snapshot whose mariadb-backup waits for a lock, and a helper's child."""
        src = self.source
        conn = src._connect()
        try:
            with conn.cursor() as cur:
                cur.execute("BACKUP STAGE START")     # mariadb-backup waits for this one
            result = {}

            def snap():
                try:
                    src.snapshot(os.path.join(self.tmp, "snap-killed"))
                    result["done"] = True
                except mariadb.MariaDBError as exc:
                    result["error"] = exc
            th = threading.Thread(target=snap)
            th.start()
            pid = wait_for(lambda: mariadb.helper_pids(), what="mariadb-backup running")[0]
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                self.assertIn(b"mariadb-backup", f.read())
            self.assertTrue(our_mariadbd_pids(self.tmp, b"mariadb-backup"))
            mariadb.stop_all()
            th.join(30)
            self.assertFalse(th.is_alive())
        finally:
            conn.close()
        self.assertIn("error", result)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "snap-killed")))
        self.assertEqual(mariadb.helper_pids(), [])
        self.assertEqual(our_mariadbd_pids(self.tmp, b"mariadb-backup"), [])
        self.assertEqual(our_mariadbd_pids(self.tmp), [])

        # A helper's own children go with it (its process group).
        pidfile = os.path.join(self.tmp, "grandchild.pid")
        result = {}

        def run():
            try:
                mariadb._run(["/bin/sh", "-c", 'sleep 60 & echo $! > "$0"; wait', pidfile],
                             "sleeper")
            except mariadb.MariaDBError as exc:
                result["error"] = exc
        th = threading.Thread(target=run)
        th.start()
        wait_for(lambda: os.path.exists(pidfile) and os.path.getsize(pidfile), what="sleep started")
        with open(pidfile) as f:
            grandchild = int(f.read())
        mariadb.stop_all()
        th.join(30)
        self.assertFalse(th.is_alive())
        self.assertIn("error", result)

        def gone():
            try:
                with open("/proc/%d/stat" % grandchild) as f:
                    return f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except OSError:
                return True
        wait_for(gone, timeout=5, what="the helper's child killed")
        src.start()

    def test_z_stop_all(self):
        self.assertTrue(our_mariadbd_pids(self.tmp))
        mariadb.stop_all()
        self.assertEqual(our_mariadbd_pids(self.tmp), [])
        self.assertFalse(self.source.is_running())
        self.source.start()           # later tests (none) could go on
        self.assertTrue(self.source.is_running())
        mariadb.stop_all()
        self.assertEqual(our_mariadbd_pids(self.tmp), [])
        # After shutdown() nothing starts again (the last test: it is for good).
        mariadb.shutdown()
        with self.assertRaises(mariadb.MariaDBError):
            self.source.start()
        with self.assertRaises(mariadb.MariaDBError):
            mariadb._run(["/bin/true"], "true")
        self.assertEqual(our_mariadbd_pids(self.tmp), [])


if __name__ == "__main__":
    unittest.main()
