"""Bench: a long text's CSV cell from its stored JSON form, by the export's way and by candidates, on real texts.

    nice -n 19 python bench/csv_cells.py SESSION [--texts 20000] [--repeat 5]

The attempts CSV export writes each long text (an original, an answer: a whole file, stored in its JSON form)
as a CSV cell: the text decoded, its quotes doubled, quoted, and an apostrophe before a formula start.
store._csv_stored_cell does it with simdjson (a str, encoded again, its quotes doubled in the bytes). The
candidates:
- orjson: the export's way before, orjson decoding the stored form with its quotes doubled first (each '"' made
  '"\\"' by bytes.replace), then the text encoded and joined to its quotes;
- escape_decode: codecs.escape_decode (C, one pass) decodes the escapes JSON writes but \\uXXXX and \\/; the
  quotes doubled by bytes.replace before it; texts with either of those go the export's way;
- replace chain: each backslash pair becomes a byte no valid stored text holds (NUL), then bytes.replace of each
  one-letter escape, then the NUL back to a backslash.
Each is checked against the export's bytes on every text, then timed on all of them (CPU, median of --repeat);
texts are read from the session's attempts (refactored, response, patch), evenly spread over its order.
"""

from __future__ import annotations

import argparse
import codecs
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bare_tui.store import _csv_stored_cell, _csv_value  # noqa: E402

FORMULA = b"=+-@\t\r"
ESCAPES = ((b"\\n", b"\n"), (b"\\t", b"\t"), (b'\\"', b'""'), (b"\\r", b"\r"), (b"\\b", b"\b"), (b"\\f", b"\f"))


def finished(decoded: bytes, stored: bytes, reference: Callable[[bytes], bytes]) -> bytes:
    """The cell from `decoded` (the text with its quotes doubled, between its two outer quotes): the quotes kept
    where csv_record quotes, an apostrophe before a formula start; the rare texts that start with an apostrophe
    go the reference's way."""
    first = decoded[1:2]
    if first == b"'":
        return reference(stored)
    lead = bool(first) and first in FORMULA
    quoted = len(decoded) == 2 or any(c in decoded for c in (b'""', b",", b"\n", b"\r"))
    body = decoded if quoted else decoded[1:-1]
    if not lead:
        return body
    return b"\"'" + body[1:] if quoted else b"'" + body


def by_orjson(reference: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    import orjson

    loads = orjson.loads
    formula = ("=", "+", "-", "@", "\t", "\r")
    after = ("'", *formula)

    def cell(stored: bytes) -> bytes:
        end = len(stored) - 1
        if end < 1 or stored[0] != 34 or stored[end] != 34:
            return _csv_value(loads(stored)).encode("utf-8")
        quotes = stored.find(b'"', 1, end) >= 0
        text = loads(memoryview(stored.replace(b'"', b'"\\"'))[2:-2]) if quotes else loads(stored)
        lead = b"'" if text.startswith(formula) or (text.startswith("'") and text[1:].startswith(after)) else b""
        if quotes or end == 1 or "\n" in text or "," in text or "\r" in text:
            return b"".join((b'"', lead, text.encode("utf-8"), b'"'))
        return lead + text.encode("utf-8") if lead else text.encode("utf-8")

    return cell


def by_escape_decode(reference: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    decode = codecs.escape_decode

    def cell(stored: bytes) -> bytes:
        if len(stored) < 2 or stored[:1] != b'"' or stored[-1:] != b'"' or b"\\u" in stored or b"\\/" in stored:
            return reference(stored)
        inner = stored[1:-1]
        doubled = b'"' + (inner.replace(b'\\"', b'\\"\\"') if b'"' in inner else inner) + b'"'
        return finished(decode(doubled)[0], stored, reference)

    return cell


def by_replace_chain(reference: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def cell(stored: bytes) -> bytes:
        if len(stored) < 2 or stored[:1] != b'"' or stored[-1:] != b'"' or b"\x00" in stored:
            return reference(stored)
        pairs = b"\\\\" in stored
        text = stored.replace(b"\\\\", b"\x00") if pairs else stored
        if b"\\" in text:
            if b"\\u" in text or b"\\/" in text:
                return reference(stored)
            for escape, byte in ESCAPES:
                text = text.replace(escape, byte)
        if pairs:
            text = text.replace(b"\x00", b"\\")
        return finished(text, stored, reference)

    return cell


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session", type=Path)
    parser.add_argument("--texts", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    conn = sqlite3.connect(f"{args.session.resolve().as_uri()}?mode=ro", uri=True)
    (attempts,) = conn.execute("SELECT count(*) FROM attempts").fetchone()
    every = max(1, attempts * 3 // max(args.texts, 1))
    texts = [
        text
        for row in conn.execute(
            "SELECT CAST(x.refactored AS BLOB), CAST(x.response AS BLOB), CAST(x.patch AS BLOB) FROM attempts a"
            " JOIN attempt_texts x ON x.attempt_id = a.attempt_id WHERE a.seq % ? = 0 ORDER BY a.seq",
            (max(1, every // 3),),
        )
        for text in row
        if text is not None
    ][: args.texts]
    conn.close()
    size = sum(map(len, texts))
    print(f"{len(texts):,} stored texts, {size / 1e6:,.1f} MB; {sum(not t.isascii() for t in texts):,} not ASCII")
    reference = _csv_stored_cell()
    candidates = {
        "export (simdjson)": reference,
        "orjson": by_orjson(reference),
        "escape_decode": by_escape_decode(reference),
        "replace chain": by_replace_chain(reference),
    }
    expected = [reference(text) for text in texts]
    for name, cell in candidates.items():
        wrong = sum(cell(text) != want for text, want in zip(texts, expected))
        runs = []
        for _ in range(args.repeat):
            started = time.process_time()
            for text in texts:
                cell(text)
            runs.append(time.process_time() - started)
        seconds = statistics.median(runs)
        print(
            f"{name:16} {seconds:6.3f} s CPU (median of {args.repeat}), {size / 1e6 / seconds:7,.0f} MB/s, "
            f"{len(texts) / seconds:9,.0f} texts/s; cells unlike the export's: {wrong}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
