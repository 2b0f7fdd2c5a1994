#!/usr/bin/env bash
# Installs the pinned manifest tools into omniroute's cache dir and prints their paths:
#   KUSTOMIZE=<path to kustomize>      (built from source by `go install`: the Go module proxy
#                                       is reachable where release binaries are not)
#   KUBERNETES_VALIDATE=<path>         (PyPI package that bundles the Kubernetes JSON schemas,
#                                       in a venv of its own so it cannot disturb .venv)
# Idempotent: a second run only checks that both exist. Needs go and python3.
set -euo pipefail

KUSTOMIZE_VERSION=v5.7.1
KUBERNETES_VALIDATE_VERSION=1.37.0

cache="${OMNIROUTE_CACHE_DIR:-$HOME/.cache/omniroute}/tools"
bin="$cache/kustomize-$KUSTOMIZE_VERSION"
venv="$cache/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
mkdir -p "$cache"

if [ ! -x "$bin/kustomize" ]; then
  # Go's official tarball lives in /usr/local/go; a non-login shell may not have it on PATH.
  go="$(command -v go || echo /usr/local/go/bin/go)"
  GOBIN="$bin" GOFLAGS=-buildvcs=false "$go" install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
fi
if [ ! -x "$venv/bin/kubernetes-validate" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
fi
echo "KUSTOMIZE=$bin/kustomize"
echo "KUBERNETES_VALIDATE=$venv/bin/kubernetes-validate"
