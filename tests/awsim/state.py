"""Shared state of the stand-in: resources, clock, call counters and fault hooks.

All service modules read and write resources under State.lock.  Slow work (starting
mariadbd, backups) runs in background threads outside the lock and takes the lock
only to publish a new status.
"""

import base64
import datetime
import ipaddress
import os
import random
import string
import threading
import time
import uuid

ACCOUNT = "123456789012"


class AwsError(Exception):
    """An error reply.  code is a model exception shape name (its code and HTTP
    status come from the model) or a common AWS code (see awsim.COMMON_ERRORS)."""

    def __init__(self, code, message, status=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def new_request_id():
    return str(uuid.uuid4())


def random_id(prefix, n, alphabet=string.ascii_uppercase + string.digits):
    return prefix + "".join(random.choice(alphabet) for _ in range(n))


class Faults:
    """Fault hooks set through the control interface.

    Two forms for throttling and 5xx: a count (the next N calls, optionally
    of one action) and a rate (that fraction of all calls, drawn from a PRNG
    seeded by the test, so a given sequence of calls always meets the same
    faults).  A count is used up before a rate applies."""

    def __init__(self):
        self.throttle_count = 0
        self.throttle_action = None
        self.error5xx_count = 0
        self.error5xx_action = None
        self.error5xx_code = "InternalFailure"
        self.throttle_rate = 0.0
        self.error5xx_rate = 0.0
        self.seed = 1
        self.rng = random.Random(self.seed)
        self.latency_ms = 0
        self.hide_new_seconds = 0
        self.kill_sessions = None      # {"user", "every_seconds", "instances", "spare_hosts"}
        self.injected = {"throttle": 0, "error5xx": 0, "killed_sessions": 0}

    def as_dict(self):
        return {"throttle": {"count": self.throttle_count, "action": self.throttle_action,
                             "rate": self.throttle_rate},
                "error5xx": {"count": self.error5xx_count, "action": self.error5xx_action,
                             "rate": self.error5xx_rate, "code": self.error5xx_code},
                "seed": self.seed,
                "latency_ms": self.latency_ms, "hide_new_seconds": self.hide_new_seconds,
                "kill_sessions": self.kill_sessions, "injected": dict(self.injected)}

    def take(self, kind, action):
        """Consume one throttle/5xx token if one applies to this action."""
        count = getattr(self, kind + "_count")
        want = getattr(self, kind + "_action")
        if count > 0 and (want is None or want == action):
            setattr(self, kind + "_count", count - 1)
            return True
        return False

    def draw(self, action):
        """The fault of this call: "throttle", "error5xx" or None (caller holds the lock)."""
        kind = None
        if self.take("throttle", action):
            kind = "throttle"
        elif self.take("error5xx", action):
            kind = "error5xx"
        elif self.throttle_rate or self.error5xx_rate:
            # One draw per call: throttle below throttle_rate, 5xx in the
            # next error5xx_rate, so the two rates hold exactly.
            u = self.rng.random()
            if u < self.throttle_rate:
                kind = "throttle"
            elif u < self.throttle_rate + self.error5xx_rate:
                kind = "error5xx"
        if kind:
            self.injected[kind] += 1
        return kind


class State:
    def __init__(self, state_dir, time_scale=1.0, ip_base="127.0.10.2", db_port=13306,
                 apply_seconds=5, purge_seconds=300, endpoint_names=False):
        self.lock = threading.RLock()
        self.state_dir = state_dir
        # --endpoint-names: Endpoint.Address is a DNS name (ENDPOINT_DOMAIN) whose
        # address srcaddr.so reads from hosts_path; else the address itself.
        self.endpoint_names = endpoint_names
        self.hosts_path = os.path.join(state_dir, "hosts")
        self.time_scale = time_scale
        self.apply_seconds = apply_seconds    # base seconds a parameter change shows `applying`
        self.purge_seconds = purge_seconds    # base seconds between binlog purge passes
        self.ip_base = ipaddress.IPv4Address(ip_base)
        self.db_port = db_port
        self.stopping = threading.Event()
        self.held = threading.Condition(self.lock)
        self.reset_data()

    def reset_data(self):
        with self.lock:
            self.instances = {}        # id -> rds.Instance
            self.snapshots = {}        # id -> rds.Snapshot
            self.param_groups = {}     # name -> rds.ParamGroup
            self.networks = {}         # region -> rds.network.Network (VPCs, subnets, SGs, subnet groups)
            self.option_groups = {}    # name -> rds.option_groups.OptionGroup
            self.events = []           # rds events, oldest first
            self.keys = {}             # key id -> kms.Key
            self.aliases = {}          # (region, alias name) -> kms.Alias
            self.zones = {}            # zone id -> route53.Zone
            self.changes = {}          # change id -> route53.Change
            self.calls = []            # one dict per AWS call
            self.faults = Faults()
            self.holds = set()         # (kind, id, status) a resource may not leave
            self.held.notify_all()
            self.next_ip = 0
            self.next_server_id = 1
            self.generation = getattr(self, "generation", 0) + 1

    # -- time -------------------------------------------------------------------
    def sleep(self, base_seconds):
        """Sleep base_seconds on the stand-in's time scale; False if stopping."""
        return not self.stopping.wait(base_seconds * self.time_scale)

    def visible(self, created_mono):
        """False while the hide_new_seconds fault hides recently created resources."""
        hide = self.faults.hide_new_seconds
        return not hide or time.monotonic() - created_mono >= hide

    # -- holds ------------------------------------------------------------------
    # A test that asserts a transient status (creating, modifying, ...) holds the
    # resource in it instead of racing the machine: the worker that would move the
    # resource on waits here until the hold is released (or the stand-in stops).
    def set_holds(self, hold=(), release=(), release_all=False):
        with self.held:
            if release_all:
                self.holds.clear()
            for h in release:
                self.holds.discard(_hold_key(h))
            for h in hold:
                self.holds.add(_hold_key(h))
            self.held.notify_all()
            return self.holds_list()

    def holds_list(self):
        with self.lock:
            return [{"kind": k, "id": i, "status": s} for k, i, s in sorted(self.holds)]

    def is_held(self, kind, ident, status):
        """True while (kind, ident or "*", status) is held."""
        with self.lock:
            return bool({(kind, ident.lower(), status), (kind, "*", status)} & self.holds)

    def wait_hold(self, kind, ident, status):
        """Block while is_held(); the wait releases the lock, a stop ends it."""
        with self.held:
            while self.is_held(kind, ident, status) and not self.stopping.is_set():
                self.held.wait(0.5)

    # -- addresses ----------------------------------------------------------------
    def allocate_ip(self):
        with self.lock:
            ip = self.ip_base + self.next_ip
            # Skip .0 and .255 so each address is an ordinary host address.
            while ip.packed[3] in (0, 255):
                self.next_ip += 1
                ip = self.ip_base + self.next_ip
            self.next_ip += 1
            sid = self.next_server_id
            self.next_server_id += 1
            if not ip.is_loopback:
                raise AwsError("InsufficientDBInstanceCapacity", "no loopback address left")
            return str(ip), sid

    def write_hosts(self, entries):
        """Rewrite the hosts file (atomically): one "address name" line per entry."""
        tmp = self.hosts_path + ".tmp"
        with open(tmp, "w") as f:
            f.writelines(f"{ip} {name}\n" for ip, name in entries)
        os.replace(tmp, self.hosts_path)

    # -- calls --------------------------------------------------------------------
    def record_call(self, service, action, mutating, status, request_id, resource=None):
        with self.lock:
            self.calls.append({"time": now().isoformat(), "service": service, "action": action,
                               "mutating": mutating, "status": status, "request_id": request_id,
                               "resource": resource})

    def calls_summary(self, reset=False):
        with self.lock:
            counts = {}
            for c in self.calls:
                k = f"{c['service']}.{c['action']}"
                counts[k] = counts.get(k, 0) + 1
            out = {"total": len(self.calls), "mutating": sum(1 for c in self.calls if c["mutating"]),
                   "counts": counts, "calls": list(self.calls)}
            if reset:
                self.calls = []
            return out


HOLD_KINDS = ("instance", "snapshot", "change", "parameters")


def _hold_key(h):
    kind, ident, status = h.get("kind"), h.get("id"), h.get("status")
    if kind not in HOLD_KINDS or not isinstance(ident, str) or not isinstance(status, str):
        raise ValueError(f"a hold is {{kind: {'|'.join(HOLD_KINDS)}, id, status}}: {h!r}")
    return kind, ident.lower(), status


def is_mutating(action):
    """Read-only AWS actions start with Describe, List or Get."""
    return not action.startswith(("Describe", "List", "Get"))


def encode_marker(value):
    return base64.urlsafe_b64encode(value.encode()).decode()


def decode_marker(marker):
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise AwsError("InvalidParameterValue", f"Invalid marker: {marker}") from None


def paginate(items, key, max_records, marker, default=100, lo=20, hi=100, name="MaxRecords"):
    """Page a sorted list: items whose key() >= the marker's; returns (page, next marker)."""
    if max_records is None:
        max_records = default
    if not lo <= max_records <= hi:
        raise AwsError("InvalidParameterValue",
                       f"Invalid value {max_records} for {name}. Must be between {lo} and {hi}")
    if marker:
        start = decode_marker(marker)
        items = [i for i in items if key(i) >= start]
    page = items[:max_records]
    nxt = encode_marker(key(items[max_records])) if len(items) > max_records else None
    return page, nxt
