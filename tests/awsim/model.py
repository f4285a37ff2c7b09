"""The official AWS service models (botocore's service-2.json) drive every request and reply.

Requests are parsed from the wire format of their protocol (Query form parameters,
JSON 1.1 bodies, REST-XML URIs/query strings/bodies) into plain Python values and
validated against the operation's input shape.  Replies are plain Python dicts
serialised by the output shape, so member names, order, list wrapping, timestamp
and boolean formats are exactly what the SDKs parse.  Nothing here knows about a
particular operation.
"""

import base64
import datetime
import json
import os
import re
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

DATA_DIR = os.environ.get("AWSIM_MODEL_DIR", "/usr/lib/python3/dist-packages/botocore/data")

SERVICES = {
    "rds": "rds/2014-10-31",
    "kms": "kms/2014-11-01",
    "route53": "route53/2013-04-01",
    "sts": "sts/2011-06-15",
    "ec2": "ec2/2016-11-15",
}


class InputError(Exception):
    """A request that does not fit the model.

    kind: unknown (parameter not in the shape), missing (required member absent),
    type (value of the wrong type), value (enum/range/length), malformed (unparsable body).
    Each protocol turns the kind into its own error code.
    """

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


class Model:
    """One service's model, loaded on first use."""

    def __init__(self, service):
        path = os.path.join(DATA_DIR, SERVICES[service], "service-2.json")
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.service = service
        self.metadata = data["metadata"]
        self.protocol = self.metadata["protocol"]
        self.operations = data["operations"]
        self.shapes = data["shapes"]
        self._routes = None

    def shape(self, name):
        return self.shapes[name]

    def error(self, name):
        """(code, http status) for an exception shape, or None if the model has no such shape."""
        s = self.shapes.get(name)
        if not s or not s.get("exception"):
            return None
        err = s.get("error", {})
        # A "fault" (the service's side) without a status is a 500, as the
        # API references list them (KMS: KMSInternalException, 500).
        return err.get("code", name), err.get("httpStatusCode", 500 if s.get("fault") else 400)

    # -- REST routing -------------------------------------------------------------
    def route(self, method, path):
        """Find the REST operation for method+path; return (operation, uri labels) or None."""
        if self._routes is None:
            routes = []
            for name, op in self.operations.items():
                uri = op["http"]["requestUri"].split("?")[0]
                pattern = ""
                for piece in re.split(r"(\{[^}]+\})", uri):
                    if piece.startswith("{"):
                        label = piece[1:-1]
                        if label.endswith("+"):
                            pattern += f"(?P<{label[:-1]}>.+)"
                        else:
                            pattern += f"(?P<{label}>[^/]+)"
                    else:
                        pattern += re.escape(piece)
                literal = len(re.sub(r"\{[^}]+\}", "", uri))
                routes.append((literal, op["http"]["method"], re.compile("^" + pattern + "$"), name))
            routes.sort(key=lambda r: -r[0])
            self._routes = routes
        for _, m, rx, name in self._routes:
            if m != method:
                continue
            mt = rx.match(path)
            if mt:
                labels = {k: urllib.parse.unquote(v) for k, v in mt.groupdict().items()}
                return self.operations[name], labels
        return None


_models = {}
_models_lock = threading.Lock()


def get(service):
    """The model of a service, loaded lazily and shared."""
    with _models_lock:
        if service not in _models:
            _models[service] = Model(service)
        return _models[service]


# -- scalar conversion --------------------------------------------------------------

def parse_timestamp(text):
    """ISO 8601 (with or without fraction/zone) or epoch seconds."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return datetime.datetime.fromtimestamp(text, datetime.timezone.utc)
    t = str(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return datetime.datetime.fromtimestamp(float(t), datetime.timezone.utc)
    t = t.replace("Z", "+00:00")
    d = datetime.datetime.fromisoformat(t)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d


def iso8601(d):
    d = d.astimezone(datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def _scalar_from_text(shape, text, where):
    """Convert a text value (Query or XML or URI) to the shape's Python type."""
    t = shape["type"]
    try:
        if t in ("string", "character"):
            return text
        if t in ("integer", "long"):
            if not re.fullmatch(r"-?\d+", text.strip()):
                raise ValueError
            return int(text)
        if t in ("double", "float"):
            return float(text)
        if t == "boolean":
            low = text.strip().lower()
            if low not in ("true", "false"):
                raise ValueError
            return low == "true"
        if t == "timestamp":
            return parse_timestamp(text)
        if t == "blob":
            return base64.b64decode(text, validate=True)
    except ValueError:
        pass
    else:
        raise InputError("malformed", f"unsupported shape type {t} at {where}")
    raise InputError("type", f"Invalid value {text!r} for parameter {where}: expected {t}")


