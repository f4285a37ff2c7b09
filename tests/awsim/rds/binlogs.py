"""Binlog retention: RDS purges binary logs on its own schedule, keeping them
only for `binlog retention hours` (mysql.rds_configuration; NULL: not kept,
purged as soon as possible). A pass runs every --purge-seconds (scaled) and on
demand through the control interface, so tests never wait for the schedule."""

import threading
import traceback

HOUR = 3600     # base seconds, multiplied by --time-scale like every duration


class BinlogsMixin:
    """The periodic binlog purge and the pass the control interface runs."""

    def start_purger(self):
        """The background pass every state.purge_seconds; ends when the stand-in stops."""
        def loop():
            try:
                while not self.state.stopping.wait(self.state.purge_seconds * self.state.time_scale):
                    self.purge_binlogs()
            finally:
                with self.workers_lock:
                    self.workers.discard(threading.current_thread())
        with self.workers_lock:
            t = threading.Thread(target=loop, name="binlog purge", daemon=True)
            self.workers.add(t)
            t.start()

    def purge_binlogs(self, ident=None):
        """One purge pass over the running servers with binlog on (or only
        ident's): {id: [files purged]}. A server that cannot be asked is skipped."""
        with self.state.lock:
            insts = [self._instance(ident)] if ident else list(self.state.instances.values())
            servers = [(i.id, i.server) for i in insts if i.server is not None and not i.fixture]
        out = {}
        for iid, server in servers:
            try:
                if not server.is_running() or not server.binlog_enabled():
                    continue
                hours = server.binlog_retention_hours() or 0
                out[iid] = server.purge_binlogs(hours * HOUR * self.state.time_scale)
            except Exception:  # noqa: BLE001 - a stopping server must not end the loop
                if not self.state.stopping.is_set():
                    traceback.print_exc()
        return out
