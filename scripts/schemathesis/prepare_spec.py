"""Writes a copy of spec/openapi.yaml that Schemathesis can load, as JSON.

NetApp names path parameters with dots (`{svm.uuid}`, `{owner.uuid}`), and so does our spec,
faithfully. Schemathesis fills path templates with Python's `str.format`, which reads
`{svm.uuid}` as "attribute uuid of argument svm" and fails with KeyError: 'svm'. The copy
renames path parameters only (`svm.uuid` -> `svm_uuid`) in the templates and in their
parameter objects; the URLs sent are the same, and query parameters keep their dotted names.

Usage: python prepare_spec.py SPEC_IN JSON_OUT
"""

import copy
import json
import re
import sys

import yaml


def plain(name: str) -> str:
    return name.replace(".", "_")


def main(src: str, dst: str) -> None:
    with open(src, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    shared = spec.get("components", {}).get("parameters", {})
    renamed = {}
    for template, item in spec.get("paths", {}).items():
        new_template = re.sub(r"\{([^}]+)\}", lambda m: "{" + plain(m.group(1)) + "}", template)
        for key, op in list(item.items()):
            if key == "parameters" or not isinstance(op, dict):
                continue
            params = []
            for p in op.get("parameters", []) + item.get("parameters", []):
                ref = p.get("$ref", "")
                resolved = shared[ref.rsplit("/", 1)[1]] if ref.startswith("#/components/parameters/") else p
                if resolved.get("in") == "path":
                    p = copy.deepcopy(resolved)
                    p["name"] = plain(p["name"])
                params.append(p)
            op["parameters"] = params
        item.pop("parameters", None)
        renamed[new_template] = item
    spec["paths"] = renamed
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(spec, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
