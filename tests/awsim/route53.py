"""Route 53: hosted zones, record sets, changes that go PENDING -> INSYNC.

Record names are stored the way Route 53 returns them: lower case, fully qualified
with a trailing dot.  A change becomes INSYNC a fixed (scaled) time after it was
submitted, which is all GetChange and the CLI waiter observe.
"""

import ipaddress
import time

from state import AwsError, now, random_id

SYNC_SECONDS = 60          # base time from PENDING to INSYNC
NAME_SERVERS = ["ns-1.awsim.invalid", "ns-2.awsim.invalid"]


def fqdn(name):
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


def reversed_labels(name):
    return ".".join(reversed(name.rstrip(".").split(".")))


def strip_prefix(value, prefix):
    return value[len(prefix):] if value.startswith(prefix) else value


class Zone:
    def __init__(self, name, caller_ref, comment, private, vpc):
        self.id = random_id("Z", 21)
        self.name = name
        self.caller_ref = caller_ref
        self.comment = comment
        self.private = private
        self.vpc = vpc
        self.records = {}      # (name, type, set identifier or "") -> ResourceRecordSet dict
        # Every accepted change, for tests (/_awsim/state): wall-clock time,
        # action and the record set, so a test can see when a TTL changed.
        self.history = []
        self.created_mono = time.monotonic()
        soa = f"{NAME_SERVERS[0]}. awsim-hostmaster.invalid. 1 7200 900 1209600 86400"
        self.records[(name, "SOA", "")] = {"Name": name, "Type": "SOA", "TTL": 900,
                                           "ResourceRecords": [{"Value": soa}]}
        self.records[(name, "NS", "")] = {"Name": name, "Type": "NS", "TTL": 172800,
                                          "ResourceRecords": [{"Value": ns + "."} for ns in NAME_SERVERS]}

    def describe(self):
        cfg = {"PrivateZone": self.private}
        if self.comment:
            cfg["Comment"] = self.comment
        return {"Id": f"/hostedzone/{self.id}", "Name": self.name, "CallerReference": self.caller_ref,
                "Config": cfg, "ResourceRecordSetCount": len(self.records)}


class Change:
    def __init__(self, comment, sync_after):
        self.id = random_id("C", 21)
        self.comment = comment
        self.submitted = now()
        self.ready_at = time.monotonic() + sync_after

    def info(self, state):
        insync = time.monotonic() >= self.ready_at and not state.is_held("change", self.id, "PENDING")
        out = {"Id": f"/change/{self.id}",
               "Status": "INSYNC" if insync else "PENDING",
               "SubmittedAt": self.submitted}
        if self.comment:
            out["Comment"] = self.comment
        return out


def _rrset_label(rr):
    return f"[name='{rr['Name']}', type='{rr['Type']}'" + (
        f", set-identifier='{rr['SetIdentifier']}'" if rr.get("SetIdentifier") else "") + "]"


