#!/usr/bin/env bash
# Figure: seconds from a fresh clone to `make demo` done, and how much of it is `make install` (pip).
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
make -s demo >/dev/null 2>&1
t2=$(date +%s.%N)
python3 - "$t0" "$t1" "$t2" <<'PY'
import sys
t0, t1, t2 = map(float, sys.argv[1:])
print(f"fresh clone -> make demo done: {t2 - t0:.1f} s (install/pip {t1 - t0:.1f} s = {100 * (t1 - t0) / (t2 - t0):.0f}%, "
      f"database build and summary {t2 - t1:.1f} s)")
PY
