"""KMS: customer keys and aliases, per region.

Keys carry no key material: the stand-in never encrypts bytes (an "encrypted"
snapshot is a copy marked with the key), so only the metadata RDS and clients
look at is modelled: id, ARN, state, aliases.

The hide_new_seconds fault hides new keys and aliases as it hides RDS resources:
lookups (DescribeKey, RDS's use of a key) do not find them, ListAliases omits them.
"""

import re
import time
import uuid

from state import ACCOUNT, AwsError, now

ALIAS_RE = re.compile(r"^alias/[a-zA-Z0-9/_-]+$")


class Key:
    def __init__(self, region, description, tags, key_usage, key_spec):
        self.id = str(uuid.uuid4())
        self.region = region
        self.arn = f"arn:aws:kms:{region}:{ACCOUNT}:key/{self.id}"
        self.description = description
        self.tags = tags
        self.key_usage = key_usage
        self.key_spec = key_spec
        self.created = now()
        self.created_mono = time.monotonic()
        self.enabled = True


class Alias:
    def __init__(self, region, name, key_id):
        self.region = region
        self.name = name
        self.arn = f"arn:aws:kms:{region}:{ACCOUNT}:{name}"
        self.key_id = key_id
        self.created = now()
        self.created_mono = time.monotonic()


def resolve(state, region, ref):
    """The key named by a key id, key ARN, alias name or alias ARN, or None.

    Keys and aliases are regional: an ARN naming another region finds nothing here.
    Keys and aliases hidden by hide_new_seconds are not found.
    """
    with state.lock:
        if ref.startswith("arn:"):
            parts = ref.split(":", 5)
            if len(parts) != 6 or parts[2] != "kms" or parts[4] != ACCOUNT:
                return None
            region, resource = parts[3], parts[5]
            if resource.startswith("key/"):
                ref = resource[4:]
            elif resource.startswith("alias/"):
                ref = resource
            else:
                return None
        if ref.startswith("alias/"):
            alias = state.aliases.get((region, ref))
            if alias is None or not state.visible(alias.created_mono):
                return None
            ref = alias.key_id
        key = state.keys.get(ref)
        return key if key and key.region == region and state.visible(key.created_mono) else None


def metadata(key):
    return {
        "AWSAccountId": ACCOUNT, "KeyId": key.id, "Arn": key.arn, "CreationDate": key.created,
        "Enabled": key.enabled, "Description": key.description, "KeyUsage": key.key_usage,
        "KeyState": "Enabled" if key.enabled else "Disabled", "Origin": "AWS_KMS",
        "KeyManager": getattr(key, "manager", "CUSTOMER"), "CustomerMasterKeySpec": key.key_spec, "KeySpec": key.key_spec,
        "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"], "MultiRegion": False,
    }


def key_state(key, state):
    aliases = [a.name for a in state.aliases.values() if a.key_id == key.id]
    return {"id": key.id, "arn": key.arn, "region": key.region, "enabled": key.enabled,
            "aliases": aliases}


class KMS:
    def __init__(self, state):
        self.state = state

    def _key(self, ctx, ref):
        key = resolve(self.state, ctx.region, ref)
        if key is None:
            if ref.startswith("alias/") or ":alias/" in ref:
                raise AwsError("NotFoundException", f"Alias {ref} is not found.")
            raise AwsError("NotFoundException", f"Key '{ref}' does not exist")
        return key

    def CreateKey(self, p, ctx):
        spec = p.get("KeySpec") or p.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        if spec != "SYMMETRIC_DEFAULT":
            raise AwsError("UnsupportedOperationException",
                           f"KeySpec {spec} is not supported by this stand-in")
        key = Key(ctx.region, p.get("Description", ""), p.get("Tags", []),
                  p.get("KeyUsage", "ENCRYPT_DECRYPT"), spec)
        with self.state.lock:
            self.state.keys[key.id] = key
        return {"KeyMetadata": metadata(key)}

    def DescribeKey(self, p, ctx):
        return {"KeyMetadata": metadata(self._key(ctx, p["KeyId"]))}

    def _set_enabled(self, p, ctx, enabled):
        key = self._key(ctx, p["KeyId"])
        with self.state.lock:
            key.enabled = enabled
        return {}

    def DisableKey(self, p, ctx):
        return self._set_enabled(p, ctx, False)

    def EnableKey(self, p, ctx):
        return self._set_enabled(p, ctx, True)

    def CreateAlias(self, p, ctx):
        name = p["AliasName"]
        if not ALIAS_RE.match(name):
            raise AwsError("ValidationException", f"Alias must start with the prefix \"alias/\": {name}")
        if name.startswith("alias/aws/"):
            raise AwsError("NotAuthorizedException", "Cannot create alias with prefix 'alias/aws/'")
        target = p["TargetKeyId"]
        if target.startswith("alias/") or ":alias/" in target:
            raise AwsError("ValidationException", "TargetKeyId must be a key id or key ARN")
        key = self._key(ctx, target)
        with self.state.lock:
            if (ctx.region, name) in self.state.aliases:
                arn = f"arn:aws:kms:{ctx.region}:{ACCOUNT}:{name}"
                raise AwsError("AlreadyExistsException", f"An alias with the name {arn} already exists")
            self.state.aliases[(ctx.region, name)] = Alias(ctx.region, name, key.id)
        return {}

    def ListAliases(self, p, ctx):
        with self.state.lock:
            aliases = sorted((a for a in self.state.aliases.values()
                              if a.region == ctx.region and self.state.visible(a.created_mono)),
                             key=lambda a: a.name)
            if "KeyId" in p:
                key = self._key(ctx, p["KeyId"])
                aliases = [a for a in aliases if a.key_id == key.id]
        limit = p.get("Limit", 50)
        if p.get("Marker"):
            aliases = [a for a in aliases if a.name >= p["Marker"]]
        page, rest = aliases[:limit], aliases[limit:]
        out = {"Aliases": [{"AliasName": a.name, "AliasArn": a.arn, "TargetKeyId": a.key_id,
                            "CreationDate": a.created, "LastUpdatedDate": a.created} for a in page],
               "Truncated": bool(rest)}
        if rest:
            out["NextMarker"] = rest[0].name
        return out
