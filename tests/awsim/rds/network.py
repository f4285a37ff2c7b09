"""Networks: VPCs, subnets and security groups (EC2's, set up through the
control interface), DB subnet groups (RDS's API), and where an instance is
placed: its subnet group, its VPC security groups, whether it is public.

Every region starts with two VPCs (see DEFAULT_WORLD): the default VPC, with an
internet gateway, a subnet in each of three AZs and the `default` DB subnet
group RDS makes over them; and a private VPC without an internet gateway and
without any DB subnet group. Each VPC has its `default` security group.

Rules followed (AWS documents cited in tests/awsim/README.md):
- without DBSubnetGroupName an instance goes to the default VPC's `default`
  subnet group; without a default VPC that is InvalidSubnet;
- a same-region read replica without one goes in its source's subnet group;
  one in another VPC than the source's is refused (the stricter reading);
- VpcSecurityGroupIds must exist and be in the subnet group's VPC; without
  them the instance gets that VPC's default security group;
- PubliclyAccessible defaults to whether the VPC has an internet gateway, and
  true is refused in a VPC without one.
"""

import re
import time

from state import ACCOUNT, AwsError, now

from .base import _page, _tags

DEFAULT_VPC = "vpc-0a1b2c3d"
DEFAULT_SG = "sg-0a1b2c3d4e5f60718"
PRIVATE_VPC = "vpc-0b2c3d4e5f6a7b8c9"
PRIVATE_SG = "sg-0b2c3d4e5f6a7b8c9"

# Each region's VPCs: (id, cidr, internet gateway, default SG, [(subnet id, AZ suffix)]).
DEFAULT_WORLD = (
    (DEFAULT_VPC, "172.31.0.0/16", True, DEFAULT_SG,
     [("subnet-0a1b2c3d", "a"), ("subnet-0b2c3d4e", "b"), ("subnet-0c3d4e5f", "c")]),
    (PRIVATE_VPC, "10.20.0.0/16", False, PRIVATE_SG,
     [("subnet-0d4e5f6a7b8c9d0e1", "a"), ("subnet-0e5f6a7b8c9d0e1f2", "b")]),
)

SG_RE = re.compile(r"sg-[0-9a-f]{8,17}")
VPC_RE = re.compile(r"vpc-[0-9a-f]{8,17}")
SUBNET_RE = re.compile(r"subnet-[0-9a-f]{8,17}")
GROUP_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9._ -]{0,254}")


class Vpc:
    def __init__(self, ident, cidr, igw):
        self.id, self.cidr, self.igw = ident, cidr, igw


class SubnetGroup:
    event_source = "db-subnet-group"

    def __init__(self, name, description, region, vpc_id, subnets):
        self.name = name
        self.description = description
        self.region = region
        self.vpc_id = vpc_id
        self.subnets = list(subnets)   # subnet ids
        self.tags = []
        self.created_mono = time.monotonic()
        self.created = now()

    def arn(self):
        return f"arn:aws:rds:{self.region}:{ACCOUNT}:subgrp:{self.name}"


