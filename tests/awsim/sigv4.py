"""AWS Signature Version 4 verification, written from the AWS specification.

The server recomputes the signature of each request from the secret it holds
for the access key named in the credential scope and compares it with the one
the client sent.  Both the Authorization-header form and the presigned
query-string form are understood.  Only hashlib/hmac are used so the check is
independent of any SDK's signer.
"""

import datetime
import hashlib
import hmac
import re
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = datetime.timedelta(minutes=15)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class SigV4Error(Exception):
    """A request that fails authentication.

    kind is one of: missing (no signature at all), incomplete (malformed
    Authorization), unknown_key, token (session token absent or wrong),
    expired, signature.  The caller maps the kind to each protocol's error code.
    """

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


class Auth:
    """What a verified request proved: who signed it and for which scope."""

    def __init__(self, access_key, date, region, service):
        self.access_key = access_key
        self.date = date
        self.region = region
        self.service = service


def uri_encode(s, safe="-_.~"):
    """RFC 3986 percent-encoding, as SigV4 requires (uppercase hex)."""
    return urllib.parse.quote(s, safe=safe)


def normalize_path(path):
    """Remove dot segments and repeated slashes (RFC 3986 5.2.4), keep a trailing slash."""
    if not path:
        return "/"
    out = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    result = "/" + "/".join(out)
    if path.endswith("/") and result != "/":
        result += "/"
    return result


def canonical_uri(path, normalize=True):
    """The path as the signer saw it.

    Clients sign the path they put on the wire URI-encoded once more (all AWS
    services but S3 double-encode), so encoding the received path reproduces it.
    """
    if normalize:
        path = normalize_path(path)
    return uri_encode(path, safe="/-_.~")


def canonical_query(query, exclude=()):
    """Decode every pair, re-encode it strictly, sort by encoded key then value."""
    pairs = []
    if query:
        for part in query.split("&"):
            if part == "":
                continue
            k, _, v = part.partition("=")
            k = urllib.parse.unquote(k)
            if k in exclude:
                continue
            v = urllib.parse.unquote(v)
            pairs.append((uri_encode(k), uri_encode(v)))
    pairs.sort()
    return "&".join(f"{k}={v}" for k, v in pairs)


def canonical_header_value(values):
    """Join repeated headers with commas; trim and collapse inner whitespace."""
    return ",".join(" ".join(v.split()) for v in values)


def canonical_request(method, path, query, headers, signed_headers, payload_hash,
                      normalize=True, exclude_query=()):
    """Build the canonical request text.

    headers: list of (name, value) in the order received (repeated names allowed).
    signed_headers: lower-case names from the Authorization header.
    """
    by_name = {}
    for name, value in headers:
        by_name.setdefault(name.lower(), []).append(value)
    lines = [method.upper(), canonical_uri(path, normalize),
             canonical_query(query, exclude_query)]
    for name in signed_headers:
        if name not in by_name:
            raise SigV4Error("signature", f"signed header '{name}' is not in the request")
        lines.append(f"{name}:{canonical_header_value(by_name[name])}")
    lines.append("")
    lines.append(";".join(signed_headers))
    lines.append(payload_hash)
    return "\n".join(lines)


def string_to_sign(amz_date, scope, creq):
    return "\n".join([ALGORITHM, amz_date, scope,
                      hashlib.sha256(creq.encode("utf-8")).hexdigest()])


def signing_key(secret, date, region, service):
    k = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode("utf-8"), hashlib.sha256).digest()
    return k


def signature(secret, date, region, service, sts):
    return hmac.new(signing_key(secret, date, region, service), sts.encode("utf-8"),
                    hashlib.sha256).hexdigest()


_AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256\s+(.*)$", re.S)


def parse_authorization(value):
    """Split an Authorization header into its Credential, SignedHeaders, Signature."""
    m = _AUTH_RE.match(value.strip())
    if not m:
        raise SigV4Error("incomplete", "Authorization header requires the AWS4-HMAC-SHA256 algorithm")
    fields = {}
    for part in m.group(1).split(","):
        k, sep, v = part.strip().partition("=")
        if sep:
            fields[k] = v
    for need in ("Credential", "SignedHeaders", "Signature"):
        if need not in fields:
            raise SigV4Error("incomplete",
                             f"Authorization header requires '{need}' parameter. "
                             f"Authorization={ALGORITHM} ...")
    return fields["Credential"], fields["SignedHeaders"], fields["Signature"]


