"""Safe YAML loading: bytes → :class:`SourceDocument` with a position for every value.

PyYAML's loaders construct Python objects with YAML 1.1 rules (``no`` → False, ``1:30`` → 90,
``010`` → 8, dates → ``date``), keep the last of duplicate keys silently, expand alias bombs and
overflow the stack on deep nesting. slac never uses them: it walks the *event* stream (libyaml's
parser when available, which is iterative) and builds the tree itself, so that it can

- resolve plain scalars by a small, strict table (everything that is not clearly a number, a
  boolean or null stays a string, exactly as written),
- refuse duplicate keys, tags, directives and several documents,
- bound nesting depth, alias count and the size of alias expansion before any of it is built,
- record the 1-based line:column of every key and value (converted from 0-based marks here and
  nowhere else).
"""

from __future__ import annotations

import copy
import gc
import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from slac.diagnostics import Diagnostic, Location, Severity

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 50
MAX_NODES = 50_000
# Python converts at most this many digits between text and int (sys.int_info); a longer
# integer could not even be shown in a finding.
MAX_INT_DIGITS = 4300

_Parser: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(
    r"[-+]?(?:0|[1-9][0-9]*)?(?:\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?(?:0|[1-9][0-9]*)\.(?:[eE][-+]?[0-9]+)?|[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+"
)

Key = str | int
Path = tuple[Key, ...]


class Pos:
    """Where a value (and, for a mapping entry, its key) stands in its file."""

    __slots__ = ("children", "key", "value")

    def __init__(
        self, value: Location, key: Location | None = None, children: dict[Key, Pos] | None = None
    ) -> None:
        self.value = value
        self.key = key
        self.children: dict[Key, Pos] = {} if children is None else children

    def find(self, path: Path) -> tuple[Pos, int]:
        """The deepest recorded node along ``path`` and how many steps of it were found."""
        node, depth = self, 0
        for step in path:
            child = node.children.get(step)
            if child is None:
                break
            node, depth = child, depth + 1
        return node, depth


@dataclass(frozen=True)
class SourceDocument:
    """A YAML file read safely: plain data plus the position of every value."""

    path: str
    data: Any
    pos: Pos
    sha256: str
    lines: tuple[str, ...] = ()

    def locate(self, path: Path, *, key: bool = False) -> Location:
        return locate(self.pos, path, key=key)


def locate(pos: Pos, path: Path, *, key: bool = False) -> Location:
    node, depth = pos.find(path)
    if key and depth == len(path) and node.key is not None:
        return node.key
    # A path that goes deeper than what was recorded (a missing key, say) points at its
    # nearest existing ancestor's key, which is where a person would add it.
    if depth < len(path) and node.key is not None:
        return node.key
    return node.value


@dataclass(frozen=True)
class LoadResult:
    document: SourceDocument | None
    diagnostics: tuple[Diagnostic, ...]


class _LoadError(Exception):
    def __init__(self, code: str, message: str, location: Location, hint: str = "") -> None:
        super().__init__(message)
        self.diagnostic = Diagnostic(code, Severity.ERROR, message, location, hint)


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar. Anything ambiguous stays the string that was written."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text) if len(text.lstrip("+-")) <= MAX_INT_DIGITS else text
    if _FLOAT.fullmatch(text):
        # `1e400` overflows to infinity: text, as `.inf` is.
        number = float(text)
        return number if math.isfinite(number) else text
    return text


def load_text(path: str, raw: bytes) -> LoadResult:
    """Read ``raw`` (the bytes of the file named ``path``) into a :class:`SourceDocument`."""
    collecting = gc.isenabled()
    # The loader makes many small containers and no reference cycles: a garbage collection
    # while it runs finds nothing to free, and cost a third of the loading time.
    gc.disable()
    try:
        text = _decode(path, raw)
        data, pos = _Builder(path).build(text)
    except _LoadError as err:
        return LoadResult(None, (err.diagnostic,))
    finally:
        if collecting:
            gc.enable()
    digest = hashlib.sha256(raw).hexdigest()
    return LoadResult(SourceDocument(path, data, pos, digest, tuple(text.splitlines())), ())


