"""What every RDS subject uses: identifiers and tags, lookups by id or ARN,
background work with status changes and events, KMS keys."""

import os
import re
import threading
import time
import traceback

import kms
from state import AwsError, now, paginate

ID_RE = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*(?<!-)$")


def _backend():
    import mariadb  # imported late: the API half of the stand-in works without it
    return mariadb


def _tags(tags):
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags or []]


def _merge_tags(current, new):
    out = {t["Key"]: t["Value"] for t in current}
    out.update({t["Key"]: t.get("Value", "") for t in new})
    return [{"Key": k, "Value": v} for k, v in out.items()]


def _check_id(value, param, max_len=63):
    if not (1 <= len(value) <= max_len) or not ID_RE.match(value):
        raise AwsError("InvalidParameterValue",
                       f"The parameter {param} is not a valid identifier. Identifiers must begin with a "
                       "letter; must contain only ASCII letters, digits, and hyphens; and must not end "
                       "with a hyphen or contain two consecutive hyphens.")
    return value.lower()


def _page(member, items, key, p, render=None):
    """A Describe answer: {member: [render(item) for the page of items that p's
    MaxRecords and Marker ask for]}, plus the next Marker. items are sorted by key."""
    page, marker = paginate(items, key, p.get("MaxRecords"), p.get("Marker"))
    out = {member: [render(i) for i in page] if render else page}
    if marker:
        out["Marker"] = marker
    return out


class Base:
    """Helpers of the RDS handlers; RDS (rds/__init__.py) is made of this and
    one mixin per subject."""

    # -- background work --------------------------------------------------------
    def _spawn(self, what, fn, *args):
        """Run slow work in a thread; a failure marks the resource failed, as RDS does.
        Threads are tracked so shutdown() can wait for them; none starts once stopping."""
        gen = self.state.generation

        def run():
            try:
                fn(*args)
            except Exception as e:  # noqa: BLE001 - any failure becomes a 'failed' status
                if self.state.stopping.is_set() or gen != self.state.generation:
                    return
                traceback.print_exc()
                with self.state.lock:
                    res = args[0]
                    res.status = "failed"
                    res.failure = str(e)
                    self._event(res.event_source, res.id, res.arn(), f"{what} failed: {e}", ["failure"])
            finally:
                with self.workers_lock:
                    self.workers.discard(threading.current_thread())
        with self.workers_lock:
            if self.state.stopping.is_set():
                return
            t = threading.Thread(target=run, name=f"{what}", daemon=True)
            self.workers.add(t)
            t.start()

    def _wait_rest(self, started, base):
        """Sleep whatever remains of base scaled seconds since started."""
        left = base * self.state.time_scale - (time.monotonic() - started)
        if left > 0:
            self.state.stopping.wait(left)

    def _alive(self, res, table):
        return table.get(res.id) is res and not self.state.stopping.is_set()

    def _set_status(self, inst, status, message=None, categories=None):
        self.state.wait_hold("instance", inst.id, inst.status)
        with self.state.lock:
            if self.state.instances.get(inst.id) is not inst:
                return False
            inst.status = status
            if message:
                self._event("db-instance", inst.id, inst.arn(), message, categories or [])
            return True

    def _event(self, source_type, ident, arn, message, categories):
        with self.state.lock:
            self.state.events.append({"SourceIdentifier": ident, "SourceType": source_type,
                                      "Message": message, "EventCategories": list(categories),
                                      "Date": now(), "SourceArn": arn})

    def _root(self, kind, ident):
        with self.state.lock:
            self.serial += 1
            return os.path.join(self.state.state_dir, kind, f"{ident}-{self.serial}")

    # -- lookups by id or ARN -------------------------------------------------------
    @staticmethod
    def _ref_id(ref, kind):
        """Identifier from an id or an ARN of the given kind (db, snapshot, pg)."""
        if ref.startswith("arn:"):
            parts = ref.split(":")
            if len(parts) < 7 or parts[2] != "rds" or parts[5] != kind:
                raise AwsError("InvalidParameterValue", f"Invalid resource name: {ref}")
            ref = parts[6]
        return ref.lower()

    def _found(self, table, ident, fault, message):
        """table[ident], unless it is absent or hidden (hide_new_seconds): then fault."""
        res = table.get(ident)
        if res is None or not self.state.visible(res.created_mono):
            raise AwsError(fault, message)
        return res

    def _listed(self, table, ref, lookup):
        """[lookup(ref)] when a Describe names one resource, else every visible one."""
        if ref:
            return [lookup(ref)]
        return [r for r in table.values() if self.state.visible(r.created_mono)]

    def _instance(self, ref):
        ident = self._ref_id(ref, "db")
        return self._found(self.state.instances, ident, "DBInstanceNotFoundFault",
                           f"DBInstance {ident} not found.")

    def _snapshot(self, ref):
        ident = self._ref_id(ref, "snapshot")
        return self._found(self.state.snapshots, ident, "DBSnapshotNotFoundFault",
                           f"DBSnapshot {ident} not found.")

    def _param_group(self, name):
        return self._found(self.state.param_groups, name.lower(), "DBParameterGroupNotFoundFault",
                           f"DBParameterGroup not found: {name}")

    def _family_group(self, name, family):
        pg = self._param_group(name or f"default.{family}")
        if pg.family != family:
            raise AwsError("InvalidParameterCombination",
                           f"The parameter group {pg.name} with DBParameterGroupFamily {pg.family} can't be "
                           f"used for this instance. Use a parameter group with DBParameterGroupFamily {family}.")
        return pg

    # -- KMS keys -------------------------------------------------------------------
    def _kms_key(self, ctx, ref):
        key = kms.resolve(self.state, ctx.region, ref)
        if key is None:
            raise AwsError("KMSKeyNotAccessibleFault", f"The specified KMS key [{ref}] does not exist, "
                           "is not enabled or you do not have permissions to access it.")
        if not key.enabled:
            raise AwsError("KMSKeyNotAccessibleFault", f"The specified KMS key [{key.arn}] is not "
                           "accessible: the key is disabled.")
        return key

    def _aws_rds_key(self, ctx):
        """The AWS managed key aws/rds, made on first use as AWS does."""
        with self.state.lock:
            alias = self.state.aliases.get((ctx.region, "alias/aws/rds"))
            if alias:
                return self.state.keys[alias.key_id]
            key = kms.Key(ctx.region, "Default key that protects my RDS database volumes when no "
                          "other key is defined", [], "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT")
            key.manager = "AWS"
            key.created_mono = 0     # never hidden by hide_new_seconds, as the default groups
            alias = kms.Alias(ctx.region, "alias/aws/rds", key.id)
            alias.created_mono = 0
            self.state.keys[key.id] = key
            self.state.aliases[(ctx.region, "alias/aws/rds")] = alias
            return key
