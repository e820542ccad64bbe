"""Every file slac writes goes through here, so that an output respects what its path names.

What ``path`` names decides how it is written (symlinks are followed to the end, chained or
relative, and stay links):

* a regular file, or nothing yet: the bytes go to a scratch file in the same folder, are
  fsynced, then renamed over the file, so a reader sees the old file or the new one, never half
  of one; on any failure (Ctrl-C included) the old file is untouched and no scratch is left. An
  existing file keeps its mode (and owner, where permitted); a new one gets 0666 minus the umask.
* ``-`` (stdout), a descriptor link of ours (``/dev/stdout``, ``/dev/fd/N``), a character or
  block device, a FIFO or a socket: written through, never renamed over. Renaming would put a
  regular file where /dev/null was, or leave the reader of a pipe waiting.
* anything else (a folder, a missing folder, a read-only file or folder): :class:`OutputError`,
  naming the path and why, with nothing written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Literal


class OutputError(Exception):
    """An output that cannot be written: the path as given, and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"cannot write {path}: {reason}")
        self.path = path
        self.reason = reason


def _why(err: OSError) -> str:
    return err.strerror or str(err)


@dataclass(frozen=True)
class _Target:
    path: str  # as given: for messages, and for opening what is written through
    kind: Literal["file", "stdout", "fd", "socket", "device"]
    real: str = ""  # a file's final path, after every symlink
    st: os.stat_result | None = None  # what is there now; None for a new file
    fd: int = -1


def _own_fd(path: str) -> int | None:
    """The descriptor of ours that ``path`` names through /proc/<pid>/fd (/dev/stdout, /dev/fd/1)."""
    # Opening such a link would start a new file offset; writing to the descriptor itself keeps
    # the caller's redirection (`>>` appends, a socket works), as a shell does for /dev/stdout.
    own = f"/proc/{os.getpid()}/fd"
    here = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on symlink hops
        name = os.path.basename(here)
        if name.isdigit() and os.path.realpath(os.path.dirname(here)) == own:
            return int(name)
        if not os.path.islink(here):
            return None
        here = os.path.join(os.path.dirname(here), os.readlink(here))
    return None


def _target(path: str) -> _Target:
    if path == "-":
        return _Target(path, "stdout")
    try:
        fd = _own_fd(path)
        if fd is not None:
            return _Target(path, "fd", fd=fd)
        st = os.stat(path)
    except FileNotFoundError:
        real = os.path.realpath(path)  # a dangling link: create the file it points to
        folder = path if path.endswith(os.sep) else os.path.dirname(real)
        if path.endswith(os.sep) or not os.path.isdir(folder):
            raise OutputError(path, f"no such folder: {folder}") from None
        return _Target(path, "file", real)
    except OSError as err:
        raise OutputError(path, _why(err)) from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(path, "is a folder, not a file")
    if stat.S_ISREG(st.st_mode):
        return _Target(path, "file", os.path.realpath(path), st)
    return _Target(path, "socket" if stat.S_ISSOCK(st.st_mode) else "device", st=st)


@contextlib.contextmanager
def _through(target: _Target) -> Iterator[BinaryIO]:
    """A stream straight into a device, pipe, socket or stdout: no O_CREAT, no O_TRUNC."""
    try:
        sys.stdout.flush()  # what Python already printed comes first
        if target.kind == "stdout":
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
            return
        with contextlib.ExitStack() as stack:
            if target.kind == "socket":
                sock = stack.enter_context(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
                sock.connect(target.path)
                out: BinaryIO = stack.enter_context(sock.makefile("wb"))
            else:
                # For a FIFO this waits for a reader, as a shell redirection does.
                fd = os.dup(target.fd) if target.kind == "fd" else os.open(target.path, os.O_WRONLY)
                out = stack.enter_context(os.fdopen(fd, "wb"))
            yield out
    except OSError as err:
        raise OutputError(target.path, _why(err)) from None


def _settle(scratch: str, target: _Target) -> None:
    """Give the scratch file the mode (and owner) the output should have, and fsync it."""
    if target.st is None:
        umask = os.umask(0o022)  # read it the only way POSIX offers: set and restore
        os.umask(umask)
        os.chmod(scratch, 0o666 & ~umask)
    else:
        with contextlib.suppress(OSError):  # only root (or a member of the group) may
            os.chown(scratch, target.st.st_uid, target.st.st_gid)
        os.chmod(scratch, stat.S_IMODE(target.st.st_mode))  # after chown, which drops setuid
    fd = os.open(scratch, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _staged(target: _Target) -> Iterator[str]:
    folder, name = os.path.split(target.real)
    try:
        if target.st is not None:  # a rename would get round a read-only file's own mode
            os.close(os.open(target.real, os.O_WRONLY))
        # A private folder, not just a file: writers such as DuckDB want a name nobody has taken.
        scratch = tempfile.mkdtemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    except OSError as err:
        raise OutputError(target.path, _why(err)) from None
    try:
        staged = os.path.join(scratch, name)
        yield staged
        _settle(staged, target)
        os.replace(staged, target.real)
    except OSError as err:
        raise OutputError(target.path, _why(err)) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    with contextlib.suppress(OSError):  # make the rename itself durable, where folders sync
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_output(path: str, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` by the rules above; ``-`` is stdout."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    target = _target(path)
    if target.kind != "file":
        with _through(target) as out:
            out.write(raw)
        return
    with _staged(target) as staged, open(staged, "xb") as handle:
        handle.write(raw)


@contextlib.contextmanager
def output_path(path: str) -> Iterator[str]:
    """A file name for a writer that needs one (DuckDB's COPY … TO): what is written there
    becomes ``path`` by the rules above when the block ends, or is removed if it fails."""
    target = _target(path)
    if target.kind == "file":
        with _staged(target) as staged:
            yield staged
        return
    with tempfile.TemporaryDirectory() as scratch:
        staged = os.path.join(scratch, "output")
        yield staged
        with open(staged, "rb") as source, _through(target) as out:
            shutil.copyfileobj(source, out)


def make_folder(path: str) -> None:
    """Create folder ``path`` (and its parents) for outputs, or say why it cannot be."""
    try:
        os.makedirs(path, exist_ok=True)
    except FileExistsError:
        raise OutputError(path, "exists and is not a folder") from None
    except OSError as err:
        raise OutputError(path, _why(err)) from None
