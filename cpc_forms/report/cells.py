"""Whole columns of cells encoded at once with Arrow: text for CSV, JSON and the sheets' XML, numbers as Python and
XlsxWriter write them. A column of few distinct values (report.table dictionary-encodes those) is encoded once per
distinct value, in Python, by the very rule a plain writer applies to one cell; another column goes through Arrow
whole, and only its few cells that need more (a text to quote or escape, a number Arrow writes otherwise) go
through that rule one by one."""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Optional, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .neutral import is_risky, neutralise

STRING = pa.string()
# Arrow is given typed scalars: a bare Python value is typed by inference, which first tries to import dateutil
EMPTY, NULL, NO = pa.scalar("", STRING), pa.scalar("null", STRING), pa.scalar(False)
CSV_CARE = '^[=+\\-@\t\r]|[",\r\n]'  # a risky start (neutral.TRIGGERS) or what the csv module quotes
JSON_CARE = '[\\x00-\\x1f"\\\\]'  # what json.dumps escapes (ensure_ascii=False)
encode_basestring: Callable[[str], str] = json.encoder.encode_basestring


def printable(text: str) -> str:
    """A text as UTF-8 can hold it: a file name's undecodable bytes (held by Python as lone surrogates) written as
    \\xff escapes, any other lone surrogate as \\udxxx."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return "".join(_printable(part) for part in re.split("([\ud800-\udfff]+)", text))


def _printable(part: str) -> str:
    try:
        return part.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return part.encode("utf-8", "backslashreplace").decode("utf-8")


def strings(values) -> pa.Array:
    """Texts (None: null) as an Arrow column, each one UTF-8 cannot hold made printable first."""
    try:
        return pa.array(values, STRING)
    except UnicodeEncodeError:
        return pa.array([None if v is None else printable(v) for v in values], STRING)


def join(*parts, separator: str = "") -> pa.Array:
    """Per row, the parts (columns or plain texts) joined; a null part reads as ''."""
    given = [pa.scalar(p, STRING) if isinstance(p, str) else p for p in parts]
    # null_handling="skip" would drop a row whose every part is null: nulls are replaced by '' instead
    return pc.binary_join_element_wise(*given, pa.scalar(separator, STRING), null_handling="replace",
                                       null_replacement="")


def joined_or_null(*parts) -> pa.Array:
    """Per row, the parts joined; null where any part is null."""
    given = [pa.scalar(p, STRING) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*given, EMPTY)


def text(column: pa.Array) -> str:
    """Every cell of a text column, one after the other (null as '')."""
    return bytes(data(column)).decode("utf-8")


def data(column: pa.Array) -> memoryview:
    """Every cell of a text column, one after the other (null as ''), as UTF-8 bytes: the column's own buffer
    where it can be (its cells lie there end to end), without a copy."""
    if not len(column):
        return memoryview(b"")
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if column.null_count:
        column = pc.fill_null(column, EMPTY)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int64 if pa.types.is_large_string(column.type)
                            else np.int32)[column.offset:column.offset + len(column) + 1]
    values = column.buffers()[2]
    return memoryview(values)[int(offsets[0]):int(offsets[-1])] if values is not None else memoryview(b"")


def decoded(column: pa.Array) -> pa.Array:
    """A column as plain values (a dictionary-encoded one decoded)."""
    return pc.take(column.dictionary, column.indices) if pa.types.is_dictionary(column.type) else column


def by_value(column: pa.Array, one: Callable[[Any], Optional[str]], whole: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Per row, the text one(value) gives (null for null): once per distinct value of a dictionary-encoded
    column, else whole(column) for the column at once."""
    if pa.types.is_dictionary(column.type):
        return pc.take(pa.array([one(v) for v in column.dictionary.to_pylist()], STRING), column.indices)
    return whole(column)


def fixed(column: pa.Array, care: str, one: Callable[[Any], Optional[str]]) -> pa.Array:
    """column with each text matching the pattern care replaced by one(text)."""
    mask = pc.fill_null(pc.match_substring_regex(column, care), NO)
    if not pc.any(mask).as_py():
        return column
    return pc.replace_with_mask(column, mask, pa.array([one(v) for v in column.filter(mask).to_pylist()], STRING))


def csv_value(value: str) -> str:
    """One text as scores.csv writes it: neutralised, then quoted as the csv module quotes."""
    value = neutralise(value)
    return '"' + value.replace('"', '""') + '"' if re.search('[",\r\n]', value) else value


