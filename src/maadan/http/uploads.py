"""Uploaded files as every adapter receives them: the name a client gave is only a label, never a path."""

from __future__ import annotations

from pathlib import PurePath

from fastapi import UploadFile


def client_filename(file: UploadFile, default: str = "upload.txt") -> str:
    """The uploaded file's own name, without any directory a client put in it (at most 200 characters)."""
    name = PurePath((file.filename or "").replace("\\", "/")).name.strip()[:200]
    return name or default
