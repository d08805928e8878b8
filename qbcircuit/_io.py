"""Output files that are checked before the work and never half-written.

A regular file (new or existing) is written through a temporary file in the same folder and
renamed over it, so an interrupted run never leaves a half-written file in place of a good one.
The temporary file is created when the output is *reserved*, before the work, so that a path
that cannot be written (``/proc/x``, a read-only folder, a name the file system refuses) fails
before anything is computed. Paths that are not plain files are respected:

* a symbolic link is followed: its target is written (atomically there), the link stays;
* a FIFO, character device or socket (``/dev/null``, ``/dev/stdout``) is written directly,
  never replaced by a regular file;
* ``-`` means standard output.

Every failure is a :class:`~qbcircuit._checks.ParameterError` naming the path and the reason
(the CLI prints it as one line and exits with status 2).
"""

from __future__ import annotations

import csv
import io
import os
import stat
import sys
import tempfile
from pathlib import Path

import numpy as np

from ._checks import ParameterError

#: Durations of a day and more are written in days (``26:40:00`` is harder to read).
_DAY = 86400.0


def _cell(value) -> str:
    """A CSV cell: numbers as the shortest text that reads back to the same value."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, complex):
        return repr(value.real) if value.imag == 0 else repr(value).strip("()")
    return str(value)


def csv_text(header, rows) -> str:
    """The one CSV writer of the package: ``csv`` quoting, newline line ends, exact numbers.

    Floats are written as their ``repr`` (the shortest text that reads back to the same
    float), complex numbers as ``1+0.5j``, ``None`` as an empty cell.

    >>> print(csv_text(["t", "x", "note"], [(0.1, 1 + 0.5j, "a, b"), (np.float64(2), 3, None)]))
    t,x,note
    0.1,1+0.5j,"a, b"
    2.0,3,
    <BLANKLINE>
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buf.getvalue()


def format_duration(seconds: float) -> str:
    """A duration as the progress bars write it (``tqdm.format_interval``), days in days.

    >>> format_duration(42), format_duration(210), format_duration(7500), format_duration(4e5)
    ('00:42', '03:30', '2:05:00', '4.6 days')
    """
    from tqdm import tqdm

    if seconds >= _DAY:
        return f"{seconds / _DAY:.1f} days"
    return tqdm.format_interval(seconds)

#: The path that means standard output.
STDOUT = "-"


def _reason(err: OSError) -> str:
    return err.strerror or str(err)


class OutputFile:
    """An output path reserved before the work; :meth:`write_bytes` writes it once.

    Use as a context manager: a reservation that was not written is discarded (its temporary
    file removed) on exit.

    Args:
        path: a file path, a symlink, a FIFO/device, or ``"-"`` for standard output.

    Raises:
        ParameterError: the path is a directory, its folder does not exist or is not writable,
            or the temporary file cannot be created there.
    """

    def __init__(self, path):
        self.path = str(path)
        self._tmp: str | None = None
        if self.path == STDOUT:
            self.kind, self.target = "stdout", None
            return
        # realpath follows every symlink (also a dangling one, to the file it names)
        self.target = Path(os.path.realpath(self.path))
        try:
            mode = os.stat(self.target).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as err:
            raise ParameterError(f"cannot write {self.path!r}: {_reason(err)}") from None
        if mode is not None and stat.S_ISDIR(mode):
            raise ParameterError(f"output path {self.path!r} is a directory")
        if mode is not None and not stat.S_ISREG(mode):
            # FIFO, device, socket: write in place, never replace the node
            if not os.access(self.target, os.W_OK):
                raise ParameterError(f"output path {self.path!r} is not writable")
            self.kind = "stream"
            return
        self.kind = "file"
        folder = self.target.parent
        if not folder.is_dir():
            raise ParameterError(f"output folder {str(Path(self.path).parent)!r} does not exist")
        if not os.access(folder, os.W_OK):
            raise ParameterError(f"output folder {str(folder)!r} is not writable")
        try:
            # a short name: the final name may already use the file system's 255 bytes
            fd, self._tmp = tempfile.mkstemp(dir=folder, prefix=".qbc-", suffix=".tmp")
            os.close(fd)
        except OSError as err:
            raise ParameterError(f"cannot write {self.path!r}: {_reason(err)}") from None

    def write_bytes(self, data: bytes) -> None:
        """Write ``data`` to the reserved path (atomically for regular files)."""
        try:
            if self.kind == "stdout":
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            elif self.kind == "stream":
                with open(self.target, "wb") as fh:
                    fh.write(data)
            else:
                if self._tmp is None:
                    raise ParameterError(f"output {self.path!r} was already written")
                with open(self._tmp, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(self._tmp, 0o666 & ~umask)  # mkstemp makes 0600 files
                os.replace(self._tmp, self.target)
                self._tmp = None
        except OSError as err:
            self.discard()
            raise ParameterError(f"cannot write {self.path!r}: {_reason(err)}") from None

    def write_text(self, text: str) -> None:
        """Write ``text`` as UTF-8 (standard output: through ``sys.stdout``)."""
        if self.kind == "stdout":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            self.write_bytes(text.encode("utf-8"))

    def discard(self) -> None:
        """Remove the temporary file of a reservation that will not be written."""
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass
            self._tmp = None

    def __enter__(self) -> OutputFile:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()


def check_writable(path) -> Path:
    """Check, before any work is done, that ``path`` can be written; return it as a Path."""
    with OutputFile(path):
        pass
    return Path(path)


def check_folder(path) -> Path:
    """Check, without creating anything, that folder ``path`` exists or can be created.

    Called before the work: a bad output folder fails before anything is computed, and a run
    that fails leaves no empty folder behind (the folder is made by :func:`make_folder` when
    the results are written).
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"output folder {str(folder)!r} is not a folder")
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise ParameterError(f"cannot create output folder {str(folder)!r}: {str(existing)!r} "
                             "is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ParameterError(f"output folder {str(existing)!r} is not writable")
    try:  # a real write test: root passes os.access on /proc and read-only file systems
        os.rmdir(tempfile.mkdtemp(dir=existing, prefix=".qbc-"))
    except OSError as err:
        where = folder if existing == folder else existing
        raise ParameterError(f"cannot create output folder {str(folder)!r}: {str(where)!r}: "
                             f"{_reason(err)}") from None
    return folder


def make_folder(path) -> Path:
    """Create folder ``path`` (with parents) once there is something to write into it."""
    folder = check_folder(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ParameterError(f"cannot create output folder {str(folder)!r}: {_reason(err)}"
                             ) from None
    return folder


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` (see :class:`OutputFile`)."""
    with OutputFile(path) as out:
        out.write_bytes(data)


def atomic_write_text(path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` (see :class:`OutputFile`)."""
    with OutputFile(path) as out:
        out.write_text(text)


def figure_bytes(fig, fmt: str, dpi: int = 150) -> bytes:
    """A matplotlib figure rendered as ``fmt`` (png, pdf, svg), without creation dates."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buf.getvalue()


def _metadata(fmt: str) -> dict | None:
    # no creation dates: the same data give the same file
    return {"png": {"Software": None}, "pdf": {"CreationDate": None},
            "svg": {"Date": None}}.get(fmt)