def read_source(path: str) -> bytes | Diagnostic:
    """A file's bytes (one more than :data:`MAX_BYTES` at most, so that size is refused
    without reading everything), or the finding that it cannot be read (code L000)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as err:
        reason = err.strerror or str(err)
        return Diagnostic("L000", Severity.ERROR, f"cannot read file: {reason}", Location(path))


def load_file(path: str) -> LoadResult:
    """Read a file from disk. An unreadable path is a finding too (code L000)."""
    raw = read_source(path)
    if isinstance(raw, Diagnostic):
        return LoadResult(None, (raw,))
    return load_text(path, raw)


def _decode(path: str, raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise _LoadError(
            "L006",
            f"file is larger than {MAX_BYTES // 1024} KiB",
            Location(path, 1, 1),
            "a contract is far smaller than this; split it with `extends` if it really grew",
        )
    if b"\x00" in raw:
        line, col = _line_col(raw, raw.index(b"\x00"))
        raise _LoadError(
            "L008", "file is binary (contains a NUL byte), not YAML text", Location(path, line, col)
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line, col = _line_col(raw, err.start)
        raise _LoadError(
            "L008",
            f"file is not valid UTF-8 (byte 0x{raw[err.start]:02x})",
            Location(path, line, col),
            "save the file as UTF-8",
        ) from None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        raise _LoadError(
            "L007",
            "file is empty",
            Location(path, 1, 1),
            "a contract starts with `slac: 1`; see docs/language.md",
        )
    return text


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    start = before.rfind(b"\n") + 1
    col = len(before[start:].decode("utf-8", errors="replace")) + 1
    return line, col


class _Unusual(Exception):
    """A document that :meth:`_Builder._from_nodes` leaves to the event stream."""


# Anchors and aliases (`&`; an alias needs its anchor), merge keys and directives: a node tree
# does not show where an alias stands, nor directives. Any `&` or `<<` in the text, even in a
# string, and any line starting with `%` sends a file down the event path: slower, never wrong.
_UNUSUAL = re.compile(r"&|<<|^%", re.MULTILINE)

# libyaml composes nodes recursively: a nesting bomb (50,000 `[`) overflows the C stack of
# PyYAML < 6.0.4, whose libyaml does not refuse deep nesting itself. Each level of nesting needs
# an indicator of its own (`[`, `{`, `-`, `:`, `?`), so a text with few of them cannot nest
# deeply; any other text takes the event path, which never recurses.
MAX_COMPOSED_INDICATORS = 2_000


def may_compose(text: str) -> bool:
    """Whether the node tree may be composed for ``text`` (:meth:`_Builder._from_nodes`)."""
    if _UNUSUAL.search(text):
        return False
    return sum(text.count(c) for c in "[{-:?") <= MAX_COMPOSED_INDICATORS


if hasattr(yaml, "CSafeLoader"):
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _NodeComposer(CParser):
        """libyaml's composer, with every implicit tag resolved to "": slac resolves scalars
        itself (:func:`resolve_plain`), and any other tag was written in the file."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return ""

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

    _Composer: Any = _NodeComposer
else:  # pure-Python PyYAML: composing in Python would be no faster than the events
    _Composer = None


@dataclass
class _Frame:
    kind: str  # "map" or "seq"
    value: Any
    pos: Pos
    anchor: str | None
    size: int = 1
    pending_key: tuple[str, Location] | None = None
    merges: list[tuple[Any, Pos]] = field(default_factory=list)


