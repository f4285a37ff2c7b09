"""SigV4 verifier against two oracles.

1. botocore (Debian's python3-botocore), on any clone: the requests of
   tests/unit/sigv4-oracle.py (every service and method rdsreconcile uses, with
   session tokens and unusual characters), signed by botocore, must verify, and the
   verifier's canonical request must be botocore's; a flipped signature digit, a
   changed body or a wrong secret must fail.
2. The official AWS test vectors (../shared/sigv4-test-suite/v4 beside the project,
   or $AWSIM_SIGV4_SUITE), when present: each case's signed request (header and
   presigned form) must verify at the case's timestamp, the canonical request must
   match byte for byte, and a flipped signature digit must fail.  Without them
   those tests are skipped and the skip is reported.
"""

import datetime
import json
import os
import unittest

import importlib.util

import sigv4

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "sigv4_oracle", os.path.join(HERE, "..", "unit", "sigv4-oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)
SUITE = os.environ.get("AWSIM_SIGV4_SUITE") or os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "shared", "sigv4-test-suite", "v4"))


def parse_request(text):
    """Parse a test-suite request file: request line, headers (with folding), body."""
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + " " + line.strip())
        elif line:
            name, _, value = line.partition(":")
            headers.append((name, value))
    path, _, query = target.partition("?")
    return method, path, query, headers, body.encode("utf-8")


def read(case, name):
    with open(os.path.join(SUITE, case, name), encoding="utf-8") as f:
        return f.read()


class BotocoreTest(unittest.TestCase):
    """Requests botocore signed, shaped as rdsreconcile sends them."""

    @classmethod
    def setUpClass(cls):
        cls.cases = oracle.cases(120)

    @staticmethod
    def request(c):
        when = datetime.datetime.strptime(c["amz_date"], "%Y%m%dT%H%M%SZ").replace(
            tzinfo=datetime.timezone.utc)
        headers = [tuple(h) for h in c["headers"]] + [("X-Amz-Date", c["amz_date"]),
                                                      ("Authorization", c["authorization"])]
        if c["session_token"]:
            headers.append(("X-Amz-Security-Token", c["session_token"]))
        creds = {c["access_key_id"]: (c["secret_access_key"], c["session_token"])}
        return headers, creds, when

    def test_botocore_requests_verify(self):
        for c in self.cases:
            with self.subTest(case=c["name"]):
                headers, creds, when = self.request(c)
                auth = sigv4.verify(c["method"], c["path"], c["query"], headers, c["body"].encode(),
                                    creds, now=when)
                self.assertEqual((auth.region, auth.service), (c["region"], c["service"]))
                signed = sigv4.parse_authorization(c["authorization"])[1].split(";")
                payload = c["canonical_request"].rsplit("\n", 1)[1]
                self.assertEqual(sigv4.canonical_request(c["method"], c["path"], c["query"], headers,
                                                         signed, payload), c["canonical_request"])

    def test_botocore_requests_tampered_fail(self):
        for c in self.cases:
            with self.subTest(case=c["name"]):
                headers, creds, when = self.request(c)
                a = c["authorization"]
                flipped = [(k, a[:-1] + ("0" if a[-1] != "0" else "1")) if k == "Authorization"
                           else (k, v) for k, v in headers]
                for hs, body, cr in ((flipped, c["body"].encode(), creds),
                                     (headers, c["body"].encode() + b" ", creds),
                                     (headers, c["body"].encode(),
                                      {k: ("wrong" + v[0], v[1]) for k, v in creds.items()})):
                    with self.assertRaises(sigv4.SigV4Error) as cm:
                        sigv4.verify(c["method"], c["path"], c["query"], hs, body, cr, now=when)
                    self.assertEqual(cm.exception.kind, "signature")


