#!/usr/bin/env bash
# Renders one overlay of deploy/k8s to stdout with the pinned kustomize (installed on first use
# by tools.sh into omniroute's cache dir):
#   deploy/k8s/render.sh dev | kubectl apply -f -
#   deploy/k8s/render.sh production > omniroute.yaml
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
overlay="${1:?usage: render.sh OVERLAY   (one of: $(ls "$here/overlays" | tr '\n' ' '))}"
eval "$("$here/tools.sh")"
# The base takes the routing rules from router/defaults/routing.yaml, outside its own folder,
# so the rules shipped with the code are the rules deployed (one source, no copy to drift).
exec "$KUSTOMIZE" build --load-restrictor LoadRestrictionsNone "$here/overlays/$overlay"
