"""The published contract schema's shape for a file that ``extends`` a template.

Such a file is partial: the templates supply what it leaves out, mappings merge key by key,
``key: null`` removes an inherited key and lists of objects with an ``id`` merge by id
(:mod:`slac.contract.extends`). ``slac lint`` checks the merged contract against
``$defs/document``, strictly; an editor or ``check-jsonschema`` sees one file at a time, so
the schema's root sends a file with ``extends`` to ``$defs/extending`` instead, which this
module derives from ``$defs/document``:

- nothing is required but ``slac`` (``required``, and the discriminators made of it, go);
- every key of a merged mapping may be ``null``;
- the items of id-merged lists are partial too; any other list is replaced whole, so its
  items stay complete;
- everything else (types, formats, closed objects, exclusive keys) is kept, so a typo in an
  override is still flagged.

A def that changes gets a copy named ``<name>Patch``. Run ``python -m
slac.contract.partial_schema`` after editing ``schemas/contract.schema.json``; a test checks
that the file is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from slac.contract.extends import NOT_INHERITED
from slac.contract.model import ID_LISTS

ROOT_DEF = "document"
PARTIAL_ROOT = "extending"
SUFFIX = "Patch"
ALWAYS_REQUIRED = ("slac",)
_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples", "default"})
_REF = "#/$defs/"

Schema = Any  # a subschema: a mapping or a boolean


def _vacuous(node: Schema) -> bool:
    return node is True or (isinstance(node, dict) and set(node) <= _ANNOTATIONS)


def _nullable(node: Schema) -> Schema:
    if not isinstance(node, dict):
        return node
    inner = {k: v for k, v in node.items() if k != "description"}
    wrapped: dict[str, Any] = {"description": node["description"]} if "description" in node else {}
    wrapped["anyOf"] = [inner, {"type": "null"}]
    return wrapped


class _Deriver:
    def __init__(self, defs: dict[str, Schema]) -> None:
        self.defs = defs
        self.patches: dict[str, Schema] = {}
        self.same: set[str] = set()
        self.visiting: set[str] = set()

    def ref(self, target: str) -> str:
        name = target.removeprefix(_REF)
        if name in self.same or name not in self.defs:
            return target
        if name not in self.patches and name not in self.visiting:
            self.visiting.add(name)
            patched = self.patch(self.defs[name])
            self.visiting.discard(name)
            if patched == self.defs[name]:
                self.same.add(name)
                return target
            self.patches[name] = patched
        return f"{_REF}{name}{SUFFIX}"

    def patch(self, node: Schema) -> Schema:
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "required":
                continue
            if key == "$ref":
                out[key] = self.ref(value)
            elif key == "properties":
                props = self.properties(value, closed="additionalProperties" in node)
                if props:
                    out[key] = props
            elif key == "additionalProperties" and isinstance(value, dict):
                out[key] = _nullable(self.patch(value))
            elif key in ("allOf", "anyOf", "oneOf"):
                branches = [self.patch(b) for b in value]
                kept = [b for b in branches if not _vacuous(b)]
                # A branch that accepts anything makes anyOf/oneOf say nothing (or fail).
                if key == "allOf" and kept:
                    out[key] = kept
                elif key != "allOf" and len(kept) == len(branches):
                    out[key] = branches
            elif key in ("then", "else"):
                patched = self.patch(value)
                if not _vacuous(patched):
                    out[key] = patched
            else:
                out[key] = value  # if-conditions, `not`, types, formats, annotations
        if "if" in out and "then" not in out and "else" not in out:
            del out["if"]
        return out

    def properties(self, props: dict[str, Schema], *, closed: bool) -> dict[str, Schema]:
        out: dict[str, Schema] = {}
        for name, sub in props.items():
            patched = self.property(name, sub)
            if _vacuous(patched) and not closed:
                continue  # a refinement that only required the key
            out[name] = _nullable(patched)
        return out

    def property(self, name: str, sub: Schema) -> Schema:
        if not isinstance(sub, dict):
            return sub
        if "items" in sub:
            if name not in ID_LISTS:
                return sub  # replaced whole when merged: its items stay complete
            return {
                **self.patch({k: v for k, v in sub.items() if k != "items"}),
                "items": self.patch(sub["items"]),
            }
        return self.patch(sub)


def derive(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with ``$defs/extending`` and the ``*Patch`` defs (re)derived."""
    own = {
        name: sub
        for name, sub in schema["$defs"].items()
        if name != PARTIAL_ROOT and not name.endswith(SUFFIX)
    }
    deriver = _Deriver(own)
    root = deriver.patch(own[ROOT_DEF])
    root["description"] = (
        "A file that `extends` templates: only what differs from them. Nothing is required "
        "but `slac`, `key: null` removes an inherited key, and entries of id-merged lists "
        "(objectives, exclusions, …) need only their `id` and what changes."
    )
    for key in (*ALWAYS_REQUIRED, *NOT_INHERITED):  # never removed by `null`
        root["properties"][key] = own[ROOT_DEF]["properties"][key]
    ordered: dict[str, Any] = {}
    for key, value in root.items():
        ordered[key] = value
        if key == "type":
            ordered["required"] = list(ALWAYS_REQUIRED)
    patches = {f"{name}{SUFFIX}": sub for name, sub in deriver.patches.items()}
    return {**schema, "$defs": {**own, PARTIAL_ROOT: ordered, **patches}}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Rewrite the schema files named (default: ``schemas/contract.schema.json``) in place."""
    for name in (argv if argv is not None else sys.argv[1:]) or ["schemas/contract.schema.json"]:
        path = Path(name)
        path.write_text(render(derive(json.loads(path.read_text("utf-8")))), "utf-8")


if __name__ == "__main__":
    main()
