"""The RDS side of the control interface (/_awsim/...): state dumps with what
only the servers know, stopping and starting a server behind the API's back,
metadata-only fixture instances, reset and shutdown."""

import os
import shutil
import sys
import threading
import time

from state import AwsError

from .base import _backend, _check_id
from .instances import engine_version
from .network import DEFAULT_VPC, Placement
from .settings import Settings

WORKERS_TIMEOUT = 30     # real seconds shutdown() waits for background work to end


class ControlMixin:
    """What awsim.py's control interface asks of RDS."""

    def instance_state(self, inst):
        return {"id": inst.id, "status": inst.status, "address": inst.ip, "port": inst.port,
                "endpoint": self._endpoint_address(inst), "multi_az": inst.multi_az,
                "engine": inst.engine, "encrypted": inst.encrypted, "kms_key": inst.kms_key,
                "source": inst.source_id, "replicas": list(inst.replicas),
                "parameter_group": inst.param_group, "parameter_status": inst.param_status,
                "backup_retention": inst.backup_retention, "fixture": inst.fixture,
                "subnet_group": inst.placement.group, "vpc": inst.placement.vpc_id,
                "security_groups": list(inst.placement.sgs), "public": inst.placement.public,
                "root_dir": inst.root, "pid": inst.server.pid if inst.server else None}

    def snapshot_state(self, s):
        return {"id": s.id, "status": s.status, "percent": s.percent, "instance": s.instance_id,
                "encrypted": s.encrypted, "kms_key": s.kms_key, "dir": s.dir, "source": s.source_arn}

    def control_instances(self):
        """Instances with what only the servers know (replica lag, binlog, running)."""
        with self.state.lock:
            items = [(self.instance_state(i), i.server) for i in self.state.instances.values()]
        out = []
        for info, server in items:
            info["running"] = bool(server and server.is_running())
            info["replica_lag"] = None
            info["binlog"] = None
            if info["running"]:
                try:
                    info["replica_lag"] = server.replica_lag()
                    info["binlog"] = server.binlog_enabled()
                    st = server.replica_status()
                    if st:
                        info["replication"] = {k: st.get(k) for k in (
                            "Slave_IO_Running", "Slave_SQL_Running", "Master_Host", "Master_Port",
                            "Relay_Master_Log_File", "Exec_Master_Log_Pos", "Last_Error")}
                except Exception as e:  # noqa: BLE001 - report, do not fail the listing
                    info["error"] = str(e)
            out.append(info)
        return out

    def control_stop_server(self, ident):
        with self.state.lock:
            inst = self._instance(ident)
        if inst.server:
            inst.server.stop()

    def control_start_server(self, ident):
        with self.state.lock:
            inst = self._instance(ident)
        if inst.server:
            inst.server.start()

    def control_failover(self, ident):
        """An unplanned Multi-AZ failover (the primary failed): as RebootDBInstance
        with ForceFailover, and refused the same way when it cannot happen."""
        with self.state.lock:
            inst = self._instance(ident)
            if not inst.multi_az:
                raise AwsError("InvalidParameterCombination", "Cannot force failover on a Single-AZ DB instance.")
            if inst.status != "available":
                raise AwsError("InvalidDBInstanceStateFault", f"DB instance {inst.id} is not in available state.")
            self._start_reboot(inst, True)

    def control_kill_sessions(self, cfg):
        """The fault kill_sessions: every cfg["every_seconds"] (real seconds),
        KILL CONNECTION every session of cfg["user"] (default: each instance's
        master user) on cfg["instances"] (default: every instance with a
        running server), except sessions from cfg["spare_hosts"] addresses and
        the replication threads (Binlog Dump, system user).  None stops it.
        One killer at a time; a reset stops it too (a new Faults)."""
        faults = self.state.faults
        with self.state.lock:
            faults.kill_sessions = dict(cfg) if cfg else None
            token = object()
            faults.killer_token = token
        if not cfg:
            return

        def loop():
            try:
                while not self.state.stopping.wait(float(cfg["every_seconds"])):
                    if self.state.faults is not faults or getattr(faults, "killer_token", None) is not token:
                        return
                    n = self._kill_sessions_once(cfg)
                    with self.state.lock:
                        faults.injected["killed_sessions"] += n
            finally:
                with self.workers_lock:
                    self.workers.discard(threading.current_thread())
        with self.workers_lock:
            if self.state.stopping.is_set():
                return
            t = threading.Thread(target=loop, name="kill sessions", daemon=True)
            self.workers.add(t)
            t.start()

    def _kill_sessions_once(self, cfg):
        with self.state.lock:
            want = cfg.get("instances")
            insts = [i for i in self.state.instances.values()
                     if i.server is not None and not i.fixture and (not want or i.id in want)]
            targets = [(i.server, cfg.get("user") or i.master_user) for i in insts]
        spare = set(cfg.get("spare_hosts") or ())
        killed = 0
        for server, user in targets:
            try:
                if not server.is_running():
                    continue
                rows = server.sql("SELECT ID, HOST FROM information_schema.PROCESSLIST WHERE USER = %s "
                                  "AND COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Killed') "
                                  "AND ID <> CONNECTION_ID()", (user,))
                for ident, host in rows:
                    if (host or "").rsplit(":", 1)[0] in spare:
                        continue
                    try:
                        server.sql("KILL CONNECTION %d" % int(ident))
                        killed += 1
                    except Exception:  # noqa: BLE001 - gone meanwhile (1094)
                        pass
            except Exception:  # noqa: BLE001 - a server restarting (failover) is skipped
                continue
        return killed

    def instance_by_endpoint(self, name):
        """(id, port, address) of the instance whose endpoint name is name, or None."""
        name = name.rstrip(".").lower()
        for inst in self.state.instances.values():
            if self.state.endpoint_names and inst.endpoint_name() == name:
                return inst.id, inst.port, inst.ip
        return None

    def instance_by_address(self, ip):
        for inst in self.state.instances.values():
            if inst.ip == ip:
                return inst.id, inst.port
        return None

    def fixtures(self, data):
        """Metadata-only instances (no server behind them), e.g. for pagination tests.

        {"instances": [{"id": "fx-1", "engine": "mariadb", "status": "available",
                        "backup_retention": 1, "tags": {"k": "v"}}], "count": N, "prefix": "fixture-"}
        """
        specs = list(data.get("instances", []))
        for i in range(int(data.get("count", 0))):
            specs.append({"id": f"{data.get('prefix', 'fixture-')}{i:03d}"})
        made = []

        class _Ctx:
            region = data.get("region", "us-east-1")
        with self.state.lock:
            for spec in specs:
                ident = _check_id(spec["id"], "id")
                self._require_free_instance_id(ident)
                engine = spec.get("engine", "mariadb")
                version, family, _profile = engine_version(engine, spec.get("engine_version"))
                inst = self._new_instance(
                    _Ctx, ident, engine=engine, engine_version=version, family=family,
                    instance_class=spec.get("class", "db.t3.micro"), storage=20,
                    master_user=spec.get("master_user", "admin"), master_password="fixture-password",
                    param_group=f"default.{family}", backup_retention=spec.get("backup_retention", 1),
                    multi_az=False, encrypted=False, kms_key=None, settings=Settings(engine, version),
                    placement=Placement(_Ctx.region, "default", DEFAULT_VPC,
                                        [self._net(_Ctx.region).default_sg(DEFAULT_VPC)], True),
                    tags=[{"Key": k, "Value": v} for k, v in spec.get("tags", {}).items()])
                inst.fixture = True
                inst.status = spec.get("status", "available")
                made.append(ident)
        return {"instances": made}

    def reset(self):
        """Stop every server and forget every resource (the state itself is reset by the caller)."""
        self.shutdown()
        for kind in ("instances", "snapshots"):
            shutil.rmtree(os.path.join(self.state.state_dir, kind), ignore_errors=True)

    def shutdown(self, final=False):
        """Stop every server and helper program. final (the process is about to
        exit, state.stopping is set): start nothing more, then wait (bounded)
        for the background threads, so none still writes in the state dir when
        the caller removes it."""
        try:
            backend = _backend()
        except ImportError:
            backend = None
        if not final:
            if backend:
                backend.stop_all()
            return
        if backend:
            backend.shutdown()
        deadline = time.monotonic() + WORKERS_TIMEOUT
        with self.workers_lock:
            workers = list(self.workers)
        for t in workers:
            t.join(max(0.0, deadline - time.monotonic()))
        left = [t.name for t in workers if t.is_alive()]
        if left:
            print(f"awsim: background work still running after {WORKERS_TIMEOUT} s: "
                  + ", ".join(left), file=sys.stderr)
        if backend:
            backend.stop_all()
