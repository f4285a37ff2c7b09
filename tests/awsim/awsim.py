#!/usr/bin/python3
"""awsim: a local AWS stand-in for rdsreconcile's tests and demo.

One HTTP endpoint on 127.0.0.1 answers RDS (Query/XML), KMS (JSON 1.1), Route 53
(REST-XML) and STS (Query/XML), picking the service from the SigV4 credential
scope as AWS's front ends do.  Every request is signature-checked and validated
against the official botocore service model; every DB instance is a real mariadbd
on its own loopback address.  Unsigned JSON under /_awsim/ is the control
interface for tests (reset, state, call counts, fault hooks, DNS resolution).

    /usr/bin/python3 tests/awsim/awsim.py --port 0 --state-dir DIR --time-scale 0.02 \\
        --credentials AKID:SECRET[:TOKEN] --ready-file FILE --log FILE

Default credentials (for the stand-in only, never real ones):
AKIDAWSIMEXAMPLE / awsim-secret-key-not-real.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import model  # noqa: E402
import sigv4  # noqa: E402
from state import AwsError, State, is_mutating, new_request_id  # noqa: E402

DEFAULT_ACCESS_KEY = "AKIDAWSIMEXAMPLE"
DEFAULT_SECRET_KEY = "awsim-secret-key-not-real"
MAX_BODY = 4 * 1024 * 1024

# Codes that are not exception shapes in the service models (AWS "common errors").
COMMON_ERRORS = {
    "InvalidParameterValue": 400, "InvalidParameterCombination": 400, "MissingParameter": 400,
    "MissingAction": 400, "InvalidAction": 400, "ValidationError": 400, "MalformedQueryString": 400,
    "Throttling": 400, "ThrottlingException": 400, "RequestExpired": 400,
    "IncompleteSignature": 400, "SignatureDoesNotMatch": 403, "InvalidClientTokenId": 403,
    "MissingAuthenticationToken": 403, "AccessDenied": 403,
    "InternalFailure": 500, "ServiceUnavailable": 503,
    # EC2 spellings (EC2 API Reference, "Error codes")
    "UnknownParameter": 400, "AuthFailure": 401, "RequestLimitExceeded": 503, "InternalError": 500,
    # JSON 1.1 (KMS) spellings
    "ValidationException": 400, "SerializationException": 400, "UnrecognizedClientException": 400,
    "InvalidSignatureException": 400, "IncompleteSignatureException": 400,
    "MissingAuthenticationTokenException": 400, "UnknownOperationException": 400,
    "KMSInternalException": 500,
}

# How each protocol names authentication failures (sigv4.SigV4Error.kind -> code).
AUTH_CODES = {
    "query": {"missing": "MissingAuthenticationToken", "incomplete": "IncompleteSignature",
              "unknown_key": "InvalidClientTokenId", "token": "InvalidClientTokenId",
              "expired": "RequestExpired", "signature": "SignatureDoesNotMatch"},
    "rest-xml": {"missing": "MissingAuthenticationToken", "incomplete": "IncompleteSignature",
                 "unknown_key": "InvalidClientTokenId", "token": "InvalidClientTokenId",
                 "expired": "RequestExpired", "signature": "SignatureDoesNotMatch"},
    "ec2": {"missing": "MissingAuthenticationToken", "incomplete": "IncompleteSignature",
            "unknown_key": "AuthFailure", "token": "AuthFailure",
            "expired": "RequestExpired", "signature": "AuthFailure"},
    "json": {"missing": "MissingAuthenticationTokenException",
             "incomplete": "IncompleteSignatureException",
             "unknown_key": "UnrecognizedClientException", "token": "UnrecognizedClientException",
             "expired": "InvalidSignatureException", "signature": "InvalidSignatureException"},
}

# How each protocol names a request that breaks the model (model.InputError.kind -> code).
INPUT_CODES = {
    "query": {"unknown": "InvalidParameterValue", "missing": "MissingParameter",
              "type": "InvalidParameterValue", "value": "InvalidParameterValue",
              "malformed": "MalformedQueryString"},
    "ec2": {"unknown": "UnknownParameter", "missing": "MissingParameter",
            "type": "InvalidParameterValue", "value": "InvalidParameterValue",
            "malformed": "MalformedQueryString"},
    "json": {"unknown": "ValidationException", "missing": "ValidationException",
             "type": "SerializationException", "value": "ValidationException",
             "malformed": "SerializationException"},
    "rest-xml": {k: "InvalidInput" for k in ("unknown", "missing", "type", "value", "malformed")},
}

# The name a Create*/Copy*/Restore* call gives what it makes, for the call log
# (tests count resources created twice); the target's name before the source's.
RESOURCE_KEYS = ("TargetDBSnapshotIdentifier", "TargetDBParameterGroupIdentifier", "DBInstanceIdentifier",
                 "DBSnapshotIdentifier", "DBParameterGroupName", "DBSubnetGroupName", "AliasName")


def resource_of(action, params):
    if not action or not action.startswith(("Create", "Copy", "Restore")) or not isinstance(params, dict):
        return None
    for k in RESOURCE_KEYS:
        if isinstance(params.get(k), str):
            return params[k]
    return None


THROTTLE_CODES = {"query": "Throttling", "json": "ThrottlingException", "rest-xml": "Throttling",
                  "ec2": "RequestLimitExceeded"}

# The 5xx code each service answers an internal error with.
INTERNAL_CODES = {"kms": "KMSInternalException", "ec2": "InternalError"}


class Ctx:
    """Per-request context handed to the service handlers."""

    def __init__(self, state, region, request_id, access_key):
        self.state = state
        self.region = region
        self.request_id = request_id
        self.access_key = access_key


class Response:
    def __init__(self, status, body, content_type, headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.content_type = content_type
        self.headers = headers or {}


class App:
    """Routing, authentication, validation and serialisation around the service handlers."""

    def __init__(self, state, credentials, log):
        import ec2
        import kms
        import rds
        import route53
        import sts
        self.state = state
        self.credentials = credentials
        self.log_file = log
        self.log_lock = threading.Lock()
        self.handlers = {"rds": rds.RDS(state), "kms": kms.KMS(state),
                         "route53": route53.Route53(state), "sts": sts.STS(state)}
        self.rds = self.handlers["rds"]
        self.handlers["ec2"] = ec2.EC2(state, self.rds)
        self.route53 = self.handlers["route53"]

    def log(self, method, service, action, status, request_id, started):
        line = "%s %s %s %s %d %s %dms\n" % (
            time.strftime("%Y-%m-%dT%H:%M:%S"), method, service or "-", action or "-", status,
            request_id, (time.monotonic() - started) * 1000)
        with self.log_lock:
            self.log_file.write(line)
            self.log_file.flush()

    # -- AWS requests -----------------------------------------------------------------
    def guess_service(self, path, headers):
        """Service of a request whose credential scope cannot be read (for the error format)."""
        hdr = {k.lower(): v for k, v in headers}
        if "x-amz-target" in hdr:
            return "kms"
        if path.startswith("/2013-04-01/"):
            return "route53"
        return "rds"

    def handle_aws(self, method, path, query, headers, body):
        """Returns (Response, service, action)."""
        request_id = new_request_id()
        scope = sigv4.scope_of(headers, query)
        service = scope[3] if scope and scope[3] in model.SERVICES else self.guess_service(path, headers)
        m = model.get(service)
        proto = m.protocol
        action = resource = None
        try:
            try:
                auth = sigv4.verify(method, path, query, headers, body, self.credentials)
            except sigv4.SigV4Error as e:
                raise AwsError(AUTH_CODES[proto][e.kind], e.message) from None
            if auth.service not in model.SERVICES:
                raise AwsError(AUTH_CODES[proto]["signature"],
                               f"Credential should be scoped to correct service: '{auth.service}'")
            op, params, action = self.decode(m, method, path, query, headers, body)
            resource = resource_of(action, params)
            ctx = Ctx(self.state, auth.region, request_id, auth.access_key)
            self.apply_faults(proto, service, action)
            handler = getattr(self.handlers[service], action, None)
            if handler is None:
                raise AwsError({"query": "InvalidAction", "json": "UnknownOperationException",
                                "rest-xml": "InvalidAction", "ec2": "InvalidAction"}[proto],
                               f"The action {action} is not implemented by this stand-in")
            result = handler(params, ctx) or {}
            resp = self.encode(m, op, result, request_id)
        except AwsError as e:
            resp = self.encode_error(m, e, request_id)
        except Exception:  # noqa: BLE001 - a bug in the stand-in answers like AWS's 500
            traceback.print_exc()
            resp = self.encode_error(m, AwsError(INTERNAL_CODES.get(service, "InternalFailure"),
                                                 "internal error in the stand-in"), request_id)
        resp.headers["x-amzn-RequestId"] = request_id
        if action:
            self.state.record_call(service, action, is_mutating(action), resp.status, request_id, resource)
        return resp, service, action, request_id

    def apply_faults(self, proto, service, action):
        f = self.state.faults
        if f.latency_ms:
            time.sleep(f.latency_ms / 1000.0)
        with self.state.lock:
            kind = f.draw(action)
        if kind == "throttle":
            raise AwsError(THROTTLE_CODES[proto], "Rate exceeded")
        if kind == "error5xx":
            if service in INTERNAL_CODES:
                raise AwsError(INTERNAL_CODES[service], "We encountered an internal error. Please try again.")
            if f.error5xx_code == "ServiceUnavailable":
                raise AwsError("ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
            raise AwsError("InternalFailure", "We encountered an internal error. Please try again.")

    def decode(self, m, method, path, query, headers, body):
        """Find the operation and parse its input; returns (op, params, action)."""
        proto = m.protocol
        try:
            if proto in ("query", "ec2"):
                form = dict(urllib.parse.parse_qsl(query or "", keep_blank_values=True))
                form.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                action = form.pop("Action", None)
                version = form.pop("Version", None)
                if not action:
                    raise AwsError("MissingAction", "The request must contain the parameter Action")
                if action not in m.operations:
                    raise AwsError("InvalidAction", f"Could not find operation {action} for version {version}")
                if version != m.metadata["apiVersion"]:
                    raise AwsError("InvalidParameterValue" if version else "MissingParameter",
                                   f"Invalid or missing Version: {version!r}")
                op = m.operations[action]
                try:
                    return op, model.parse_query(m, op, form), action
                except model.InputError as e:
                    e.action = action
                    raise
            if proto == "json":
                target = {k.lower(): v for k, v in headers}.get("x-amz-target", "")
                prefix, _, action = target.partition(".")
                if prefix != m.metadata["targetPrefix"] or action not in m.operations:
                    raise AwsError("UnknownOperationException", f"Unknown operation {target!r}")
                op = m.operations[action]
                return op, model.parse_json(m, op, body), action
            found = m.route(method, path)
            if not found:
                raise AwsError("InvalidInput", f"No operation matches {method} {path}", status=404)
            op, labels = found
            return op, model.parse_rest_xml(m, op, labels, query, headers, body), op["name"]
        except model.InputError as e:
            raise AwsError(INPUT_CODES[proto][e.kind], e.message) from None
        except UnicodeDecodeError:
            raise AwsError(INPUT_CODES[proto]["malformed"], "request body is not UTF-8") from None

    def encode(self, m, op, result, request_id):
        proto = m.protocol
        out = op.get("output")
        if proto == "json":
            body = model.to_json(m, out["shape"], result) if out else {}
            return Response(200, json.dumps(body), "application/x-amz-json-1.1")
        ns = m.metadata.get("xmlNamespace") or op.get("input", {}).get("xmlNamespace", {}).get("uri") \
            or "https://route53.amazonaws.com/doc/2013-04-01/"
        name = op["name"]
        if proto == "ec2":
            # EC2: members straight under <ActionResponse>, requestId first, no
            # ResponseMetadata; an action without output answers <return>.
            inner = model.to_xml(m, out["shape"], result) if out else "<return>true</return>"
            xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{ns}/">'
                   f"<requestId>{request_id}</requestId>{inner}</{name}Response>")
            return Response(200, xml, "text/xml;charset=UTF-8")
        if proto == "query":
            inner = ""
            if out:
                inner = f"<{out['resultWrapper']}>{model.to_xml(m, out['shape'], result)}</{out['resultWrapper']}>"
            xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{ns}">{inner}'
                   f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
                   f"</{name}Response>")
            return Response(200, xml, "text/xml")
        status = op["http"].get("responseCode", 200)
        if not out:
            return Response(status, b"", "text/xml")
        root = out["shape"]
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{ns}">'
               f"{model.to_xml(m, out['shape'], result)}</{root}>")
        return Response(status, xml, "text/xml", model.output_headers(m, out["shape"], result))

    def encode_error(self, m, e, request_id):
        found = m.error(e.code)
        code, status = found if found else (e.code, COMMON_ERRORS.get(e.code, 400))
        if e.status:
            status = e.status
        if m.protocol == "json":
            body = {"__type": code, "message": e.message}
            return Response(status, json.dumps(body), "application/x-amz-json-1.1")
        if m.protocol == "ec2":
            xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{escape(code)}</Code>'
                   f"<Message>{escape(e.message)}</Message></Error></Errors>"
                   f"<RequestID>{request_id}</RequestID></Response>")
            return Response(status, xml, "text/xml;charset=UTF-8")
        ns = m.metadata.get("xmlNamespace", "https://route53.amazonaws.com/doc/2013-04-01/")
        kind = "Sender" if status < 500 else "Receiver"
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="{ns}"><Error>'
               f"<Type>{kind}</Type><Code>{escape(code)}</Code><Message>{escape(e.message)}</Message>"
               f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>")
        return Response(status, xml, "text/xml")

    # -- control interface ---------------------------------------------------------
    def handle_control(self, method, path, query, body):
        q = dict(urllib.parse.parse_qsl(query or ""))
        try:
            data = json.loads(body or b"{}") if method == "POST" else {}
        except ValueError:
            return 400, {"error": "body is not JSON"}
        route = (method, path)
        if route == ("GET", "/_awsim/health"):
            return 200, {"ok": True}
        if route == ("POST", "/_awsim/reset"):
            self.rds.reset()
            self.state.reset_data()
            self.rds._publish_hosts()
            self.rds.ensure_defaults("us-east-1")
            return 200, {"ok": True}
        if route == ("POST", "/_awsim/stop"):
            self.stop()
            return 200, {"ok": True}
        if route == ("GET", "/_awsim/state"):
            return 200, self.snapshot_state()
        if route == ("GET", "/_awsim/instances"):
            return 200, {"instances": self.rds.control_instances()}
        if route == ("GET", "/_awsim/calls"):
            return 200, self.state.calls_summary(reset=q.get("reset") in ("1", "true"))
        if route == ("GET", "/_awsim/faults"):
            return 200, self.state.faults.as_dict()
        if route == ("POST", "/_awsim/faults"):
            return self.set_faults(data)
        if route == ("GET", "/_awsim/holds"):
            return 200, {"holds": self.state.holds_list()}
        if route == ("POST", "/_awsim/holds"):
            try:
                held = self.state.set_holds(data.get("hold", ()), data.get("release", ()),
                                            bool(data.get("release_all")))
            except (ValueError, AttributeError) as e:
                return 400, {"error": str(e)}
            return 200, {"holds": held}
        if route == ("POST", "/_awsim/binlog-purge"):
            try:
                return 200, {"purged": self.rds.purge_binlogs(data.get("id"))}
            except AwsError as e:
                return 400, {"error": e.code, "message": e.message}
        if route == ("GET", "/_awsim/resolve"):
            return self.route53.resolve(q.get("name", ""), self.rds)
        if route == ("GET", "/_awsim/network"):
            with self.state.lock:
                return 200, self.rds._net(q.get("region", "us-east-1")).state()
        if route == ("POST", "/_awsim/network"):
            try:
                return 200, self.rds.control_network(data)
            except AwsError as e:
                return 400, {"error": e.code, "message": e.message}
        if route == ("GET", "/_awsim/resolver"):
            from mariadb.install import _srcaddr_lib
            return 200, {"endpoint_names": self.state.endpoint_names, "preload": _srcaddr_lib(),
                         "hosts": self.state.hosts_path}
        if route == ("POST", "/_awsim/fixtures"):
            try:
                return 200, self.rds.fixtures(data)
            except AwsError as e:
                return 400, {"error": e.code, "message": e.message}
        return 404, {"error": f"no control endpoint {method} {path}"}

    def set_faults(self, data):
        f = self.state.faults
        try:
            throttle, error5xx = data.get("throttle", {}), data.get("error5xx", {})
            rates = [float(x.get("rate", 0)) for x in (throttle, error5xx)]
            code = error5xx.get("code", f.error5xx_code)
            kill = data.get("kill_sessions")
            if any(r < 0 or r > 1 for r in rates) or sum(rates) > 1:
                raise ValueError("rates must be within 0..1 and add up to at most 1")
            if code not in ("InternalFailure", "ServiceUnavailable"):
                raise ValueError("error5xx code: InternalFailure or ServiceUnavailable")
            if kill is not None and kill and float(kill.get("every_seconds", 0)) <= 0:
                raise ValueError("kill_sessions: every_seconds > 0")
        except (ValueError, TypeError, AttributeError) as e:
            return 400, {"error": str(e)}
        with self.state.lock:
            if "throttle" in data:
                f.throttle_count = int(throttle.get("count", 0))
                f.throttle_action = throttle.get("action")
                f.throttle_rate = rates[0]
            if "error5xx" in data:
                f.error5xx_count = int(error5xx.get("count", 0))
                f.error5xx_action = error5xx.get("action")
                f.error5xx_rate = rates[1]
                f.error5xx_code = code
            if "seed" in data or "throttle" in data or "error5xx" in data:
                f.seed = int(data.get("seed", f.seed))
                f.rng.seed(f.seed)
            if "latency_ms" in data:
                f.latency_ms = int(data["latency_ms"])
            if "hide_new_seconds" in data:
                f.hide_new_seconds = float(data["hide_new_seconds"])
        if "kill_sessions" in data:
            self.rds.control_kill_sessions(kill or None)
        for key, fn in (("stop_instance", self.rds.control_stop_server),
                        ("start_instance", self.rds.control_start_server),
                        ("failover", self.rds.control_failover)):
            if key in data:
                try:
                    fn(data[key])
                except AwsError as e:
                    return (404 if e.code.endswith("NotFoundFault") else 400), \
                        {"error": e.code, "message": e.message}
        return 200, f.as_dict()

    def snapshot_state(self):
        import kms
        st = self.state
        with st.lock:
            return {
                "instances": [self.rds.instance_state(i) for i in st.instances.values()],
                "snapshots": [self.rds.snapshot_state(s) for s in st.snapshots.values()],
                "parameter_groups": sorted(st.param_groups),
                "networks": [n.state() for n in st.networks.values()],
                "keys": [kms.key_state(k, st) for k in st.keys.values()],
                "zones": [self.route53.zone_state(z) for z in st.zones.values()],
            }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "awsim"
    sys_version = ""

    def log_message(self, fmt, *args):  # the App writes its own request log
        pass

    def _read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n) if n else b""

    def _send(self, status, body, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _any(self):
        app = self.server.app
        started = time.monotonic()
        path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
        except ValueError:
            self._send(413, b"request body too large", "text/plain")
            return
        if path.startswith("/_awsim/"):
            status, data = app.handle_control(self.command, path, query, body)
            self._send(status, json.dumps(data, default=str).encode(), "application/json")
            app.log(self.command, "control", path, status, "-", started)
            return
        resp, service, action, rid = app.handle_aws(self.command, path, query,
                                                    list(self.headers.items()), body)
        self._send(resp.status, resp.body, resp.content_type, resp.headers)
        app.log(self.command, service, action, resp.status, rid, started)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def parse_credentials(values):
    creds = {}
    for v in values or [f"{DEFAULT_ACCESS_KEY}:{DEFAULT_SECRET_KEY}"]:
        parts = v.split(":", 2)
        if len(parts) < 2:
            raise SystemExit("--credentials wants AKID:SECRET[:TOKEN]")
        creds[parts[0]] = (parts[1], parts[2] if len(parts) == 3 else None)
    return creds


def main(argv=None):
    ap = argparse.ArgumentParser(description="Local AWS stand-in (RDS, KMS, Route 53, STS).")
    ap.add_argument("--port", type=int, default=4566, help="HTTP port on 127.0.0.1 (0 picks one)")
    ap.add_argument("--state-dir", help="where servers and snapshots live (default: a temp dir)")
    ap.add_argument("--time-scale", type=float, default=1.0,
                    help="multiplier for lifecycle durations (0.02 in tests)")
    ap.add_argument("--credentials", action="append",
                    help="AKID:SECRET[:TOKEN], repeatable (default: the documented stand-in key)")
    ap.add_argument("--ready-file", help="write the endpoint URL here once listening")
    ap.add_argument("--log", help="request log file (default: stderr)")
    ap.add_argument("--ip-base", default="127.0.10.2", help="first loopback address for DB instances")
    ap.add_argument("--db-port", type=int, default=13306,
                    help="port every DB instance listens on (0 picks a free one)")
    ap.add_argument("--apply-seconds", type=float, default=5,
                    help="base seconds a dynamic parameter change shows `applying` before the servers get it")
    ap.add_argument("--purge-seconds", type=float, default=300,
                    help="base seconds between binlog purge passes (binlog retention hours)")
    ap.add_argument("--endpoint-names", action="store_true",
                    help="Endpoint.Address is a DNS name (resolved through srcaddr.so), not the address")
    args = ap.parse_args(argv)

    created_dir = args.state_dir is None or not os.path.exists(args.state_dir)
    state_dir = args.state_dir or tempfile.mkdtemp(prefix="awsim-")
    os.makedirs(state_dir, exist_ok=True)
    db_port = args.db_port or free_port()
    log = open(args.log, "a", encoding="utf-8") if args.log else sys.stderr

    state = State(state_dir, args.time_scale, args.ip_base, db_port, args.apply_seconds, args.purge_seconds,
                  args.endpoint_names)
    # mariadbd inherits it: srcaddr.so resolves endpoint names from this file.
    os.environ["AWSIM_HOSTS"] = state.hosts_path
    state.write_hosts([])
    app = App(state, parse_credentials(args.credentials), log)
    httpd = Server(("127.0.0.1", args.port), Handler)
    httpd.app = app
    url = f"http://127.0.0.1:{httpd.server_address[1]}"

    def stop(signum=None, frame=None):
        state.stopping.set()
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app.stop = stop
    app.rds.start_purger()

    if args.ready_file:
        tmp = args.ready_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(url + "\n")
        os.replace(tmp, args.ready_file)
    log.write(f"awsim listening on {url} state-dir={state_dir} db-port={db_port} "
              f"time-scale={args.time_scale}\n")
    log.flush()
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        # Servers and helpers stopped, background work ended, then the files go.
        state.stopping.set()
        app.rds.shutdown(final=True)
        httpd.server_close()
        if created_dir:
            shutil.rmtree(state_dir, ignore_errors=True)
        log.write("awsim stopped\n")
        log.flush()
    return 0


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
