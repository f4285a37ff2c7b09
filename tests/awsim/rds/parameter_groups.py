"""DB parameter groups and their parameter values: the catalog of parameters
the stand-in models per family, the default groups, create/modify/delete/
describe, and applying values to the servers of the instances using a group."""

import re
import time

from state import ACCOUNT, AwsError

from .base import _check_id, _page, _tags


# Parameters the stand-in models per family: name -> (default, apply type, data type,
# allowed values, description).  Defaults in braces are RDS formulas and are never
# sent to the server; the others are the family's engine defaults.
_COMMON_PARAMS = {
    "read_only": ("{TrueIfReplica}", "dynamic", "boolean", "0-1",
                  "When it is enabled, the server permits no updates except from updates performed by replication threads."),
    "max_connections": ("{DBInstanceClassMemory/12582880}", "dynamic", "integer", "1-100000",
                        "The number of simultaneous client connections allowed."),
    "max_allowed_packet": ("67108864", "dynamic", "integer", "1024-1073741824",
                           "This value by default is small, to catch large (possibly incorrect) packets."),
    "wait_timeout": ("28800", "dynamic", "integer", "1-31536000",
                     "The number of seconds the server waits for activity on a connection before closing it."),
    "event_scheduler": ("OFF", "dynamic", "string", "ON,OFF", "Enable or disable the event scheduler."),
    "log_bin_trust_function_creators": ("0", "dynamic", "boolean", "0-1",
                                        "Enforces restrictions on stored functions / triggers - logging for replication."),
    "sync_binlog": ("1", "dynamic", "integer", "0-4294967295",
                    "Sync binlog (MySQL flush to disk or rely on OS)."),
    "binlog_row_image": ("FULL", "dynamic", "string", "FULL,MINIMAL,NOBLOB",
                         "Whether to log full or minimal rows."),
    "innodb_flush_log_at_trx_commit": ("1", "dynamic", "integer", "0,1,2",
                                       "Determines Innodb transaction durability."),
    "character_set_server": (None, "dynamic", "string", "big5,latin1,utf8,utf8mb3,utf8mb4",
                             "The server's default character set."),
    "performance_schema": ("0", "static", "boolean", "0-1", "Enables or disables the Performance Schema."),
    "innodb_buffer_pool_size": ("{DBInstanceClassMemory*3/4}", "static", "integer", "5242880-9223372036854775807",
                                "The size in bytes of the memory buffer innodb uses to cache data and indexes of its tables."),
}
# binlog_format: MIXED for MariaDB and MySQL 8.0 and lower, ROW for MySQL
# 8.4 ("Configuring binary log file position replication with an external
# source instance", RDS User Guide); mysql8.0 keeps the ROW it had here.
FAMILY_DEFAULTS = {"mariadb10.4": {"binlog_format": "MIXED"}, "mariadb10.6": {"binlog_format": "MIXED"},
                   "mariadb10.11": {"binlog_format": "MIXED"}, "mysql5.7": {"binlog_format": "MIXED"},
                   "mysql8.0": {"binlog_format": "ROW"}, "mysql8.4": {"binlog_format": "ROW"}}


def family_params(family):
    params = dict(_COMMON_PARAMS)
    params["binlog_format"] = (FAMILY_DEFAULTS[family]["binlog_format"], "dynamic", "string",
                               "ROW,STATEMENT,MIXED", "Binary logging format for replication.")
    return dict(sorted(params.items()))


def _allowed(spec, value):
    if "," in spec or not re.fullmatch(r"\d+-\d+", spec):
        return value in spec.split(",")
    lo, hi = (int(x) for x in spec.split("-"))
    return value.isdigit() and lo <= int(value) <= hi


class ParamGroup:
    def __init__(self, name, family, description, region, default=False):
        self.name = name
        self.family = family
        self.description = description
        self.region = region
        self.default = default
        self.user = {}          # parameter name -> (value, apply method)
        self.tags = []
        self.created_mono = time.monotonic()

    def arn(self):
        return f"arn:aws:rds:{self.region}:{ACCOUNT}:pg:{self.name}"

    def values(self, replica):
        """Concrete values for the server: user values over engine defaults, formulas resolved."""
        out = {}
        for name, (default, *_rest) in family_params(self.family).items():
            value = self.user[name][0] if name in self.user else default
            if value == "{TrueIfReplica}":
                value = "1" if replica else "0"
            if value is not None and not value.startswith("{"):
                out[name] = value
        return out

    def describe(self):
        return {"DBParameterGroupName": self.name, "DBParameterGroupFamily": self.family,
                "Description": self.description, "DBParameterGroupArn": self.arn()}


