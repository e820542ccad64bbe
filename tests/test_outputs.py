"""How outputs are written (slac.files): atomic for regular files, symlinks followed and kept,
devices, pipes, sockets and stdout written through, and a usage error for what cannot be."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from slac.cli import cli
from slac.files import OutputError, output_path, write_output

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")
SMALL = ROOT / "tests" / "data" / "evaluate"  # a four-ticket contract with bindings and data
TODAY = ("--today", "2026-11-01")  # lint's review-date check must not depend on the clock
AS_ROOT = os.geteuid() == 0
root_only = pytest.mark.skipif(not AS_ROOT, reason="needs root")
not_root = pytest.mark.skipif(AS_ROOT, reason="root ignores file permissions")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def compile_to(output: str) -> tuple[int, str, str]:
    return run("compile", CONTRACT, *TODAY, "-o", output)


def plan_text() -> str:
    code, out, err = run("compile", CONTRACT, *TODAY)
    assert code == 0, err
    return out


def evaluate_with_evidence(folder: Path) -> tuple[int, str, str]:
    return run("evaluate", str(SMALL / "contract.yaml"), *TODAY, "--evidence", str(folder))


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask_027() -> Iterator[None]:
    old = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_file_gets_0666_minus_the_umask(tmp_path: Path, umask_027: None) -> None:
    target = tmp_path / "plan.json"
    assert compile_to(str(target))[0] == 0
    assert mode(target) == 0o640
    assert target.read_text("utf-8") == plan_text()
    assert os.listdir(tmp_path) == ["plan.json"]


def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old\n", "utf-8")
    target.chmod(0o640)
    assert compile_to(str(target))[0] == 0
    assert mode(target) == 0o640
    assert target.read_text("utf-8") == plan_text()


def test_a_symlink_stays_a_link_and_its_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    final = tmp_path / "real" / "plan.json"
    final.write_text("old\n", "utf-8")
    final.chmod(0o600)
    link = tmp_path / "plan.json"
    link.symlink_to("real/plan.json")  # relative, as people make them
    assert compile_to(str(link))[0] == 0
    assert link.is_symlink() and os.readlink(link) == "real/plan.json"
    assert final.read_text("utf-8") == plan_text()
    assert mode(final) == 0o600
    assert sorted(os.listdir(tmp_path / "real")) == ["plan.json"]


def test_a_chain_of_two_links_replaces_the_last_file(tmp_path: Path) -> None:
    final = tmp_path / "final.json"
    final.write_text("old\n", "utf-8")
    (tmp_path / "middle.json").symlink_to("final.json")
    (tmp_path / "first.json").symlink_to(tmp_path / "middle.json")
    assert compile_to(str(tmp_path / "first.json"))[0] == 0
    assert (tmp_path / "first.json").is_symlink() and (tmp_path / "middle.json").is_symlink()
    assert final.read_text("utf-8") == plan_text()
    assert sorted(os.listdir(tmp_path)) == ["final.json", "first.json", "middle.json"]


def test_a_dangling_symlink_creates_the_file_it_points_to(tmp_path: Path) -> None:
    link = tmp_path / "plan.json"
    link.symlink_to("made.json")
    assert compile_to(str(link))[0] == 0
    assert link.is_symlink()
    assert (tmp_path / "made.json").read_text("utf-8") == plan_text()


def test_a_dangling_symlink_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    link = tmp_path / "plan.json"
    link.symlink_to("no/such/made.json")
    code, _, err = compile_to(str(link))
    assert code == 2
    assert err.startswith(f"slac: error: cannot write {link}: no such folder")
    assert os.listdir(tmp_path) == ["plan.json"]


def test_a_fifo_receives_the_bytes(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = compile_to(str(fifo))
    reader.join(timeout=30)
    assert code == 0, err
    assert received == [plan_text().encode("utf-8")]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_socket_receives_the_bytes() -> None:
    folder = tempfile.mkdtemp()  # socket paths are limited to ~100 bytes; tmp_path can be longer
    path = os.path.join(folder, "plan.sock")
    received: list[bytes] = []
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        server.settimeout(30)  # a failed run must not leave the reader waiting

        def accept() -> None:
            conn, _ = server.accept()
            with conn, conn.makefile("rb") as stream:
                received.append(stream.read())

        reader = threading.Thread(target=accept, daemon=True)
        reader.start()
        code, _, err = compile_to(path)
        reader.join(timeout=30)
    shutil.rmtree(folder)
    assert code == 0, err
    assert received == [plan_text().encode("utf-8")]


def test_dash_is_stdout() -> None:
    code, out, _ = compile_to("-")
    assert (code, out) == (0, plan_text())


def test_dev_stdout_streams_into_a_pipe(tmp_path: Path) -> None:
    # A real process: /dev/stdout is its own fd 1, here a pipe that a rename would never reach.
    command = [sys.executable, "-m", "slac", "compile", CONTRACT, *TODAY]
    proc = subprocess.run(
        [*command, "-o", "/dev/stdout"], stdout=subprocess.PIPE, cwd=tmp_path, check=False
    )
    assert proc.returncode == 0
    assert proc.stdout == plan_text().encode("utf-8")
    assert os.listdir(tmp_path) == []


def test_dev_stdout_redirected_to_a_file_keeps_the_redirection(tmp_path: Path) -> None:
    log = tmp_path / "log"
    log.write_bytes(b"before\n")
    command = [sys.executable, "-m", "slac", "compile", CONTRACT, *TODAY, "-o", "/dev/stdout"]
    with open(log, "ab") as appended:  # `>> log`: appended to, never replaced
        inode = os.fstat(appended.fileno()).st_ino
        assert subprocess.run(command, stdout=appended, check=False).returncode == 0
    assert log.read_bytes() == b"before\n" + plan_text().encode("utf-8")
    assert os.stat(log).st_ino == inode


def test_a_folder_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    code, out, err = compile_to(str(tmp_path))
    assert (code, out) == (2, "")
    assert err == f"slac: error: cannot write {tmp_path}: is a folder, not a file\n"
    assert os.listdir(tmp_path) == []


def test_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "plan.json"
    code, _, err = compile_to(str(target))
    assert code == 2
    assert err.startswith(f"slac: error: cannot write {target}: no such folder")
    assert "Traceback" not in err
    assert os.listdir(tmp_path) == []


@not_root
def test_a_read_only_folder_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "plan.json").write_text("old\n", "utf-8")
    folder.chmod(0o555)
    try:
        code, _, err = compile_to(str(folder / "plan.json"))
        assert code == 2
        assert err == f"slac: error: cannot write {folder / 'plan.json'}: Permission denied\n"
        assert os.listdir(folder) == ["plan.json"]
        assert (folder / "plan.json").read_text("utf-8") == "old\n"
    finally:
        folder.chmod(0o755)


@not_root
def test_a_read_only_file_is_not_renamed_over(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old\n", "utf-8")
    target.chmod(0o444)
    code, _, err = compile_to(str(target))
    assert code == 2
    assert err == f"slac: error: cannot write {target}: Permission denied\n"
    assert target.read_text("utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["plan.json"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old\n", "utf-8")

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("slac.files.os.fsync", no_space)
    code, _, err = compile_to(str(target))
    assert code == 2
    assert err == f"slac: error: cannot write {target}: No space left on device\n"
    assert target.read_text("utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["plan.json"]


def test_ctrl_c_mid_write_keeps_the_old_file_and_leaves_no_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old\n", "utf-8")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("slac.files.os.fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_output(str(target), "new\n")
    assert target.read_text("utf-8") == "old\n"
    assert os.listdir(tmp_path) == ["plan.json"]


def test_a_failing_writer_of_a_named_output_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "evidence.parquet"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), output_path(str(target)) as staged:
        Path(staged).write_bytes(b"half")
        raise RuntimeError("the engine failed")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["evidence.parquet"]


def test_output_error_carries_path_and_reason(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        write_output(str(tmp_path), "x")
    assert (caught.value.path, caught.value.reason) == (str(tmp_path), "is a folder, not a file")
    assert str(caught.value) == f"cannot write {tmp_path}: is a folder, not a file"


@root_only
def test_a_character_device_stays_a_character_device(tmp_path: Path) -> None:
    # Our own /dev/null (major 1, minor 3): the real one is never touched by a test.
    node = tmp_path / "null"
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    try:
        os.close(os.open(node, os.O_WRONLY))
    except PermissionError:
        pytest.skip("the temporary folder is mounted nodev")
    code, out, err = compile_to(str(node))
    assert (code, out) == (0, ""), err
    assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert os.lstat(node).st_rdev == os.makedev(1, 3)
    assert os.listdir(tmp_path) == ["null"]


# --evidence: DuckDB writes the Parquet file by name, through the same module.


def test_evidence_keeps_a_symlink_and_the_files_mode(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    elsewhere = tmp_path / "kept.parquet"
    elsewhere.write_bytes(b"old")
    elsewhere.chmod(0o600)
    (folder / "evidence.parquet").symlink_to(elsewhere)
    code, _, err = evaluate_with_evidence(folder)
    assert code == 0, err
    assert (folder / "evidence.parquet").is_symlink()
    assert elsewhere.read_bytes()[:4] == b"PAR1"
    assert mode(elsewhere) == 0o600
    assert os.listdir(folder) == ["evidence.parquet"]


def test_evidence_into_a_fifo_is_copied_through(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    fifo = folder / "evidence.parquet"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = evaluate_with_evidence(folder)
    reader.join(timeout=30)
    assert code == 0, err
    assert received[0][:4] == b"PAR1" and received[0][-4:] == b"PAR1"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_evidence_failure_keeps_the_old_file_and_leaves_no_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    (folder / "evidence.parquet").write_bytes(b"old")

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("slac.files.os.fsync", no_space)
    code, out, err = evaluate_with_evidence(folder)
    assert (code, out) == (2, "")
    assert (
        err == f"slac: error: cannot write {folder / 'evidence.parquet'}: No space left on device\n"
    )
    assert (folder / "evidence.parquet").read_bytes() == b"old"
    assert os.listdir(folder) == ["evidence.parquet"]


def test_evidence_folder_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.write_text("a file\n", "utf-8")
    code, _, err = evaluate_with_evidence(folder)
    assert code == 2
    assert err == f"slac: error: cannot write {folder}: exists and is not a folder\n"


@not_root
def test_evidence_into_a_read_only_folder_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "evidence"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        code, _, err = evaluate_with_evidence(folder)
        assert code == 2
        target = folder / "evidence.parquet"
        assert err == f"slac: error: cannot write {target}: Permission denied\n"
        assert os.listdir(folder) == []
    finally:
        folder.chmod(0o755)
