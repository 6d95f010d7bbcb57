#!/usr/bin/env bash
# Figure: seconds from a fresh clone to `make demo` serving (health endpoint answers), and how much of it is `make install` (pip).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
git clone -q "$repo" "$tmp/maadan"
cd "$tmp/maadan"
export MAADAN_DATA_DIR="$tmp/data"
t0=$(date +%s.%N)
make -s install >/dev/null
t1=$(date +%s.%N)
make -s demo-data >/dev/null 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MAADAN_PORT=$port .venv/bin/maadan serve >/dev/null 2>&1 &
server=$!
until curl -fs "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; do sleep 0.1; done
t2=$(date +%s.%N)
kill $server; wait $server 2>/dev/null || true
python3 - "$t0" "$t1" "$t2" <<'PY'
import sys
t0, t1, t2 = map(float, sys.argv[1:])
print(f"fresh clone -> make demo serving: {t2 - t0:.1f} s (install/pip {t1 - t0:.1f} s = {100 * (t1 - t0) / (t2 - t0):.0f}%, "
      f"database build, demo cadastre and server start {t2 - t1:.1f} s)")
PY
