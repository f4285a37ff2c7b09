#!/usr/bin/python3
"""Generate the C key table of the desired-state parser from the JSON Schema.

    /usr/bin/python3 src/desired/gen-keys.py schemas/desired-v1.schema.json \
        > src/desired/desired-keys.c
    /usr/bin/python3 src/desired/gen-keys.py --markdown \
        schemas/desired-v1.schema.json > doc/desired-v1.md

The schema is the truth.  This script walks it (resolving local $refs, with
the sibling keywords of a $ref applied on top, as draft 2020-12 does) and
writes one struct dkey per key.  FIELDS below says where each leaf is stored
in struct desired and how; the script fails when a schema leaf has no entry
there or an entry names no schema key, so the two cannot drift apart
silently.  Patterns must use the common subset of ECMA-262 and POSIX ERE,
which is checked here too.

An object with oneOf (spec.credentials.admin) is flattened: the union of the
branches' properties; the branch whose properties carry no
x-rdsreconcile-unsupported annotation gives the required keys; a property
with that annotation becomes a DK_UNSUPPORTED key refused with its text.
"""

import json
import re
import sys

# schema path -> (struct desired field, conversion)
FIELDS = {
    "apiVersion": (None, "NONE"),
    "kind": (None, "NONE"),
    "metadata.name": ("name", "STR"),
    "spec.region": ("region", "STR"),
    "spec.strategy": ("strategy", "ENUM"),
    "spec.source.dbInstanceIdentifier": ("source_id", "LOWER"),
    "spec.target.dbInstanceIdentifier": ("target_id", "LOWER"),
    "spec.target.kmsKeyId": ("kms_key_id", "STR"),
    "spec.target.dbInstanceClass": ("target_instance_class", "STR"),
    "spec.endpoint.hostedZoneId": ("zone_id", "STR"),
    "spec.endpoint.name": ("endpoint_name", "FQDN"),
    "spec.endpoint.createRecord": ("create_record", "BOOL"),
    "spec.endpoint.ttl": ("ttl", "INT"),
    "spec.endpoint.cutoverTtlSeconds": ("cutover_ttl", "INT"),
    "spec.replication.binlogRetentionHours": ("binlog_retention_hours", "INT"),
    "spec.replication.expectedBuildHours": ("expected_build_hours", "INT"),
    "spec.replication.user": ("repl_user", "STR"),
    "spec.cutover.approval": ("approval", "ENUM"),
    "spec.cutover.window": ("window_text", "WINDOW"),
    "spec.cutover.maxLagSeconds": ("max_lag_seconds", "INT"),
    "spec.cutover.maxTransactionSeconds": ("max_transaction_seconds", "INT"),
    "spec.cutover.approvalFile": ("approval_file", "PATH"),
    "spec.cutover.postponeFile": ("postpone_file", "PATH"),
    "spec.cutover.timeoutSeconds": ("cutover_timeout_seconds", "INT"),
    "spec.cutover.isolateSource": ("isolate_source", "BOOL"),
    "spec.cleanup.deleteTempReplica": ("delete_temp_replica", "BOOL"),
    "spec.cleanup.deleteUnencryptedSnapshot":
        ("delete_unencrypted_snapshot", "BOOL"),
    "spec.credentials.admin.user": ("admin_user", "STR"),
    "spec.credentials.admin.passwordFile": ("admin_password_file", "PATH"),
    "spec.credentials.admin.secretsManagerArn": (None, "NONE"),
    "spec.credentials.privateKeyFile": ("private_key_file", "PATH"),
    "spec.credentials.stateDir": ("state_dir", "PATH"),
    "spec.hooks.beforeCutover": ("hook_before_cutover", "PATH"),
    "spec.hooks.afterCutover": ("hook_after_cutover", "PATH"),
    "spec.hooks.onFailure": ("hook_on_failure", "PATH"),
}

UNSUPPORTED = "x-rdsreconcile-unsupported"


def die(msg):
    sys.exit("gen-keys: " + msg)


def resolve(node, root):
    """Apply a local $ref: the target's keywords, then the siblings'."""
    if "$ref" not in node:
        return node
    ref = node["$ref"]
    if not ref.startswith("#/"):
        die("only local $refs are supported: " + ref)
    target = root
    for part in ref[2:].split("/"):
        target = target[part]
    merged = dict(resolve(target, root))
    for k, v in node.items():
        if k == "$ref":
            continue
        if k in ("maxLength", "maximum") and k in merged and v > merged[k]:
            die("%s of %s loosens its $ref" % (k, ref))
        if k in ("minLength", "minimum") and k in merged and v < merged[k]:
            die("%s of %s loosens its $ref" % (k, ref))
        merged[k] = v
    return merged


