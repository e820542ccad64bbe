"""Shrink a crashing input to a small reproducer that still crashes the same way (the same
exception raised in the same slac function): files the crash does not need are dropped, then
YAML entries (mapping keys, list items, top-down), then lines, then rows of a data file.

Greedy and bounded (``budget`` runs of the input), which is plenty for inputs of a few hundred
lines: the result is small enough to read, not proven minimal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slac.contract.source import load_text

from .contracts import Input, dump
from .data import DataInput
from .harness import Crash

Check = Callable[[Input], Crash | None]


class _Budget:
    def __init__(self, runs: int, check: Check, signature: str) -> None:
        self.runs, self.check, self.signature = runs, check, signature

    def same(self, item: Input) -> bool:
        if self.runs <= 0:
            return False
        self.runs -= 1
        crash = self.check(item)
        return crash is not None and crash.signature == self.signature


def reduce_input(item: Input, check: Check, signature: str, budget: int = 400) -> Input:
    runs = _Budget(budget, check, signature)
    item = _drop_checks(item, runs)
    item = _drop_files(item, runs)
    target = item.check[0] if not isinstance(item, DataInput) else _data_target(item)
    if target is None:
        return item
    if not isinstance(item, DataInput):
        item = _reduce_tree(item, target, runs)
    return _reduce_lines(item, target, runs, keep_first=isinstance(item, DataInput))


def _with(item: Input, rel: str, raw: bytes) -> Input:
    return replace(item, files=tuple((r, raw if r == rel else c) for r, c in item.files))


def _content(item: Input, rel: str) -> bytes:
    return dict(item.files)[rel]


def _drop_checks(item: Input, runs: _Budget) -> Input:
    for path in item.check:
        smaller = replace(item, check=(path,))
        if len(item.check) > 1 and runs.same(smaller):
            return smaller
    return item


def _drop_files(item: Input, runs: _Budget) -> Input:
    needed = {*item.check, getattr(item, "contract", "")}
    for rel, _ in item.files:
        if rel in needed or rel.endswith((".csv", ".jsonl", ".parquet")):
            continue
        smaller = replace(item, files=tuple(f for f in item.files if f[0] != rel))
        if runs.same(smaller):
            item = smaller
    return item


def _data_target(item: DataInput) -> str | None:
    """The mutated data file: the one whose name the input's seed is."""
    return item.seed if item.seed.endswith((".csv", ".jsonl")) else None


def _reduce_tree(item: Input, rel: str, runs: _Budget) -> Input:
    loaded = load_text(rel, _content(item, rel))
    if loaded.document is None:
        return item
    data = loaded.document.data
    if not runs.same(_with(item, rel, dump(data))):
        return item  # the crash needs the text as written, not only its tree
    queue: list[tuple[Any, ...]] = [()]
    while queue:
        path = queue.pop(0)
        node = _get(data, path)
        keys: list[Any] = list(node) if isinstance(node, dict) else []
        if isinstance(node, list):
            keys = list(range(len(node) - 1, -1, -1))  # from the end: indexes stay valid
        for key in keys:
            smaller = _without(data, path, key)
            if runs.same(_with(item, rel, dump(smaller))):
                data = smaller
        # What is left was needed; look inside it (after the deletions: indexes have moved).
        node = _get(data, path)
        kept = node.items() if isinstance(node, dict) else enumerate(node)
        queue.extend((*path, k) for k, v in kept if isinstance(v, dict | list))
    return _with(item, rel, dump(data))


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def _without(data: Any, path: tuple[Any, ...], key: Any) -> Any:
    import copy

    out = copy.deepcopy(data)
    del _get(out, path)[key]
    return out


def _reduce_lines(item: Input, rel: str, runs: _Budget, *, keep_first: bool) -> Input:
    lines = _content(item, rel).split(b"\n")
    head, lines = (lines[:1], lines[1:]) if keep_first else ([], lines)
    chunk = max(1, len(lines) // 2)
    while chunk >= 1 and runs.runs > 0:
        i, removed = 0, False
        while i < len(lines):
            rest = lines[:i] + lines[i + chunk :]
            if runs.same(_with(item, rel, b"\n".join(head + rest))):
                lines, removed = rest, True
            else:
                i += chunk
        if not removed:
            chunk //= 2
    return _with(item, rel, b"\n".join(head + lines))
