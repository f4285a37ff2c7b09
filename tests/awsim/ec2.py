"""EC2: VPC security groups, as far as rdsreconcile isolates an old source with
one: CreateSecurityGroup, DescribeSecurityGroups, DeleteSecurityGroup,
CreateTags.  The groups live in the region's network (rds/network.py), so
that RDS's VpcSecurityGroupIds accepts them.

Rules followed (AWS documents cited in tests/awsim/README.md):
- a new group has no inbound rule and one outbound rule allowing all traffic;
  an instance whose every VPC security group has no inbound rule takes no new
  connection (rds/instances.py, _apply_isolation);
- GroupName at most 255 characters of a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$*,
  not starting with sg-, not "default"; unique within its VPC
  (InvalidGroup.Duplicate); Description the same characters;
- without VpcId the group goes to the default VPC (VPCIdNotSpecified without
  one); an unknown VpcId is InvalidVpcID.NotFound;
- TagSpecifications only for ResourceType security-group; tag keys at most
  127 characters, values 256, no aws: prefix, at most 50 a resource;
- DescribeSecurityGroups filters group-id, group-name, vpc-id, description,
  owner-id, tag-key and tag:KEY (any other name is InvalidParameterValue);
  values within a filter are OR-ed, filters AND-ed; an unknown GroupId is
  InvalidGroup.NotFound;
- DeleteSecurityGroup refuses a VPC's default group (CannotDelete) and a group
  a DB instance uses (DependencyViolation).
"""

import re

from state import ACCOUNT, AwsError, random_id

