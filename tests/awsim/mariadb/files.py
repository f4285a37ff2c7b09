"""File helpers of the backend: atomic writes, log tails, tree sizes, target dirs."""

import os

from .errors import MariaDBError


def _write_file(path, text, mode=0o644):
    tmp = path + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    os.replace(tmp, path)


def _tail(path, start=0, limit=3000):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            end = f.tell()
            f.seek(max(start, end - limit))
            return f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _tree_size(path, skip=None):
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            if skip and skip(name):
                continue
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
    return total


def _claim_dir(path):
    """Make sure path can be created by a copy: absent (an empty one is removed)."""
    if os.path.exists(path):
        if os.listdir(path):
            raise MariaDBError("%s is not empty" % path)
        os.rmdir(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