class Network:
    """One region's VPCs, subnets ({id: (vpc, az)}), security groups
    ({id: (vpc, name)}) and DB subnet groups ({name: SubnetGroup})."""

    def __init__(self, region):
        self.region = region
        self.vpcs = {}
        self.subnets = {}
        self.sgs = {}
        self.subnet_groups = {}
        self.default_vpc = None
        for vpc_id, cidr, igw, sg, subnets in DEFAULT_WORLD:
            self.add_vpc(vpc_id, cidr, igw, sg, [(s, region + az) for s, az in subnets])
        self.set_default_vpc(True)

    def add_vpc(self, vpc_id, cidr, igw, default_sg, subnets):
        self.vpcs[vpc_id] = Vpc(vpc_id, cidr, igw)
        self.sgs[default_sg] = (vpc_id, "default")
        for sid, az in subnets:
            self.subnets[sid] = (vpc_id, az)

    def set_default_vpc(self, exists):
        """The default VPC and the `default` subnet group RDS made over it, or neither."""
        if exists:
            if DEFAULT_VPC not in self.vpcs:
                spec = DEFAULT_WORLD[0]
                self.add_vpc(spec[0], spec[1], spec[2], spec[3], [(s, self.region + az) for s, az in spec[4]])
            self.default_vpc = DEFAULT_VPC
            if "default" not in self.subnet_groups:
                g = SubnetGroup("default", "default", self.region, DEFAULT_VPC,
                                [s for s, (v, _) in sorted(self.subnets.items()) if v == DEFAULT_VPC])
                g.created_mono = 0   # never hidden by hide_new_seconds
                self.subnet_groups["default"] = g
        else:
            self.default_vpc = None
            self.subnet_groups.pop("default", None)
            self.vpcs.pop(DEFAULT_VPC, None)
            self.sgs = {k: v for k, v in self.sgs.items() if v[0] != DEFAULT_VPC}
            self.subnets = {k: v for k, v in self.subnets.items() if v[0] != DEFAULT_VPC}

    def default_sg(self, vpc_id):
        return next(k for k, (v, n) in self.sgs.items() if v == vpc_id and n == "default")

    def describe_group(self, g):
        return {"DBSubnetGroupName": g.name, "DBSubnetGroupDescription": g.description, "VpcId": g.vpc_id,
                "SubnetGroupStatus": "Complete", "DBSubnetGroupArn": g.arn(), "SupportedNetworkTypes": ["IPV4"],
                "Subnets": [{"SubnetIdentifier": s, "SubnetAvailabilityZone": {"Name": self.subnets[s][1]},
                             "SubnetOutpost": {}, "SubnetStatus": "Active"}
                            for s in g.subnets if s in self.subnets]}

    def state(self):
        return {"region": self.region, "default_vpc": self.default_vpc,
                "vpcs": [{"id": v.id, "cidr": v.cidr, "internet_gateway": v.igw,
                          "subnets": [{"id": s, "az": az} for s, (vv, az) in sorted(self.subnets.items()) if vv == v.id],
                          "security_groups": [{"id": k, "name": n} for k, (vv, n) in sorted(self.sgs.items())
                                              if vv == v.id]}
                         for v in self.vpcs.values()],
                "subnet_groups": {n: {"vpc": g.vpc_id, "subnets": list(g.subnets)}
                                  for n, g in sorted(self.subnet_groups.items())}}


class Placement:
    """Where an instance is: region, subnet group name, VPC, security groups, public."""

    def __init__(self, region, group, vpc_id, sgs, public):
        self.region, self.group, self.vpc_id, self.sgs, self.public = region, group, vpc_id, sgs, public


