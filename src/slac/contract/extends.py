"""Templates: resolve ``extends`` and deep-merge, keeping every value's position.

Merge rules (documented in docs/language.md, "extends and how templates merge"):

- mappings merge key by key, recursively; ``key: null`` in the extending file removes the key;
- lists of objects with an ``id`` (:data:`ID_LISTS`) merge by id: same id → deep merge, new ids
  are appended in order, ``{id: x, remove: true}`` removes inherited ``x``;
- every other list is replaced whole;
- ``kind`` and ``extends`` are never inherited.

Values keep the file:line:col where they were written, so a finding about an inherited tier
points into the template that defines it.

Templates stay inside the contract's repository (the nearest folder above the contract that
holds ``.git``) or, outside any repository, inside the contract's folder, symlinks followed: an
``extends`` of ``/etc/passwd`` or ``../../secrets.yaml`` is a finding (X304) that names the path
and nothing of its content, unless ``SLAC_ALLOW_EXTENDS_OUTSIDE=1`` is set. A target that is not
a slac contract or template (no top-level ``slac:`` key) is refused the same way (X305), its
own findings left out, so that its lines never show up as "unknown key" findings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slac.contract.discovery import is_slac_document
from slac.contract.model import ID_LISTS
from slac.contract.source import LoadResult, Path, Pos, SourceDocument, read_source
from slac.diagnostics import Diagnostic, Location, Severity

NOT_INHERITED = frozenset({"kind", "extends"})
MAX_CHAIN = 16
ALLOW_OUTSIDE_ENV = "SLAC_ALLOW_EXTENDS_OUTSIDE"

Loader = Callable[[str], LoadResult]


@dataclass(frozen=True)
class Resolved:
    """A contract with its templates merged in, and every file that went into it."""

    document: SourceDocument  # the merged data and positions (path: the contract's own file)
    sources: tuple[SourceDocument, ...]  # the contract first, then each template once
    diagnostics: tuple[Diagnostic, ...] = field(default=())


def resolve(root: SourceDocument, load: Loader, *, allow_outside: bool | None = None) -> Resolved:
    """Merge ``root`` over everything it extends. ``load`` reads a template (cached by caller).
    Templates outside :func:`boundary` are refused unless ``allow_outside`` (default: the
    environment's ``SLAC_ALLOW_EXTENDS_OUTSIDE``)."""
    if allow_outside is None:
        allow_outside = os.environ.get(ALLOW_OUTSIDE_ENV, "") not in ("", "0")
    sources: dict[str, SourceDocument] = {_key(root.path): root}
    diags: list[Diagnostic] = []
    fence = None if allow_outside else boundary(root.path)
    data, pos = _resolve(root, _Fenced(load, fence), (_key(root.path),), (), sources, diags)
    merged = SourceDocument(root.path, data, pos, root.sha256, root.lines)
    return Resolved(merged, tuple(sources.values()), tuple(diags))


def _key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def boundary(contract_path: str) -> str:
    """The folder a contract's templates must be in: its repository's root (the nearest folder
    above it holding ``.git``, a folder or a worktree's file) or, outside any, the working
    directory when the contract is inside it (a copy of a repository without its ``.git``, run
    from its root, as the README does), else the contract's own folder. A contract on standard
    input is in the working directory."""
    start = os.path.realpath(os.path.dirname(os.path.abspath(contract_path)))
    folder = start
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    here = os.path.realpath(os.getcwd())
    return here if os.path.commonpath([start, here]) == here and here != "/" else start


@dataclass(frozen=True)
class _Fenced:
    """The loader, and the folder its templates must be in (None: anywhere)."""

    load: Loader
    fence: str | None

    def inside(self, target: str) -> bool:
        if self.fence is None:
            return True
        real = os.path.realpath(target)
        return os.path.commonpath([real, self.fence]) == self.fence


def _resolve(
    doc: SourceDocument,
    load: _Fenced,
    chain: tuple[str, ...],
    via: tuple[tuple[Location, Path], ...],
    sources: dict[str, SourceDocument],
    diags: list[Diagnostic],
) -> tuple[Any, Pos]:
    if not isinstance(doc.data, dict) or "extends" not in doc.data:
        return doc.data, doc.pos
    parents = doc.data["extends"]
    items = parents if isinstance(parents, list) else [parents]
    base: Any = {}
    base_pos = Pos(doc.pos.value)
    for index, item in enumerate(items):
        where_path: Path = ("extends", index) if isinstance(parents, list) else ("extends",)
        where = doc.locate(where_path)
        if not isinstance(item, str) or not item.strip():
            continue  # the schema reports the wrong type
        target = os.path.normpath(os.path.join(os.path.dirname(doc.path), item))
        key = _key(target)
        if key in chain:
            start = chain.index(key)
            cycle = " → ".join(os.path.basename(c) for c in (*chain[start:], key))
            # Report where the cycle is entered from the file being checked, if it is.
            at, at_path = via[start] if start < len(via) else (where, where_path)
            diags.append(
                Diagnostic(
                    "X302",
                    Severity.ERROR,
                    f"`extends` makes a cycle: {cycle}",
                    at,
                    "a template cannot extend, directly or not, the file that extends it",
                    at_path,
                )
            )
            continue
        if len(chain) >= MAX_CHAIN:
            diags.append(
                Diagnostic(
                    "X302", Severity.ERROR, "`extends` chain is too long", where, "", where_path
                )
            )
            continue
        if key in sources:
            parent: SourceDocument | None = sources[key]
        else:
            parent = _load_template(target, item, where, where_path, load, diags)
            if parent is None:
                continue
            sources[key] = parent
        assert parent is not None
        pdata, ppos = _resolve(
            parent, load, (*chain, key), (*via, (where, where_path)), sources, diags
        )
        if isinstance(pdata, dict):
            pdata = {k: v for k, v in pdata.items() if k not in NOT_INHERITED}
            base, base_pos = merge(base, base_pos, pdata, ppos)
    own = {k: v for k, v in doc.data.items() if k != "extends"}
    merged, merged_pos = merge(base, base_pos, own, doc.pos)
    if isinstance(merged, dict):
        merged["extends"] = doc.data["extends"]
        merged_pos.children["extends"] = doc.pos.children["extends"]
    return merged, merged_pos


def _load_template(
    target: str,
    written: str,
    where: Location,
    where_path: tuple[str | int, ...],
    load: _Fenced,
    diags: list[Diagnostic],
) -> SourceDocument | None:
    if not load.inside(target):
        # Checked before the file is even looked at: whether it exists is not said either.
        diags.append(
            Diagnostic(
                "X304",
                Severity.ERROR,
                f"template '{written}' is outside the contract's repository ({load.fence})",
                where,
                "keep templates inside the repository (or, outside one, the contract's folder); "
                f"{ALLOW_OUTSIDE_ENV}=1 allows others",
                where_path,
            )
        )
        return None
    if not os.path.isfile(target):
        diags.append(
            Diagnostic(
                "X301",
                Severity.ERROR,
                f"template '{written}' not found",
                where,
                "paths in `extends` are relative to the file that names them",
                where_path,
            )
        )
        return None
    result = load.load(target)
    if not _is_slac(result, target):
        # Its own findings would quote its lines ("unknown key …"): say only what it is not.
        diags.append(
            Diagnostic(
                "X305",
                Severity.ERROR,
                f"template '{written}' is not a slac contract or template",
                where,
                "`extends` names a YAML file with a top-level `slac:` key",
                where_path,
            )
        )
        return None
    diags.extend(result.diagnostics)
    if result.document is None:
        diags.append(
            Diagnostic(
                "X303",
                Severity.ERROR,
                f"template '{written}' cannot be read (see its own findings)",
                where,
                "",
                where_path,
            )
        )
    return result.document


def _is_slac(result: LoadResult, target: str) -> bool:
    """Whether a template is a slac contract or template: by its data when it loaded, by its
    bytes when it did not (a template with a YAML error still gets its own findings)."""
    if result.document is not None:
        data = result.document.data
        return isinstance(data, dict) and "slac" in data
    raw = read_source(target)
    return not isinstance(raw, bytes) or is_slac_document(raw)  # unreadable: its L000 says so


def merge(base: Any, base_pos: Pos, over: Any, over_pos: Pos) -> tuple[Any, Pos]:
    """Deep-merge ``over`` onto ``base``; returns new data and positions (inputs untouched)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out: dict[str, Any] = dict(base)
        out_pos = Pos(over_pos.value, over_pos.key or base_pos.key, dict(base_pos.children))
        for key, value in over.items():
            child_pos = over_pos.children.get(key, Pos(over_pos.value))
            if value is None and key in out:
                del out[key]
                out_pos.children.pop(key, None)
                continue
            if key in out and key in ID_LISTS and _id_list(out[key]) and _id_list(value):
                out[key], out_pos.children[key] = _merge_by_id(
                    out[key], base_pos.children.get(key, Pos(base_pos.value)), value, child_pos
                )
            elif key in out:
                out[key], out_pos.children[key] = merge(
                    out[key], base_pos.children.get(key, Pos(base_pos.value)), value, child_pos
                )
            else:
                out[key], out_pos.children[key] = value, child_pos
        return out, out_pos
    return over, over_pos


def _id_list(value: Any) -> bool:
    # Only text ids merge by id: a list or mapping written as an id is left for the schema to
    # name (it cannot be a key), the list then replacing the template's as any other value.
    return isinstance(value, list) and all(
        isinstance(i, dict) and isinstance(i.get("id"), str) for i in value
    )


def _merge_by_id(
    base: list[Any], base_pos: Pos, over: list[Any], over_pos: Pos
) -> tuple[list[Any], Pos]:
    items: list[tuple[Any, Pos]] = [
        (item, base_pos.children.get(i, Pos(base_pos.value))) for i, item in enumerate(base)
    ]
    index: dict[Any, int] = {}
    for i, (item, _) in enumerate(items):
        index.setdefault(item["id"], i)
    removed: set[int] = set()
    seen_here: set[Any] = set()
    for j, item in enumerate(over):
        ipos = over_pos.children.get(j, Pos(over_pos.value))
        # A second entry with the same id in one file is a duplicate (rule R402), not an
        # override: keep it visible instead of merging it away.
        at = None if item["id"] in seen_here else index.get(item["id"])
        seen_here.add(item["id"])
        if item.get("remove") is True and at is not None:
            removed.add(at)
            continue
        if at is None:
            # A `remove` that matches nothing stays, so that rule R404 can point at it.
            index[item["id"]] = len(items)
            items.append((item, ipos))
        else:
            items[at] = merge(items[at][0], items[at][1], item, ipos)
    kept = [pair for i, pair in enumerate(items) if i not in removed]
    out_pos = Pos(over_pos.value, over_pos.key, {i: p for i, (_, p) in enumerate(kept)})
    return [item for item, _ in kept], out_pos