# Constructs with different meanings in ECMA-262 and POSIX ERE.
NON_PORTABLE = re.compile(r"\\[dDwWsSbB]|\(\?|[*+?}]\?|\\[0-9]")


def c_str(s):
    if s is None:
        return "NULL"
    return json.dumps(s, ensure_ascii=True)


class Gen:
    def __init__(self, root):
        self.root = root
        self.rows = []
        self.enums = []
        self.seen = set()

    def add(self, path, name, parent, node, required, unsupported=None):
        idx = len(self.rows)
        row = {"path": path, "name": name, "parent": parent,
               "flags": "DK_REQUIRED" if required else "0",
               "min": 0, "max": 0, "min_len": 0, "max_len": 0,
               "pattern": None, "what": node.get("title"),
               "enums": "NULL", "def": None, "field": None, "conv": "NONE",
               "desc": node.get("description", ""), "values": None}
        self.rows.append(row)
        typ = node.get("type")
        if "description" not in node and path != "":
            die("%s has no description" % path)
        if unsupported is not None:
            row["type"] = "DK_UNSUPPORTED"
            row["what"] = unsupported
            self.seen.add(path)
            return idx
        if typ == "object":
            row["type"] = "DK_OBJECT"
            self.object(path, idx, node)
            return idx
        if path not in FIELDS:
            die("schema key %s has no entry in FIELDS" % path)
        self.seen.add(path)
        field, conv = FIELDS[path]
        row["field"] = field
        row["conv"] = conv
        if "default" in node:
            d = node["default"]
            row["def"] = ("true" if d else "false") if isinstance(d, bool) \
                else str(d)
        if typ == "string" and "enum" in node:
            row["type"] = "DK_ENUM"
            ename = "e_" + path.replace(".", "_")
            self.enums.append((ename, node["enum"]))
            row["values"] = node["enum"]
            row["enums"] = ename
            if conv not in ("ENUM", "NONE"):
                die("%s: an enum is stored with ENUM" % path)
        elif typ == "string":
            row["type"] = "DK_STRING"
            row["min_len"] = node.get("minLength", 0)
            row["max_len"] = node.get("maxLength", 0)
            pat = node.get("pattern")
            if pat is not None:
                if NON_PORTABLE.search(pat):
                    die("%s: pattern not portable to POSIX ERE" % path)
                if not (pat.startswith("^") and pat.endswith("$")):
                    die("%s: pattern must be anchored" % path)
            row["pattern"] = pat
        elif typ == "integer":
            row["type"] = "DK_INT"
            if "minimum" not in node or "maximum" not in node:
                die("%s: an integer needs minimum and maximum" % path)
            row["min"] = node["minimum"]
            row["max"] = node["maximum"]
            if conv != "INT":
                die("%s: an integer is stored with INT" % path)
        elif typ == "boolean":
            row["type"] = "DK_BOOL"
            if conv != "BOOL":
                die("%s: a boolean is stored with BOOL" % path)
        else:
            die("%s: unsupported type %r" % (path, typ))
        return idx

    def object(self, path, idx, node):
        if node.get("additionalProperties") is not False and \
                "oneOf" not in node:
            die("%s: objects need additionalProperties: false" % path)
        props = dict(node.get("properties", {}))
        required = set(node.get("required", []))
        unsupported = {}
        if "oneOf" in node:
            supported = []
            for br in node["oneOf"]:
                if br.get("additionalProperties") is not False:
                    die("%s: oneOf branches need additionalProperties: "
                        "false" % path)
                bad = False
                for k, v in br["properties"].items():
                    v = resolve(v, self.root)
                    if UNSUPPORTED in v:
                        unsupported[k] = v[UNSUPPORTED]
                        bad = True
                    if k in props and resolve(props[k], self.root) != v:
                        die("%s.%s differs between oneOf branches"
                            % (path, k))
                    props[k] = v
                if not bad:
                    supported.append(br)
            if len(supported) != 1:
                die("%s: exactly one supported oneOf branch" % path)
            required |= set(supported[0].get("required", []))
        for k, v in props.items():
            child = k if path == "" else path + "." + k
            self.add(child, k, idx, resolve(v, self.root), k in required,
                     unsupported.get(k))

    def emit(self, out):
        w = out.write
        w("/*\n * desired-keys.c - the key table of the desired-state "
          "parser.\n *\n * Generated from schemas/desired-v1.schema.json by "
          "src/desired/gen-keys.py;\n * do not edit.\n */\n")
        w("#include <stddef.h>\n\n#include \"desired.h\"\n"
          "#include \"desired-keys.h\"\n\n")
        for name, vals in self.enums:
            w("static const char *const %s[] = {\n" % name)
            for v in vals:
                w("\t%s,\n" % c_str(v))
            w("\tNULL\n};\n\n")
        w("const struct dkey desired_keys[] = {\n")
        for i, r in enumerate(self.rows):
            field = "DK_NOFIELD" if r["field"] is None else \
                "offsetof(struct desired, %s)" % r["field"]
            w("\t[%d] = {\n" % i)
            w("\t\t.path = %s,\n" % c_str(r["path"]))
            w("\t\t.name = %s,\n" % c_str(r["name"]))
            w("\t\t.parent = %d,\n" % r["parent"])
            w("\t\t.type = %s,\n" % r["type"])
            w("\t\t.flags = %s,\n" % r["flags"])
            if r["type"] == "DK_INT":
                w("\t\t.min = %d,\n\t\t.max = %d,\n" % (r["min"], r["max"]))
            if r["min_len"] or r["max_len"]:
                w("\t\t.min_len = %d,\n\t\t.max_len = %d,\n"
                  % (r["min_len"], r["max_len"]))
            if r["pattern"] is not None:
                w("\t\t.pattern = %s,\n" % c_str(r["pattern"]))
            if r["what"] is not None:
                w("\t\t.what = %s,\n" % c_str(r["what"]))
            if r["enums"] != "NULL":
                w("\t\t.enums = %s,\n" % r["enums"])
            if r["def"] is not None:
                w("\t\t.def = %s,\n" % c_str(r["def"]))
            w("\t\t.field = %s,\n" % field)
            w("\t\t.conv = DK_CONV_%s,\n" % r["conv"])
            w("\t},\n")
        w("};\n\nconst size_t desired_nkeys = %d;\n" % len(self.rows))


