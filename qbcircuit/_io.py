"""Atomic output files.

Outputs are written to a temporary file in the same folder and then renamed, so an interrupted
run never leaves a half-written file in place of a good one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ._checks import ParameterError


def check_writable(path) -> Path:
    """Check, before any work is done, that ``path`` can be written; return it as a Path."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ParameterError(f"output path {str(path)!r} is a directory")
    if not folder.is_dir():
        raise ParameterError(f"output folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ParameterError(f"output folder {str(folder)!r} is not writable")
    return path


def output_folder(path, first_file: str) -> Path:
    """Create folder ``path`` (with parents) and check that ``first_file`` can be written in it.

    Called before the work, so that a bad output path fails before anything is computed.
    """
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        reason = err.strerror or str(err)
        raise ParameterError(f"cannot create output folder {str(folder)!r}: {reason}") from None
    check_writable(folder / first_file)
    return folder


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``."""
    path = check_writable(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))