class VectorTest(unittest.TestCase):
    def setUp(self):
        if not os.path.isdir(SUITE):
            self.skipTest(f"official vectors not found at {SUITE} (AWSIM_SIGV4_SUITE names them)")

    def cases(self):
        return sorted(os.listdir(SUITE))

    def context(self, case):
        ctx = json.loads(read(case, "context.json"))
        c = ctx["credentials"]
        creds = {c["access_key_id"]: (c["secret_access_key"], c.get("token"))}
        now = datetime.datetime.strptime(ctx["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
        return ctx, creds, now

    def test_header_signatures(self):
        for case in self.cases():
            with self.subTest(case=case):
                ctx, creds, now = self.context(case)
                method, path, query, headers, body = parse_request(read(case, "header-signed-request.txt"))
                auth = sigv4.verify(method, path, query, headers, body, creds, now=now,
                                    normalize=ctx["normalize"])
                self.assertEqual((auth.region, auth.service), (ctx["region"], ctx["service"]))
                # The canonical request must be exactly the expected text.
                _, signed, sig = sigv4.parse_authorization(dict(
                    (k.lower(), v) for k, v in headers)["authorization"])
                self.assertEqual(sig, read(case, "header-signature.txt").strip())
                creq = read(case, "header-canonical-request.txt")
                payload = creq.rsplit("\n", 1)[1]
                mine = sigv4.canonical_request(method, path, query, headers, signed.split(";"),
                                               payload, ctx["normalize"])
                self.assertEqual(mine, creq)

    def test_query_signatures(self):
        for case in self.cases():
            with self.subTest(case=case):
                ctx, creds, now = self.context(case)
                method, path, query, headers, body = parse_request(read(case, "query-signed-request.txt"))
                if ctx.get("omit_session_token"):
                    # The token was appended after signing: it is not part of what was signed.
                    query = "&".join(p for p in query.split("&")
                                     if not p.startswith("X-Amz-Security-Token="))
                    creds = {k: (v[0], None) for k, v in creds.items()}
                sigv4.verify(method, path, query, headers, body, creds, now=now,
                             normalize=ctx["normalize"])

    def test_tampered_signature_fails(self):
        for case in self.cases():
            with self.subTest(case=case):
                ctx, creds, now = self.context(case)
                method, path, query, headers, body = parse_request(read(case, "header-signed-request.txt"))
                bad = []
                for k, v in headers:
                    if k.lower() == "authorization":
                        v = v[:-1] + ("0" if v[-1] != "0" else "1")
                    bad.append((k, v))
                with self.assertRaises(sigv4.SigV4Error) as cm:
                    sigv4.verify(method, path, query, bad, body, creds, now=now,
                                 normalize=ctx["normalize"])
                self.assertEqual(cm.exception.kind, "signature")

    def test_errors(self):
        case = "get-vanilla"
        ctx, creds, now = self.context(case)
        method, path, query, headers, body = parse_request(read(case, "header-signed-request.txt"))
        with self.assertRaises(sigv4.SigV4Error) as cm:
            sigv4.verify(method, path, query, headers, body, {"OTHER": ("x", None)}, now=now)
        self.assertEqual(cm.exception.kind, "unknown_key")
        with self.assertRaises(sigv4.SigV4Error) as cm:
            sigv4.verify(method, path, query, headers, body, creds,
                         now=now + datetime.timedelta(minutes=16))
        self.assertEqual(cm.exception.kind, "expired")
        sigv4.verify(method, path, query, headers, body, creds,
                     now=now + datetime.timedelta(minutes=14))
        with self.assertRaises(sigv4.SigV4Error) as cm:
            sigv4.verify(method, path, query, [h for h in headers if h[0] != "Authorization"],
                         body, creds, now=now)
        self.assertEqual(cm.exception.kind, "missing")
        with self.assertRaises(sigv4.SigV4Error) as cm:
            sigv4.verify(method, path, query, headers, body,
                         {"AKIDEXAMPLE": (creds["AKIDEXAMPLE"][0], "tok")}, now=now)
        self.assertEqual(cm.exception.kind, "token")
        # A changed body changes the payload hash.
        case = "post-x-www-form-urlencoded"
        ctx, creds, now = self.context(case)
        method, path, query, headers, body = parse_request(read(case, "header-signed-request.txt"))
        with self.assertRaises(sigv4.SigV4Error):
            sigv4.verify(method, path, query, headers, b"Param1=value2", creds, now=now)


if __name__ == "__main__":
    unittest.main()
