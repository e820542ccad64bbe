"""A user's template cannot run or grow without bound (issue 12): the sandbox refuses the
obvious allocations at once, naming the line; the child process it is rendered in stops the
rest at its CPU time and memory limits; the CLI reports either as one ``slac: error:`` line,
exit 1, with no output written. Includes cannot follow a symlink out of the template's folder.

The limits are passed small here (1-2 s, 256 MiB) so that every payload ends quickly.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2.exceptions import SecurityError

from slac.cli import cli
from slac.documents.isolated import CPU_ENV, MEMORY_ENV, Limits, render_isolated
from slac.documents.statements import TemplateProblem, render_user_template

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = str(ROOT / "examples" / "customer-support" / "contract.yaml")

# Each allocates gigabytes, or runs for minutes, in a plain Jinja2 sandbox.
PAYLOADS = {
    "power chain": "{{ ((10 ** 1000) ** 1000) ** 1000 }}",
    "big product": "{% set n = 10 ** 900 %}{{ n" + " * n" * 30 + " }}",
    "lipsum": "{{ lipsum(10 ** 7) }}",
    "lipsum words": "{{ lipsum(1, max=10 ** 9) }}",
    "center": "{{ 'x'.center(10 ** 9) }}",
    "center filter": "{{ 'x'|center(10 ** 9) }}",
    "ljust": "{{ 'x'.ljust(10 ** 9) }}",
    "zfill": "{{ '1'.zfill(10 ** 9) }}",
    "expandtabs": "{{ 'a\tb'.expandtabs(10 ** 9) }}",
    "format filter": "{{ '%*d'|format(10 ** 9, 1) }}",
    "format width": "{{ '%1000000000d'|format(1) }}",
    "percent": "{{ '%*d' % (10 ** 9, 1) }}",
    "str.format": "{{ '{:>1000000000}'.format(1) }}",
    "str.format nested": "{{ '{:>{}}'.format(1, 10 ** 9) }}",
    "doubling with ~": "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "doubling with +": "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
    "{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}",
    "join separator": "{{ range(10 ** 6)|join('x' * 10 ** 6) }}",
    "str.join": "{{ ('x' * 10 ** 6).join(['a'] * 10 ** 6) }}",
    "replace filter": "{{ ('x' * 10 ** 6)|replace('', 'y' * 10 ** 6) }}",
    "str.replace": "{{ ('x' * 10 ** 6).replace('x', 'y' * 10 ** 6) }}",
    "indent": "{{ ('x\\n' * 10 ** 5)|indent(10 ** 5) }}",
    "batch": "{{ [1]|batch(10 ** 9, 0)|list }}",
    "slice": "{{ [1]|slice(10 ** 9, 0)|list }}",
    "tojson indent": "{{ range(1000)|list|tojson(indent=10 ** 6) }}",
    "list product": "{{ [1] * 10 ** 6 * 10 ** 6 }}",
    "range": "{% for i in range(10 ** 12) %}{% endfor %}",
}
# Neither of these allocates in one call the sandbox can see: only the child's limits stop them.
SPINS = "{% for i in range(10 ** 6) %}{% for j in range(10 ** 6) %}{% endfor %}{% endfor %}"
HOARDS = (
    "{% set s = 'x' * 1000000 %}{% set ns = namespace(l=[]) %}{% for i in range(2000) %}"
    "{% set ns.l = ns.l + [s ~ i] %}{% endfor %}{{ ns.l|length }}"
)
SMALL = Limits(cpu_seconds=1, memory_mib=256)


def _user(tmp_path: Path, text: str, name: str = "mine.txt.j2") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_the_sandbox_refuses_huge_values_at_once(tmp_path: Path, text: str) -> None:
    started = time.process_time()
    with pytest.raises(TemplateProblem) as caught:
        render_user_template({}, _user(tmp_path, "\n" + text))
    assert time.process_time() - started < 1.0
    assert isinstance(caught.value.__cause__, SecurityError), caught.value
    assert caught.value.line == 2
    assert "too large" in caught.value.message or "too long" in caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{{ 'ab'.center(6, '*') }}|{{ 'x'|center(5) }}|{{ '7'.zfill(3) }}", "**ab**|  x  |007"),
        ("{{ '%5.1f'|format(2.25) }}|{{ '%-4s|' % 'ab' }}", "  2.2|ab  |"),
        ("{{ '{:>4}|{:{}}'.format('a', 'b', 3) }}", "   a|b  "),
        ("{{ 2 ** 64 }} {{ (10 ** 20) * (10 ** 20) }}", f"{2**64} {10**40}"),
        ("{{ 'ab' ~ 'cd' + 'ef' }} {{ [1] + [2] }}", "abcdef [1, 2]"),
        ("{{ range(3)|join(', ') }} {{ 'a-b'|replace('-', '+') }}", "0, 1, 2 a+b"),
        ("{{ 'a\nb'|indent(2, first=true) }}", "  a\n  b"),
        ("{{ [1, 2, 3]|batch(2, 0)|list }} {{ {'a': 1}|tojson(indent=2) }}", None),
        ("{{ lipsum(2, html=false)|wordcount > 10 }}", "True"),
    ],
)
def test_ordinary_templates_still_render(tmp_path: Path, text: str, expected: str | None) -> None:
    rendered = render_user_template({}, _user(tmp_path, text))
    if expected is not None:
        assert rendered == expected
    assert rendered


def test_isolated_rendering_is_the_same_text(tmp_path: Path) -> None:
    view = {"contract": {"id": "acme"}, "rows": [{"n": "1"}, {"n": "é"}]}
    path = _user(tmp_path, "{{ contract.id }}{% for r in rows %} {{ r.n }}{% endfor %}\n")
    assert render_isolated(view, path, limits=SMALL) == render_user_template(view, path)


def test_isolated_problem_names_the_line(tmp_path: Path) -> None:
    path = _user(tmp_path, "ok\n{{ 'x'.center(10 ** 9) }}\n")
    with pytest.raises(TemplateProblem) as caught:
        render_isolated({}, path, limits=SMALL)
    assert (caught.value.template, caught.value.line) == (str(path), 2)
    assert "the width of center is too large" in caught.value.message


def test_cpu_time_is_bounded_by_the_child(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateProblem, match=r"exceeded its CPU time limit \(1 s"):
        render_isolated({}, _user(tmp_path, SPINS), limits=SMALL, max_seconds=600)
    assert time.monotonic() - started < 20


def test_memory_is_bounded_by_the_child(tmp_path: Path) -> None:
    with pytest.raises(TemplateProblem, match=r"exceeded its memory limit \(256 MiB"):
        render_isolated({}, _user(tmp_path, HOARDS), limits=Limits(10, 256), max_seconds=600)


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Limits.from_environment() == Limits(10, 512)
    monkeypatch.setenv(CPU_ENV, "3")
    monkeypatch.setenv(MEMORY_ENV, "1024")
    assert Limits.from_environment() == Limits(3, 1024)
    monkeypatch.setenv(MEMORY_ENV, "lots")
    with pytest.raises(ValueError, match="SLAC_TEMPLATE_MEMORY_MIB='lots' is not a"):
        Limits.from_environment()


# ---------------------------------------------------------------- through the command line


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("saved") / "results.json"
    result = CliRunner().invoke(
        cli, ["evaluate", CONTRACT, "--period", "2026-10", "--today", "2026-11-23", "-o", str(path)]
    )
    assert result.exit_code == 0, result.stderr
    return path


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (PAYLOADS["power chain"], ":1: not allowed: the power (in bits) is too large"),
        (PAYLOADS["lipsum"], ":1: not allowed: lipsum(n, max=…): n × max is too large"),
        (PAYLOADS["center"], ":1: not allowed: the width of center is too large"),
        (PAYLOADS["doubling with ~"], ":1: not allowed: the concatenated text is too large"),
        (SPINS, ": the template exceeded its CPU time limit (1 s; SLAC_TEMPLATE_CPU_SECONDS)"),
        (HOARDS, ":1: the template exceeded its memory limit (256 MiB; SLAC_TEMPLATE_MEMORY_MIB)"),
    ],
    ids=["power", "lipsum", "center", "doubling", "cpu", "memory"],
)
def test_the_cli_reports_a_runaway_template(
    saved: Path, tmp_path: Path, text: str, says: str
) -> None:
    template = _user(tmp_path, text)
    output = tmp_path / "statement.txt"
    args = ["render", str(saved), "--contract", CONTRACT, "--template", str(template)]
    result = CliRunner().invoke(
        cli,
        [*args, "-o", str(output), "--today", "2026-11-23"],
        # Only the CPU case needs the short CPU limit: the memory case, on a busy machine, could
        # spend its second (the child's start-up counts) before it has allocated 256 MiB.
        env={CPU_ENV: "1" if text is SPINS else "10", MEMORY_ENV: "256"},
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"slac: error: {template}{says}")
    assert result.stderr.count("\n") == 1  # one line, no traceback
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not output.exists()
    assert list(tmp_path.iterdir()) == [template]  # no scratch file left either


def test_the_cli_reports_a_bad_limit(saved: Path, tmp_path: Path) -> None:
    template = _user(tmp_path, "{{ contract.id }}")
    result = CliRunner().invoke(
        cli,
        ["render", str(saved), "--contract", CONTRACT, "--template", str(template)],
        env={CPU_ENV: "0"},
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"slac: error: {template}: SLAC_TEMPLATE_CPU_SECONDS='0' is not a positive whole number\n"
    )


# ---------------------------------------------------------------- includes stay in the folder


def test_includes_inside_the_folder_work(tmp_path: Path) -> None:
    (tmp_path / "parts").mkdir()
    _user(tmp_path / "parts", "{% macro hi(n) %}hi {{ n }}{% endmacro %}", "m.j2")
    _user(tmp_path, "[{{ name }}]", "inc.j2")
    path = _user(tmp_path, "{% import 'parts/m.j2' as m %}{{ m.hi(1) }} {% include 'inc.j2' %}")
    assert render_user_template({"name": "a"}, path) == "hi 1 [a]"


@pytest.mark.parametrize("tag", ["include", "import", "extends"])
def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path, tag: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "leak.j2").symlink_to(secret)
    statement = {"include": "{% include 'leak.j2' %}", "import": "{% import 'leak.j2' as x %}"}
    path = _user(folder, statement.get(tag, "{% extends 'leak.j2' %}"))
    with pytest.raises(TemplateProblem) as caught:
        render_user_template({}, path)
    assert "leads outside the template's folder" in caught.value.message
    assert "TOP SECRET" not in str(caught.value)


def test_a_template_named_through_a_symlink_includes_beside_its_real_file(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    _user(real, "part", "part.j2")
    _user(real, "{% include 'part.j2' %}!", "main.j2")
    link = tmp_path / "link.j2"
    link.symlink_to(real / "main.j2")
    assert render_user_template({}, link) == "part!"
