"""Byte-level mutations of a text file: what an editor, a bad merge, a wrong encoding or a
hostile author does to YAML (and to CSV lines): bytes flipped, lines lost, duplicated or
swapped, tokens with a meaning in YAML dropped in, the file cut short.
"""

from __future__ import annotations

from .choices import Chooser, pick

TOKENS = (
    b"\t",
    b"\x00",
    b"\xff",
    b"\xef\xbb\xbf",  # a byte order mark
    b"\r",
    b"\r\n",
    b"\xe2\x80\xa8",  # LINE SEPARATOR
    b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
    b": ",
    b"- ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"'",
    b'"',
    b"#",
    b"&a ",
    b"*a",
    b"<<: *a\n",
    b"? ",
    b"|",
    b">",
    b"!!python/object/apply:os.system ['true']",
    b"%YAML 1.1\n---\n",
    b"\n---\n",
    b"\n...\n",
    b"9" * 4301,
    b"1e400",
    b".nan",
    b"0x1F",
    b"1_000",
    b"~",
    b"NO",
    b"1:30",
    b"\\u0000",
)


def mutate_bytes(chooser: Chooser, raw: bytes) -> tuple[bytes, list[str]]:
    """1-3 byte-level changes; the changed bytes and what was done."""
    done: list[str] = []
    for _ in range(chooser.integer(1, 3)):
        if not raw:
            raw = pick(chooser, TOKENS)
            done.append("empty → token")
            continue
        op = pick(chooser, _OPS)
        at = chooser.integer(0, len(raw))
        lines = raw.split(b"\n")
        line = chooser.integer(0, len(lines) - 1)
        if op == "insert-token":
            token = pick(chooser, TOKENS)
            raw = raw[:at] + token + raw[at:]
        elif op == "set-byte" and at < len(raw):
            raw = raw[:at] + bytes([chooser.integer(0, 255)]) + raw[at + 1 :]
        elif op == "delete-range":
            raw = raw[:at] + raw[at + chooser.integer(1, 64) :]
        elif op == "delete-line":
            del lines[line]
            raw = b"\n".join(lines)
        elif op == "duplicate-line":
            lines.insert(line, lines[line])
            raw = b"\n".join(lines)
        elif op == "swap-lines":
            other = chooser.integer(0, len(lines) - 1)
            lines[line], lines[other] = lines[other], lines[line]
            raw = b"\n".join(lines)
        elif op == "indent":
            lines[line] = b" " * chooser.integer(1, 5) + lines[line]
            raw = b"\n".join(lines)
        elif op == "truncate":
            raw = raw[:at]
        elif op == "crlf":
            raw = raw.replace(b"\n", b"\r\n")
        elif op == "repeat":
            raw = raw[:at] + raw[at : at + 200] * chooser.integer(2, 50) + raw[at:]
        done.append(f"{op} at byte {at}" if op not in _LINE_OPS else f"{op} at line {line + 1}")
    return raw, done


_OPS = (
    "insert-token",
    "set-byte",
    "delete-range",
    "delete-line",
    "duplicate-line",
    "swap-lines",
    "indent",
    "truncate",
    "crlf",
    "repeat",
)
_LINE_OPS = ("delete-line", "duplicate-line", "swap-lines", "indent")
