"""Output files: reserved before the work, atomic for regular files, special paths respected."""

import os
import signal
import subprocess
import sys
import time

import pytest

import qbcircuit._io as qio
from qbcircuit import ParameterError
from qbcircuit._io import OutputFile, atomic_write_text, check_folder, make_folder


def test_regular_file_is_replaced_atomically_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("old")
    with OutputFile(path) as out:
        assert path.read_text() == "old"  # untouched until written
        out.write_text("new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_unwritten_reservation_leaves_nothing(tmp_path):
    with OutputFile(tmp_path / "a.csv"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_symlink_is_followed_and_kept(tmp_path):
    target = tmp_path / "target.csv"
    target.write_text("stale")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    atomic_write_text(link, "fresh")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "fresh"


def test_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "new.csv")
    atomic_write_text(link, "x")
    assert link.is_symlink() and (tmp_path / "new.csv").read_text() == "x"


def test_fifo_is_written_in_place_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        atomic_write_text(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert fifo.is_fifo()


def test_device_node_is_written_in_place():
    atomic_write_text("/dev/null", "discarded")
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_dash_means_standard_output(capsys):
    atomic_write_text("-", "to stdout\n")
    assert capsys.readouterr().out == "to stdout\n"


@pytest.mark.parametrize("path", ["/proc/x.csv", "/sys/x.csv"])
def test_unwritable_system_folders_fail_at_reservation(path):
    with pytest.raises(ParameterError, match=r"cannot write|not writable|does not exist"):
        OutputFile(path)


def test_a_long_legal_name_gets_a_short_temporary(tmp_path):
    path = tmp_path / ("x" * 250 + ".csv")
    atomic_write_text(path, "ok")
    assert path.read_text() == "ok"


def test_write_failure_is_one_parameter_error(tmp_path):
    out = OutputFile(tmp_path / "a.csv")
    if out._tmp is not None:  # not Linux: the named temporary
        os.unlink(out._tmp)
    os.rmdir(tmp_path)  # the folder vanished during the work
    with pytest.raises(ParameterError, match="cannot write"):
        out.write_text("lost")


def test_folder_is_checked_without_being_created(tmp_path):
    folder = tmp_path / "a" / "b"
    assert check_folder(folder) == folder and not (tmp_path / "a").exists()
    (tmp_path / "file").write_text("")
    with pytest.raises(ParameterError, match="not a folder"):
        check_folder(tmp_path / "file" / "sub")
    assert make_folder(folder).is_dir()


@pytest.mark.parametrize("path", ["/proc/forbidden", "/sys/x/y"])
def test_folders_on_unwritable_file_systems_fail_the_check(path):
    # as root os.access says yes here; the check must really try
    with pytest.raises(ParameterError, match="cannot create output folder"):
        check_folder(path)


LINUX_TMPFILE = pytest.mark.skipif(not hasattr(os, "O_TMPFILE"), reason="no O_TMPFILE")


@LINUX_TMPFILE
def test_a_reservation_is_an_unnamed_file_with_the_umask_mode(tmp_path):
    path = tmp_path / "a.csv"
    with OutputFile(path) as out:
        assert out._unnamed is not None and list(tmp_path.iterdir()) == []
        out.write_text("x")
    umask = os.umask(0)
    os.umask(umask)
    assert path.read_text() == "x" and path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["a.csv"]


def test_the_named_temporary_scheme_where_there_is_no_unnamed_file(tmp_path, monkeypatch):
    monkeypatch.setattr(qio, "_unnamed_file", lambda folder: None)
    path = tmp_path / "a.csv"
    path.write_text("old")
    with OutputFile(path) as out:
        assert os.path.basename(out._tmp).startswith(".qbc-")
        out.write_text("new")
    assert path.read_text() == "new" and os.listdir(tmp_path) == ["a.csv"]


def _holds_a_file_in(pid, folder) -> bool:
    """True once process ``pid`` has a file of ``folder`` open (its reserved output)."""
    try:
        links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return any(link.startswith(str(folder) + "/") for link in links)


@LINUX_TMPFILE
@pytest.mark.parametrize("command", [
    ["simulate", "--gamma", "1e3", "--t-max", "100", "--points", "3"],
    ["sweep", "--vary", "g=0.1:2:30", "--vary", "zeta=-1:1:30", "--method", "dynamics",
     "--points", "401", "--no-progress", "--jobs", "2"],
])
def test_kill_9_leaves_no_temporary_file_beside_the_output(tmp_path, command):
    """SIGKILL (nothing of ours runs) while the output is reserved: nothing is left (22.6)."""
    proc = subprocess.Popen([sys.executable, "-m", "qbcircuit", *command, "--out",
                             str(tmp_path / "out.csv")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while (proc.poll() is None and not _holds_a_file_in(proc.pid, tmp_path)
               and not os.listdir(tmp_path)):  # reserved: an open file, or a named one
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it reserved its output"
        time.sleep(0.5)  # into the work
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=120)
    assert os.listdir(tmp_path) == []
