"""SigV4 verifier against the official AWS test vectors (../shared/sigv4-test-suite/v4).

Each case's signed request (header form and presigned form) must verify with the
case's credentials at the case's timestamp, the canonical request must match the
expected text byte for byte, and a single flipped signature digit must fail.

The vectors live at ../shared beside the project (or $AWSIM_SIGV4_SUITE). Without
them every test fails, unless SIGV4_ALLOW_SKIP=1 lets them be skipped.
"""

import datetime
import json
import os
import unittest

import sigv4

HERE = os.path.dirname(os.path.abspath(__file__))
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


class VectorTest(unittest.TestCase):
    def setUp(self):
        if not os.path.isdir(SUITE):
            if os.environ.get("SIGV4_ALLOW_SKIP") == "1":
                self.skipTest(f"test vectors not found at {SUITE} (SIGV4_ALLOW_SKIP=1)")
            self.fail(f"test vectors not found at {SUITE}; set AWSIM_SIGV4_SUITE, "
                      "or SIGV4_ALLOW_SKIP=1 to skip")

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
