"""Output files that are checked before the work and never half-written.

A regular file (new or existing) is written through a temporary file in the same folder and
renamed over it, so an interrupted run never leaves a half-written file in place of a good one.
On Linux the temporary file is unnamed (``O_TMPFILE``, linked into place when written), so a
run killed by anything, even SIGKILL, leaves nothing behind; elsewhere it is a ``.qbc-*.tmp``
file removed when the run ends.
The temporary file is created when the output is *reserved*, before the work, so that a path
that cannot be written (``/proc/x``, a read-only folder, a name the file system refuses) fails
before anything is computed. Paths that are not plain files are respected:

* a symbolic link is followed: its target is written (atomically there), the link stays;
* a FIFO, character device or socket (``/dev/null``, a terminal) is written directly, never
  replaced by a regular file;
* ``-`` means standard output; a path naming one of this process's open files
  (``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/N``, ``/proc/self/fd/N``, or a link to one)
  is written through that file descriptor, never reopened: a pipe works, and a file the shell
  opened for appending (``>> log.txt``) is appended to, not truncated.

A write that fails (a full disk, ``/dev/full``, a closed standard output) is a one-line error
too; the failed standard stream is then pointed at ``/dev/null`` so that the interpreter's
final flush does not fail again.

Every failure is a :class:`~qbcircuit._checks.ParameterError` naming the path and the reason
(the CLI prints it as one line and exits with status 2).
"""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import os
import re
import secrets
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


#: Paths that name a file descriptor of this process.
_FD_PATH = re.compile(rf"^/(?:dev/fd|proc/(?:self|thread-self|{os.getpid()})/fd)/(\d+)$")
_STD_PATHS = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def named_fd(path: str) -> int | None:
    """The file descriptor ``path`` names, or None for any other path.

    ``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/3``, or a link to one of them.
    """
    for _ in range(40):  # the kernel's limit of nested links
        if path in _STD_PATHS:
            return _STD_PATHS[path]
        match = _FD_PATH.match(path)
        if match:
            return int(match.group(1))
        try:
            link = os.readlink(path)
        except (OSError, ValueError):
            return None
        path = os.path.normpath(os.path.join(os.path.dirname(path), link))
    return None


def checked_path(path, what: str = "output path") -> str:
    """``path`` as a string, refused when no file can have that name.

    Raises:
        ParameterError: a NUL byte in the path, or a relative path when the working directory
            was deleted (every relative name fails then).
    """
    text = os.fsdecode(path) if isinstance(path, (bytes, os.PathLike)) else str(path)
    if "\0" in text:
        raise ParameterError(f"{what} {text!r} contains a NUL byte")
    if not os.path.isabs(text):
        try:
            os.getcwd()
        except FileNotFoundError:
            raise ParameterError(f"{what} {text!r} is relative to the working directory, which "
                                 "was deleted: change to an existing folder or give an "
                                 "absolute path") from None
    return text


def _broken_link(path: str, what: str) -> None:
    """Refuse a symbolic link whose target is missing or that loops.

    Found before the work, not when the results are written (mkdir fails on such a link).
    """
    try:
        os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ParameterError(f"{what} {path!r} is a loop of symbolic links") from None
        if os.path.islink(path):
            raise ParameterError(f"{what} {path!r} is a symbolic link to {os.readlink(path)!r}, "
                                 "which does not exist: create it or give another path"
                                 ) from None


def same_file_key(path, what: str = "output path"):
    """What ``path`` writes to, comparable between paths (``-`` is descriptor 1)."""
    path = checked_path(path, what)
    if path == STDOUT:
        return ("fd", 1)
    fd = named_fd(path)
    return ("fd", fd) if fd is not None else ("path", os.path.realpath(path))


