#!/usr/bin/python3
"""A hostile MySQL server for tests: it offers no TLS and asks for the password.

    fake-mysql.py --listen 127.0.0.1 --port 0 --mode MODE --record FILE --ready-file F

Speaks the MySQL client/server protocol (MySQL Internals, "Connection Phase":
Handshake v10, AuthSwitchRequest, ERR packet) far enough to make a client
authenticate, never offers CLIENT_SSL, and writes every byte each client sent to
FILE (appended, one connection after another), and after it whatever it could
decrypt with its own RSA key.  MODE says how it asks:

  clear          the handshake names mysql_clear_password (the password in clear)
  switch-clear   mysql_native_password first, then AuthSwitchRequest to
                 mysql_clear_password
  switch-dialog  AuthSwitchRequest to the dialog plugin with a password prompt
  switch-sha256  AuthSwitchRequest to sha256_password, then answers a public-key
                 request with its own RSA key (so the password is ours to decrypt)
  sha2-full      caching_sha2_password, "perform full authentication" (0x04),
                 then its own RSA public key on request

Every exchange ends in an ERR packet (1045), so no client ever gets in.  The
test searches FILE for the password; it is never printed.  The ready file gets
"HOST PORT" once listening.  Loopback only; stops on SIGTERM or after
--lifetime seconds (default 300).
"""

import argparse
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading

CAPS = (0x00000001 | 0x00000004 | 0x00000008 | 0x00000200 | 0x00002000 | 0x00008000
        | 0x00020000 | 0x00080000 | 0x00200000)  # no CLIENT_SSL (0x800)
SCRAMBLE = b"abcdefghijklmnopqrst"


def packet(seq, payload):
    return struct.pack("<I", len(payload))[:3] + bytes([seq & 0xFF]) + payload


def read_packet(conn, record):
    head = b""
    while len(head) < 4:
        chunk = conn.recv(4 - len(head))
        if not chunk:
            return None, None
        head += chunk
    record(head)
    n = head[0] | head[1] << 8 | head[2] << 16
    body = b""
    while len(body) < n:
        chunk = conn.recv(n - len(body))
        if not chunk:
            break
        body += chunk
    record(body)
    return head[3], body


def handshake(plugin):
    return (b"\x0a" + b"8.0.36-fake\x00" + struct.pack("<I", 7) + SCRAMBLE[:8] + b"\x00"
            + struct.pack("<H", CAPS & 0xFFFF) + b"\x21" + struct.pack("<H", 2)
            + struct.pack("<H", CAPS >> 16) + bytes([21]) + b"\x00" * 10
            + SCRAMBLE[8:] + b"\x00" + plugin + b"\x00")


def switch(plugin, data):
    return b"\xfe" + plugin + b"\x00" + data


def err(message):
    return b"\xff" + struct.pack("<H", 1045) + b"#28000" + message


def rsa_public_key(workdir):
    key = os.path.join(workdir, "rsa.pem")
    if not os.path.exists(key):
        subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return subprocess.run(["openssl", "rsa", "-in", key, "-pubout"], check=True,
                          capture_output=True).stdout


def rsa_decrypt(workdir, blob):
    """What a client encrypted with our public key: the password XOR the scramble."""
    r = subprocess.run(["openssl", "pkeyutl", "-decrypt", "-inkey", os.path.join(workdir, "rsa.pem"),
                        "-pkeyopt", "rsa_padding_mode:oaep"], input=blob, capture_output=True)
    if r.returncode != 0:
        return b""
    return bytes(b ^ SCRAMBLE[i % len(SCRAMBLE)] for i, b in enumerate(r.stdout))


def serve(conn, mode, record, workdir):
    conn.settimeout(10)
    initial = {"clear": b"mysql_clear_password", "sha2-full": b"caching_sha2_password"}.get(
        mode, b"mysql_native_password")
    conn.sendall(packet(0, handshake(initial)))
    seq, _ = read_packet(conn, record)          # HandshakeResponse41
    if seq is None:
        return
    seq += 1
    if mode.startswith("switch-"):
        plugin = {"switch-clear": b"mysql_clear_password", "switch-dialog": b"dialog",
                  "switch-sha256": b"sha256_password"}[mode]
        data = b"\x04Password: " if mode == "switch-dialog" else SCRAMBLE + b"\x00"
        conn.sendall(packet(seq, switch(plugin, data)))
        seq, body = read_packet(conn, record)
        if seq is None:
            return
        seq += 1
        if mode == "switch-sha256" and body == b"\x01":   # public key request
            conn.sendall(packet(seq, b"\x01" + rsa_public_key(workdir)))
            seq, body = read_packet(conn, record)
            if seq is None:
                return
            record(rsa_decrypt(workdir, body))
            seq += 1
    elif mode == "sha2-full":
        conn.sendall(packet(seq, b"\x01\x04"))           # perform full authentication
        seq += 1
        got, body = read_packet(conn, record)
        if got is None:
            return
        seq = got + 1
        if body == b"\x02":                              # public key request
            conn.sendall(packet(seq, b"\x01" + rsa_public_key(workdir)))
            got, body = read_packet(conn, record)
            if got is None:
                return
            record(rsa_decrypt(workdir, body))
            seq = got + 1
    conn.sendall(packet(seq, err(b"Access denied (fake server)")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", required=True,
                    choices=["clear", "switch-clear", "switch-dialog", "switch-sha256", "sha2-full"])
    ap.add_argument("--record", required=True)
    ap.add_argument("--ready-file", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    a = ap.parse_args()
    if not a.listen.startswith("127."):
        sys.exit("fake-mysql: loopback addresses only")
    workdir = tempfile.mkdtemp(prefix="fake-mysql.")
    lock = threading.Lock()

    def record(data):
        with lock, open(a.record, "ab") as f:
            f.write(data)

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.listen, a.port))
    s.listen(16)
    s.settimeout(0.5)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGALRM, lambda *_: stop.set())
    signal.setitimer(signal.ITIMER_REAL, a.lifetime)
    with open(a.ready_file + ".tmp", "w") as f:
        f.write("%s %d\n" % s.getsockname())
    os.rename(a.ready_file + ".tmp", a.ready_file)
    while not stop.is_set():
        try:
            conn, _ = s.accept()
        except socket.timeout:
            continue
        except InterruptedError:
            continue
        try:
            serve(conn, a.mode, record, workdir)
        except OSError:
            pass
        finally:
            conn.close()
    s.close()
    subprocess.run(["rm", "-rf", workdir], check=False)


if __name__ == "__main__":
    main()