def csv_text(value) -> str:
    """One value as scores.csv writes it (the plain writer's rule)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)  # a number, even a negative one, is data and never a formula
    return neutralise(str(value))


def csv_cells(column: pa.Array) -> pa.Array:
    """A text column as scores.csv cells (null stays null)."""
    return by_value(column, csv_value, lambda c: fixed(c, CSV_CARE, csv_value))


def json_quoted(column: pa.Array) -> pa.Array:
    """A text column as JSON string literals (json.dumps, ensure_ascii=False); null stays null."""
    def whole(c: pa.Array) -> pa.Array:
        return joined_or_null('"', fixed(c, JSON_CARE, lambda v: encode_basestring(v)[1:-1]), '"')
    return by_value(column, encode_basestring, whole)


def json_strings(column: pa.Array) -> pa.Array:
    """A text column as JSON: a string literal, or 'null'."""
    return pc.fill_null(json_quoted(column), NULL)


def reprs(numbers: pa.Array) -> pa.Array:
    """Floats as repr() writes them (every digit: float(text) is the number); null stays null.

    Arrow writes the same shortest digits; it differs only in notation, outside 1e-4 <= |x| < 1e15, and in
    leaving off '.0'."""
    if pa.types.is_dictionary(numbers.type):
        return by_value(numbers, repr, reprs)
    out = pc.cast(numbers, STRING)
    out = pc.if_else(pc.match_substring(out, "."), out, join(out, ".0"))
    x = np.abs(numbers.to_numpy(zero_copy_only=False))
    with np.errstate(invalid="ignore"):
        odd = ((x < 1e-4) & (x != 0)) | (x >= 1e15) | ~np.isfinite(x)
    odd &= ~np.isnan(x) | ~pc.is_null(numbers).to_numpy(zero_copy_only=False)
    if not odd.any():
        return out
    fix = [repr(v) for v in numbers.filter(pa.array(odd)).to_pylist()]
    return pc.replace_with_mask(out, pa.array(odd), pa.array(fix, STRING))


def json_numbers(numbers: pa.Array) -> pa.Array:
    """Numbers as JSON: repr(), or 'null'."""
    shown = pc.cast(numbers, STRING) if pa.types.is_integer(numbers.type) else reprs(numbers)
    return pc.fill_null(shown, NULL)


def g16(value: float) -> str:
    """A number as XlsxWriter writes it into a sheet."""
    return f"{value:.16G}"


# XlsxWriter's escapes for an inline string (worksheet._write_cell in constant_memory mode)
_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_SPACE = re.compile(r"^\s|\s$")
XML_CARE = r"[&<>\x00-\x1f\x{85}\x{fffe}\x{ffff}]|_x|^\pZ|\pZ$|^[=+\-@]|^$"  # a superset of what xml_text changes
MAX_TEXT = 32767  # XlsxWriter cuts a longer text (in UTF-16 units) there


def xml_text(value: str) -> Tuple[str, bool]:
    """One text as XlsxWriter writes it inline (a lone CR read as a line break, as books.Sheet.put does): the
    escaped text, and whether its spaces must be preserved."""
    from xlsxwriter.utility import _utf16_len, _utf16_truncate
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if len(value) > MAX_TEXT // 2 and _utf16_len(value) > MAX_TEXT:
        value = _utf16_truncate(value, MAX_TEXT)
    value = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", _ESCAPED.sub(r"_x005F\1", value))
    value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = bool(_SPACE.search(value))
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), preserve


def xml_cell(value: str, quoted: int, style: Optional[int] = None) -> Optional[str]:
    """A text cell's XML after its reference (None for ''): the quote-prefix format quoted when a spreadsheet
    could take the text for a formula, else style (None: none)."""
    if not value:
        return None
    shown, preserve = xml_text(value)
    s = quoted if is_risky(value) else style
    attr = "" if s is None else f' s="{s}"'
    space = ' xml:space="preserve"' if preserve else ""
    return f'"{attr} t="inlineStr"><is><t{space}>{shown}</t></is></c>'


def xml_cells(column: pa.Array, quoted: int, style: Optional[int] = None) -> pa.Array:
    """A text column's cells' XML after their references (null where empty)."""
    def one(v: str) -> Optional[str]:
        return xml_cell(v, quoted, style)

    def whole(c: pa.Array) -> pa.Array:
        plain = "" if style is None else f' s="{style}"'
        mask = pc.fill_null(pc.match_substring_regex(c, XML_CARE), NO)
        if (pc.max(pc.utf8_length(c)).as_py() or 0) > MAX_TEXT // 2:
            longer = pc.greater(pc.utf8_length(c), pa.scalar(MAX_TEXT // 2, pa.int32()))
            mask = pc.or_(mask, pc.fill_null(longer, NO))
        out = joined_or_null(f'"{plain} t="inlineStr"><is><t>', c, "</t></is></c>")
        if not pc.any(mask).as_py():
            return out
        return pc.replace_with_mask(out, mask, pa.array([one(v) for v in c.filter(mask).to_pylist()], STRING))
    return by_value(column, one, whole)


def xml_numbers(numbers: pa.Array, style: Optional[int]) -> pa.Array:
    """A number column's cells' XML after their references (null where none)."""
    attr = "" if style is None else f' s="{style}"'
    encoded = numbers if pa.types.is_dictionary(numbers.type) else pc.dictionary_encode(numbers)
    return by_value(encoded, lambda v: f'"{attr}><v>{g16(v)}</v></c>', lambda c: c)