NAME_RE = re.compile(r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{1,255}")
DESC_RE = re.compile(r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}")
FILTERS = {"group-id", "group-name", "vpc-id", "description", "owner-id", "tag-key"}
MAX_TAGS = 50


def _check_tags(tags, current=()):
    merged = {t["Key"]: t.get("Value", "") for t in current}
    for t in tags:
        k, v = t.get("Key"), t.get("Value", "")
        if k is None:
            raise AwsError("InvalidParameterValue", "Tag key must be specified")
        if not 1 <= len(k) <= 127 or len(v) > 256:
            raise AwsError("InvalidParameterValue", f"Tag key or value too long: {k!r}")
        if k.lower().startswith("aws:"):
            raise AwsError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
        merged[k] = v
    if len(merged) > MAX_TAGS:
        raise AwsError("TagLimitExceeded", f"The maximum number of tags ({MAX_TAGS}) was exceeded")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


class EC2:
    def __init__(self, state, rds):
        self.state = state
        self.rds = rds   # its networks and instances

    def _meta(self, net, sg):
        """What a group carries beyond (vpc, name): made by EC2 or not, its
        description, tags and inbound rules.  Groups set up through the control
        interface stand for groups whose rules admit the tests' clients."""
        meta = getattr(net, "sg_meta", None)
        if meta is None:
            meta = net.sg_meta = {}
        if sg not in meta:
            vpc, name = net.sgs[sg]
            meta[sg] = {"description": "default VPC security group" if name == "default" else name,
                        "tags": [], "inbound": True}
        return meta[sg]

    def _describe(self, net, sg):
        vpc, name = net.sgs[sg]
        m = self._meta(net, sg)
        cidr = net.vpcs[vpc].cidr if vpc in net.vpcs else "10.0.0.0/16"
        out = {"GroupId": sg, "GroupName": name, "Description": m["description"], "VpcId": vpc,
               "OwnerId": ACCOUNT,
               "IpPermissions": [], "IpPermissionsEgress": [
                   {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}
        if m["inbound"]:
            out["IpPermissions"] = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": cidr}]}]
        if m["tags"]:
            out["Tags"] = [dict(t) for t in m["tags"]]
        return out

    def has_inbound(self, region, sg):
        with self.state.lock:
            net = self.rds._net(region)
            return sg not in net.sgs or self._meta(net, sg)["inbound"]

    def CreateSecurityGroup(self, p, ctx):
        name, desc = p["GroupName"], p["Description"]
        if not NAME_RE.fullmatch(name) or name.lower().startswith("sg-"):
            raise AwsError("InvalidParameterValue",
                           f"Invalid security group name: {name!r}. Up to 255 characters of a-z, A-Z, 0-9, "
                           "spaces, and ._-:/()#,@[]+=&;{}!$*; must not start with sg-")
        if name == "default":
            raise AwsError("InvalidGroup.Reserved", "The security group 'default' is reserved")
        if not DESC_RE.fullmatch(desc):
            raise AwsError("InvalidParameterValue", f"Invalid security group description: {desc!r}")
        tags = []
        for spec in p.get("TagSpecifications", []):
            if spec.get("ResourceType") != "security-group":
                raise AwsError("InvalidParameterValue",
                               f"'{spec.get('ResourceType')}' is not a valid taggable resource type for this "
                               "operation.")
            tags = _check_tags(spec.get("Tags", []), tags)
        with self.state.lock:
            net = self.rds._net(ctx.region)
            vpc = p.get("VpcId") or net.default_vpc
            if vpc is None:
                raise AwsError("VPCIdNotSpecified", "No default VPC for this user")
            if vpc not in net.vpcs:
                raise AwsError("InvalidVpcID.NotFound", f"The vpc ID '{vpc}' does not exist")
            if any(v == vpc and n == name for v, n in net.sgs.values()):
                raise AwsError("InvalidGroup.Duplicate",
                               f"The security group '{name}' already exists for VPC '{vpc}'")
            sg = random_id("sg-", 17, "0123456789abcdef")
            net.sgs[sg] = (vpc, name)
            self._meta(net, sg).update(description=desc, tags=tags, inbound=False)
            out = {"GroupId": sg}
            if tags:
                out["Tags"] = [dict(t) for t in tags]
            return out

    def DescribeSecurityGroups(self, p, ctx):
        filters = []
        for f in p.get("Filters", []):
            fname = f.get("Name", "")
            if fname not in FILTERS and not fname.startswith("tag:"):
                raise AwsError("InvalidParameterValue", f"The filter '{fname}' is invalid")
            filters.append((fname, set(f.get("Values", []))))
        if p.get("MaxResults") is not None:
            if p.get("GroupIds") or p.get("GroupNames"):
                raise AwsError("InvalidParameterCombination",
                               "The parameter groupIds cannot be used with the parameter maxResults")
            if not 5 <= p["MaxResults"] <= 1000:
                raise AwsError("InvalidParameterValue", "Value for parameter maxResults is invalid: 5..1000")
        with self.state.lock:
            net = self.rds._net(ctx.region)
            ids = sorted(net.sgs)
            for sg in p.get("GroupIds", []):
                if sg not in net.sgs:
                    raise AwsError("InvalidGroup.NotFound", f"The security group '{sg}' does not exist")
            if p.get("GroupIds"):
                ids = [sg for sg in ids if sg in set(p["GroupIds"])]
            for gname in p.get("GroupNames", []):
                # By name only in the default VPC (API reference, GroupNames).
                if not any(v == net.default_vpc and n == gname for v, n in net.sgs.values()):
                    raise AwsError("InvalidGroup.NotFound",
                                   f"The security group '{gname}' does not exist in default VPC "
                                   f"'{net.default_vpc}'")
            if p.get("GroupNames"):
                ids = [sg for sg in ids if net.sgs[sg][0] == net.default_vpc and net.sgs[sg][1] in p["GroupNames"]]
            out = []
            for sg in ids:
                d = self._describe(net, sg)
                tags = {t["Key"]: t["Value"] for t in d.get("Tags", [])}
                fields = {"group-id": {sg}, "group-name": {d["GroupName"]}, "vpc-id": {d["VpcId"]},
                          "description": {d["Description"]}, "owner-id": {ACCOUNT}, "tag-key": set(tags)}
                if all((fields[n] if n in fields else {tags[n[4:]]} if n[4:] in tags else set()) & vals
                       for n, vals in filters):
                    out.append(d)
            start = int(p.get("NextToken") or 0)
            size = p.get("MaxResults") or len(out) or 1
            page = out[start:start + size]
            res = {"SecurityGroups": page}
            if start + size < len(out):
                res["NextToken"] = str(start + size)
            return res

    def DeleteSecurityGroup(self, p, ctx):
        with self.state.lock:
            net = self.rds._net(ctx.region)
            sg = p.get("GroupId")
            if sg is None:
                name = p.get("GroupName")
                if name is None:
                    raise AwsError("MissingParameter", "The request must contain the parameter groupName or groupId")
                sg = next((k for k, (v, n) in net.sgs.items() if v == net.default_vpc and n == name), None)
                if sg is None:
                    raise AwsError("InvalidGroup.NotFound",
                                   f"The security group '{name}' does not exist in default VPC '{net.default_vpc}'")
            if sg not in net.sgs:
                raise AwsError("InvalidGroup.NotFound", f"The security group '{sg}' does not exist")
            if net.sgs[sg][1] == "default":
                raise AwsError("CannotDelete",
                               f'the specified group: "{sg}" name: "default" cannot be deleted by a user')
            if any(sg in i.placement.sgs for i in self.state.instances.values()
                   if i.placement.region == ctx.region):
                raise AwsError("DependencyViolation", f"resource {sg} has a dependent object")
            del net.sgs[sg]
            getattr(net, "sg_meta", {}).pop(sg, None)
        return {}

    def CreateTags(self, p, ctx):
        with self.state.lock:
            net = self.rds._net(ctx.region)
            for res in p["Resources"]:
                if not res.startswith("sg-"):
                    raise AwsError("InvalidID", f"The ID '{res}' is not valid (this stand-in tags security "
                                   "groups only)")
                if res not in net.sgs:
                    raise AwsError("InvalidGroup.NotFound", f"The security group '{res}' does not exist")
            for res in p["Resources"]:
                m = self._meta(net, res)
                m["tags"] = _check_tags(p.get("Tags", []), m["tags"])
        return {}