def check_distinct(paths: dict[str, object]) -> None:
    """Refuse two outputs (option -> path; None: not given) that name the same file.

    Raises:
        ParameterError: "--out and --plot both name 'o.csv': ...".
    """
    seen: dict = {}
    for option, path in paths.items():
        if path is None:
            continue
        key = same_file_key(path, option)
        if key in seen:
            raise ParameterError(f"{seen[key]} and {option} both name {str(path)!r}: one would "
                                 "overwrite the other; give each its own path")
        seen[key] = option


def _std_stream(fd: int):
    """``sys.stdout`` / ``sys.stderr`` for descriptors 1 / 2 (None when closed)."""
    return {1: sys.stdout, 2: sys.stderr}.get(fd)


def _fd_name(fd: int) -> str:
    return {0: "standard input", 1: "standard output", 2: "standard error"}.get(
        fd, f"file descriptor {fd}")


def _silence(stream) -> None:
    """Point a failed standard stream at /dev/null: its unwritten buffer is dropped there."""
    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def write_stderr(line: str) -> None:
    """Print one line on standard error.

    A closed or failing standard error is ignored: there is nowhere left to report to.
    """
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(line + "\n")
        stream.flush()
    except (OSError, ValueError):
        _silence(stream)


def write_stdout(text: str) -> None:
    """Write ``text`` to standard output and flush it.

    Raises:
        ParameterError: standard output is closed or the write fails (one line).
    """
    stream = sys.stdout
    if stream is None:
        raise ParameterError("cannot write to standard output: it is closed")
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError) as err:  # ValueError: a closed file object
        _silence(stream)
        reason = _reason(err) if isinstance(err, OSError) else "it is closed"
        raise ParameterError(f"cannot write to standard output: {reason}") from None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _unnamed_file(folder: Path) -> int | None:
    """An unnamed file in ``folder`` (Linux ``O_TMPFILE``), or None where there is none.

    The kernel removes it with its last descriptor, so a run killed by anything (SIGKILL, the
    OOM killer) leaves nothing behind. None: not Linux, no ``/proc``, or a file system
    without support (the named temporary file is used then).
    """
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | os.O_CLOEXEC, 0o666)  # umask applies
    except OSError as err:
        if err.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL):
            return None
        raise


