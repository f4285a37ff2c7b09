"""Shared helpers of the end-to-end scripts (fixture.py, writer.py, verify.py).

Debian's python3 only (/usr/bin/python3): botocore for signed AWS requests to
the stand-in, pymysql for SQL, PyYAML for desired files, the stdlib for the
rest.  Nothing here prints or logs a password.
"""

import json
import os
import sys
import time
import urllib.parse
import urllib.request

DEFAULT_REGION = "us-east-1"


def log(prog, msg):
    """One progress line on stderr: 'prog: msg'."""
    sys.stderr.write("%s: %s\n" % (prog, msg))
    sys.stderr.flush()


def awsim_url(arg=None):
    url = arg or os.environ.get("AWSIM_URL") or os.environ.get("AWS_ENDPOINT_URL")
    if not url:
        raise SystemExit("no stand-in: pass --awsim URL or set AWSIM_URL")
    return url.rstrip("/")


def control(url, path, method="GET", body=None, timeout=30):
    """Call the stand-in's control interface (/_awsim/...); returns (status, json)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"{}")
        except ValueError:
            return e.code, {}


def resolve(url, name, timeout=5):
    """What the stand-in's resolver answers for name: (address, port or None, instance id or None).

    Raises LookupError when the name does not resolve.
    """
    status, out = control(url, "/_awsim/resolve?name=" + urllib.parse.quote(name), timeout=timeout)
    addrs = out.get("addresses") or []
    if status != 200 or not addrs:
        raise LookupError("%s does not resolve: %s" % (name, out.get("error", status)))
    return addrs[0], out.get("port"), out.get("instance")


_clients = {}


def client(service, url, region=DEFAULT_REGION):
    """A botocore client for the stand-in (endpoint given explicitly: this
    botocore predates AWS_ENDPOINT_URL)."""
    key = (service, url, region)
    if key not in _clients:
        import botocore.session
        from botocore.config import Config
        session = botocore.session.get_session()
        _clients[key] = session.create_client(
            service, region_name=region, endpoint_url=url,
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "AKIDAWSIMEXAMPLE"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "awsim-secret-key-not-real"),
            config=Config(retries={"max_attempts": 5, "mode": "standard"},
                          connect_timeout=5, read_timeout=120))
    return _clients[key]


def aws_error_code(exc):
    resp = getattr(exc, "response", None) or {}
    return resp.get("Error", {}).get("Code", "")


def describe_instance(rds, ident):
    """The DBInstance dict, or None when it does not exist."""
    from botocore.exceptions import ClientError
    try:
        out = rds.describe_db_instances(DBInstanceIdentifier=ident)
    except ClientError as e:
        if aws_error_code(e) == "DBInstanceNotFound":
            return None
        raise
    items = out.get("DBInstances") or []
    return items[0] if items else None


def describe_snapshot(rds, ident):
    from botocore.exceptions import ClientError
    try:
        out = rds.describe_db_snapshots(DBSnapshotIdentifier=ident)
    except ClientError as e:
        if aws_error_code(e) == "DBSnapshotNotFound":
            return None
        raise
    items = out.get("DBSnapshots") or []
    return items[0] if items else None


def wait_for(what, fn, timeout, interval=0.2):
    """Call fn() until it returns a true value; raise TimeoutError after timeout s."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise TimeoutError("%s: not done after %gs" % (what, timeout))
        time.sleep(interval)


def read_secret(path):
    """A password from a file (one line; the trailing newline is dropped).
    Refuses files that group or others may read."""
    st = os.stat(path)
    if st.st_mode & 0o077:
        raise SystemExit("%s: mode %o is too open (want 0600)" % (path, st.st_mode & 0o777))
    with open(path, encoding="utf-8") as f:
        return f.read().rstrip("\n")


def write_private(path, text):
    """Write text to path, mode 0600 from the start."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o600)


def write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, sort_keys=True, default=str)
        f.write("\n")
    os.replace(tmp, path)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def mysql_connect(host, port, user, password, database=None, timeout=5, io_timeout=30,
                  autocommit=True, bind_address=None):
    """A pymysql connection; timeout bounds the connect, io_timeout each read and write;
    bind_address: the local address it leaves from (default: the kernel's choice)."""
    import pymysql
    return pymysql.connect(host=host, port=int(port), user=user, password=password,
                           database=database, connect_timeout=timeout, read_timeout=io_timeout,
                           write_timeout=io_timeout, autocommit=autocommit, charset="utf8mb4",
                           bind_address=bind_address)


ER_SP_DOES_NOT_EXIST = 1305


def _mariadb_column(name):
    """MariaDB's own name of a replica status column: rds_replica_status
    (RDS for MariaDB 10.5+) answers Source_*/Replica_* where SHOW SLAVE
    STATUS says Master_*/Slave_*."""
    for new, old in (("Source_", "Master_"), ("Replica_", "Slave_")):
        if name.startswith(new):
            return old + name[len(new):]
    return name.replace("_Source_", "_Master_")


def replica_status(cur):
    """The replica status rows as dicts under MariaDB's own column names:
    CALL mysql.rds_replica_status() where the engine version has it (RDS for
    MariaDB 10.5+, where the master user may not run SHOW SLAVE STATUS),
    SHOW SLAVE STATUS elsewhere."""
    import pymysql
    try:
        cur.execute("CALL mysql.rds_replica_status()")
    except pymysql.MySQLError as e:
        if not e.args or e.args[0] != ER_SP_DOES_NOT_EXIST:
            raise
        cur.execute("SHOW SLAVE STATUS")
    names = [_mariadb_column(d[0]) for d in cur.description] if cur.description else []
    rows = cur.fetchall() if names else []
    while cur.nextset():
        pass
    return [dict(zip(names, r)) for r in rows]


def load_desired(path):
    """The first object of a desired file, as a dict (PyYAML)."""
    import yaml
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    if not docs:
        raise SystemExit("%s: no object" % path)
    return docs[0]