class Route53:
    def __init__(self, state):
        self.state = state

    def _new_change(self, comment):
        change = Change(comment, SYNC_SECONDS * self.state.time_scale)
        self.state.changes[change.id] = change
        return change

    def _zone(self, zone_id):
        zid = strip_prefix(zone_id, "/hostedzone/")
        zone = self.state.zones.get(zid)
        if zone is None or not self.state.visible(zone.created_mono):
            raise AwsError("NoSuchHostedZone", f"No hosted zone found with ID: {zid}")
        return zone

    def CreateHostedZone(self, p, ctx):
        name = fqdn(p["Name"])
        labels = name.rstrip(".").split(".")
        if len(labels) < 1 or any(not l or len(l) > 63 for l in labels):
            raise AwsError("InvalidDomainName", f"{p['Name']} is not a valid domain name")
        cfg = p.get("HostedZoneConfig", {})
        vpc = p.get("VPC")
        private = bool(vpc) or cfg.get("PrivateZone", False)
        if private and not vpc:
            raise AwsError("InvalidInput", "When you're creating a private hosted zone, you must specify a VPC.")
        with self.state.lock:
            if any(z.caller_ref == p["CallerReference"] for z in self.state.zones.values()):
                raise AwsError("HostedZoneAlreadyExists",
                               "A hosted zone has already been created with the specified caller reference.")
            zone = Zone(name, p["CallerReference"], cfg.get("Comment"), private, vpc)
            self.state.zones[zone.id] = zone
            change = self._new_change(None)
        out = {"HostedZone": zone.describe(), "ChangeInfo": change.info(self.state),
               "DelegationSet": {"NameServers": list(NAME_SERVERS)},
               "Location": f"https://route53.amazonaws.com/2013-04-01/hostedzone/{zone.id}"}
        if vpc:
            out["VPC"] = vpc
        return out

    def ListHostedZonesByName(self, p, ctx):
        if p.get("HostedZoneId") and not p.get("DNSName"):
            raise AwsError("InvalidInput", "HostedZoneId requires DNSName")
        max_items = self._max_items(p, 100)
        with self.state.lock:
            zones = sorted((z for z in self.state.zones.values() if self.state.visible(z.created_mono)),
                           key=lambda z: (reversed_labels(z.name), z.id))
            if p.get("DNSName"):
                start = (reversed_labels(fqdn(p["DNSName"])), strip_prefix(p.get("HostedZoneId", ""), "/hostedzone/"))
                zones = [z for z in zones if (reversed_labels(z.name), z.id) >= start]
            page, rest = zones[:max_items], zones[max_items:]
            out = {"HostedZones": [z.describe() for z in page], "IsTruncated": bool(rest),
                   "MaxItems": str(max_items)}
        if p.get("DNSName"):
            out["DNSName"] = fqdn(p["DNSName"])
        if p.get("HostedZoneId"):
            out["HostedZoneId"] = p["HostedZoneId"]
        if rest:
            out["NextDNSName"] = rest[0].name
            out["NextHostedZoneId"] = rest[0].id
        return out

    @staticmethod
    def _max_items(p, default):
        raw = p.get("MaxItems")
        if raw is None:
            return default
        if not raw.isdigit() or not 1 <= int(raw) <= 300:
            raise AwsError("InvalidInput", f"1 validation error detected: Value '{raw}' at 'maxItems' "
                           "failed to satisfy constraint: Member must be between 1 and 300")
        return int(raw)

    def ListResourceRecordSets(self, p, ctx):
        if p.get("StartRecordType") and not p.get("StartRecordName"):
            raise AwsError("InvalidInput", "The input is not valid: type requires name")
        max_items = self._max_items(p, 300)
        with self.state.lock:
            zone = self._zone(p["HostedZoneId"])
            rrs = sorted(zone.records.items(),
                         key=lambda kv: (reversed_labels(kv[0][0]), kv[0][1], kv[0][2]))
            if p.get("StartRecordName"):
                start = (reversed_labels(fqdn(p["StartRecordName"])), p.get("StartRecordType", ""),
                         p.get("StartRecordIdentifier", ""))
                rrs = [kv for kv in rrs if (reversed_labels(kv[0][0]), kv[0][1], kv[0][2]) >= start]
            page, rest = rrs[:max_items], rrs[max_items:]
            out = {"ResourceRecordSets": [dict(v) for _, v in page], "IsTruncated": bool(rest),
                   "MaxItems": str(max_items)}
        if rest:
            (name, rtype, ident), _ = rest[0]
            out["NextRecordName"] = name
            out["NextRecordType"] = rtype
            if ident:
                out["NextRecordIdentifier"] = ident
        return out

    def GetChange(self, p, ctx):
        cid = strip_prefix(p["Id"], "/change/")
        with self.state.lock:
            change = self.state.changes.get(cid)
            if change is None:
                raise AwsError("NoSuchChange", f"A change with the specified change ID does not exist: {cid}")
            return {"ChangeInfo": change.info(self.state)}

    def ChangeResourceRecordSets(self, p, ctx):
        batch = p["ChangeBatch"]
        with self.state.lock:
            zone = self._zone(p["HostedZoneId"])
            records = dict(zone.records)
            seen = set()
            errors = []
            for ch in batch["Changes"]:
                rr = dict(ch["ResourceRecordSet"])
                rr["Name"] = fqdn(rr["Name"])
                key = (rr["Name"], rr["Type"], rr.get("SetIdentifier", ""))
                action = ch["Action"]
                if key in seen:
                    errors.append("The request contains an invalid set of changes for a resource "
                                  f"record set '{rr['Type']} {rr['Name']}'")
                    continue
                seen.add(key)
                self._check_rrset(zone, rr, action)
                current = records.get(key)
                if action == "CREATE" and current is not None:
                    errors.append(f"Tried to create resource record set {_rrset_label(rr)} but it already exists")
                elif action == "DELETE":
                    if current is None:
                        errors.append(f"Tried to delete resource record set {_rrset_label(rr)} but it was not found")
                    elif current != rr:
                        errors.append(f"Tried to delete resource record set {_rrset_label(rr)} but the "
                                      "values provided do not match the current values")
                    else:
                        del records[key]
                    continue
                others = {t for (n, t, _) in records if n == rr["Name"] and (n, t, _) != key}
                if rr["Type"] == "CNAME" and others or "CNAME" in others:
                    errors.append(f"RRSet of type {rr['Type']} with DNS name {rr['Name']} is not permitted "
                                  f"as it conflicts with other records with the same DNS name in zone {zone.name}")
                    continue
                records[key] = rr
            if errors:
                raise AwsError("InvalidChangeBatch", "[" + ", ".join(errors) + "]")
            zone.records = records
            change = self._new_change(batch.get("Comment"))
            for ch in batch["Changes"]:
                zone.history.append({"at": time.time(), "action": ch["Action"], "change": change.id,
                                     "record": dict(ch["ResourceRecordSet"])})
            return {"ChangeInfo": change.info(self.state)}

    def _check_rrset(self, zone, rr, action):
        name, rtype = rr["Name"], rr["Type"]
        desc = f"Change with [Action={action}, Name={name}, Type={rtype}" + (
            f", SetIdentifier={rr['SetIdentifier']}]" if rr.get("SetIdentifier") else "]")
        if not (name == zone.name or name.endswith("." + zone.name)):
            raise AwsError("InvalidChangeBatch",
                           f"[RRSet with DNS name {name} is not permitted in zone {zone.name}]")
        has_alias = "AliasTarget" in rr
        has_plain = "TTL" in rr and rr.get("ResourceRecords")
        if has_alias == bool(has_plain) or (has_alias and ("TTL" in rr or rr.get("ResourceRecords"))):
            raise AwsError("InvalidInput", "Invalid request: Expected exactly one of [AliasTarget, all of "
                           f"[TTL, and ResourceRecords]], but found {'both' if has_alias else 'none'} in {desc}")
        if rtype in ("SOA", "NS") and name == zone.name and action == "DELETE":
            raise AwsError("InvalidChangeBatch",
                           f"[A HostedZone must contain exactly one SOA record and at least one NS record: {name}]")
        values = [r["Value"] for r in rr.get("ResourceRecords", [])]
        if rtype == "CNAME":
            if name == zone.name:
                raise AwsError("InvalidChangeBatch", f"[RRSet of type CNAME with DNS name {name} is not "
                               f"permitted at apex in zone {zone.name}]")
            if len(values) > 1:
                raise AwsError("InvalidChangeBatch",
                               f"[RRSet of type CNAME with DNS name {name} cannot have multiple values]")
        if rtype == "A":
            for v in values:
                try:
                    ipaddress.IPv4Address(v)
                except ValueError:
                    raise AwsError("InvalidChangeBatch", "[ARRDATAIllegalIPv4Address (Value is not a valid "
                                   f"IPv4 address) encountered with '{v}']") from None

    # -- control interface ----------------------------------------------------------
    def zone_state(self, zone):
        return {"id": zone.id, "name": zone.name, "private": zone.private,
                "records": [dict(v) for v in zone.records.values()],
                "history": [dict(h) for h in zone.history]}

    def lookup(self, name):
        """(zone, rrsets at that name) from the zone with the longest matching suffix."""
        best = None
        for z in self.state.zones.values():
            if (name == z.name or name.endswith("." + z.name)) and (best is None or len(z.name) > len(best.name)):
                best = z
        if best is None:
            return None, []
        return best, [v for (n, t, _), v in best.records.items() if n == name]

    def resolve(self, name, rds):
        """What a resolver would answer for name: follow CNAMEs to A records or an address.

        Returns (status, json).  An address that is an RDS instance's endpoint is
        reported with the instance id and port, so tests can connect "through the alias".
        """
        name = fqdn(name)
        chain = [name]
        with self.state.lock:
            for _ in range(10):
                ep = rds.instance_by_endpoint(name)
                if ep:      # an RDS endpoint name (--endpoint-names): its current address
                    return 200, {"name": chain[0], "chain": chain, "addresses": [ep[2]],
                                 "instance": ep[0], "port": ep[1]}
                zone, rrs = self.lookup(name)
                cname = [r for r in rrs if r["Type"] == "CNAME"]
                a = [r for r in rrs if r["Type"] == "A"]
                if cname:
                    target = cname[0]["ResourceRecords"][0]["Value"]
                    try:
                        addrs = [str(ipaddress.IPv4Address(target.rstrip(".")))]
                    except ValueError:
                        name = fqdn(target)
                        chain.append(name)
                        continue
                elif a:
                    addrs = [r["Value"] for rr in a for r in rr.get("ResourceRecords", [])]
                else:
                    addrs = []
                if not addrs:
                    return 404, {"name": chain[0], "chain": chain, "addresses": [], "error": "NXDOMAIN"}
                out = {"name": chain[0], "chain": chain, "addresses": addrs}
                inst = rds.instance_by_address(addrs[0])
                if inst:
                    out["instance"], out["port"] = inst
                return 200, out
        return 400, {"name": chain[0], "chain": chain, "error": "CNAME loop"}