def parse_scope(credential):
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SigV4Error("incomplete", f"Credential should be scoped to a valid region: '{credential}'")
    return parts  # akid, date, region, service, aws4_request


def parse_amz_date(s):
    try:
        return datetime.datetime.strptime(s, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise SigV4Error("incomplete", f"invalid X-Amz-Date '{s}'") from None


def scope_of(headers, query):
    """Credential scope of a request without verifying it (for routing errors)."""
    for name, value in headers:
        if name.lower() == "authorization":
            try:
                return parse_scope(parse_authorization(value)[0])
            except SigV4Error:
                return None
    params = urllib.parse.parse_qs(query or "")
    if "X-Amz-Credential" in params:
        try:
            return parse_scope(params["X-Amz-Credential"][0])
        except SigV4Error:
            return None
    return None


def verify(method, path, query, headers, body, credentials, now=None, normalize=True):
    """Verify a request; return Auth or raise SigV4Error.

    path: the request path exactly as received (still percent-encoded).
    query: the raw query string (no '?').
    headers: list of (name, value).
    credentials: {access_key_id: (secret, session_token_or_None)}.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    hdr = {}
    for name, value in headers:
        hdr.setdefault(name.lower(), value)
    qparams = dict(urllib.parse.parse_qsl(query or "", keep_blank_values=True))
    presigned = "X-Amz-Signature" in qparams

    if "authorization" in hdr:
        credential, signed, sent_sig = parse_authorization(hdr["authorization"])
        amz_date = hdr.get("x-amz-date")
        if amz_date is None:
            raise SigV4Error("incomplete", "Authorization header requires existence of either "
                             "a 'X-Amz-Date' or a 'Date' header.")
        token = hdr.get("x-amz-security-token")
        expires = None
        exclude = ()
    elif presigned:
        for need in ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders"):
            if need not in qparams:
                raise SigV4Error("incomplete", f"presigned request lacks {need}")
        if qparams["X-Amz-Algorithm"] != ALGORITHM:
            raise SigV4Error("incomplete", "unsupported X-Amz-Algorithm")
        credential = qparams["X-Amz-Credential"]
        signed = qparams["X-Amz-SignedHeaders"]
        sent_sig = qparams["X-Amz-Signature"]
        amz_date = qparams["X-Amz-Date"]
        token = qparams.get("X-Amz-Security-Token")
        expires = int(qparams.get("X-Amz-Expires", "900"))
        exclude = ("X-Amz-Signature",)
    else:
        raise SigV4Error("missing", "Missing Authentication Token")

    akid, date, region, service, _ = parse_scope(credential)
    if akid not in credentials:
        raise SigV4Error("unknown_key", "The security token included in the request is invalid.")
    secret, want_token = credentials[akid]
    if want_token is not None and token != want_token:
        raise SigV4Error("token", "The security token included in the request is invalid.")

    when = parse_amz_date(amz_date)
    if not amz_date.startswith(date):
        raise SigV4Error("signature", "Credential date does not match X-Amz-Date")
    if expires is None:
        if abs(now - when) > MAX_SKEW:
            raise SigV4Error("expired",
                             f"Request has expired. Timestamp date is {amz_date}, "
                             f"current time is {now.strftime('%Y%m%dT%H%M%SZ')}")
    elif now > when + datetime.timedelta(seconds=expires) or when - now > MAX_SKEW:
        raise SigV4Error("expired", "Request has expired")

    body_hash = hashlib.sha256(body or b"").hexdigest()
    declared = hdr.get("x-amz-content-sha256")
    if declared is not None and declared not in (body_hash, "UNSIGNED-PAYLOAD"):
        raise SigV4Error("signature", "The provided 'x-amz-content-sha256' header does not "
                         "match what was computed.")
    payload_hash = declared or body_hash

    signed_headers = signed.split(";")
    if "host" not in signed_headers:
        raise SigV4Error("signature", "'Host' must be a signed header")
    creq = canonical_request(method, path, query, headers, signed_headers, payload_hash,
                             normalize, exclude)
    sts = string_to_sign(amz_date, f"{date}/{region}/{service}/aws4_request", creq)
    want = signature(secret, date, region, service, sts)
    if not hmac.compare_digest(want, sent_sig):
        raise SigV4Error("signature",
                         "The request signature we calculated does not match the signature you "
                         "provided. Check your AWS Secret Access Key and signing method. Consult "
                         "the service documentation for details.")
    return Auth(akid, date, region, service)
