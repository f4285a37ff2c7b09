"""MariaDBError, the one error the backend raises, and the decorator that
turns file-system and driver errors into it."""

import functools

import pymysql


class MariaDBError(Exception):
    """A server could not be created, started, copied or queried."""

    def __init__(self, message, errno=None):
        super().__init__(message)
        self.errno = errno


def _errors_as_mariadb(func):
    """Callers catch MariaDBError only: file-system and driver errors become one."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MariaDBError:
            raise
        except OSError as exc:
            raise MariaDBError("%s: %s" % (func.__name__, exc)) from exc
        except pymysql.MySQLError as exc:
            raise MariaDBError("%s: %s" % (func.__name__, exc),
                               exc.args[0] if exc.args else None) from exc
    return wrapper