class _Builder:
    def __init__(self, path: str) -> None:
        self.path = path
        self.anchors: dict[str, tuple[Any, Pos, int]] = {}
        self.aliases = 0
        self.nodes = 0

    def loc(self, mark: Any) -> Location:
        # 0-based parser marks → 1-based positions (inlined in the scalar path of _build).
        return Location(self.path, mark.line + 1, mark.column + 1)

    def build(self, text: str) -> tuple[Any, Pos]:
        if _Composer is not None and may_compose(text):
            try:
                return self._from_nodes(text)
            except (_Unusual, yaml.YAMLError):
                pass  # the event stream below finds what it is, where, as always
        try:
            return self._build(yaml.parse(text, Loader=_Parser))
        except yaml.MarkedYAMLError as err:
            if "maximum nesting depth" in str(err.problem) and err.problem_mark is not None:
                self._nesting(text, err.problem_mark)
            raise self._syntax(err, text.splitlines()) from None
        except yaml.YAMLError as err:  # errors without a mark (rare): still a finding
            raise _LoadError("L001", f"YAML error: {err}", Location(self.path, 1, 1)) from None

    def _from_nodes(self, text: str) -> tuple[Any, Pos]:
        """The common case fast: libyaml composes the node tree (in C), and one walk over it
        builds what :meth:`_build` builds from the events. Whatever needs the events (an
        error of any kind, a tag, a duplicate key, nesting past the limit, many values) raises
        :class:`_Unusual`, and the events are read instead, so that every finding is theirs.
        Anchors, aliases, merge keys and directives never come here (:data:`_UNUSUAL`)."""
        assert _Composer is not None
        composer = _Composer(text)
        try:
            node = composer.get_single_node()
        finally:
            composer.dispose()
        if node is None:
            raise _Unusual
        self.nodes = 0
        return self._node(node, 1)

    def _node(self, node: Any, depth: int) -> tuple[Any, Pos]:
        if node.tag:  # explicit: the composer resolves every other tag to ""
            raise _Unusual
        self.nodes += 1
        mark = node.start_mark
        where = Location(self.path, mark.line + 1, mark.column + 1)
        kind = type(node)
        if kind is yaml.ScalarNode:
            return (node.value if node.style else resolve_plain(node.value)), Pos(where)
        if depth > MAX_DEPTH or self.nodes > MAX_NODES:
            raise _Unusual
        children: dict[Key, Pos] = {}
        if kind is yaml.SequenceNode:
            items: list[Any] = []
            for index, item in enumerate(node.value):
                value, pos = self._node(item, depth + 1)
                items.append(value)
                children[index] = pos
            return items, Pos(where, None, children)
        mapping: dict[str, Any] = {}
        path = self.path
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode or key_node.tag:
                raise _Unusual
            key = key_node.value
            if key in mapping:
                raise _Unusual
            self.nodes += 1
            value, pos = self._node(value_node, depth + 1)
            mark = key_node.start_mark
            pos.key = Location(path, mark.line + 1, mark.column + 1)
            mapping[key] = value
            children[key] = pos
        return mapping, Pos(where, None, children)

    def _nesting(self, text: str, mark: Any) -> None:
        """Raise slac's own L004 for nesting that the parser refused by its own, larger limit.

        PyYAML ≥ 6.0.4 refuses about 1,000 levels while *scanning ahead*, before slac sees the
        events of the first 64: reading the text up to that point again lets slac's limit fire
        first, at the position of the level it refuses, whatever libyaml's limit is.
        """
        lines = text.splitlines(keepends=True)
        offset = sum(len(line) for line in lines[: mark.line]) + mark.column
        retry = _Builder(self.path)
        try:
            retry._build(yaml.parse(text[:offset], Loader=_Parser))
        except _LoadError as err:
            if err.diagnostic.code == "L004":
                raise
        except yaml.YAMLError:
            pass
        raise _LoadError(
            "L004",
            f"values are nested more than {MAX_DEPTH} levels deep",
            self.loc(mark),
            "a contract never needs this; the file may be malformed or hostile",
        )

    def _syntax(self, err: yaml.MarkedYAMLError, lines: list[str]) -> _LoadError:
        mark = err.problem_mark or err.context_mark
        where = self.loc(mark) if mark is not None else Location(self.path, 1, 1)
        problem = err.problem or "invalid YAML"
        message = f"YAML syntax error: {problem}"
        if err.context:
            message += f" ({err.context}"
            ctx = err.context_mark
            if ctx is not None and mark is not None and ctx.line != mark.line:
                message += f" that starts at line {ctx.line + 1}, column {ctx.column + 1}"
            message += ")"
        hint = "check the indentation and quoting on this line and the one before it"
        line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
        indent = line[: len(line) - len(line.lstrip())]
        if "\t" in problem or "\t" in indent or line[where.column - 1 : where.column] == "\t":
            return _LoadError(
                "L002",
                "tab character used for indentation",
                where,
                "YAML indents with spaces only: replace the tab with spaces",
            )
        if "found undefined alias" in problem or "found unknown alias" in problem:
            return _LoadError(
                "L005", f"alias refers to an anchor that is not defined (yet): {problem}", where
            )
        return _LoadError("L001", message, where, hint)

    def _build(self, events: Iterator[Any]) -> tuple[Any, Pos]:
        stack: list[_Frame] = []
        root: tuple[Any, Pos] | None = None
        documents = 0
        path = self.path
        # Exact type checks, most frequent first: this loop runs once per YAML event.
        scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
        starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        for event in events:
            kind = type(event)
            if kind is scalar:
                if event.tag and event.tag != "!":
                    self._check_tag(event)
                self.nodes += 1
                mark = event.start_mark
                # The one place where the parser's 0-based marks become 1-based positions.
                where = Location(path, mark.line + 1, mark.column + 1)
                top = stack[-1] if stack else None
                if top is not None and top.kind == "map" and top.pending_key is None:
                    top.pending_key = (event.value, where)
                    continue
                value = event.value if event.style else resolve_plain(event.value)
                pos = Pos(where)
                if event.anchor:
                    self.anchors[event.anchor] = (value, pos, 1)
                root = self._attach(stack, value, pos, 1, event, root)
                continue
            if kind in starts:
                self._check_tag(event)
                if len(stack) >= MAX_DEPTH:
                    raise _LoadError(
                        "L004",
                        f"values are nested more than {MAX_DEPTH} levels deep",
                        self.loc(event.start_mark),
                        "a contract never needs this; the file may be malformed or hostile",
                    )
                self._count(1, event)
                is_map = kind is yaml.MappingStartEvent
                frame = _Frame(
                    "map" if is_map else "seq",
                    {} if is_map else [],
                    Pos(self.loc(event.start_mark)),
                    event.anchor,
                )
                stack.append(frame)
                continue
            if kind in ends:
                frame = stack.pop()
                if frame.kind == "map":
                    self._apply_merges(frame)
                self._remember(frame.anchor, frame.value, frame.pos, frame.size)
                root = self._attach(stack, frame.value, frame.pos, frame.size, event, root)
                continue
            if kind is alias:
                root = self._alias(event, stack, root)
                continue
            if kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _LoadError(
                        "L009",
                        "file holds more than one YAML document",
                        self.loc(event.start_mark),
                        "one contract per file: remove the `---` separator or split the file",
                    )
                if event.version or event.tags:
                    raise _LoadError(
                        "L010",
                        "YAML directives (%YAML, %TAG) are not allowed",
                        self.loc(event.start_mark),
                        "remove the directive line; slac reads its own strict YAML subset",
                    )
        if root is None:
            raise _LoadError("L007", "file is empty", Location(self.path, 1, 1))
        return root

    def _alias(
        self, event: Any, stack: list[_Frame], root: tuple[Any, Pos] | None
    ) -> tuple[Any, Pos] | None:
        self.aliases += 1
        where = self.loc(event.start_mark)
        if self.aliases > MAX_ALIASES:
            raise _LoadError(
                "L005",
                f"more than {MAX_ALIASES} aliases",
                where,
                "aliases are refused in bulk to stop 'billion laughs' files; "
                "write the values out or use `extends`",
            )
        if event.anchor not in self.anchors:
            raise _LoadError(
                "L005",
                f"alias *{event.anchor} refers to an anchor that is not defined, "
                "or to the value that contains it",
                where,
            )
        value, _, size = self.anchors[event.anchor]
        self._count(size, event)
        if stack and stack[-1].kind == "map" and stack[-1].pending_key is None:
            raise _LoadError("L011", "an alias cannot be used as a mapping key", where)
        return self._attach(stack, copy.deepcopy(value), Pos(where), size, event, root)

    def _check_tag(self, event: Any) -> None:
        tag = getattr(event, "tag", None)
        if tag and tag != "!":
            raise _LoadError(
                "L010",
                f"YAML tags are not allowed (found {tag})",
                self.loc(event.start_mark),
                "remove the tag; quote the value if you meant a string",
            )

    def _count(self, n: int, event: Any) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            raise _LoadError(
                "L005",
                f"the document expands to more than {MAX_NODES} values",
                self.loc(event.start_mark),
                "this looks like an alias bomb ('billion laughs'); a contract is far smaller",
            )

    def _remember(self, anchor: str | None, value: Any, pos: Pos, size: int) -> None:
        if anchor:
            self.anchors[anchor] = (value, pos, size)

    def _attach(
        self,
        stack: list[_Frame],
        value: Any,
        pos: Pos,
        size: int,
        event: Any,
        root: tuple[Any, Pos] | None,
    ) -> tuple[Any, Pos] | None:
        if not stack:
            return value, pos
        parent = stack[-1]
        parent.size += size
        if parent.kind == "seq":
            pos.key = None
            parent.pos.children[len(parent.value)] = pos
            parent.value.append(value)
            return root
        if parent.pending_key is None:
            # A mapping or sequence used as a key: YAML allows it, contracts never need it.
            raise _LoadError(
                "L011",
                "mapping keys must be plain text, not a mapping or list",
                self.loc(event.start_mark),
            )
        key, key_loc = parent.pending_key
        parent.pending_key = None
        if key == "<<":
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, dict):
                    raise _LoadError(
                        "L011", "a merge key (<<) takes a mapping or a list of mappings", key_loc
                    )
                parent.merges.append((item, pos))
            return root
        if key in parent.value:
            first = parent.pos.children[key].key
            raise _LoadError(
                "L003",
                f"duplicate key '{key}'"
                + (f" (first defined at line {first.line})" if first else ""),
                key_loc,
                "YAML keeps only the last of duplicate keys; remove or rename one of them",
            )
        pos.key = key_loc
        parent.pos.children[key] = pos
        parent.value[key] = value
        return root

    def _apply_merges(self, frame: _Frame) -> None:
        # YAML merge keys: explicit keys win, then earlier merged mappings win over later ones.
        for item, pos in frame.merges:
            for key, value in item.items():
                if key not in frame.value:
                    frame.value[key] = value
                    frame.pos.children[key] = Pos(pos.value, pos.value)