class NetworkMixin:
    """DB subnet groups, placement rules, and the network control endpoint."""

    def _net(self, region):
        with self.state.lock:
            net = self.state.networks.get(region)
            if net is None:
                net = self.state.networks[region] = Network(region)
            return net

    def _subnet_group(self, region, name):
        net = self._net(region)
        g = net.subnet_groups.get(name.lower())
        if g is None or not self.state.visible(g.created_mono):
            raise AwsError("DBSubnetGroupNotFoundFault", f"DBSubnetGroupName '{name}' not found.")
        return g

    def _check_sgs(self, net, ids, vpc_id):
        """ids, each an existing security group of vpc_id; [] gives the VPC's default one."""
        if not ids:
            return [net.default_sg(vpc_id)]
        out = []
        for sg in ids:
            if not SG_RE.fullmatch(sg) or sg not in net.sgs:
                raise AwsError("InvalidParameterValue", f"Invalid security group , groupId= {sg}, groupName=.")
            if net.sgs[sg][0] != vpc_id:
                raise AwsError("InvalidParameterCombination",
                               "The DB instance and EC2 security group are in different VPCs. The DB instance "
                               f"is in {vpc_id} and the EC2 security group is in {net.sgs[sg][0]}")
            if sg not in out:
                out.append(sg)
        return out

    def _check_public(self, net, vpc_id, public):
        """PubliclyAccessible as given, else whether the VPC has an internet gateway."""
        igw = net.vpcs[vpc_id].igw
        if public is None:
            return igw
        if public and not igw:
            raise AwsError("InvalidVPCNetworkStateFault",
                           "Cannot create a publicly accessible DBInstance. The specified VPC has no "
                           "internet gateway attached.Update the VPC and then try again")
        return bool(public)

    def _placement(self, ctx, p, source=None):
        """The placement a create, restore (source None) or read replica (source: its
        instance) asks for in p."""
        net = self._net(ctx.region)
        name = p.get("DBSubnetGroupName")
        if name:
            g = self._subnet_group(ctx.region, name)
            if source is not None and g.vpc_id != source.placement.vpc_id:
                raise AwsError("DBSubnetGroupNotAllowedFault",
                               f"The DB subnet group {g.name} is in {g.vpc_id}; a read replica in the same "
                               f"region as its source must be in the source's VPC {source.placement.vpc_id}.")
        elif source is not None:
            g = self._subnet_group(ctx.region, source.placement.group)
        else:
            if net.default_vpc is None:
                raise AwsError("InvalidSubnet", "No default subnet detected in VPC. Please contact AWS Support "
                               "to recreate default Subnets.")
            g = self._subnet_group(ctx.region, "default")
        sgs = self._check_sgs(net, p.get("VpcSecurityGroupIds"), g.vpc_id)
        public = self._check_public(net, g.vpc_id, p.get("PubliclyAccessible"))
        return Placement(ctx.region, g.name, g.vpc_id, sgs, public)

    def describe_subnet_group_of(self, inst):
        net = self._net(inst.placement.region)
        g = net.subnet_groups.get(inst.placement.group)
        if g is None:   # deleted under a running instance cannot happen; a reset can
            return {"DBSubnetGroupName": inst.placement.group, "VpcId": inst.placement.vpc_id,
                    "SubnetGroupStatus": "Complete", "Subnets": []}
        return net.describe_group(g)

    def subnet_group_azs(self, inst):
        """The AZs of inst's subnet group, sorted (the region's "a" when it has none)."""
        net = self._net(inst.placement.region)
        g = net.subnet_groups.get(inst.placement.group)
        azs = sorted({net.subnets[s][1] for s in (g.subnets if g else []) if s in net.subnets})
        return azs or [inst.region + "a"]

    # -- the API ------------------------------------------------------------------
    def CreateDBSubnetGroup(self, p, ctx):
        name = p["DBSubnetGroupName"]
        if not GROUP_NAME_RE.fullmatch(name) or name.lower() == "default":
            raise AwsError("InvalidParameterValue",
                           f"The parameter DBSubnetGroupName is not a valid identifier: {name}. It must begin "
                           "with a letter, contain only letters, digits, periods, underscores, spaces or "
                           "hyphens, be at most 255 characters and not be default.")
        name = name.lower()
        with self.state.lock:
            net = self._net(ctx.region)
            if name in net.subnet_groups:
                raise AwsError("DBSubnetGroupAlreadyExistsFault", f"The DB subnet group '{name}' already exists.")
            ids = list(dict.fromkeys(p["SubnetIds"]))
            bad = [s for s in ids if s not in net.subnets]
            if bad or not ids:
                raise AwsError("InvalidSubnet", f"Some input subnets in :{bad or ids} are invalid.")
            vpcs = {net.subnets[s][0] for s in ids}
            if len(vpcs) > 1:
                raise AwsError("InvalidSubnet", "Some of the subnets to be used in the DB subnet group are in "
                               "different VPCs")
            azs = sorted({net.subnets[s][1] for s in ids})
            if len(azs) < 2:
                raise AwsError("DBSubnetGroupDoesNotCoverEnoughAZs",
                               "The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. "
                               f"Current AZ coverage: {', '.join(azs)}. Add subnets to cover at least 2 AZs.")
            g = SubnetGroup(name, p["DBSubnetGroupDescription"], ctx.region, vpcs.pop(), ids)
            g.tags = _tags(p.get("Tags"))
            net.subnet_groups[name] = g
            return {"DBSubnetGroup": net.describe_group(g)}

    def DescribeDBSubnetGroups(self, p, ctx):
        if p.get("Filters"):
            raise AwsError("InvalidParameterValue", f"Unrecognized filter name: {p['Filters'][0]['Name']}")
        with self.state.lock:
            net = self._net(ctx.region)
            if p.get("DBSubnetGroupName"):
                groups = [self._subnet_group(ctx.region, p["DBSubnetGroupName"])]
            else:
                groups = [g for g in net.subnet_groups.values() if self.state.visible(g.created_mono)]
            groups.sort(key=lambda g: g.name)
            return _page("DBSubnetGroups", groups, lambda g: g.name, p, net.describe_group)

    def DeleteDBSubnetGroup(self, p, ctx):
        with self.state.lock:
            g = self._subnet_group(ctx.region, p["DBSubnetGroupName"])
            users = sorted(i.id for i in self.state.instances.values()
                           if i.placement.region == ctx.region and i.placement.group == g.name)
            if users:
                raise AwsError("InvalidDBSubnetGroupStateFault",
                               f"Cannot delete the subnet group '{g.name}' because at least one database "
                               f"instance: {users[0]} is still using it.")
            del self._net(ctx.region).subnet_groups[g.name]
        return {}

    # -- the control interface ----------------------------------------------------------
    def control_network(self, data):
        """POST /_awsim/network: {"region": R, "default_vpc": bool,
        "vpcs": [{"id", "cidr", "internet_gateway", "subnets": [{"id", "az"}], "default_security_group"}],
        "security_groups": [{"id", "vpc", "name"}]}. Answers the region's network."""
        region = data.get("region", "us-east-1")
        with self.state.lock:
            net = self._net(region)
            if "default_vpc" in data:
                if not data["default_vpc"] and any(i.placement.vpc_id == DEFAULT_VPC
                                                   for i in self.state.instances.values()
                                                   if i.placement.region == region):
                    raise AwsError("InvalidParameterValue", "instances are still in the default VPC")
                net.set_default_vpc(bool(data["default_vpc"]))
            for v in data.get("vpcs", []):
                if not VPC_RE.fullmatch(v.get("id", "")) or v["id"] in net.vpcs:
                    raise AwsError("InvalidParameterValue", f"bad or existing VPC id {v.get('id')!r}")
                subnets = [(s["id"], s.get("az", region + "a")) for s in v.get("subnets", [])]
                for sid, _ in subnets:
                    if not SUBNET_RE.fullmatch(sid) or sid in net.subnets:
                        raise AwsError("InvalidParameterValue", f"bad or existing subnet id {sid!r}")
                sg = v.get("default_security_group") or "sg-" + v["id"][4:].ljust(17, "0")[:17]
                if not SG_RE.fullmatch(sg) or sg in net.sgs:
                    raise AwsError("InvalidParameterValue", f"bad or existing security group id {sg!r}")
                net.add_vpc(v["id"], v.get("cidr", "10.0.0.0/16"), bool(v.get("internet_gateway")), sg, subnets)
            for s in data.get("security_groups", []):
                if not SG_RE.fullmatch(s.get("id", "")) or s["id"] in net.sgs:
                    raise AwsError("InvalidParameterValue", f"bad or existing security group id {s.get('id')!r}")
                if s.get("vpc") not in net.vpcs:
                    raise AwsError("InvalidParameterValue", f"no VPC {s.get('vpc')!r}")
                net.sgs[s["id"]] = (s["vpc"], s.get("name", s["id"]))
            return net.state()
