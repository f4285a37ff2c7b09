#!/usr/bin/python3
"""Signed requests from botocore, the oracle for our SigV4 signer.

Prints JSON: {"botocore": VERSION, "cases": [CASE...]}.  Each case is a request
shaped as rdsreconcile sends it (every service and method it uses: RDS and STS
Query POSTs, KMS JSON 1.1 POSTs, Route 53 REST-XML GETs and POSTs), with and
without a session token, with unusual characters in query strings, bodies and
header values, signed by botocore.auth.SigV4Auth at a fixed time:

  {"name", "method", "path", "query", "headers": [[name, value]...] (Host first),
   "body", "access_key_id", "secret_access_key", "session_token" (or null),
   "region", "service", "amz_date",
   "canonical_request", "string_to_sign", "signature", "authorization"}

The cases are generated (a seeded random choice over the shapes above), so the
file is the same on every run; tests/unit/test-sigv4.c signs each with our
signer and compares the three products byte for byte.  Debian's
python3-botocore is the only dependency, so any clone can run it.
"""

import datetime
import json
import random
import sys
import urllib.parse
from unittest import mock

from botocore import __version__ as BOTOCORE_VERSION
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1", "us-gov-west-1", "cn-north-1"]
FORM = "application/x-www-form-urlencoded; charset=utf-8"
# Values a caller may send: identifiers, ARNs, names with dots, spaces,
# reserved and non-ASCII characters, empty strings.
VALUES = ["prod-db", "prod-db-enc", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          "alias/rds-prod", "db.internal.example.com.", "a b", "x+y=z&w", "100%", "*", "~tilde_-.",
          "caf\u00e9", "\u65e5\u672c", "", "Key=Value;other", "line\nbreak", "quote'\"", "slash/and?query#frag"]


def enc(s):
    """RFC 3986 percent-encoding, as AWS and our client encode: unreserved kept."""
    return urllib.parse.quote(s, safe="-_.~")


def query_body(rng, action, version):
    params = [("Action", action), ("Version", version)]
    for i in range(rng.randrange(0, 5)):
        params.append((rng.choice(["DBInstanceIdentifier", "KmsKeyId", "Tags.Tag.%d.Key" % (i + 1),
                                   "Tags.Tag.%d.Value" % (i + 1), "Filters.Filter.1.Values.Value.%d" % (i + 1),
                                   "Marker", "MaxRecords"]), rng.choice(VALUES)))
    return "&".join(f"{enc(k)}={enc(v)}" for k, v in params)


def case_rds(rng):
    action = rng.choice(["DescribeDBInstances", "CreateDBInstanceReadReplica", "CreateDBSnapshot",
                         "CopyDBSnapshot", "RestoreDBInstanceFromDBSnapshot", "ModifyDBParameterGroup",
                         "AddTagsToResource", "DeleteDBInstance"])
    return ("POST", "/", "", [("Content-Type", FORM)], query_body(rng, action, "2014-10-31"), "rds", "rds")


def case_sts(rng):
    action = rng.choice(["GetCallerIdentity", "AssumeRole"])
    return ("POST", "/", "", [("Content-Type", FORM)], query_body(rng, action, "2011-06-15"), "sts", "sts")


def case_kms(rng):
    target = rng.choice(["DescribeKey", "ListAliases", "CreateGrant"])
    body = json.dumps({"KeyId": rng.choice(VALUES), "Limit": rng.randrange(1, 100)}, ensure_ascii=rng.random() < 0.5)
    return ("POST", "/", "", [("Content-Type", "application/x-amz-json-1.1"),
                              ("X-Amz-Target", "TrentService." + target)], body, "kms", "kms")


def case_route53(rng):
    zone = "Z" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))
    kind = rng.randrange(3)
    if kind == 0:
        q = [("name", rng.choice(VALUES)), ("type", rng.choice(["A", "CNAME", "AAAA"])),
             ("maxitems", str(rng.randrange(1, 300)))]
        rng.shuffle(q)  # the signer sorts; the wire order is the caller's
        query = "&".join(f"{enc(k)}={enc(v)}" for k, v in q)
        return ("GET", f"/2013-04-01/hostedzone/{zone}/rrset", query, [], "", "route53", "route53")
    if kind == 1:
        return ("GET", "/2013-04-01/change/C" + zone[1:], "", [], "", "route53", "route53")
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsRequest '
            'xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change>'
            f"<Action>UPSERT</Action><ResourceRecordSet><Name>{rng.choice(VALUES)}</Name>"
            "</ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>")
    return ("POST", f"/2013-04-01/hostedzone/{zone}/rrset/", "", [("Content-Type", "text/xml")], body,
            "route53", "route53")


def host_of(endpoint, region):
    if endpoint in ("route53", "sts") and not region.startswith("cn-"):
        return f"{endpoint}.amazonaws.com"
    return f"{endpoint}.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")


def sign(name, rng, shape):
    method, path, query, headers, body, endpoint, service = shape
    region = rng.choice(REGIONS)
    when = datetime.datetime(2015 + rng.randrange(12), 1 + rng.randrange(12), 1 + rng.randrange(28),
                             rng.randrange(24), rng.randrange(60), rng.randrange(60))
    ak = "AKID" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
    sk = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
                 for _ in range(40))
    token = None
    if rng.random() < 0.5:
        token = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=")
                        for _ in range(rng.randrange(100, 400)))
    host = host_of(endpoint, region)
    headers = [("Host", host)] + list(headers)
    if rng.random() < 0.2:  # runs of inner whitespace are collapsed, ends trimmed
        headers = [(k, "  " + v.replace(" ", "   ") + " ") if k == "Content-Type" else (k, v)
                   for k, v in headers]
    url = f"https://{host}{path}" + (f"?{query}" if query else "")
    req = AWSRequest(method=method, url=url, headers=dict(headers), data=body.encode("utf-8"))
    auth = SigV4Auth(Credentials(ak, sk, token), service, region)
    with mock.patch("botocore.auth.datetime") as dt:
        dt.datetime.utcnow.return_value = when
        auth.add_auth(req)
    # The canonical request add_auth() signed: its headers without Authorization.
    authz = req.headers["Authorization"]
    del req.headers["Authorization"]
    creq = auth.canonical_request(req)
    sts = auth.string_to_sign(req, creq)
    if auth.signature(sts, req) != authz.rsplit("Signature=", 1)[1]:
        raise SystemExit(f"{name}: botocore's parts do not give its own signature")
    return {"name": name, "method": method, "path": path, "query": query,
            "headers": [[k, v] for k, v in headers], "body": body,
            "access_key_id": ak, "secret_access_key": sk, "session_token": token,
            "region": region, "service": service, "amz_date": req.context["timestamp"],
            "canonical_request": creq, "string_to_sign": sts,
            "signature": authz.rsplit("Signature=", 1)[1], "authorization": authz}


def cases(n):
    """n signed cases, the services in turn; the same n give the same cases."""
    rng = random.Random(20150830)
    makers = [("rds", case_rds), ("sts", case_sts), ("kms", case_kms), ("route53", case_route53)]
    out = []
    for i in range(n):
        svc, make = makers[i % len(makers)]
        out.append(sign(f"{svc}-{i:03d}", rng, make(rng)))
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    json.dump({"botocore": BOTOCORE_VERSION, "cases": cases(n)}, sys.stdout, indent=1, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
