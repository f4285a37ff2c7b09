#!/usr/bin/python3
"""Send one hand-built, SigV4-signed request to the stand-in and print "STATUS CODE".

The AWS CLI validates parameters before sending, so requests that break the
service model are built here.  Signing uses botocore's signer (an independent
implementation from the stand-in's verifier).  Secrets come from the environment
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and are never printed.

    rawreq.py URL rds   'Action=DescribeDBInstances&Version=2014-10-31&MaxRecords=abc'
    rawreq.py URL kms   DescribeKey '{"KeyId": 5}'
    rawreq.py URL route53 GET /2013-04-01/hostedzonesbyname?maxitems=x
    options: --secret S (sign with another secret), --skew-minutes N, --no-auth
"""

import argparse
import datetime
import json
import os
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("service")
    ap.add_argument("args", nargs="+")
    ap.add_argument("--secret")
    ap.add_argument("--skew-minutes", type=int, default=0)
    ap.add_argument("--no-auth", action="store_true")
    ap.add_argument("--region", default="us-east-1")
    a = ap.parse_args()

    headers = {}
    if a.service in ("rds", "sts"):
        method, path, body = "POST", "/", a.args[0].encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    elif a.service == "kms":
        method, path, body = "POST", "/", a.args[1].encode()
        headers["Content-Type"] = "application/x-amz-json-1.1"
        headers["X-Amz-Target"] = "TrentService." + a.args[0]
    else:
        method, path = a.args[0], a.args[1]
        body = a.args[2].encode() if len(a.args) > 2 else b""
    req = AWSRequest(method=method, url=a.url + path, data=body, headers=headers)
    if not a.no_auth:
        creds = Credentials(os.environ["AWS_ACCESS_KEY_ID"], a.secret or os.environ["AWS_SECRET_ACCESS_KEY"])
        when = datetime.datetime.utcnow() + datetime.timedelta(minutes=a.skew_minutes)
        with mock.patch("botocore.auth.datetime") as dt:
            dt.datetime.utcnow.return_value = when
            SigV4Auth(creds, a.service, a.region).add_auth(req)
    prepared = req.prepare()
    r = urllib.request.Request(prepared.url, data=prepared.body or None, method=method,
                               headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(r, timeout=30) as resp:
            status, text = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    code = "-"
    if status >= 300 and text:
        if a.service == "kms":
            code = json.loads(text).get("__type", "-")
        else:
            root = ET.fromstring(text)
            node = root.find(".//{*}Code")
            code = node.text if node is not None else "-"
    print(status, code)


if __name__ == "__main__":
    sys.exit(main())
