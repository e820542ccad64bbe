"""Finding codes raised while loading, schema-checking and merging (rules register their own).

Codes are stable: CI systems (SARIF, GitHub) match alerts across runs by them. Groups:
``L0xx`` loading YAML, ``B1xx`` bindings files, ``S2xx`` JSON Schema, ``X3xx`` templates
(``extends``), ``R4xx``–``R9xx`` semantic rules (see ``slac.contract.rules``).
"""

from __future__ import annotations

from slac.diagnostics import RuleInfo, Severity

E = Severity.ERROR
W = Severity.WARNING

LOAD_CODES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "L000",
        "unreadable-file",
        E,
        "The file cannot be read.",
        "The path exists but could not be opened (permissions, or it is a folder).",
    ),
    RuleInfo(
        "L001",
        "yaml-syntax",
        E,
        "The file is not valid YAML.",
        "The parser stopped here. The cause is often on this line or the one before it: "
        "indentation, an unclosed bracket or quote, a `:` inside unquoted text.",
    ),
    RuleInfo(
        "L002",
        "tab-indentation",
        E,
        "A tab character is used for indentation.",
        "YAML indents with spaces only. Replace the tab with spaces.",
    ),
    RuleInfo(
        "L003",
        "duplicate-key",
        E,
        "The same key appears twice in one mapping.",
        "PyYAML and most YAML tools silently keep the last value; slac refuses the file so "
        "that no promise is lost. Remove or rename one of the keys.",
    ),
    RuleInfo(
        "L004",
        "nesting-too-deep",
        E,
        "Values are nested more than 64 levels deep.",
        "No contract needs this. Deep nesting crashes some YAML parsers (libyaml overflows "
        "its stack near 50,000 levels), so slac refuses it before building anything.",
    ),
    RuleInfo(
        "L005",
        "alias-limit",
        E,
        "Too many YAML aliases, or an alias bomb.",
        "Aliases (`*name`) are limited to 50 per file and 50,000 values after expansion, "
        "which refuses 'billion laughs' files in milliseconds. Also raised for an alias to "
        "an anchor that is not defined.",
    ),
    RuleInfo(
        "L006",
        "file-too-large",
        E,
        "The file is larger than 1 MiB.",
        "Contracts are a few kilobytes. Large YAML takes seconds to parse; split the "
        "contract into templates with `extends`.",
    ),
    RuleInfo(
        "L007",
        "empty-file",
        E,
        "The file is empty (or only comments).",
        "A contract starts with `slac: 1`; see docs/language.md.",
    ),
    RuleInfo(
        "L008",
        "not-utf8-text",
        E,
        "The file is binary or not valid UTF-8.",
        "Save the contract as UTF-8 text.",
    ),
    RuleInfo(
        "L009",
        "multiple-documents",
        E,
        "The file holds more than one YAML document.",
        "One contract per file: remove the `---` separator or split the file.",
    ),
    RuleInfo(
        "L010",
        "yaml-tag-or-directive",
        E,
        "YAML tags (`!!str`, `!python/…`) or directives (`%YAML`) are used.",
        "Tags can construct arbitrary objects in other loaders and `%YAML 1.1` changes how "
        "values are read; slac reads one strict subset only. Quote the value instead.",
    ),
    RuleInfo(
        "L011",
        "complex-key",
        E,
        "A mapping key is not plain text.",
        "Keys must be plain scalars; a mapping, list or alias cannot be a key.",
    ),
)

SCHEMA_CODES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "S201",
        "unknown-key",
        E,
        "A key that the contract language does not define.",
        "Objects are closed so that a typo (`taregt:`) is not silently ignored. The hint "
        "names the closest valid key. Keys starting with `x-` are allowed for your own "
        "extensions.",
    ),
    RuleInfo(
        "S202",
        "missing-key",
        E,
        "A required key is missing.",
        "The finding points at the object that lacks the key; the hint says what it means.",
    ),
    RuleInfo(
        "S203",
        "wrong-type",
        E,
        "A value has the wrong type.",
        "For example a list where a mapping belongs, or a YAML float where money must be a "
        'quoted decimal string (`"12000.00"`). `yes`/`no`/`on`/`off` are text in slac: write '
        "`true`/`false` for booleans.",
    ),
    RuleInfo(
        "S204",
        "invalid-value",
        E,
        "A value is not allowed here.",
        "Not one of the listed choices, not in the expected format (durations like `4h` or "
        "`2d 4h`, percentages like `99.9%`, dates like `2026-01-01`), or out of range.",
    ),
)

EXTENDS_CODES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "X301",
        "template-not-found",
        E,
        "A template named in `extends` does not exist.",
        "Paths in `extends` are relative to the file that names them.",
    ),
    RuleInfo(
        "X302",
        "extends-cycle",
        E,
        "`extends` forms a cycle (or a chain longer than 16).",
        "A template cannot extend, directly or through others, the file that extends it.",
    ),
    RuleInfo(
        "X303",
        "template-unreadable",
        E,
        "A template named in `extends` has load errors.",
        "The template's own findings are reported at their place in the template.",
    ),
    RuleInfo(
        "X304",
        "template-outside",
        E,
        "A template named in `extends` is outside the contract's repository.",
        "Templates must be inside the repository that holds the contract (the nearest folder "
        "above it with `.git`) or, outside any repository, inside the working directory when "
        "the contract is in it, else inside the contract's folder; "
        "symlinks are followed first. Set `SLAC_ALLOW_EXTENDS_OUTSIDE=1` to allow others.",
    ),
    RuleInfo(
        "X305",
        "not-a-template",
        E,
        "A file named in `extends` is not a slac contract or template.",
        "It has no top-level `slac:` key. Its content is not reported.",
    ),
)

BINDINGS_CODES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "B101",
        "unusable-binding",
        E,
        "A binding's data cannot be found or read.",
        "No file matches the `path` (paths are relative to the bindings file), the `database` "
        "file does not exist, the format cannot be told from the file name (add "
        "`format: csv`, `parquet` or `jsonl`), or the `timezone` is not an IANA zone (the hint "
        "names the closest). Reported by `slac evaluate` and `slac statement`; an unknown time "
        "zone by `slac lint` too, which reads no data.",
    ),
    RuleInfo(
        "B102",
        "unknown-dataset-binding",
        E,
        "A `bindings.yaml` binds a dataset that no contract beside it has.",
        "`slac evaluate` uses the `bindings.yaml` beside a contract; a binding for a name the "
        "contract does not declare is a typo or a leftover. The hint names the closest dataset.",
    ),
    RuleInfo(
        "B103",
        "unbound-dataset",
        W,
        "A dataset a contract beside the `bindings.yaml` reads has no binding in it.",
        "Evaluation needs data for every dataset its metrics and exclusions read. Bind it in "
        "the file, or pass `--data NAME=PATH` to `slac evaluate`.",
    ),
)

PORTFOLIO_CODES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "P101",
        "duplicate-contract-id",
        E,
        "Two contracts checked together have the same `id`.",
        "A contract's `id` names it in results, ledgers and credit notes: two contracts with "
        "one id would have their credits booked together. Reported at the second and later "
        "files (in path order); the hint names the first.",
    ),
)

FIXED_CODES: tuple[RuleInfo, ...] = (
    LOAD_CODES + BINDINGS_CODES + SCHEMA_CODES + EXTENDS_CODES + PORTFOLIO_CODES
)
