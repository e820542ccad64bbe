"""Compliance statements: a statement's view (:mod:`slac.documents.view`) rendered through
Jinja2 templates.

:func:`render_statement` renders a packaged template (``statement.md.j2``,
``statement.txt.j2``, ``statement.html.j2``, ``credit-note.md.j2``); :func:`render_user_template`
renders a user's own template in a sandbox, with its output size and run time bounded;
:func:`render_pdf` prints the HTML statement.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

import slac

FORMATS = {
    "md": "statement.md.j2",
    "txt": "statement.txt.j2",
    "html": "statement.html.j2",
    "credit-note": "credit-note.md.j2",
}
MAX_OUTPUT = 10 * 1024 * 1024  # characters a user template may write
MAX_SECONDS = 10.0  # wall-clock time a user template may run
MAX_SEQUENCE = 1_000_000  # longest string or list a user template may build with * or range


class TemplateProblem(Exception):
    """A template failed: ``message`` says why, ``template`` and ``line`` say where."""

    def __init__(self, message: str, template: str | None = None, line: int | None = None):
        self.message = message
        self.template = template
        self.line = line
        where = template or "<template>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


def template_dirs() -> list[Path]:
    """Where the packaged templates are: beside the package (installed), then the repo's."""
    package = Path(slac.__file__).resolve().parent
    candidates = [package / "templates", package.parents[1] / "templates"]
    return [path for path in candidates if path.is_dir()]


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(path) for path in template_dirs()]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_statement(view: Mapping[str, Any], fmt: str) -> str:
    """Render the packaged statement template for ``fmt`` (``md``, ``txt`` or ``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown statement format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not template_dirs():
        raise TemplateProblem("the statement templates are not installed", FORMATS[fmt])
    template = _environment().get_template(FORMATS[fmt])
    try:
        return template.render(view)
    except jinja2.TemplateError as exc:
        raise _problem(exc, FORMATS[fmt]) from exc


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """A sandbox that also refuses huge sequences and stops after a deadline."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, seconds: float = MAX_SECONDS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = time.monotonic() + seconds
        self.globals["range"] = self._range

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError("the template ran out of time")

    def _range(self, *args: int) -> range:
        self.check_time()
        numbers = range(*args)
        if len(numbers) > MAX_SEQUENCE:
            raise SecurityError(f"range is too long ({len(numbers)} > {MAX_SEQUENCE} items)")
        return numbers

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(count, int)
                if sized and len(seq) * count > MAX_SEQUENCE:
                    raise SecurityError(
                        f"the sequence would be too long ({len(seq) * count} items)"
                    )
            return left * right
        if operator == "**":
            if isinstance(right, int) and abs(right) > 1000:
                raise SecurityError(f"the exponent is too large ({right})")
            return left**right
        return super().call_binop(context, operator, left, right)  # pragma: no cover

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_time()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.check_time()
        return super().getitem(obj, argument)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self.check_time()
        return super().call(__context, __obj, *args, **kwargs)


def render_user_template(
    view: Mapping[str, Any],
    template_path: str | Path,
    *,
    max_output: int = MAX_OUTPUT,
    max_seconds: float = MAX_SECONDS,
) -> str:
    """Render a user's own template with ``view`` in a sandbox.

    The template cannot reach Python internals (``ImmutableSandboxedEnvironment``), every
    undefined name is an error (``StrictUndefined``), ``.html``/``.htm`` templates are
    autoescaped, its output is bounded by ``max_output`` characters and its run time by
    ``max_seconds`` (checked at each output chunk, attribute, item, call and operator; a loop
    that does none of these is bounded only by the sequences it iterates). Every failure is a
    :class:`TemplateProblem` naming the template and, where known, the line; the original
    Jinja2 exception (``UndefinedError``, ``SecurityError``, ``TemplateSyntaxError``) is its
    ``__cause__``.
    """
    path = Path(template_path)
    name = path.name
    if not path.is_file():
        raise TemplateProblem("template not found", str(path))
    env = _BoundedSandbox(
        loader=jinja2.FileSystemLoader(str(path.parent)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "htm"], default_for_string=False),
        keep_trailing_newline=True,
        seconds=max_seconds,
    )
    try:
        template = env.get_template(name)
        chunks: list[str] = []
        size = 0
        stream: Iterator[str] = template.generate(dict(view))
        for chunk in stream:
            size += len(chunk)
            if size > max_output:
                raise TemplateProblem(
                    f"the output is larger than {max_output} characters", str(path)
                )
            env.check_time()
            chunks.append(chunk)
        return "".join(chunks)
    except jinja2.TemplateError as exc:
        raise _problem(exc, str(path)) from exc
    except TemplateProblem:
        raise
    except Exception as exc:  # a filter or test failing on the template's data
        raise _problem(exc, str(path)) from exc


def _problem(exc: BaseException, template: str) -> TemplateProblem:
    """A :class:`TemplateProblem` for ``exc``, with the template line it happened on."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateProblem(f"syntax error: {exc.message}", template, exc.lineno)
    line = None
    basename = Path(template).name
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and Path(frame.filename).name == basename:
            line = frame.lineno
    kind = {
        jinja2.UndefinedError: "undefined name",
        SecurityError: "not allowed",
    }
    label = next((text for cls, text in kind.items() if isinstance(exc, cls)), "error")
    message = str(exc) if not isinstance(exc, jinja2.TemplateError) else exc.message or str(exc)
    return TemplateProblem(f"{label}: {message}", template, line)


def render_pdf(view: Mapping[str, Any]) -> bytes:
    """The HTML statement printed to PDF (optional extra ``slac[pdf]``: WeasyPrint)."""
    try:
        import weasyprint
    except ImportError as exc:  # the optional extra is not installed
        raise TemplateProblem(
            "PDF output needs the optional extra: pip install 'slac[pdf]'", FORMATS["html"]
        ) from exc
    html = render_statement(view, "html")
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