# -- validation of parsed values -----------------------------------------------------

def validate(model, shape_name, value, where):
    """Check required members, enums, lengths and ranges; raise InputError."""
    shape = model.shape(shape_name)
    t = shape["type"]
    if t == "structure":
        for req in shape.get("required", []):
            if value.get(req) is None:
                name = f"{where}.{req}" if where else req
                raise InputError("missing", f"The request must contain the parameter {name}")
        for k, v in value.items():
            if v is not None:
                validate(model, shape["members"][k]["shape"], v, f"{where}.{k}" if where else k)
    elif t == "list":
        _check_len(shape, len(value), where, "items")
        for i, v in enumerate(value, 1):
            validate(model, shape["member"]["shape"], v, f"{where}.{i}")
    elif t == "map":
        for k, v in value.items():
            validate(model, shape["value"]["shape"], v, f"{where}.{k}")
    elif t == "string":
        if "enum" in shape and value not in shape["enum"]:
            raise InputError("value", f"Invalid value {value!r} for parameter {where}: "
                             f"must be one of {', '.join(shape['enum'])}")
        _check_len(shape, len(value), where, "characters")
    elif t in ("integer", "long"):
        if "min" in shape and value < shape["min"]:
            raise InputError("value", f"Invalid value {value} for parameter {where}: minimum is {shape['min']}")
        if "max" in shape and value > shape["max"]:
            raise InputError("value", f"Invalid value {value} for parameter {where}: maximum is {shape['max']}")


def _check_len(shape, n, where, unit):
    if "min" in shape and n < shape["min"]:
        raise InputError("value", f"{where} must have at least {shape['min']} {unit}")
    if "max" in shape and n > shape["max"]:
        raise InputError("value", f"{where} must have at most {shape['max']} {unit}")


# -- Query protocol input (RDS, STS) -------------------------------------------------

def parse_query(model, op, params):
    """Turn flat Query parameters (Action/Version removed) into the input structure.

    Lists follow the model: non-flattened lists use Name.<member locationName or
    'member'>.N, flattened ones Name.N; maps use Name.entry.N.key/value.  Any
    parameter left over after the walk is unknown to the operation.
    """
    used = set()
    if "input" not in op:
        value = {}
    else:
        value = _q_struct(model, op["input"]["shape"], "", params, used)
        if value is None:
            value = {}
        validate(model, op["input"]["shape"], value, "")
    unknown = sorted(set(params) - used)
    if unknown:
        raise InputError("unknown", f"Unrecognized parameter: {unknown[0]}")
    return value


def _q_value(model, shape_name, key, params, used):
    shape = model.shape(shape_name)
    t = shape["type"]
    if t == "structure":
        return _q_struct(model, shape_name, key, params, used)
    if t == "list":
        return _q_list(model, shape, key, params, used)
    if t == "map":
        return _q_map(model, shape, key, params, used)
    if key in params:
        used.add(key)
        return _scalar_from_text(shape, params[key], key)
    return None


def _q_name(model, name, ref):
    """A member's name on the wire: Query uses its locationName; the EC2
    protocol its queryName, else its locationName with the first letter
    upper-cased, else its name (botocore EC2Serializer)."""
    if model.protocol == "ec2":
        if "queryName" in ref:
            return ref["queryName"]
        loc = ref.get("locationName")
        return loc[0].upper() + loc[1:] if loc else name
    return ref.get("locationName", name)


def _q_struct(model, shape_name, prefix, params, used):
    shape = model.shape(shape_name)
    out = {}
    for name, ref in shape["members"].items():
        loc = _q_name(model, name, ref)
        key = f"{prefix}.{loc}" if prefix else loc
        v = _q_value(model, ref["shape"], key, params, used)
        if v is not None:
            out[name] = v
    if not out and prefix:
        return None
    return out


def _indices(prefix, params):
    found = set()
    plen = len(prefix) + 1
    for k in params:
        if k.startswith(prefix + "."):
            head = k[plen:].split(".", 1)[0]
            if head.isdigit():
                found.add(int(head))
    return sorted(found)


def _q_list(model, shape, key, params, used):
    member = shape["member"]
    if model.protocol == "ec2":
        lp = key   # EC2 lists are always Name.N, whatever the member is called
    elif shape.get("flattened"):
        lp = key
        if "locationName" in member:
            lp = ".".join(key.split(".")[:-1] + [member["locationName"]])
    else:
        lp = f"{key}.{member.get('locationName', 'member')}"
    if key in params and params[key] == "" and model.protocol != "ec2":
        used.add(key)  # the Query encoding of an empty list
        return []
    idx = _indices(lp, params)
    if not idx:
        return None
    return [_q_value(model, member["shape"], f"{lp}.{i}", params, used) for i in idx]


