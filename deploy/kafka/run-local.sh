#!/usr/bin/env bash
# Runs the embedded single-node Apache Kafka in the foreground on 127.0.0.1 (default port 9092,
# data in ~/.cache/omniroute/local-kafka) until Ctrl-C. Arguments go to
# `python -m omniroute.localkafka run`: --port P (0 = any free), --data-dir D, --timeout S.
# The first run fetches the jars with Maven (deploy/kafka/pom.xml). See README.md here.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"
if [[ ! -x "$python" ]]; then
    python="$(command -v python3)"
fi
cd "$root"
exec "$python" -m omniroute.localkafka run "$@"
