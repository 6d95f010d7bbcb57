"""Names are ids, never paths. A name that arrives from a user (a profile, a case, a boundary code)
is looked up in the closed set of files a folder holds; only a listed file is ever opened, so no
name can reach another file, whatever dots or slashes it holds. Reading a file the user names
(the command line's own files) goes through `read_text`, whose failures are InvalidInput."""

from __future__ import annotations

import difflib
from pathlib import Path

from maadan.errors import InvalidInput, NotFound


def ids(folder: Path, suffix: str) -> list[str]:
    """The ids of the `suffix` files in `folder` (their names without the suffix), sorted."""
    try:
        return sorted(p.name[:-len(suffix)] for p in folder.iterdir() if p.name.endswith(suffix) and p.is_file())
    except OSError:
        return []


def find(folder: Path, suffix: str, name: str, kind: str, *, fold_case: bool = False) -> Path:
    """The file of id `name` in `folder`; NotFound (with close ids) when the folder holds none."""
    known = ids(folder, suffix)
    wanted = str(name)
    match = next((k for k in known if k == wanted or (fold_case and k.upper() == wanted.upper())), None)
    if match is None:
        raise NotFound(kind, wanted[:80], difflib.get_close_matches(wanted, known, n=3, cutoff=0.6) or known[:10])
    return folder / f"{match}{suffix}"


def read_text(path: Path | str, shown: str | None = None, max_bytes: int = 10_000_000) -> str:
    """The UTF-8 text of a file; InvalidInput saying why when it cannot be read (missing, a folder,
    not allowed, too large, not UTF-8), never an OSError."""
    shown = shown or str(path)
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise InvalidInput(f"{shown}: larger than {max_bytes:,} bytes; not a settings file")
        return data.decode("utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise InvalidInput(f"{shown}: is a folder, not a file") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{shown}: not UTF-8 text (bad byte at offset {exc.start})") from None
    except OSError as exc:
        raise InvalidInput(f"{shown}: cannot be read ({exc.strerror or 'error'})") from None