def _q_map(model, shape, key, params, used):
    lp = key if shape.get("flattened") else f"{key}.entry"
    kname = shape["key"].get("locationName", "key")
    vname = shape["value"].get("locationName", "value")
    out = {}
    for i in _indices(lp, params):
        k = _q_value(model, shape["key"]["shape"], f"{lp}.{i}.{kname}", params, used)
        v = _q_value(model, shape["value"]["shape"], f"{lp}.{i}.{vname}", params, used)
        out[k] = v
    return out or None


# -- JSON protocol input (KMS) -------------------------------------------------------

def parse_json(model, op, body):
    """Decode and type-check a JSON 1.1 body against the input shape."""
    try:
        data = json.loads(body.decode("utf-8") or "{}") if body else {}
    except (ValueError, UnicodeDecodeError):
        raise InputError("malformed", "Start of structure or map found where not expected.") from None
    if "input" not in op:
        return {}
    value = _j_value(model, op["input"]["shape"], data, "")
    validate(model, op["input"]["shape"], value, "")
    return value


def _j_value(model, shape_name, v, where):
    shape = model.shape(shape_name)
    t = shape["type"]
    if v is None:
        return None
    ok = {
        "structure": lambda: isinstance(v, dict),
        "map": lambda: isinstance(v, dict),
        "list": lambda: isinstance(v, list),
        "string": lambda: isinstance(v, str),
        "blob": lambda: isinstance(v, str),
        "boolean": lambda: isinstance(v, bool),
        "integer": lambda: isinstance(v, int) and not isinstance(v, bool),
        "long": lambda: isinstance(v, int) and not isinstance(v, bool),
        "double": lambda: isinstance(v, (int, float)) and not isinstance(v, bool),
        "float": lambda: isinstance(v, (int, float)) and not isinstance(v, bool),
        "timestamp": lambda: isinstance(v, (int, float, str)) and not isinstance(v, bool),
    }[t]()
    if not ok:
        raise InputError("type", f"Invalid type for {where or 'body'}: expected {t}")
    if t == "structure":
        out = {}
        for k, item in v.items():
            if k not in shape["members"]:
                raise InputError("unknown", f"Unknown parameter in input: {k!r}")
            out[k] = _j_value(model, shape["members"][k]["shape"], item, f"{where}.{k}" if where else k)
        return {k: x for k, x in out.items() if x is not None}
    if t == "list":
        return [_j_value(model, shape["member"]["shape"], x, f"{where}.{i}") for i, x in enumerate(v, 1)]
    if t == "map":
        return {k: _j_value(model, shape["value"]["shape"], x, f"{where}.{k}") for k, x in v.items()}
    if t == "timestamp":
        return parse_timestamp(v)
    if t == "blob":
        try:
            return base64.b64decode(v, validate=True)
        except ValueError:
            raise InputError("type", f"Invalid base64 for {where}") from None
    return v


# -- REST-XML input (Route 53) -------------------------------------------------------

def _local(tag):
    return tag.rsplit("}", 1)[-1]


def parse_rest_xml(model, op, labels, query, headers, body):
    """Build the input from URI labels, query string, headers and the XML body."""
    if "input" not in op:
        return {}
    shape_name = op["input"]["shape"]
    shape = model.shape(shape_name)
    qs = urllib.parse.parse_qs(query or "", keep_blank_values=True)
    hdr = {k.lower(): v for k, v in headers}
    out = {}
    body_members = {}
    known_q = set()
    for name, ref in shape["members"].items():
        loc = ref.get("location")
        lname = ref.get("locationName", name)
        mshape = model.shape(ref["shape"])
        if loc == "uri":
            if lname in labels:
                out[name] = _scalar_from_text(mshape, labels[lname], name)
        elif loc == "querystring":
            known_q.add(lname)
            if lname in qs:
                if mshape["type"] == "list":
                    out[name] = [_scalar_from_text(model.shape(mshape["member"]["shape"]), x, name)
                                 for x in qs[lname]]
                else:
                    out[name] = _scalar_from_text(mshape, qs[lname][0], name)
        elif loc == "header":
            if lname.lower() in hdr:
                out[name] = _scalar_from_text(mshape, hdr[lname.lower()], name)
        else:
            body_members[name] = ref
    for q in qs:
        if q not in known_q:
            raise InputError("unknown", f"Unrecognized query parameter: {q}")
    if body_members and body:
        try:
            root = ET.fromstring(body)
        except ET.ParseError as e:
            raise InputError("malformed", f"Could not parse the request body: {e}") from None
        payload = shape.get("payload")
        if payload:
            out[payload] = _x_value(model, shape["members"][payload]["shape"], root, payload)
        else:
            out.update(_x_struct_children(model, shape_name, root, "", body_members))
    validate(model, shape_name, out, "")
    return out


