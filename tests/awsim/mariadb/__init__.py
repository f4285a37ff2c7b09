"""MariaDB backend of the awsim RDS stand-in.

Each RDS DB instance of the stand-in is one real ``mariadbd`` (Debian's 10.11),
run as root, bound to its own loopback address, and made to behave like RDS
inside:

* a master user ``'<name>'@'%'`` with the global privileges RDS for MariaDB
  documents, and nothing that overrides ``read_only`` (see MASTER_PRIVILEGES);
* the ``mysql.rds_*`` stored procedures, ``SQL SECURITY DEFINER`` as
  root@localhost, plus the ``mysql.rds_configuration`` table;
* both per *profile*, the engine version the server stands for (PROFILES in
  install.py: mariadb10.4, mariadb10.5 (the default: 10.5 and later),
  mysql5.7, mysql8.0, mysql8.4): which procedures exist, and whether the
  master user may run SHOW SLAVE STATUS (accounts.py);
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

API (the RDS handlers code against it)::

    class MariaDBError(Exception)          # .errno: server error number or None

    srv = Server(root_dir, ip, port, server_id)
        attributes: ip, port, root_dir, server_id, pid (None when not running),
                    datadir, socket, cnf_path, error_log, binlog, params
    srv.create(master_user, master_password, binlog, params=None, profile=DEFAULT_PROFILE)
    Server.restore(snapshot_dir, root_dir, ip, port, server_id, binlog, params=None,
                   profile=DEFAULT_PROFILE) -> Server
    srv.create_replica(root_dir, ip, port, server_id, params=None) -> Server  # self's profile
    srv.snapshot(dest_dir, progress=None)      # progress(pct) with rising 0..100
    srv.set_binlog(enabled)                    # restarts a running server
    srv.apply_parameters(params) -> [names needing a reboot]
    srv.start() / stop() / kill() / restart() / is_running() / remove()
    srv.move(ip)                               # restart on another address
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

Files of this package:

    server.py          Server: create, restore, start/stop/kill/restart, remove, SQL
    backup.py          snapshot(): mariadb-backup copies (cold copies of stopped servers)
    replication.py     create_replica(), replica status, positions of replica snapshots
    accounts.py        the master user's privileges, the replication account
    config.py          my.cnf options, parameter values, binary logging
    install.py         profiles, the template datadir of each, TLS material, srcaddr.so,
                       awsim_slave_status.so (slavestatus.c), the rds_* objects
    rds-procedures.sql the rds_* objects: mysql.rds_configuration and the procedures
    processes.py       programs run, registry of servers and helpers, stop_all/shutdown
    files.py, errors.py  file helpers; MariaDBError

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

from .errors import MariaDBError
from .install import DEFAULT_PROFILE, PROFILES  # noqa: F401
from .processes import _run, helper_pids, shutdown, stop_all  # noqa: F401 - _run: for test_mariadb
from .replication import snapshot_replica_position
from .server import Server

__all__ = ["MariaDBError", "Server", "helper_pids", "shutdown", "snapshot_replica_position", "stop_all"]
