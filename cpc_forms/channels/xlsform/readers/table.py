"""Rows of an export table (CSV or XLSX, header first) -> Responses and Issues, one row at a time."""
from __future__ import annotations

import csv
import zipfile
import zlib
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ....catalogue import issue
from ....model import SELECT_MULTIPLE, Form, Issue, Response, bare_id
from ....returns import EPOCH, instant, make_response, normalise, version_key
from .columns import Column, describe, language_of, resolve, split_labels

CHANNEL = "xlsform"
CHOSEN = {"1", "1.0", "true", "yes"}


def strip_uuid(value: Any) -> str:
    """An instance id compared across sources: text, without the 'uuid:' prefix."""
    return bare_id("" if value is None else str(value).strip())


def newest(forms: Mapping[str, Form]) -> Form:
    """The newest of the known versions of a form."""
    return forms[max(forms, key=version_key)]


class Plan:
    """How to read the rows under one header: which column holds what."""

    def __init__(self, form: Form, header: Sequence[Any], source: str, where: str = "row 1, "):
        """where: how the header's place is named in Issues (row 1 of a table, or a record of a document)."""
        self.form, self.problems = form, []
        self.answers: List[Tuple[int, str]] = []
        self.splits: Dict[str, List[Tuple[int, str]]] = {}
        self.meta: Dict[str, int] = {}
        columns: List[Optional[Column]] = []
        for n, cell in enumerate(header):
            text = "" if cell is None else str(cell).strip()
            col, problem = resolve(form, text) if text else (None, None)
            columns.append(col)
            if problem == "unknown-column":
                self.problems.append(issue(problem, source, f"{where}column {n + 1}", column=text, form=form.id))
            elif problem:
                self.problems.append(issue(problem, source, f"{where}column {n + 1}", column=text,
                                           targets=describe(form, text)))
            elif col and col.meta:
                self.meta.setdefault(col.meta, n)
            elif col and col.code is not None:
                self.splits.setdefault(col.question, []).append((n, col.code))
            elif col:
                self.answers.append((n, col.question))
        self.language = language_of(columns)
        self.multi = {qid for _, qid in self.answers if form.question(qid).kind == SELECT_MULTIPLE}

    def get(self, row: Sequence[Any], key: str) -> str:
        """The text of a metadata column in a row ('' when the export has no such column)."""
        n = self.meta.get(key)
        value = row[n] if n is not None and n < len(row) else None
        return "" if value is None else str(value).strip()

    def raw(self, row: Sequence[Any]) -> Union[Dict[str, Any], Issue]:
        """Raw answers by question id (multi-selects decoded to codes), or the Issue that refuses the row."""
        raw: Dict[str, Any] = {}
        width = len(row)
        for n, qid in self.answers:
            if n < width and row[n] is not None and row[n] != "":
                raw[qid] = row[n]
        for qid in self.multi | set(self.splits):
            value = self._multi(qid, raw.get(qid), row)
            if isinstance(value, Issue):
                return value
            if value is None:
                raw.pop(qid, None)
            else:
                raw[qid] = value
        return raw

    def _multi(self, qid: str, summary: Any, row: Sequence[Any]):
        decoded = self.summary(qid, summary)
        if decoded is not None:
            return decoded
        chosen = tuple(code for n, code in self.splits.get(qid, ())
                       if n < len(row) and normalise(str(row[n] or "")) in CHOSEN)
        return chosen or None

    def summary(self, qid: str, summary: Any):
        """A multi-select's summary cell decoded: a tuple of codes, its text when it names no choices (for
        validation to refuse), the Issue of an ambiguous label, or None when blank (the split columns say)."""
        if summary is None or str(summary).strip() in ("", "n/a"):
            return None
        q, text = self.form.question(qid), str(summary)
        if all(q.choice(w) for w in text.split()):
            return tuple(text.split())
        ways = split_labels(q, text)
        if len(ways) == 1:
            return ways[0]
        if len(ways) > 1:
            return issue("ambiguous-label", "", "", question=qid, value=text,
                         codes=" | ".join(" ".join(w) for w in ways))
        return text