def markdown(g, root, out):
    """The reference of the format, from the schema's descriptions."""
    w = out.write
    w("<!-- Generated from schemas/desired-v1.schema.json by "
      "src/desired/gen-keys.py --markdown; do not edit. -->\n")
    w("# %s\n\n%s\n\n" % (root.get("title", ""), root.get("description")))
    w("| key | type | required | default | description |\n")
    w("|---|---|---|---|---|\n")
    kinds = {"DK_OBJECT": "mapping", "DK_STRING": "string",
             "DK_ENUM": "string", "DK_INT": "integer", "DK_BOOL": "boolean",
             "DK_UNSUPPORTED": "reserved"}
    for r in g.rows[1:]:
        typ = kinds[r["type"]]
        notes = []
        if r["type"] == "DK_INT":
            typ += " %d..%d" % (r["min"], r["max"])
        if r["values"]:
            typ += ": " + " \\| ".join("`%s`" % v for v in r["values"])
        if r["what"] and r["type"] == "DK_STRING":
            notes.append(r["what"][0].upper() + r["what"][1:] + ".")
        if r["max_len"] and r["type"] == "DK_STRING":
            notes.append("At most %d characters." % r["max_len"])
        if r["type"] == "DK_UNSUPPORTED":
            notes.append(r["what"] + ".")
        desc = " ".join([r["desc"]] + notes).replace("|", "\\|")
        w("| `%s` | %s | %s | %s | %s |\n" % (
            r["path"], typ, "yes" if "REQUIRED" in r["flags"] else "",
            "`%s`" % r["def"] if r["def"] is not None else "", desc))


def main():
    args = sys.argv[1:]
    md = args[:1] == ["--markdown"]
    if md:
        args = args[1:]
    if len(args) != 1:
        die("usage: gen-keys.py [--markdown] SCHEMA > desired-keys.c")
    sys.argv[1:] = args
    with open(sys.argv[1], encoding="utf-8") as f:
        root = json.load(f)
    g = Gen(root)
    root_row = {"type": "object", "description": "",
                "additionalProperties": root.get("additionalProperties"),
                "properties": root["properties"],
                "required": root.get("required", [])}
    g.add("", "", -1, root_row, True)
    missing = set(FIELDS) - g.seen
    if missing:
        die("FIELDS names keys the schema lacks: " + ", ".join(sorted(missing)))
    if md:
        markdown(g, root, sys.stdout)
    else:
        g.emit(sys.stdout)


if __name__ == "__main__":
    main()
