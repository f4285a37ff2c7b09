"""Tags of instances, snapshots and parameter groups, found by ARN."""

from state import AwsError

from .base import _merge_tags


class TagsMixin:
    """The tagging actions."""

    def _tagged(self, arn):
        parts = arn.split(":")
        if len(parts) < 7 or parts[0] != "arn" or parts[2] != "rds":
            raise AwsError("InvalidParameterValue", f"Invalid resource name: {arn}")
        kind = parts[5]
        if kind == "db":
            return self._instance(arn)
        if kind == "snapshot":
            return self._snapshot(arn)
        if kind == "pg":
            return self._param_group(parts[6])
        raise AwsError("InvalidParameterValue", f"Invalid resource name: {arn}")

    def AddTagsToResource(self, p, ctx):
        with self.state.lock:
            res = self._tagged(p["ResourceName"])
            merged = _merge_tags(res.tags, p["Tags"])
            if len(merged) > 50:
                raise AwsError("TagQuotaPerResourceExceeded", "Cannot have more than 50 tags per resource")
            res.tags = merged
        return {}

    def RemoveTagsFromResource(self, p, ctx):
        with self.state.lock:
            res = self._tagged(p["ResourceName"])
            res.tags = [t for t in res.tags if t["Key"] not in set(p["TagKeys"])]
        return {}

    def ListTagsForResource(self, p, ctx):
        with self.state.lock:
            return {"TagList": list(self._tagged(p["ResourceName"]).tags)}
