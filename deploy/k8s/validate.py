"""Validates rendered Kubernetes manifests against the API schemas, offline.

Built-in kinds are checked against the schemas bundled with the kubernetes-validate package,
in strict mode (an unknown or misspelt field fails). Custom resources, whose schemas come from
their operators (the ServiceMonitor CRD), are checked against the schemas vendored in
deploy/k8s/schemas/, named <group>_<version>_<kind>.json. A kind with neither fails: nothing is
skipped silently. Runs in the tools venv (deploy/k8s/tools.sh), not in .venv:

    python validate.py VERSION[,VERSION...] FILE...     (prints one line per object)
"""

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

SCHEMAS = Path(__file__).parent / "schemas"


def _vendored(obj: dict[str, Any]) -> Path | None:
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    path = SCHEMAS / f"{group}_{version}_{str(obj.get('kind', '')).lower()}.json"
    return path if group and path.is_file() else None


def check(obj: dict[str, Any], versions: list[str]) -> list[str]:
    """Problems of one object; empty when valid for every version."""
    vendored = _vendored(obj)
    if vendored is not None:
        schema = json.loads(vendored.read_text(encoding="utf-8"))
        validator = jsonschema.Draft7Validator(schema)
        return [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}"
                for e in validator.iter_errors(obj)]  # fmt: skip
    problems = []
    for version in versions:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = "/".join(map(str, exc.path)) or "(root)"
            problems.append(f"k8s {version}: {where}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            problems.append(f"k8s {version}: {exc.message} (and no schema in {SCHEMAS})")
    return problems


def main(argv: list[str]) -> int:
    versions, files = argv[0].split(","), argv[1:]
    failed = checked = 0
    for name in files:
        for obj in yaml.safe_load_all(Path(name).read_text(encoding="utf-8")):
            if not obj:
                continue
            checked += 1
            what = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
            problems = check(obj, versions)
            failed += bool(problems)
            print(f"{'FAIL' if problems else 'ok  '} {name}: {what}")
            for problem in problems:
                print(f"     {problem}")
    print(f"{checked - failed} valid, {failed} invalid (Kubernetes {', '.join(versions)})")
    return 1 if failed or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