def _x_struct_children(model, shape_name, elem, where, members=None):
    shape = model.shape(shape_name)
    members = members if members is not None else shape["members"]
    by_loc = {ref.get("locationName", name): name for name, ref in members.items()}
    out = {}
    for child in elem:
        tag = _local(child.tag)
        if tag not in by_loc:
            raise InputError("unknown", f"Unexpected element {tag} in {where or _local(elem.tag)}")
        name = by_loc[tag]
        out[name] = _x_value(model, members[name]["shape"], child, f"{where}.{name}" if where else name)
    return out


def _x_value(model, shape_name, elem, where):
    shape = model.shape(shape_name)
    t = shape["type"]
    if t == "structure":
        return _x_struct_children(model, shape_name, elem, where)
    if t == "list":
        mref = shape["member"]
        want = mref.get("locationName", "member")
        items = []
        for i, child in enumerate(elem, 1):
            if _local(child.tag) != want:
                raise InputError("unknown", f"Unexpected element {_local(child.tag)} in {where}")
            items.append(_x_value(model, mref["shape"], child, f"{where}.{i}"))
        return items
    return _scalar_from_text(shape, elem.text or "", where)


# -- XML output (Query and REST-XML) -------------------------------------------------

def _fmt_scalar(shape, v):
    t = shape["type"]
    if t == "boolean":
        return "true" if v else "false"
    if t == "timestamp":
        return iso8601(v) if isinstance(v, datetime.datetime) else str(v)
    if t == "blob":
        return base64.b64encode(v).decode()
    return str(v)


def to_xml(model, shape_name, value):
    """Serialise the members of a structure value as XML elements (no wrapper)."""
    parts = []
    _xml_members(model, shape_name, value, parts)
    return "".join(parts)


def _xml_members(model, shape_name, value, parts):
    shape = model.shape(shape_name)
    extra = set(value) - set(shape["members"])
    if extra:
        raise KeyError(f"{shape_name} has no member {sorted(extra)[0]}")
    for name, ref in shape["members"].items():
        if ref.get("location") in ("header", "headers", "statusCode", "uri", "querystring"):
            continue
        v = value.get(name)
        if v is None:
            continue
        _xml_value(model, ref["shape"], ref.get("locationName", name), v, parts)


def _xml_value(model, shape_name, tag, v, parts):
    shape = model.shape(shape_name)
    t = shape["type"]
    if t == "structure":
        parts.append(f"<{tag}>")
        _xml_members(model, shape_name, v, parts)
        parts.append(f"</{tag}>")
    elif t == "list":
        mref = shape["member"]
        if shape.get("flattened"):
            for item in v:
                _xml_value(model, mref["shape"], mref.get("locationName", tag), item, parts)
        else:
            parts.append(f"<{tag}>")
            for item in v:
                _xml_value(model, mref["shape"], mref.get("locationName", "member"), item, parts)
            parts.append(f"</{tag}>")
    elif t == "map":
        parts.append(f"<{tag}>")
        for k, item in v.items():
            parts.append("<entry>")
            _xml_value(model, shape["key"]["shape"], shape["key"].get("locationName", "key"), k, parts)
            _xml_value(model, shape["value"]["shape"], shape["value"].get("locationName", "value"), item, parts)
            parts.append("</entry>")
        parts.append(f"</{tag}>")
    else:
        parts.append(f"<{tag}>{escape(_fmt_scalar(shape, v))}</{tag}>")


def output_headers(model, shape_name, value):
    """Members an output shape places in HTTP headers (REST protocols)."""
    shape = model.shape(shape_name)
    return {ref.get("locationName", n): _fmt_scalar(model.shape(ref["shape"]), value[n])
            for n, ref in shape["members"].items()
            if ref.get("location") == "header" and value.get(n) is not None}


# -- JSON output (KMS) ---------------------------------------------------------------

def to_json(model, shape_name, value):
    shape = model.shape(shape_name)
    t = shape["type"]
    if t == "structure":
        extra = set(value) - set(shape["members"])
        if extra:
            raise KeyError(f"{shape_name} has no member {sorted(extra)[0]}")
        return {k: to_json(model, ref["shape"], value[k])
                for k, ref in shape["members"].items() if value.get(k) is not None}
    if t == "list":
        return [to_json(model, shape["member"]["shape"], x) for x in value]
    if t == "map":
        return {k: to_json(model, shape["value"]["shape"], x) for k, x in value.items()}
    if t == "timestamp":
        return value.timestamp() if isinstance(value, datetime.datetime) else value
    if t == "blob":
        return base64.b64encode(value).decode()
    return value