class ParameterGroupsMixin:
    """The DB parameter group actions and the default groups."""

    def ensure_defaults(self, region):
        with self.state.lock:
            for family in FAMILY_DEFAULTS:
                name = f"default.{family}"
                if name not in self.state.param_groups:
                    self.state.param_groups[name] = ParamGroup(
                        name, family, f"Default parameter group for {family}", region, default=True)
                    self.state.param_groups[name].created_mono = 0

    def CreateDBParameterGroup(self, p, ctx):
        name = _check_id(p["DBParameterGroupName"], "DBParameterGroupName", 255)
        family = p["DBParameterGroupFamily"]
        if family not in FAMILY_DEFAULTS:
            raise AwsError("InvalidParameterValue", f"DBParameterGroupFamily {family} is not a valid parameter "
                           f"group family (this stand-in has {', '.join(FAMILY_DEFAULTS)})")
        with self.state.lock:
            if name in self.state.param_groups:
                raise AwsError("DBParameterGroupAlreadyExistsFault", f"Parameter group {name} already exists")
            pg = ParamGroup(name, family, p["Description"], ctx.region)
            pg.tags = _tags(p.get("Tags"))
            self.state.param_groups[name] = pg
            return {"DBParameterGroup": pg.describe()}

    def DescribeDBParameterGroups(self, p, ctx):
        with self.state.lock:
            groups = self._listed(self.state.param_groups, p.get("DBParameterGroupName"), self._param_group)
            groups.sort(key=lambda g: g.name)
            return _page("DBParameterGroups", groups, lambda g: g.name, p, ParamGroup.describe)

    def DeleteDBParameterGroup(self, p, ctx):
        with self.state.lock:
            pg = self._param_group(p["DBParameterGroupName"])
            if pg.default or any(i.param_group == pg.name for i in self.state.instances.values()):
                raise AwsError("InvalidDBParameterGroupStateFault",
                               f"Parameter group {pg.name} is in use or is a default group and cannot be deleted.")
            del self.state.param_groups[pg.name]
        return {}

    def DescribeDBParameters(self, p, ctx):
        with self.state.lock:
            pg = self._param_group(p["DBParameterGroupName"])
            rows = []
            for name, (default, apply_type, data_type, allowed, desc) in family_params(pg.family).items():
                row = {"ParameterName": name, "Description": desc,
                       "Source": "user" if name in pg.user else "engine-default",
                       "ApplyType": apply_type, "DataType": data_type, "AllowedValues": allowed,
                       "IsModifiable": True,
                       "ApplyMethod": pg.user[name][1] if name in pg.user else "pending-reboot"}
                value = pg.user[name][0] if name in pg.user else default
                if value is not None:
                    row["ParameterValue"] = value
                rows.append(row)
            if p.get("Source"):
                if p["Source"] not in ("user", "system", "engine-default"):
                    raise AwsError("InvalidParameterValue", f"Invalid source: {p['Source']}")
                rows = [r for r in rows if r["Source"] == p["Source"]]
            return _page("Parameters", rows, lambda r: r["ParameterName"], p)

    def ModifyDBParameterGroup(self, p, ctx):
        params = p["Parameters"]
        if not 1 <= len(params) <= 20:
            raise AwsError("InvalidParameterValue", "You can modify between 1 and 20 parameters in one request.")
        with self.state.lock:
            pg = self._param_group(p["DBParameterGroupName"])
            if pg.default:
                raise AwsError("InvalidDBParameterGroupStateFault",
                               f"Default parameter groups cannot be modified: {pg.name}")
            catalog = family_params(pg.family)
            changes = {}
            for prm in params:
                name = prm.get("ParameterName")
                if not name:
                    raise AwsError("InvalidParameterValue", "ParameterName must be provided")
                if name not in catalog:
                    raise AwsError("InvalidParameterValue", f"Could not find parameter with name: {name}")
                if "ParameterValue" not in prm:
                    raise AwsError("InvalidParameterValue", f"ParameterValue must be provided for {name}")
                method = prm.get("ApplyMethod")
                if method is None:
                    raise AwsError("InvalidParameterValue", f"ApplyMethod must be provided for {name}")
                value = prm["ParameterValue"]
                _, apply_type, _, allowed, _ = catalog[name]
                if not _allowed(allowed, value):
                    raise AwsError("InvalidParameterValue", f"Value: {value} is not allowed for: {name} "
                                   f"(allowed: {allowed})")
                if apply_type == "static" and method == "immediate":
                    raise AwsError("InvalidParameterCombination",
                                   f"cannot use immediate apply method for static parameter {name}")
                changes[name] = (value, method)
            pg.user.update(changes)
            immediate = [n for n, (v, m) in changes.items() if m == "immediate"]
            self._param_change(pg, immediate, len(immediate) < len(changes))
            self._event("db-parameter-group", pg.name, pg.arn(), "Updated parameter group", ["configuration change"])
        return {"DBParameterGroupName": pg.name}

    def ResetDBParameterGroup(self, p, ctx):
        """Back to the engine default: every user value (ResetAllParameters:
        dynamic ones immediately, static ones at the next reboot) or the named
        ones, each with its ApplyMethod. Stricter than the API reference's "by
        default, all parameters are reset": exactly one of the two must be given."""
        params = p.get("Parameters") or []
        reset_all = bool(p.get("ResetAllParameters"))
        if reset_all == bool(params):
            raise AwsError("InvalidParameterCombination",
                           "Specify either ResetAllParameters or a list of Parameters to reset, not both or neither.")
        if len(params) > 20:
            raise AwsError("InvalidParameterValue", "You can reset between 1 and 20 parameters in one request.")
        with self.state.lock:
            pg = self._param_group(p["DBParameterGroupName"])
            if pg.default:
                raise AwsError("InvalidDBParameterGroupStateFault",
                               f"Default parameter groups cannot be modified: {pg.name}")
            catalog = family_params(pg.family)
            if reset_all:
                resets = {n: "immediate" if catalog[n][1] == "dynamic" else "pending-reboot" for n in pg.user}
            else:
                resets = {}
                for prm in params:
                    name = prm.get("ParameterName")
                    if not name or name not in catalog:
                        raise AwsError("InvalidParameterValue", f"Could not find parameter with name: {name}")
                    method = prm.get("ApplyMethod")
                    if method not in ("immediate", "pending-reboot"):
                        raise AwsError("InvalidParameterValue", f"ApplyMethod must be immediate or pending-reboot "
                                       f"for {name}")
                    if catalog[name][1] == "static" and method == "immediate":
                        raise AwsError("InvalidParameterCombination",
                                       f"cannot use immediate apply method for static parameter {name}")
                    resets[name] = method
            for name in resets:
                pg.user.pop(name, None)
            immediate = [n for n, m in resets.items() if m == "immediate"]
            self._param_change(pg, immediate, len(immediate) < len(resets))
            self._event("db-parameter-group", pg.name, pg.arn(), "Reset parameter group", ["configuration change"])
        return {"DBParameterGroupName": pg.name}

    def _param_change(self, pg, immediate, reboot):
        """Every instance using pg (a group may be shared: the change reaches
        all of them): pending-reboot if some change waits for a reboot, and the
        immediate ones applied in the background after the apply delay."""
        for inst in [i for i in self.state.instances.values() if i.param_group == pg.name]:
            if reboot:
                inst.param_status = "pending-reboot"
                inst.pending_params = True
            if immediate:
                inst.param_applying += 1
                if inst.param_status == "in-sync":
                    inst.param_status = "applying"
                self._spawn("apply parameters", self._apply_worker, inst, pg, list(immediate))

    def _apply_worker(self, inst, pg, names):
        """Show `applying` for --apply-seconds (scaled; held by a `parameters`
        hold), then hand the servers the values of names as the group has them
        now: a reset parameter gets its engine default, {TrueIfReplica} resolved
        for this instance."""
        started = time.monotonic()
        try:
            self.state.wait_hold("parameters", inst.id, "applying")
            self._wait_rest(started, self.state.apply_seconds)
            with self.state.lock:
                if self.state.instances.get(inst.id) is not inst or inst.param_group != pg.name:
                    return
                current = pg.values(replica=bool(inst.source_id))
                values = {n: current[n] for n in names if n in current}
            with inst.oplock:
                if values and inst.server is not None and inst.status != "deleting":
                    inst.server.apply_parameters(values)
        finally:
            with self.state.lock:
                inst.param_applying -= 1
                if inst.param_applying == 0 and inst.param_status == "applying":
                    inst.param_status = "in-sync"
