#!/usr/bin/env bash
# Renders every overlay and validates each object against the Kubernetes API schemas of the
# oldest and newest Kubernetes versions we support (validate.py). Used by
# tests/integration/test_k8s_manifests.py; run it after editing anything under deploy/k8s.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
versions="${OMNIROUTE_K8S_VERSIONS:-1.29.0,1.37.0}"
out="${1:-$(mktemp -d)}"
eval "$("$here/tools.sh")"
python="$(dirname "$KUBERNETES_VALIDATE")/python"
files=()
for overlay in "$here"/overlays/*/; do
  name="$(basename "$overlay")"
  "$here/render.sh" "$name" > "$out/$name.yaml"
  files+=("$out/$name.yaml")
done
exec "$python" "$here/validate.py" "$versions" "${files[@]}"
