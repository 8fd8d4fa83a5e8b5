"""Summarises a Schemathesis JSON run report (`--report json`) for peers.sh: one line of figures
for the script to read, then the failures by check and operation for a person.

Prints, first, `OPERATIONS_TESTED OPERATIONS_TOTAL FAILURES` (unique failures: Schemathesis counts
one per check and operation it found failing, however many test cases showed it); then one line
per check that failed, with its count and operations; then the warnings it gave (operations that
met only 404s, or refused most generated data), counted.

Usage: python st_failures.py REPORT_JSON
"""

import json
import sys


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    ops = report.get("operations", {})
    failures = report.get("failures", [])
    total = sum(f.get("count", 0) for f in failures)
    print(ops.get("tested", 0), ops.get("total", 0), total)
    for f in sorted(failures, key=lambda f: -f.get("count", 0)):
        operations = f.get("operations", [])
        print(f"  {f.get('code')} {f.get('title')}: {f.get('count')} ({', '.join(operations)})")
    errors = report.get("errors", [])
    if errors:
        print(f"  {len(errors)} error(s): requests Schemathesis could not make or judge")
    warnings = report.get("warnings", {})
    for key, what in (
        ("missing_test_data", "operations met only 404s (no record under the random keys)"),
        ("validation_mismatch", "operations refused most generated data"),
    ):
        if warnings.get(key):
            print(f"  warning: {len(warnings[key])} {what}")


if __name__ == "__main__":
    main(sys.argv[1])
