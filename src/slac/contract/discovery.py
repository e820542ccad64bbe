"""Which files ``slac lint`` checks: YAML files named or found in folders, by their content.

A repository holds many YAML files that are not slac's (CI workflows, docker-compose files,
Kubernetes manifests, Helm templates that are not even valid YAML). A file is a *slac
document*, and checked, when one of its lines starts with

- a top-level ``slac:`` key (contracts and templates),
- a top-level ``slac_tests:`` key (worked examples for ``slac test``),
- a top-level ``bindings:`` key with its version number (``bindings: 1``: bindings files), or
- a ``# yaml-language-server: $schema=…/contract.schema.json`` (or ``bindings.schema.json``)
  modeline, so that a contract that lost its ``slac:`` line is still checked and told so.

Everything else is skipped, and said to be. The test is on the raw bytes, before parsing:
a file that is not YAML at all is told apart as cheaply as one that is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

YAML_SUFFIXES = (".yaml", ".yml")
STDIN = "-"  # the path that means "read a contract from standard input"
NOT_A_SLAC_DOCUMENT = (
    "not a slac document (no top-level `slac:` key, `bindings: 1` line or slac `$schema` modeline)"
)

_MARKER = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:"
    rb"[\"']?slac(?:_tests)?[\"']?[ \t]*:"
    rb"|[\"']?bindings[\"']?[ \t]*:[ \t]*[\"']?[0-9]"
    rb"|#[ \t]*yaml-language-server:[ \t]*\$schema=(?:\S*/)?(?:contract|bindings|tests)\.schema\.json"
    rb"|#[ \t]*yaml-language-server:[ \t]*\$schema=\S*slac\.dev/schemas/(?:contract|bindings|tests)/"
    rb")",
    re.MULTILINE,
)


def is_slac_document(raw: bytes) -> bool:
    """Whether a file's bytes are a contract, a template or a bindings file (see above)."""
    return _MARKER.search(raw) is not None


@dataclass(frozen=True)
class Found:
    """The files to look at, in a stable order, and the paths that do not exist."""

    files: tuple[str, ...]
    missing: tuple[str, ...]


def discover(paths: Iterable[str]) -> Found:
    """YAML files named or found below folders (hidden folders skipped), in a stable order.

    ``-`` (standard input) is passed through as it is.
    """
    found: list[str] = []
    missing: list[str] = []
    for path in paths:
        if path == STDIN:
            found.append(path)
        elif os.path.isdir(path):
            for folder, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(
                    os.path.join(folder, n) for n in sorted(names) if n.endswith(YAML_SUFFIXES)
                )
        elif os.path.exists(path):
            found.append(path)
        else:
            missing.append(path)
    return Found(tuple(dict.fromkeys(found)), tuple(missing))


# A slac document found in a folder that is not a contract: a bindings file, worked examples,
# or a template (`kind: template` at the top level). Named files are never skipped.
_NOT_A_CONTRACT = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:[\"']?(?:bindings|slac_tests)[\"']?[ \t]*:"
    rb"|kind[ \t]*:[ \t]*[\"']?template[\"']?[ \t]*(?:#.*)?$)",
    re.MULTILINE,
)


def discover_contracts(paths: Iterable[str]) -> Found:
    """The contracts of a portfolio: files named, globs (``contracts/*.yaml``, expanded here so
    that a quoted pattern works too), and folders searched as :func:`discover` does. Of the
    files found by a folder or a glob, the slac documents that are contracts are kept (not
    bindings, worked examples or templates); a file named is always kept. A glob that matches
    nothing is missing."""
    import glob

    named: list[str] = []
    missing: list[str] = []
    in_folders: set[str] = set()
    explicit: set[str] = set()
    for path in paths:
        if not os.path.exists(path) and glob.has_magic(path):
            matched = sorted(glob.glob(path, recursive=True))
            if not matched:
                missing.append(path)
            for match in matched:
                found = discover([match])  # a folder matched is searched
                in_folders.update(found.files)
                named.extend(found.files)
            continue
        if os.path.isdir(path):
            found = discover([path])
            in_folders.update(found.files)
            named.extend(found.files)
        elif os.path.exists(path):
            named.append(path)
            explicit.add(path)
        else:
            missing.append(path)
    files: list[str] = []
    for path in dict.fromkeys(named):
        if path in in_folders and path not in explicit:
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
            except OSError:
                files.append(path)  # named in the findings as unreadable
                continue
            if not is_slac_document(raw) or _NOT_A_CONTRACT.search(raw):
                continue
        files.append(path)
    return Found(tuple(files), tuple(missing))
