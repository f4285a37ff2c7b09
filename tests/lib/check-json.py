#!/usr/bin/python3
"""Validate JSON documents against one of rdsreconcile's schemas.

    tests/lib/check-json.py SCHEMA [FILE...]

SCHEMA is a file in schemas/ (plan-v1.schema.json, status-v1.schema.json);
every schemas/*.schema.json is loaded too, by its $id, so that references
between them resolve.  Each schema is first checked to be a valid draft
2020-12 schema.  With no FILE, only that is done.  Each FILE must hold
exactly one JSON document; "-" is stdin.

Prints one line per error ("FILE: PATH: message") and exits 1 when there
is one, 0 when every document validates.  Works with python3-jsonschema
4.10 (Debian 12, RefResolver) and later versions (referencing).
"""

import glob
import json
import os
import sys

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def load_schemas():
    schemas = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "schemas",
                                              "*.schema.json"))):
        with open(path, encoding="utf-8") as f:
            s = json.load(f)
        schemas[os.path.basename(path)] = s
    return schemas


def validator_for(schema, schemas):
    cls = jsonschema.Draft202012Validator
    try:
        from referencing import Registry, Resource
    except ImportError:
        # RefResolver joins "#/$defs/..." to the base URI with urljoin,
        # which leaves it unresolved under a urn: base (our $ids) unless
        # the scheme is known to take relative references.
        import urllib.parse
        if "urn" not in urllib.parse.uses_relative:
            urllib.parse.uses_relative.append("urn")
        store = {s["$id"]: s for s in schemas.values() if "$id" in s}
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        return cls(schema, resolver=resolver)
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s))
        for s in schemas.values() if "$id" in s)
    return cls(schema, registry=registry)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 64
    schemas = load_schemas()
    name = os.path.basename(argv[1])
    if name not in schemas:
        print("check-json: no schema %s in schemas/" % name,
              file=sys.stderr)
        return 64
    bad = 0
    for n, s in schemas.items():
        try:
            jsonschema.Draft202012Validator.check_schema(s)
        except jsonschema.SchemaError as e:
            print("%s: not a valid draft 2020-12 schema: %s" % (n, e.message))
            bad += 1
    validator = validator_for(schemas[name], schemas)
    for path in argv[2:]:
        try:
            if path == "-":
                doc = json.load(sys.stdin)
            else:
                with open(path, encoding="utf-8") as f:
                    doc = json.load(f)
        except (OSError, ValueError) as e:
            print("%s: not one JSON document: %s" % (path, e))
            bad += 1
            continue
        for err in sorted(validator.iter_errors(doc), key=str):
            where = "/".join(str(p) for p in err.absolute_path) or "(root)"
            print("%s: %s: %s" % (path, where, err.message))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
