"""Mutated contracts: seeds from the shipped examples, their templates, the lint fixtures and
the rule cases, changed on the YAML tree (keys deleted, duplicated, swapped, renamed; values
replaced by extremes of their own kind or by values of another type; `kind` and `extends`
rewired) and then, sometimes, on the bytes of the text.

An :class:`Input` is a small folder (a mapping of relative paths to bytes) and the files in it
to check: a mutated template is checked on its own and through a contract that extends it.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from slac.contract.extends import merge
from slac.contract.source import load_text

from .choices import Chooser, pick
from .text import mutate_bytes
from .values import Plain, other_type, same_kind

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Seed:
    group: str  # examples, templates, lint, rules
    name: str
    files: tuple[tuple[str, bytes], ...]  # the folder: relative path → content
    target: str  # the file that is mutated
    check: tuple[str, ...]  # the files checked (the target first)


@dataclass(frozen=True)
class Input:
    seed: str
    files: tuple[tuple[str, bytes], ...]
    check: tuple[str, ...]
    steps: tuple[str, ...]  # what was done, for people reading a failure

    def write(self, folder: Path) -> list[str]:
        """Write the files below ``folder`` (a repository, as the examples are: templates
        must be inside the contract's); the paths to check."""
        (folder / ".git").mkdir(exist_ok=True)
        for rel, content in self.files:
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        return [str(folder / rel) for rel in self.check]


@functools.cache
def contract_seeds() -> tuple[Seed, ...]:
    examples = ROOT / "examples"
    templates = tuple(
        (f"templates/{p.name}", p.read_bytes())
        for p in sorted((examples / "templates").glob("*.yaml"))
    )
    support = (
        "customer-support/contract.yaml",
        (examples / "customer-support/contract.yaml").read_bytes(),
    )
    seeds: list[Seed] = []
    for path in sorted(examples.glob("*/contract.yaml")):
        rel = f"{path.parent.name}/contract.yaml"
        seeds.append(Seed("examples", rel, (*templates, (rel, path.read_bytes())), rel, (rel,)))
    for rel, _ in templates:
        # A mutated template, checked alone and under every contract that builds on it.
        seeds.append(Seed("templates", rel, (*templates, support), rel, (rel, support[0])))
    for folder in ("good", "bad"):
        files = tuple(
            (p.name, p.read_bytes())
            for p in sorted((ROOT / "tests/data/lint" / folder).glob("*.yaml"))
        )
        seeds.extend(Seed("lint", f"lint/{folder}/{rel}", files, rel, (rel,)) for rel, _ in files)
    seeds.extend(_rule_case_seeds())
    return tuple(seeds)


def pick_seed(chooser: Chooser) -> Seed:
    """The examples and their templates more often than each of the 250 rule cases."""
    group = pick(chooser, ("examples", "examples", "templates", "rules", "rules", "lint"))
    return pick(chooser, [s for s in contract_seeds() if s.group == group])


def _rule_case_seeds() -> list[Seed]:
    """Each rule case of tests/rules/cases as the whole contract it stands for (base + patch)."""
    rules = ROOT / "tests/rules"
    base = _loaded("base.yaml", (rules / "base.yaml").read_bytes())
    seeds = [
        Seed(
            "rules",
            "rules/base.yaml",
            (("contract.yaml", dump(base.data)),),
            "contract.yaml",
            ("contract.yaml",),
        )
    ]
    for path in sorted((rules / "cases").glob("*.yaml")):
        spec = _loaded(path.name, path.read_bytes()).data
        for outcome in ("fail", "pass"):
            for i, case in enumerate(spec.get(outcome, [])):
                patch = _loaded("patch", case["patch"].encode())
                data, _ = merge(base.data, base.pos, patch.data, patch.pos)
                files = (("contract.yaml", dump(data)),)
                seeds.append(
                    Seed(
                        "rules",
                        f"rules/{path.stem}/{outcome}/{i}",
                        files,
                        "contract.yaml",
                        ("contract.yaml",),
                    )
                )
    return seeds


def _loaded(name: str, raw: bytes) -> Any:
    result = load_text(name, raw)
    assert result.document is not None, result.diagnostics
    return result.document


# ---------------------------------------------------------------- YAML text from a tree


class _Dumper(yaml.CSafeDumper):
    pass


def _plain(dumper: yaml.SafeDumper, value: Plain) -> yaml.ScalarNode:
    # The tag the resolver would give the text makes the emitter write it unquoted.
    tag = dumper.resolve(yaml.ScalarNode, value.text, (True, False))
    return dumper.represent_scalar(tag, value.text)


def _int(dumper: yaml.SafeDumper, value: int) -> yaml.ScalarNode:
    # Python refuses str() of an int over 4,300 digits: go through the digits in chunks.
    return dumper.represent_scalar("tag:yaml.org,2002:int", _digits(value))


def _digits(value: int) -> str:
    if abs(value) < 10**4000:
        return str(value)
    sign, value = ("-", -value) if value < 0 else ("", value)
    chunks = []
    while value:
        value, rest = divmod(value, 10**1000)
        chunks.append(rest)
    return sign + str(chunks[-1]) + "".join(f"{c:01000d}" for c in reversed(chunks[:-1]))


_Dumper.add_representer(Plain, _plain)
_Dumper.add_representer(int, _int)


def dump(data: Any) -> bytes:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=2**16)
    return text.encode("utf-8", errors="surrogatepass")


