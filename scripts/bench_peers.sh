#!/usr/bin/env bash
# Thin wrapper: run the dechaff-vs-peers near-duplicate benchmark from anywhere.
#   scripts/bench_peers.sh [--only dechaff,datasketch,rensa,gaoya] [--quick] [--repeat N] ...
# See scripts/bench_peers.py --help (and its docstring) for everything it does.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec python3 "$here/bench_peers.py" "$@"
