"""Safe loading: YAML 1.1 surprises, duplicate keys, bombs, depth, encodings, positions."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from slac.contract.source import (
    MAX_BYTES,
    Pos,
    _Builder,
    _Parser,
    _Unusual,
    load_text,
    may_compose,
    resolve_plain,
)
from slac.diagnostics import Location


def load(text: str | bytes):
    raw = text.encode() if isinstance(text, str) else text
    return load_text("c.yaml", raw)


def only_error(text: str | bytes) -> tuple[str, Location, str]:
    result = load(text)
    assert result.document is None
    (diag,) = result.diagnostics
    return diag.code, diag.location, diag.message


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        ("no", "no"),
        ("NO", "NO"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("1:30", "1:30"),
        ("010", "010"),
        ("0x1F", "0x1F"),
        ("2026-01-01", "2026-01-01"),
        ("2024-13-45", "2024-13-45"),
        (".inf", ".inf"),
        (".nan", ".nan"),
        ("1_000", "1_000"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("~", None),
        ("null", None),
        ("", None),
        ("0", 0),
        ("-12", -12),
        ("+7", 7),
        ("1.5", 1.5),
        ("-0.25", -0.25),
        ("1e3", 1000.0),
        ("99.9%", "99.9%"),
        ("1e400", "1e400"),
        ("-1e400", "-1e400"),
    ],
)
def test_plain_scalars_resolve_strictly(plain: str, value: object) -> None:
    assert resolve_plain(plain) == value
    assert type(resolve_plain(plain)) is type(value)


@pytest.mark.parametrize(
    "plain", ["9" * 4301, "-" + "9" * 4301, "+" + "1" * 5000, "1" + "0" * 400 + ".5"]
)
def test_numbers_python_cannot_hold_stay_text(plain: str) -> None:
    # Found by fuzzing: int() refuses more than 4,300 digits (ValueError escaped the loader),
    # and a float this large overflows to infinity. Both stay the text written, as .inf does.
    result = load(f"a: {plain}\n")
    assert result.document is not None
    assert result.document.data == {"a": plain}


def test_the_longest_integer_python_converts_is_still_a_number() -> None:
    assert resolve_plain("9" * 4300) == int("9" * 4300)


def test_yaml_11_surprises_stay_strings_in_documents() -> None:
    doc = load("country: NO\nat: 1:30\ncode: 010\nfrom: 2026-01-01\n").document
    assert doc is not None
    assert doc.data == {"country": "NO", "at": "1:30", "code": "010", "from": "2026-01-01"}


def test_quoted_scalars_are_always_strings() -> None:
    doc = load("a: 'true'\nb: \"12\"\nc: |\n  text\n").document
    assert doc is not None
    assert doc.data == {"a": "true", "b": "12", "c": "text\n"}


def test_keys_are_strings_and_do_not_collide() -> None:
    # PyYAML reads `1:` and `true:` as the same key (True == 1); slac keeps them apart.
    doc = load("1: a\ntrue: b\n").document
    assert doc is not None
    assert doc.data == {"1": "a", "true": "b"}


def test_positions_are_one_based_for_keys_and_values() -> None:
    doc = load("top:\n  list:\n    - x\n    - {k: v}\n").document
    assert doc is not None
    assert doc.locate(("top",), key=True) == Location("c.yaml", 1, 1)
    assert doc.locate(("top", "list"), key=True) == Location("c.yaml", 2, 3)
    assert doc.locate(("top", "list", 0)) == Location("c.yaml", 3, 7)
    assert doc.locate(("top", "list", 1, "k")) == Location("c.yaml", 4, 11)
    assert doc.locate(("top", "list", 1, "k"), key=True) == Location("c.yaml", 4, 8)


def test_position_of_a_missing_path_is_its_nearest_ancestor_key() -> None:
    doc = load("a:\n  b: 1\n").document
    assert doc is not None
    assert doc.locate(("a", "missing")) == Location("c.yaml", 1, 1)


def test_columns_count_code_points_not_bytes() -> None:
    doc = load("größe: ü\nx: [é, y]\n").document
    assert doc is not None
    assert doc.locate(("x", 1)) == Location("c.yaml", 2, 8)


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    code, loc, message = only_error("a: 1\nb:\n  c: 2\n  c: 3\n")
    assert (code, loc.line, loc.column) == ("L003", 4, 3)
    assert "first defined at line 3" in message


def test_tab_indentation() -> None:
    code, loc, _ = only_error("a:\n\tb: 1\n")
    assert (code, loc.line) == ("L002", 2)


def test_syntax_error_names_line_and_column() -> None:
    code, loc, message = only_error("a: [1, 2\nb: 3\n")
    assert code == "L001"
    assert loc.line == 2
    assert "starts at line 1, column 4" in message


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n", "   \n# x\n"])
def test_empty_file(text: str) -> None:
    assert only_error(text)[0] == "L007"


def test_binary_file() -> None:
    code, loc, _ = only_error(b"a: 1\nb: \x00\x01\x02")
    assert (code, loc.line, loc.column) == ("L008", 2, 4)


def test_non_utf8_file() -> None:
    code, loc, message = only_error("a: 1\nname: Müller\n".encode("latin-1"))
    assert (code, loc.line, loc.column) == ("L008", 2, 8)
    assert "0xfc" in message


def test_utf8_bom_is_accepted() -> None:
    assert load(b"\xef\xbb\xbfa: 1\n").document is not None


def test_too_large_file() -> None:
    assert only_error(b"a: " + b"x" * MAX_BYTES)[0] == "L006"


def test_more_than_one_document() -> None:
    code, loc, _ = only_error("a: 1\n---\nb: 2\n")
    assert (code, loc.line) == ("L009", 2)


@pytest.mark.parametrize(
    "text",
    ["%YAML 1.1\n---\na: 1\n", "%TAG ! tag:example.com,2000:\n---\na: 1\n"],
)
def test_directives_are_refused(text: str) -> None:
    assert only_error(text)[0] == "L010"


@pytest.mark.parametrize(
    "text", ["a: !!python/object:os.system x\n", "a: !!str 1\n", "a: !custom {b: 1}\n"]
)
def test_tags_are_refused(text: str) -> None:
    assert only_error(text)[0] == "L010"


def test_deep_nesting_is_refused_quickly_with_a_position() -> None:
    # libyaml's composer overflows the C stack near 50,000 levels: slac stops at 64.
    start = time.perf_counter()
    code, loc, _ = only_error("[" * 50_000 + "]" * 50_000)
    assert time.perf_counter() - start < 1.0
    assert (code, loc.line, loc.column) == ("L004", 1, 65)


def test_nesting_past_the_parsers_own_limit_is_slacs_finding_at_level_65() -> None:
    # PyYAML 6.0.4 refuses ~1,000 flow levels while scanning ahead, before any event: slac's
    # limit must still be the one reported, at the 65th level (the 63rd brace under a: and b:).
    text = "a:\n  b: " + "{x: " * 1500 + "1" + "}" * 1500
    code, loc, message = only_error(text)
    assert (code, loc.line, loc.column) == ("L004", 2, 6 + 4 * 62)
    assert "more than 64 levels" in message


def test_billion_laughs_is_refused_in_well_under_a_second() -> None:
    lol = ", ".join(["lol"] * 9)
    lines = [f"a: &a [{lol}]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=False):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    code, _, message = only_error("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 0.5
    assert code == "L005"
    assert "expands to more than" in message


def test_too_many_aliases() -> None:
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 51) + "]\n"
    code, _, message = only_error(text)
    assert code == "L005" and "more than 50 aliases" in message


def test_self_referencing_alias() -> None:
    assert only_error("a: &x [1, *x]\n")[0] == "L005"


def test_a_few_aliases_and_merge_keys_work() -> None:
    doc = load("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\nl: [*b]\n").document
    assert doc is not None
    assert doc.data["d"] == {"x": 1, "y": 3}
    assert doc.data["l"] == [{"x": 1, "y": 2}]
    # Alias copies are independent values, not shared references.
    assert doc.data["l"][0] is not doc.data["base"]


def test_complex_keys_are_refused() -> None:
    assert only_error("? [a, b]\n: 1\n")[0] == "L011"


def test_sha256_is_over_the_raw_bytes() -> None:
    import hashlib

    raw = b"a: 1\n"
    doc = load_text("c.yaml", raw).document
    assert doc is not None and doc.sha256 == hashlib.sha256(raw).hexdigest()


def _positions(pos: Pos) -> tuple[object, ...]:
    children = tuple((k, _positions(v)) for k, v in pos.children.items())
    return (pos.value, pos.key, children)


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="libyaml's composer")
def test_the_node_tree_path_builds_what_the_events_build() -> None:
    # The composed-node path (common files) and the event path (everything unusual) must give
    # the same values, types and positions: every file of the project that the node path takes.
    root = Path(__file__).resolve().parents[2]
    taken = 0
    for path in sorted(root.glob("**/*.yaml")):
        try:
            text = path.read_text("utf-8-sig")
        except UnicodeDecodeError:
            continue  # a test of L008
        try:
            fast = _Builder(str(path))._from_nodes(text)
        except (_Unusual, yaml.YAMLError):
            continue
        taken += 1
        slow = _Builder(str(path))._build(yaml.parse(text, Loader=_Parser))
        assert repr(fast[0]) == repr(slow[0]), path
        assert _positions(fast[1]) == _positions(slow[1]), path
    assert taken >= 20


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="libyaml's composer")
@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [1, 2.5, x, '3', \"4\", null, ~, true, no]\nc: {d: {e: []}, f: {}}\n",
        '- a\n- - b\n  - c: d\n- ! 7\n- ! "8"\n- >-\n  folded\n  text\n- |\n  kept\n',
        "'quoted key': 1\n\"dq\": [ {x: 1}, {y: 2} ]\n? explicit\n: value\nempty:\n",
        "scalar only",
        "\ufeffbom: 1\n",
        "x: 1e400\ny: 0x10\nz: 1:30\nw: 2026-01-01\nv: +1\nu: -0.5\n",
    ],
)
def test_the_node_tree_path_matches_the_events_on_shapes(text: str) -> None:
    fast = _Builder("c.yaml")._from_nodes(text)
    slow = _Builder("c.yaml")._build(yaml.parse(text, Loader=_Parser))
    assert repr(fast[0]) == repr(slow[0])
    assert _positions(fast[1]) == _positions(slow[1])


@pytest.mark.parametrize(
    "text",
    ["a: !!str 1\n", "a: 1\na: 2\n", "? [a]\n: 1\n", "a: [\n", "a: 1\n---\nb: 2\n"],
)
def test_the_node_tree_path_leaves_the_unusual_to_the_events(text: str) -> None:
    with pytest.raises((_Unusual, yaml.YAMLError)):
        _Builder("c.yaml")._from_nodes(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 50_000 + "]" * 50_000,
        "a: " + "{b: " * 3_000 + "}" * 3_000,
        "- " * 3_000 + "x",
        "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 2_500)),
    ],
)
def test_nesting_bombs_never_reach_the_recursive_composer(text: str) -> None:
    # libyaml's composer recurses in C: with PyYAML < 6.0.4 a nesting bomb crashes the process
    # there. Such texts must take the event path, which refuses them (nesting, size, syntax).
    assert not may_compose(text)
    loaded = load_text("bomb.yaml", text.encode())
    assert loaded.document is None
    assert [d.code[0] for d in loaded.diagnostics] == ["L"]


def test_every_example_contract_takes_the_node_tree_path() -> None:
    root = Path(__file__).resolve().parents[2]
    contracts = sorted((root / "examples").glob("*/contract.yaml"))
    assert contracts and all(may_compose(p.read_text("utf-8")) for p in contracts)