# ---------------------------------------------------------------- tree mutations

Step = str | int


def _paths(node: Any, prefix: tuple[Step, ...] = ()) -> list[tuple[Step, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _get(node: Any, path: tuple[Step, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def _keys(node: Any) -> list[str]:
    return sorted({str(p[-1]) for p in _paths(node) if p and isinstance(p[-1], str)})


def mutate_tree(chooser: Chooser, data: Any, siblings: list[str]) -> tuple[Any, list[str]]:
    """1-3 changes to a copy of ``data``; the changed data and what was done."""
    data = copy.deepcopy(data)
    done: list[str] = []
    for _ in range(pick(chooser, (1, 1, 2, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        op = pick(chooser, _OPS)
        leaves = [p for p in paths if not isinstance(_get(data, p), dict | list)]
        path = pick(chooser, leaves if op == "same-kind" and leaves else paths)
        parent, last = _get(data, path[:-1]), path[-1]
        value = parent[last]
        if op == "same-kind":
            texts = [_get(data, p) for p in leaves]
            names = [t for t in texts if isinstance(t, str) and _NAME.fullmatch(t)]
            parent[last] = same_kind(chooser, value, names)
        elif op == "other-type":
            parent[last] = other_type(chooser, value)
        elif op == "delete":
            del parent[last]
        elif op == "copy-from":
            parent[last] = copy.deepcopy(_get(data, pick(chooser, paths)))
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(int(last), copy.deepcopy(value))
        elif op == "duplicate" and isinstance(parent, dict):
            parent[pick(chooser, _keys(data))] = copy.deepcopy(value)
        elif op == "swap":
            other = pick(chooser, paths)
            if other[: len(path)] != path and path[: len(other)] != other:
                oparent = _get(data, other[:-1])
                parent[last], oparent[other[-1]] = oparent[other[-1]], value
        elif op == "rename" and isinstance(parent, dict):
            new = pick(chooser, [*_keys(data), "id", "x-note", "extends", "kind", ""])
            if new not in parent:
                parent[new] = parent.pop(last)
        elif op == "kind-extends" and isinstance(data, dict):
            key = pick(chooser, ["kind", "extends"])
            options: list[Any] = (
                ["template", "contract", "bindings", None, ["template"]]
                if key == "kind"
                else [
                    *siblings,
                    "",
                    ".",
                    "..",
                    "nowhere.yaml",
                    "/dev/null",
                    [siblings[0], siblings[-1]],
                    7,
                ]
            )
            data[key] = pick(chooser, options)
            path = (key,)
        done.append(f"{op} at {'/'.join(map(str, path))}")
    return data, done


# Weighted by repetition: a replacement of the same kind keeps the contract valid for the
# schema, so the rules, the compiler and the explanation see it; the others mostly stop at
# the schema, which is worth testing less often.
_OPS = (
    *("same-kind",) * 6,
    "delete",
    "other-type",
    "copy-from",
    "duplicate",
    "swap",
    "rename",
    "kind-extends",
)


def mutate_contract(chooser: Chooser, seed: Seed) -> Input:
    files = dict(seed.files)
    raw = files[seed.target]
    steps: list[str] = []
    loaded = load_text(seed.target, raw)
    how = pick(chooser, ("tree", "tree", "tree", "tree", "bytes", "both"))
    if loaded.document is not None and how != "bytes":
        # Relative `extends` targets from the mutated file's folder: the other seed files.
        here = Path(seed.target).parent
        siblings = sorted(os.path.relpath(rel, here) for rel in files if rel != seed.target)
        data, done = mutate_tree(chooser, loaded.document.data, siblings or ["contract.yaml"])
        raw, steps = dump(data), done
    if how != "tree" or loaded.document is None:
        raw, done = mutate_bytes(chooser, raw)
        steps.extend(done)
    files[seed.target] = raw
    return Input(seed.name, tuple(files.items()), seed.check, tuple(steps))