def _link_into_place(fd: int, target: Path) -> None:
    """Give the unnamed file ``fd`` the name ``target``, replacing a file there atomically.

    ``linkat`` refuses an existing name: the file is then linked under a temporary name (for
    the instant of a rename) and renamed over the target.
    """
    source = f"/proc/self/fd/{fd}"
    # a folder descriptor makes os.link call linkat(AT_SYMLINK_FOLLOW), not link(), which
    # would link the /proc symlink itself
    folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            os.link(source, target.name, dst_dir_fd=folder, follow_symlinks=True)
            return
        except FileExistsError:
            pass
        tmp = f".qbc-{secrets.token_hex(6)}.tmp"
        os.link(source, tmp, dst_dir_fd=folder, follow_symlinks=True)
        try:
            os.replace(tmp, target.name, src_dir_fd=folder, dst_dir_fd=folder)
        except OSError:
            os.unlink(tmp, dir_fd=folder)
            raise
    finally:
        os.close(folder)


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
        self.path = checked_path(path)
        self._tmp: str | None = None  # the temporary file's name (not Linux)
        self._unnamed: int | None = None  # the unnamed temporary file (Linux: O_TMPFILE)
        self.fd = None
        if self.path == STDOUT:
            self.kind, self.target = "stdout", None
            if sys.stdout is None:
                raise ParameterError("cannot write to standard output: it is closed")
            return
        if self.path.endswith(os.sep):
            raise ParameterError(f"output path {self.path!r} ends in {os.sep!r}, which names a "
                                 "folder: give a file name")
        self.fd = named_fd(self.path)
        if self.fd is not None:
            self.kind, self.target = "fd", None
            self._check_fd()
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
            self._unnamed = _unnamed_file(folder)
            if self._unnamed is None:
                # a short name: the final name may already use the file system's 255 bytes
                fd, self._tmp = tempfile.mkstemp(dir=folder, prefix=".qbc-", suffix=".tmp")
                os.close(fd)
        except OSError as err:
            raise ParameterError(f"cannot write {self.path!r}: {_reason(err)}") from None

    def _check_fd(self) -> None:
        """Check that the descriptor is open for writing.

        A closed standard stream's number may be reused by a file of ours: Python reports the
        stream as None then.
        """
        name = _fd_name(self.fd)
        try:
            if self.fd in (1, 2) and _std_stream(self.fd) is None:
                raise OSError(errno.EBADF, "it is closed")
            flags = fcntl.fcntl(self.fd, fcntl.F_GETFL)
        except OSError as err:
            reason = "it is closed" if err.errno == errno.EBADF else _reason(err)
            raise ParameterError(f"cannot write {self.path!r} ({name}): {reason}") from None
        if flags & os.O_ACCMODE == os.O_RDONLY:
            raise ParameterError(f"cannot write {self.path!r}: {name} is not open for writing")

    def _write_fd(self, data: bytes) -> None:
        stream = _std_stream(self.fd)
        if stream is not None:
            stream.flush()  # what was printed before comes first
        _write_all(self.fd, data)

    def write_bytes(self, data: bytes) -> None:
        """Write ``data`` to the reserved path (atomically for regular files)."""
        try:
            if self.kind == "stdout":
                if sys.stdout is None:
                    raise ParameterError("cannot write to standard output: it is closed")
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
            elif self.kind == "fd":
                self._write_fd(data)
            elif self.kind == "stream":
                with open(self.target, "wb") as fh:
                    fh.write(data)
            elif self._unnamed is not None:
                _write_all(self._unnamed, data)
                os.fsync(self._unnamed)
                _link_into_place(self._unnamed, self.target)
                self.discard()
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
        except (OSError, ValueError) as err:
            self.discard()
            if self.kind == "stdout":
                _silence(sys.stdout)
            elif self.kind == "fd" and _std_stream(self.fd) is not None:
                _silence(_std_stream(self.fd))
            reason = _reason(err) if isinstance(err, OSError) else "it is closed"
            where = "standard output" if self.kind == "stdout" else repr(self.path)
            raise ParameterError(f"cannot write {where}: {reason}") from None

    def write_text(self, text: str) -> None:
        """Write ``text`` as UTF-8 (standard output: through ``sys.stdout``)."""
        if self.kind == "stdout":
            write_stdout(text)
        else:
            self.write_bytes(text.encode("utf-8"))

    def discard(self) -> None:
        """Remove the temporary file of a reservation that will not be written."""
        if self._unnamed is not None:
            os.close(self._unnamed)  # an unnamed file vanishes with its last descriptor
            self._unnamed = None
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
    folder = Path(checked_path(path, "output folder"))
    existing = folder
    while True:
        try:
            os.stat(existing)
            break
        except (FileNotFoundError, NotADirectoryError):
            # a dangling link or loop on the way would make mkdir fail after the work
            _broken_link(str(existing), "output folder" if existing == folder else "folder")
        except OSError as err:  # a name too long, a loop, no permission
            _broken_link(str(existing), "output folder" if existing == folder else "folder")
            raise ParameterError(f"cannot create output folder {str(folder)!r}: "
                                 f"{_reason(err)}") from None
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing == folder and not folder.is_dir():
        raise ParameterError(f"output folder {str(folder)!r} is not a folder")
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


#: Figure formats written when none is asked for (``figures``, ``reproduce``).
DEFAULT_FORMATS = ("png", "pdf")


def figure_bytes(fig, fmt: str, dpi: int = 150) -> bytes:
    """A matplotlib figure rendered as ``fmt`` (png, pdf, svg), without creation dates."""
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, dpi=dpi, metadata=_metadata(fmt))
    return buf.getvalue()


def _metadata(fmt: str) -> dict | None:
    # no creation dates: the same data give the same file
    return {"png": {"Software": None}, "pdf": {"CreationDate": None},
            "svg": {"Date": None}}.get(fmt)
