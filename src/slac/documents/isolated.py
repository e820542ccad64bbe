"""A user's template rendered in a child process whose CPU time and memory the operating
system bounds.

The sandbox (:func:`slac.documents.statements.render_user_template`) refuses the obvious
allocations quickly and names the line, but a check per operator cannot see inside one C call
(``(10**1000)**999``, a filter it does not know): here such a template is stopped by
``RLIMIT_CPU`` and ``RLIMIT_AS`` in a child, not by the machine swapping. The parent sends the
view as JSON on the child's standard input and reads ``{"text": …}`` or ``{"problem": …}``
back; everything else (a signal, a child that died) becomes a :class:`TemplateProblem`.

The limits default to 10 s of CPU time and 512 MiB of address space; the environment variables
``SLAC_TEMPLATE_CPU_SECONDS`` and ``SLAC_TEMPLATE_MEMORY_MIB`` change them. Where the platform
has no ``resource`` module (Windows), only the wall-clock timeout applies.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slac.documents.statements import (
    MAX_OUTPUT,
    MAX_SECONDS,
    TemplateProblem,
    render_user_template,
)

CPU_ENV = "SLAC_TEMPLATE_CPU_SECONDS"
MEMORY_ENV = "SLAC_TEMPLATE_MEMORY_MIB"
MIB = 1024 * 1024

# The child imports slac from the same place as the parent, and nothing from the working
# directory or the user's site-packages (-I): a stray jinja2.py beside the template is ignored.
_CHILD = "import sys; sys.path.insert(0, sys.argv[1]); from slac.documents.isolated import child; child()"


@dataclass(frozen=True)
class Limits:
    """What a user's template may spend."""

    cpu_seconds: int = 10
    memory_mib: int = 512

    @classmethod
    def from_environment(cls) -> Limits:
        """The defaults, or the environment's ``SLAC_TEMPLATE_*`` values; ``ValueError`` for
        a value that is not a positive whole number."""
        values: dict[str, int] = {}
        for env, field in ((CPU_ENV, "cpu_seconds"), (MEMORY_ENV, "memory_mib")):
            text = os.environ.get(env, "").strip()
            if not text:
                continue
            if not text.isdigit() or int(text) < 1:
                raise ValueError(f"{env}={text!r} is not a positive whole number")
            values[field] = int(text)
        return cls(**values)

    def wall_seconds(self) -> float:
        # A stuck child (or one starved of CPU on a busy machine) still ends: generous, because
        # CPU time is the real bound and the sandbox's own deadline usually ends it first.
        return self.cpu_seconds * 3 + 10.0


def render_isolated(
    view: Mapping[str, Any],
    template_path: str | Path,
    *,
    limits: Limits | None = None,
    max_output: int = MAX_OUTPUT,
    max_seconds: float = MAX_SECONDS,
) -> str:
    """:func:`render_user_template` in a child process bounded by ``limits`` (default:
    :meth:`Limits.from_environment`). Every failure, exceeding a limit included, is a
    :class:`TemplateProblem` naming the template."""
    path = str(template_path)
    try:
        limits = limits or Limits.from_environment()
    except ValueError as err:
        raise TemplateProblem(str(err), path) from None
    if not Path(path).is_file():
        raise TemplateProblem("template not found", path)
    request = json.dumps(
        {
            "view": view,
            "template": path,
            "max_output": max_output,
            "max_seconds": max_seconds,
            "cpu_seconds": limits.cpu_seconds,
            "memory_bytes": limits.memory_mib * MIB,
        },
        ensure_ascii=False,
    )
    source_root = str(Path(__file__).resolve().parents[2])
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD, source_root],
            input=request.encode("utf-8"),
            capture_output=True,
            timeout=limits.wall_seconds(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TemplateProblem(
            f"the template exceeded its time limit ({limits.wall_seconds():g} s)", path
        ) from None
    except OSError as err:
        raise TemplateProblem(f"cannot start the template renderer: {err}", path) from None
    return _answer(done, path, limits)


def _answer(done: subprocess.CompletedProcess[bytes], path: str, limits: Limits) -> str:
    cpu = f"the template exceeded its CPU time limit ({limits.cpu_seconds} s; {CPU_ENV})"
    memory = f"the template exceeded its memory limit ({limits.memory_mib} MiB; {MEMORY_ENV})"
    # SIGXCPU at the soft limit; SIGKILL at the hard one, a second later, if it was ignored.
    if done.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise TemplateProblem(cpu, path)
    try:
        answer = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or done.returncode != 0:
        # A child that could not even report: in practice an allocation that failed outside
        # Python's reach (the interpreter aborts rather than raising MemoryError).
        raise TemplateProblem(
            f"the template renderer stopped (exit status {done.returncode}); "
            f"it may have exceeded its memory limit ({limits.memory_mib} MiB; {MEMORY_ENV})",
            path,
        )
    if "text" in answer:
        return str(answer["text"])
    problem = answer["problem"]
    if problem.get("memory"):
        raise TemplateProblem(memory, path, problem.get("line"))
    raise TemplateProblem(problem["message"], path, problem.get("line"))


def _limit(which: int, value: int) -> None:
    import resource

    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
        soft_hard = (value, hard)
    else:
        soft_hard = (value, value + 1) if which == resource.RLIMIT_CPU else (value, value)
    resource.setrlimit(which, soft_hard)


def child() -> None:
    """The child's side: read the request, set the limits, render, answer on stdout."""
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows: the parent's timeout still applies
        pass
    else:
        _limit(resource.RLIMIT_CORE, 0)  # a CPU kill must not leave a core file behind
        _limit(resource.RLIMIT_CPU, int(request["cpu_seconds"]))
        _limit(resource.RLIMIT_AS, int(request["memory_bytes"]))
    answer: dict[str, Any]
    try:
        text = render_user_template(
            request["view"],
            request["template"],
            max_output=int(request["max_output"]),
            max_seconds=float(request["max_seconds"]),
        )
        answer = {"text": text}
    except TemplateProblem as problem:
        answer = {
            "problem": {
                "message": problem.message,
                "line": problem.line,
                "memory": isinstance(problem.__cause__, MemoryError),
            }
        }
    except MemoryError:
        answer = {"problem": {"message": "", "line": None, "memory": True}}
    sys.stdout.buffer.write(json.dumps(answer, ensure_ascii=False).encode("utf-8"))
    sys.stdout.flush()
