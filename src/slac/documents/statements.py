"""Compliance statements: a statement's view (:mod:`slac.documents.view`) rendered through
Jinja2 templates.

:func:`render_statement` renders a packaged template (``statement.md.j2``,
``statement.txt.j2``, ``statement.html.j2``, ``credit-note.md.j2``); :func:`render_user_template`
renders a user's own template in a sandbox, with its output size and run time bounded;
:func:`render_pdf` prints the HTML statement.

Both speak the view's ``locale``: templates have Jinja2's i18n extension (``{% trans %}``,
``_()``, ``gettext()``, ``ngettext()``, new-style: ``_("Period %(period)s", period=p.period)``)
with the catalog of that language (:mod:`slac.documents.locales`).
"""

from __future__ import annotations

import contextlib
import os
import re
import string
import time
import traceback
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum, pass_eval_context

import slac
from slac.documents.locales import LocaleError, language

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


def _environment(locale: str, template: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(path) for path in template_dirs()]),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    _speak(env, locale, template)
    return env


def _speak(env: jinja2.Environment, locale: str, template: str) -> None:
    """Give ``env``'s templates the catalog of ``locale``: ``_``, ``gettext``, ``ngettext``."""
    try:
        translations = language(locale).translations
    except LocaleError as err:
        raise TemplateProblem(str(err), template) from None
    # New-style: placeholders are named and filled (and escaped) by Jinja, and a translation
    # missing a placeholder fails loudly instead of printing it raw.
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]


def render_statement(view: Mapping[str, Any], fmt: str) -> str:
    """Render the packaged statement template for ``fmt`` (``md``, ``txt`` or ``html``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown statement format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not template_dirs():
        raise TemplateProblem("the statement templates are not installed", FORMATS[fmt])
    locale = str(view.get("locale", "en"))
    template = _environment(locale, FORMATS[fmt]).get_template(FORMATS[fmt])
    try:
        return template.render(view)
    except jinja2.TemplateError as exc:
        raise _problem(exc, FORMATS[fmt]) from exc


MAX_INT_BITS = 1 << 16  # largest integer (about 20,000 digits) a user template may compute
MAX_LOREM_WORDS = 100_000  # words lipsum() may produce
# str methods whose first argument is the width of the string they allocate
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBER = re.compile(r"\d+")


def _too_big(size: int, limit: int, what: str) -> None:
    if size > limit:
        raise SecurityError(f"{what} is too large ({size} > {limit})")


def _check_widths(widths: Iterable[str], args: Iterable[Any], what: str) -> None:
    """Refuse a format whose field width or precision would allocate more than
    ``MAX_SEQUENCE`` characters: written in the format (``%1000000000d``), or taken from an
    argument (``%*d``, ``{:{}}``), in which case every integer argument is a candidate."""
    starred = False
    for width in widths:
        if width in ("*", "{"):
            starred = True
        elif width:
            _too_big(int(width), MAX_SEQUENCE, f"the field width in {what}")
    if starred:
        for arg in args:
            if isinstance(arg, int):
                _too_big(abs(arg), MAX_SEQUENCE, f"the field width in {what}")


def _percent_widths(fmt: str) -> list[str]:
    return [w for m in _PERCENT_SPEC.finditer(fmt) for w in m.groups() if w]


def _brace_widths(fmt: str) -> list[str]:
    widths: list[str] = []
    for _, _, spec, _ in string.Formatter().parse(fmt):
        if spec:
            widths.extend(_NUMBER.findall(spec))
            if "{" in spec:
                widths.append("{")
    return widths


def _format_args(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> list[Any]:
    values = list(args) + list(kwargs.values())
    for value in list(values):  # '%*d' % (w, n) passes a tuple, '%(w)s' % {...} a mapping
        if isinstance(value, tuple | list):
            values.extend(value)
        elif isinstance(value, Mapping):
            values.extend(value.values())
    return values


class _BoundedCodeGenerator(CodeGenerator):
    """Compiles ``a ~ b`` through :meth:`_BoundedSandbox.checked_join`, so that doubling a
    string in a loop stops at the output bound instead of at the machine's memory."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_join(")
        super().visit_Concat(node, frame)
        self.write(")")