def _identity(plan: Plan, row) -> str:
    return strip_uuid(plan.get(row, "root")) or strip_uuid(plan.get(row, "instance") or plan.get(row, "uuid"))


def newest_rows(plan: Plan, rows: Iterable[Sequence[Any]]) -> Dict[str, int]:
    """Submission identity -> the row number of its newest edit (the later row on a tie).

    A cheap first pass over two columns, so the second pass can stream: memory grows by one key a
    submission, not by one Response."""
    best: Dict[str, Tuple[Any, int]] = {}
    try:
        for number, row in enumerate(rows, start=2):
            key = _identity(plan, row)
            if key:
                when = instant(plan.get(row, "submitted")) or EPOCH
                if key not in best or when >= best[key][0]:
                    best[key] = (when, number)
    except (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        pass  # the reading pass stops at the same place and reports it there
    return {key: number for key, (_, number) in best.items()}


def is_tag_row(row: Sequence[Any]) -> bool:
    """Kobo's HXL row under the header: '#tags' in the tagged columns, the others empty."""
    cells = [str(c).strip() for c in row if c not in (None, "")]
    return bool(cells) and all(c.startswith("#") for c in cells)


def read_table(rows: Iterable[Sequence[Any]], forms: Mapping[str, Form], source: str, form_id: str = "",
               prefix: str = "", reopen: Optional[Callable[[], Iterator[Sequence[Any]]]] = None
               ) -> Iterator[Union[Response, Issue]]:
    """Every row of an export table as a Response or Issues; the header is the first row. With reopen (a
    fresh iterator over the same rows), only the newest edit of each submission is read, the others reported."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        yield issue("unreadable", source, reason="the file is empty")
        return
    plan = Plan(newest(forms), header, source, f"{prefix}row 1, ")
    yield from plan.problems
    if not plan.answers and not plan.splits:
        yield issue("unreadable", source, f"{prefix}row 1", reason="no column names a question of this form")
        return
    keep = None
    if reopen is not None:
        again = reopen()
        next(again, None)
        keep = newest_rows(plan, again)
    for number, row in enumerate(rows, start=2):
        if number == 2 and is_tag_row(row):
            continue  # Kobo's HXL tag row
        if not any(c not in (None, "") for c in row):
            continue
        newer = keep.get(_identity(plan, row), number) if keep is not None else number
        if newer != number:
            yield issue("duplicate", source, f"{prefix}row {number}", newer=f"{prefix}row {newer}")
            continue
        yield from respond(plan, forms, row, source, f"{prefix}row {number}", form_id)


def respond(plan: Plan, forms, row, source: str, location: str, form_id: str = "", version: str = "",
            deprecated: Optional[dict] = None) -> Iterator[Union[Response, Issue]]:
    """The Response (or Issues) of one row read under a plan; deprecated collects edit links (XML)."""
    if plan.get(row, "status").lower() == "not decrypted":
        yield issue("not-decrypted", source, location)._replace(record=location)
        return
    raw = plan.raw(row)
    if isinstance(raw, Issue):
        yield raw._replace(source=source, location=location, record=location)
        return
    instance = strip_uuid(plan.get(row, "instance") or plan.get(row, "uuid"))
    old = strip_uuid(plan.get(row, "deprecated"))
    if deprecated is not None and old and instance:
        deprecated[instance] = old
    root = strip_uuid(plan.get(row, "root")) or ("" if deprecated is not None else instance)
    response, problems = make_response(
        forms, raw, form_id=form_id, version=version or plan.get(row, "stamp") or plan.get(row, "version"), source=source,
        location=location, channel=CHANNEL, instance_id=instance, root_id=root,
        submitted=plan.get(row, "submitted"), language=plan.language)
    yield from problems
    if response is not None:
        yield response
