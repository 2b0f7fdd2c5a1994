#!/usr/bin/env bash
# Debian packages for the tests that use real components: Dovecot (IMAP), Prometheus and
# promtool (rules tests, scraping), Chromium (widget and status page in a real browser),
# openssl (the test CA and broker certificate of the Kafka TLS/SASL test).
# `install-system-deps.sh bench` also installs wrk, the HTTP load tool of the benchmark suite.
# Idempotent: installs only what is missing. Needs root (as in CI); otherwise prints the command.
set -euo pipefail

declare -A need=(
  [dovecot]=dovecot-imapd
  [prometheus]=prometheus
  [promtool]=prometheus
  [chromium]=chromium
  [openssl]=openssl
)
if [ "${1:-}" = bench ]; then need[wrk]=wrk; fi
missing=()
for bin in "${!need[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${need[$bin]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  echo "(tests that need them are skipped locally, and fail under CI)" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
# Debian starts packaged daemons on install; the tests run their own on 127.0.0.1 instead.
for svc in dovecot prometheus prometheus-node-exporter; do
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now "$svc" >/dev/null 2>&1 || true; fi
  service "$svc" stop >/dev/null 2>&1 || true
done
