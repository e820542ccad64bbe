"""JSON Schema validation whose findings point at the exact key or value.

python-jsonschema reports ``required`` and ``additionalProperties`` errors at the parent
object, with the key only in the message; here each becomes a finding at the key itself (or,
for a missing key, at the key of the object that lacks it), with a "did you mean" hint.
The validator is built once per process and never fetches a remote ``$ref``.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match, relevance
from referencing import Registry, Resource

from slac.contract.source import Path, SourceDocument
from slac.diagnostics import Diagnostic, Severity

_BOOLISH = {"yes", "no", "on", "off", "y", "n", "Yes", "No", "On", "Off", "YES", "NO", "ON", "OFF"}
_EXTENSION = re.compile(r"^x-")


def schema_text(name: str) -> str:
    """The published schema ``name`` (``contract``, ``plan`` …) as shipped with slac."""
    return (resources.files("slac") / "schemas" / f"{name}.schema.json").read_text("utf-8")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema


@functools.cache
def validator(name: str) -> Draft202012Validator:
    schema = load_schema(name)
    # An empty registry holding only our own schema: any other $ref fails instead of being
    # fetched over the network (python-jsonschema's default would fetch it).
    registry: Registry[Any] = Registry().with_resource(
        schema.get("$id", name), Resource.from_contents(schema)
    )
    return Draft202012Validator(
        schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _is_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


_COMPILED: dict[str, Callable[[Any], Any]] = {}
# Every failure in fastjsonschema's generated code is one line that builds a message, a copy of
# the (sub)schema and the value: four fifths of the code, compiled for nothing, since only
# "valid?" is asked. Each becomes a bare raise of an exception it already catches.
_RAISE = re.compile(r"^( *)raise JsonSchemaValueException\(.*\)$", re.MULTILINE)
_ROOT = re.compile(r"^def (validate\w*)\(", re.MULTILINE)
# And the name of each value passed down to a $ref's function is only for those messages.
_NAMED_CALL = re.compile(
    r'^( *)(validate_\w+\(\w+, custom_formats, )\(name_prefix or "data"\) \+ .*\)$', re.MULTILINE
)


def fast_validator(name: str) -> Callable[[Any], Any]:
    """A compiled validator (fastjsonschema): many times faster, but it stops at the first
    error and says nothing about it, so it only answers "valid?" (by raising or not);
    jsonschema explains the failures. Compiling costs a few tenths of a second, so it pays off
    only for many files."""
    if name not in _COMPILED:
        import fastjsonschema

        formats = {"date": _is_date}
        # use_default=False: by default the compiled code writes each schema `default` into
        # the document it validates (semantics.open_items appeared in every later contract of
        # the process, and R803 warned about a setting nobody wrote).
        code = fastjsonschema.compile_to_code(load_schema(name), formats=formats, use_default=False)
        code, raises = _RAISE.subn(r"\1raise _Invalid", code)
        code = _NAMED_CALL.sub(r"\1\2None)", code)
        root = _ROOT.search(code)
        if (
            not raises or root is None
        ):  # pragma: no cover - a fastjsonschema that writes code otherwise
            _COMPILED[name] = fastjsonschema.compile(
                load_schema(name), formats=formats, use_default=False
            )
            return _COMPILED[name]

        class _Invalid(fastjsonschema.JsonSchemaValueException):
            """What the compiled code raises: an exception its own `anyOf` and `oneOf` catch."""

            def __init__(self) -> None:
                super().__init__("invalid")

        namespace: dict[str, Any] = {"_Invalid": _Invalid}
        try:
            exec(compile(code, f"<{name} schema validator>", "exec"), namespace)
        except SyntaxError:  # pragma: no cover - a raise written over several lines
            _COMPILED[name] = fastjsonschema.compile(
                load_schema(name), formats=formats, use_default=False
            )
            return _COMPILED[name]
        _COMPILED[name] = functools.partial(namespace[root.group(1)], custom_formats=formats)
    return _COMPILED[name]


def fast_validator_ready(name: str) -> bool:
    """Whether this process has compiled ``name``'s fast validator already: from then on it
    costs nothing to use (a long-lived process, a fuzz worker forked after compiling it)."""
    return name in _COMPILED


def check(
    document: SourceDocument, data: Any = None, schema: str = "contract", *, fast: bool = False
) -> list[Diagnostic]:
    """Schema findings for ``data`` (default: the document's own data).

    With ``fast``, a valid instance is confirmed by the compiled validator; an invalid one is
    still explained by jsonschema, so the findings are the same either way.
    """
    instance = document.data if data is None else data
    if fast:
        from fastjsonschema import JsonSchemaException

        try:
            fast_validator(schema)(instance)
        except JsonSchemaException:
            pass
        else:
            return []
    found: list[Diagnostic] = []
    for error in validator(schema).iter_errors(instance):
        found.extend(_diagnose(document, _deepest(error)))
    return found


def _deepest(error: ValidationError) -> ValidationError:
    """For oneOf/anyOf, the sub-error that best explains the failure (check-jsonschema's way)."""
    if not error.context:
        return error
    best = best_match([error], key=relevance)
    # `anyOf` of bare types is how the schema writes "one of these types" (ajv's strict mode
    # refuses a list in `type`): it is one alternative of the form around it, not a form.
    parent = best.parent
    if _bare_types(best) is not None and parent is not None and parent.validator in ALTERNATIVES:
        return parent
    return best


ALTERNATIVES = ("anyOf", "oneOf")


def _bare_types(error: ValidationError) -> list[str] | None:
    """The types of an ``anyOf: [{type: a}, {type: b}]`` error, else None."""
    branches = error.validator_value if error.validator == "anyOf" else None
    if not isinstance(branches, list) or not all(
        isinstance(b, dict) and set(b) == {"type"} and isinstance(b["type"], str) for b in branches
    ):
        return None
    return [b["type"] for b in branches]


def _diagnose(document: SourceDocument, error: ValidationError) -> Iterator[Diagnostic]:
    path: Path = tuple(error.absolute_path)
    kind = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key in error.instance:
            if key in allowed or any(p.search(key) for p in patterns):
                continue
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else _allowed_hint(allowed)
            yield _finding(
                document, "S201", f"unknown key '{key}'", (*path, key), hint, key_position=True
            )
        return
    if kind == "required" and isinstance(error.instance, dict):
        for key in error.validator_value:
            if key not in error.instance:
                where = _where_text(path)
                yield _finding(
                    document,
                    "S202",
                    f"missing required key '{key}'{where}",
                    path,
                    _describe(schema.get("properties", {}).get(key), key),
                    key_position=True,
                )
        return
    types = _bare_types(error)
    if kind == "type" or types is not None:
        expected = error.validator_value if types is None else types
        yield _finding(
            document, "S203", _type_message(error, expected), path, _type_hint(error, expected)
        )
        return
    yield _finding(document, "S204", _value_message(error), path, _value_hint(error, schema))


def _finding(
    document: SourceDocument,
    code: str,
    message: str,
    path: Path,
    hint: str,
    *,
    key_position: bool = False,
) -> Diagnostic:
    location = document.locate(path, key=key_position)
    return Diagnostic(code, Severity.ERROR, message, location, hint, path)


def _where_text(path: Path) -> str:
    return f" in {format_path(path)}" if path else ""


def format_path(path: Path) -> str:
    """``('objectives', 2, 'credit')`` → ``objectives[2].credit`` (1-based? no: as in YAML)."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _allowed_hint(allowed: list[str]) -> str:
    if not allowed:
        return "remove it (keys starting with 'x-' are kept as extensions)"
    shown = ", ".join(allowed[:12]) + (" …" if len(allowed) > 12 else "")
    return f"allowed here: {shown}; keys starting with 'x-' are kept as extensions"


def _describe(subschema: Any, key: str) -> str:
    if isinstance(subschema, dict) and subschema.get("description"):
        return f"'{key}': {subschema['description']}"
    return f"add '{key}'"


_TYPE_NAMES = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "nothing (null)",
}


def _type_message(error: ValidationError, expected: str | list[str]) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    want = " or ".join(_TYPE_NAMES.get(n, n) for n in names)
    return f"expected {want}, found {_show(error.instance)}"


def _type_hint(error: ValidationError, expected: str | list[str]) -> str:
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    if expected == "boolean" and isinstance(value, str) and value in _BOOLISH:
        return "slac reads yes/no/on/off as text (YAML 1.2); write true or false"
    if expected == "string" and isinstance(value, float):
        return (
            "quote the value: numbers like money and percentages are written as text, "
            'e.g. "12000.00" or "99.9%"'
        )
    if expected in ("integer", "number") and isinstance(value, str) and len(value) > 100:
        return "a number this long is read as text: no contract value needs it"
    if expected in ("integer", "number") and isinstance(value, str) and value.isdigit():
        if len(value) > 1 and value.startswith("0"):
            return (
                "a leading zero makes this text, not a number (YAML 1.1 read it as octal); "
                "write the number without leading zeros"
            )
        # Plain digits without a leading zero are a number: these were quoted.
        return f"write the number without quotes: {value}"
    if isinstance(value, dict) and expected == "array":
        return "write a list: each item on its own line starting with '- '"
    if isinstance(value, list) and expected == "object":
        return "write `name: value` entries here, not a list of '- ' items"
    return _examples_hint(schema)


def _value_message(error: ValidationError) -> str:
    kind, value = error.validator, error.instance
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return f"{_show(value)} is not one of: {allowed}"
    if kind == "const":
        return f"{_show(value)} must be {_show(error.validator_value)}"
    if kind == "format":
        return f"{_show(value)} is not a valid {error.validator_value}"
    if kind == "pattern":
        # The name of what was expected, never the regex (some are hundreds of characters).
        return f"{_show(value)} is not a valid {_what(error)}"
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        return f"{_show(value)} is out of range ({error.message})"
    if kind in ("minItems", "maxItems", "minProperties", "uniqueItems"):
        return str(error.message)
    if kind == "not":
        return "these keys cannot be used together here: " + _not_keys(error)
    if kind in ("oneOf", "anyOf"):
        return f"{_show(value)} does not match any allowed form here"
    return str(error.message)


# Names of the schema's $defs where the def's own name would read oddly in a sentence.
_DEF_WORDS = {
    "percent": "percentage",
    "money": "amount of money",
    "calendarRef": "calendar name",
    "partyName": "party name",
    "comparison": "target",
    "percentComparison": "percentage target",
    "numberComparison": "number target",
}


@functools.cache
def _def_names(schema: str) -> dict[int, str]:
    return {id(sub): name for name, sub in load_schema(schema)["$defs"].items()}


def _what(error: ValidationError) -> str:
    """What a value failed to be: the schema's title, its def's name, or the key it is under."""
    sub = error.schema if isinstance(error.schema, dict) else {}
    if sub.get("title"):
        return str(sub["title"])
    for schema in ("contract", "bindings"):
        name = _def_names(schema).get(id(sub))
        if name is not None:
            return _DEF_WORDS.get(name, re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower())
    keys = [step for step in error.absolute_path if isinstance(step, str)]
    return f"'{keys[-1]}'" if keys else "value"


def _not_keys(error: ValidationError) -> str:
    banned = error.validator_value
    if isinstance(banned, dict) and "required" in banned:
        return ", ".join(f"'{k}'" for k in banned["required"])
    return str(error.message)


def _value_hint(error: ValidationError, schema: dict[str, Any]) -> str:
    value = error.instance
    if error.validator == "enum" and isinstance(value, str):
        choices = [str(v) for v in error.validator_value]
        close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
        if close:
            return f"did you mean '{close[0]}'?"
    if isinstance(value, str) and re.fullmatch(r"\d+:\d\d", value):
        return "'1:30' is not a duration here; write it with units, e.g. '1h 30m' or '90s'"
    if isinstance(value, str) and re.search(r"\d\.\d+\s*business\b", value):
        return (
            "business time counts whole business days, hours or minutes: write e.g. "
            "'90 business minutes', not '1.5 business hours'"
        )
    if isinstance(value, str) and value in _BOOLISH:
        return "write true or false"
    if error.validator == "pattern" and isinstance(value, str):
        # Both bounds keep every product of a fee and a percentage exact in Decimal's 28 digits.
        bounded = {"amount of money": ("an", 15), "percentage": ("a", 4)}.get(_what(error))
        article, most = bounded or ("", 0)
        if bounded and value.startswith("-"):
            return f"{article} {_what(error)} here is never negative"
        if bounded and re.match(rf"\d{{{most + 1},}}", value):
            return f"at most {most} digits before the point"
    return _examples_hint(schema) or (schema.get("description", "") if schema else "")


def _examples_hint(schema: dict[str, Any]) -> str:
    examples = schema.get("examples") if schema else None
    if examples:
        return "for example: " + ", ".join(_show(e) for e in examples[:4])
    return ""


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}…'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)