class _BoundedSandbox(ImmutableSandboxedEnvironment):
    """A sandbox that also refuses to allocate huge values and stops after a deadline.

    These checks are cheap and name the template's line; the child process that renders a
    user's template (:mod:`slac.documents.isolated`) bounds CPU time and memory for whatever
    they miss.
    """

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _BoundedCodeGenerator

    def __init__(
        self,
        *args: Any,
        seconds: float = MAX_SECONDS,
        max_output: int = MAX_OUTPUT,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = time.monotonic() + seconds
        self.max_output = max_output
        self.globals["range"] = self._range
        self.globals["lipsum"] = self._lipsum
        self.filters.update(self._bounded_filters())

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError("the template ran out of time")

    def _range(self, *args: int) -> range:
        self.check_time()
        numbers = range(*args)
        if len(numbers) > MAX_SEQUENCE:
            raise SecurityError(f"range is too long ({len(numbers)} > {MAX_SEQUENCE} items)")
        return numbers

    def _lipsum(self, n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        _too_big(n * max, MAX_LOREM_WORDS, "lipsum(n, max=…): n × max")
        return str(generate_lorem_ipsum(n, html, min, max))

    def _bounded_filters(self) -> dict[str, Callable[..., Any]]:
        """The built-in filters that allocate in proportion to an argument, checked first."""
        base = dict(self.filters)

        def center(value: Any, width: int = 80) -> Any:
            _too_big(width, MAX_SEQUENCE, "the width of center")
            return base["center"](value, width)

        def indent(value: Any, width: int | str = 4, *args: Any, **kwargs: Any) -> Any:
            lines = str(value).count("\n") + 1
            size = (width if isinstance(width, int) else len(width)) * lines
            _too_big(size, self.max_output, "the indented text")
            return base["indent"](value, width, *args, **kwargs)

        def format_(value: Any, *args: Any, **kwargs: Any) -> Any:
            _check_widths(_percent_widths(str(value)), _format_args(args, kwargs), "format")
            return base["format"](value, *args, **kwargs)

        def join(ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
            items = list(value) if not isinstance(value, Sized) else value
            _too_big(len(str(d)) * len(items), self.max_output, "the joined text")
            return base["join"](ctx, items, d, attribute)

        def replace(ctx: Any, s: Any, old: str, new: str, count: int | None = None) -> Any:
            self._check_replace(str(s), str(old), str(new), count)
            return base["replace"](ctx, s, old, new, count)

        def batch(value: Any, linecount: int, fill_with: Any = None) -> Any:
            _too_big(linecount, MAX_SEQUENCE, "the batch size")
            return base["batch"](value, linecount, fill_with)

        def slice_(value: Any, slices: int, fill_with: Any = None) -> Any:
            _too_big(slices, MAX_SEQUENCE, "the number of slices")
            return base["slice"](value, slices, fill_with)

        def tojson(ctx: Any, value: Any, indent: int | None = None) -> Any:
            _too_big(indent or 0, 1000, "the indent of tojson")
            return base["tojson"](ctx, value, indent)

        wrapped: dict[str, Callable[..., Any]] = {
            "center": center,
            "indent": indent,
            "format": format_,
            "join": pass_eval_context(join),
            "replace": pass_eval_context(replace),
            "batch": batch,
            "slice": slice_,
            "tojson": pass_eval_context(tojson),
        }
        return wrapped

    def _check_replace(self, s: str, old: str, new: str, count: int | None) -> None:
        hits = len(s) + 1 if not old else s.count(old)
        if count is not None and count >= 0:
            hits = min(hits, count)
        _too_big(len(s) + hits * max(0, len(new) - len(old)), self.max_output, "the replaced text")

    def checked_join(self, joined: Any) -> Any:
        """``a ~ b`` after it ran: the parts were already bounded, so the string it built is at
        most twice the bound, and the next doubling is refused."""
        self.check_time()
        _too_big(len(joined), self.max_output, "the concatenated text")
        return joined

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.check_time()
        sequence = (str, list, tuple)
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, sequence) and isinstance(count, int):
                    _too_big(len(seq) * count, MAX_SEQUENCE, "the sequence")
            if isinstance(left, int) and isinstance(right, int):
                size = left.bit_length() + right.bit_length()
                _too_big(size, MAX_INT_BITS, "the product (in bits)")
            return left * right
        if operator == "**":
            if isinstance(right, int) and abs(right) > 1000:
                raise SecurityError(f"the exponent is too large ({right})")
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                _too_big(left.bit_length() * right, MAX_INT_BITS, "the power (in bits)")
            return left**right
        if operator == "+":
            if isinstance(left, sequence) and isinstance(right, sequence):
                _too_big(len(left) + len(right), self.max_output, "the sum")
            return left + right
        if operator == "%":
            if isinstance(left, str):
                args = right if isinstance(right, tuple) else (right,)
                _check_widths(_percent_widths(left), _format_args(args, {}), "%")
            return left % right
        return super().call_binop(context, operator, left, right)  # pragma: no cover

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt = str(value.__self__)

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_widths(_brace_widths(fmt), _format_args(args, kwargs), "format")
            return wrapper(*args, **kwargs)

        return checked

    def getattr(self, obj: Any, attribute: str) -> Any:
        self.check_time()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.check_time()
        return super().getitem(obj, argument)

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        self.check_time()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and isinstance(__obj, types.BuiltinMethodType):
            self._check_str_method(owner, __obj.__name__, args)
        return super().call(__context, __obj, *args, **kwargs)

    def _check_str_method(self, s: str, name: str, args: tuple[Any, ...]) -> None:
        first = args[0] if args else None
        if name in _WIDTH_METHODS and isinstance(first, int):
            _too_big(first, MAX_SEQUENCE, f"the width of {name}")
        elif name == "expandtabs" and isinstance(first, int):
            _too_big(first * s.count("\t"), self.max_output, "the expanded text")
        elif name == "replace" and len(args) >= 2:
            count = args[2] if len(args) > 2 and isinstance(args[2], int) else None
            self._check_replace(s, str(args[0]), str(args[1]), count)
        elif name == "join" and isinstance(first, Sized):
            _too_big(len(s) * len(first), self.max_output, "the joined text")


class _ContainedLoader(jinja2.FileSystemLoader):
    """Loads only files whose real path is inside the template's folder: an ``{% include %}``,
    ``{% import %}`` or ``{% extends %}`` of a symlink pointing elsewhere (``/etc/passwd``, a
    secrets folder) is refused, as ``..`` already is."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(filename).resolve().is_relative_to(self.folder):
            raise SecurityError(f"{template!r} leads outside the template's folder {self.folder}")
        return source, filename, uptodate


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
    ``__cause__``. ``_``, ``gettext`` and ``ngettext`` translate through slac's catalog for
    the view's ``locale`` (a message the catalog lacks stays as written).
    """
    path = Path(template_path)
    name = path.resolve().name  # the file itself when the user named a symlink to it
    if not path.is_file():
        raise TemplateProblem("template not found", str(path))
    env = _BoundedSandbox(
        # The folder of the template itself, after its own symlinks: the user named that file.
        loader=_ContainedLoader(path.resolve().parent),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(["html", "htm"], default_for_string=False),
        keep_trailing_newline=True,
        seconds=max_seconds,
        max_output=max_output,
        extensions=["jinja2.ext.i18n"],
    )
    _speak(env, str(view.get("locale", "en")), str(path))
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
    basename = Path(template).resolve().name
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
    # The fonts WeasyPrint embeds are subset by fontTools, which stamps each subset's `head`
    # table with the time of writing unless SOURCE_DATE_EPOCH (reproducible-builds.org) is set:
    # without it two renderings a second apart differ. A value the user set is kept.
    with _source_date_epoch("0"):
        pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


@contextlib.contextmanager
def _source_date_epoch(value: str) -> Iterator[None]:
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
