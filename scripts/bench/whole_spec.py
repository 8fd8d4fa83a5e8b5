"""Writes the built-in spec as one OpenAPI file: NetApp's imported layer with the curated spec on
top, as `src/spec/layers.rs` puts them together, for a tool that reads one document (peers.sh's
Schemathesis over the whole API).

As in layers.rs, a curated operation replaces the imported operation of the same route (method
and path, the path parameters' names aside) whole, and the imported operations keep their own
schemas. The two documents share schema names with other contents (`account`, `cluster`,
`job` ...): in one document the curated spec's components are renamed `curated_<name>` and its
`$ref`s follow, so each side's operations still resolve to their own schemas. The curated spec's
path-level parameters move into its operations (the imported path item may hold other methods).
The binary prints no such file (there is no `spec merge`), hence this script.

Usage: python whole_spec.py CURATED_YAML IMPORTED_JSON[.gz] JSON_OUT
"""

import gzip
import json
import re
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PREFIX = "curated_"


def route(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def renamed_refs(node, kinds):
    """`node` with every `#/components/<kind>/<name>` of the curated spec as `..._curated_<name>`."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                m = re.fullmatch(r"#/components/([^/]+)/(.+)", v)
                if m and m.group(1) in kinds:
                    v = f"#/components/{m.group(1)}/{PREFIX}{m.group(2)}"
            out[k] = renamed_refs(v, kinds)
        return out
    if isinstance(node, list):
        return [renamed_refs(v, kinds) for v in node]
    return node


def read(path: str):
    """A spec file, YAML or JSON, gzipped or not (gzip known by its first bytes)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return json.loads(data)
    except ValueError:
        return yaml.safe_load(data)


def main(curated_file: str, imported_file: str, dst: str) -> None:
    curated = read(curated_file)
    whole = read(imported_file)
    kinds = set(curated.get("components", {}))
    curated = renamed_refs(curated, kinds)
    components = whole.setdefault("components", {})
    for kind, entries in curated.get("components", {}).items():
        for name, value in entries.items():
            components.setdefault(kind, {})[PREFIX + name] = value

    by_route = {route(p): p for p in whole.get("paths", {})}
    replaced = added = 0
    for path, item in curated.get("paths", {}).items():
        shared = item.get("parameters", [])
        target = by_route.get(route(path))
        if target is not None and target != path:
            # A template naming its parameters otherwise: the curated template wins, and the
            # imported operations left under it are renamed with it (OpenAPI allows one).
            whole["paths"][path] = rename_params(whole["paths"].pop(target), target, path)
        whole["paths"].setdefault(path, {})
        dest = whole["paths"][path]
        for method in METHODS:
            if method not in item:
                continue
            op = dict(item[method])
            names = {(p.get("name"), p.get("in")) for p in op.get("parameters", [])}
            op["parameters"] = op.get("parameters", []) + [
                p for p in shared if (p.get("name"), p.get("in")) not in names
            ]
            replaced += method in dest
            added += method not in dest
            dest[method] = op
        if "parameters" in dest and target is not None:
            # The imported path-level parameters belong to the imported methods: move them in.
            for method in METHODS:
                if method in dest and method not in item:
                    dest[method].setdefault("parameters", []).extend(dest["parameters"])
            del dest["parameters"]
    for key in ("x-ontap-common-errors",):
        whole[key] = curated.get(key, whole.get(key))
    whole["info"] = {
        "title": "ONTAP REST API: the curated spec over NetApp's imported layer",
        "version": str(whole.get("info", {}).get("version", "")),
    }
    count = sum(1 for item in whole["paths"].values() for m in METHODS if m in item)
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(whole, f)
    print(
        f"{count} operations: {replaced} imported replaced by the curated spec, {added} curated only",
        file=sys.stderr,
    )


def rename_params(item, old: str, new: str):
    """The path item `item` of template `old` with its path parameters named as in `new`."""
    pairs = dict(zip(re.findall(r"\{([^}]*)\}", old), re.findall(r"\{([^}]*)\}", new)))

    def fix(params):
        return [dict(p, name=pairs.get(p["name"], p["name"])) if p.get("in") == "path" else p for p in params]

    item = dict(item)
    for key, value in item.items():
        if key == "parameters":
            item[key] = fix(value)
        elif key in METHODS and "parameters" in value:
            item[key] = dict(value, parameters=fix(value["parameters"]))
    return item


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
