"""Rows of an export table (CSV or XLSX, header first) -> Responses and Issues, one row at a time."""
from __future__ import annotations

import csv
import zipfile
import zlib
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional, Sequence, Tuple, Union

from ....catalogue import ERROR, Code, issue
from ....model import Form, Issue, Response, bare_id
from ....returns import EPOCH, instant, make_response, version_key
from .plan import CHOSEN, ENCRYPTED, Plan  # noqa: F401 - CHOSEN is part of this module's surface

CHANNEL = "xlsform"


def strip_uuid(value: Any) -> str:
    """An instance id compared across sources: text, without the 'uuid:' prefix."""
    return bare_id("" if value is None else str(value).strip())


def newest(forms: Mapping[str, Form]) -> Form:
    """The newest of the known versions of a form."""
    return forms[max(forms, key=version_key)]


def plan_for(forms: Mapping[str, Form], header: Sequence[Any], source: str, where: str = "row 1, ",
             table: bool = False) -> Plan:
    """The Plan of a header, against the known version of the form whose questions it fits best (fewest
    problems, errors first; the newest on a tie): an export or instance of an older version is read as one."""
    newest_first = sorted(forms.values(), key=lambda f: version_key(f.version), reverse=True)
    plans = [Plan(form, header, source, where, frozenset(forms), table) for form in newest_first]
    return min(plans, key=lambda p: (sum(i.severity == ERROR for i in p.problems), len(p.problems)))


def identity(plan: Plan, row) -> str:
    """The id every version of a row's submission shares: Kobo's and Ona's _id (their _uuid changes on each
    edit), else the server's root id (Central KEY, Kobo rootUuid), else the row's own instance id."""
    number = plan.get(row, "kobo_id")
    if number:
        return "_id:" + number
    return strip_uuid(plan.get(row, "root")) or strip_uuid(plan.get(row, "instance") or plan.get(row, "uuid"))


def newest_rows(plan: Plan, rows: Iterable[Sequence[Any]]) -> Dict[str, int]:
    """Submission identity -> the row number of its newest edit (by edits, then submitted time; the later
    row on a tie).

    A cheap first pass over a few columns, so the second pass can stream: memory grows by one key a
    submission, not by one Response."""
    best: Dict[str, Tuple[Any, int]] = {}
    try:
        for number, row in enumerate(rows, start=2):
            key = identity(plan, row)
            if key:
                rank = (plan.edits(row), instant(plan.get(row, "submitted")) or EPOCH)
                if key not in best or rank >= best[key][0]:
                    best[key] = (rank, number)
    except (csv.Error, UnicodeDecodeError, zipfile.BadZipFile, zlib.error, EOFError, OSError):
        pass  # the reading pass stops at the same place and reports it there
    return {key: number for key, (_, number) in best.items()}


def is_tag_row(row: Sequence[Any]) -> bool:
    """Kobo's HXL row under the header: '#tags' in the tagged columns, the others empty."""
    cells = [str(c).strip() for c in row if c not in (None, "")]
    return bool(cells) and all(c.startswith("#") for c in cells)


def _extent(row: Sequence[Any]) -> int:
    """How far a row's cells reach: one past its last non-empty cell."""
    return max((n + 1 for n, c in enumerate(row) if c not in (None, "")), default=0)


def read_table(rows: Iterable[Sequence[Any]], forms: Mapping[str, Form], source: str, form_id: str = "",
               prefix: str = "", reopen: Optional[Callable[[], Iterator[Sequence[Any]]]] = None
               ) -> Iterator[Union[Response, Issue]]:
    """Every row of an export table as a Response or Issues; the header is the first row. With reopen (a
    fresh iterator over the same rows), only the newest edit of each submission is read, the others reported."""
    rows = iter(rows)
    header = next(rows, None)
    if header is None:
        yield issue(Code.UNREADABLE, source, reason="the file is empty")
        return
    plan = plan_for(forms, header, source, f"{prefix}row 1, ", table=True)
    if not plan.answers and not plan.splits:
        yield from (p for p in plan.problems if p.code in (Code.UNKNOWN_COLUMN, Code.AMBIGUOUS_COLUMN))
        yield issue(Code.UNREADABLE, source, f"{prefix}row 1", reason="no column names a question of this form")
        return
    yield from plan.problems
    keep = None
    if reopen is not None:
        again = reopen()
        next(again, None)
        keep = newest_rows(plan, again)
    widest = plan.width
    for number, row in enumerate(rows, start=2):
        if number == 2 and is_tag_row(row):
            continue  # Kobo's HXL tag row
        if not any(c not in (None, "") for c in row):
            continue
        location = f"{prefix}row {number}"
        if len(row) > plan.width and _extent(row) > plan.width:  # formpack's ragged rows
            if widest == plan.width:
                detail = ("; in this export a later row's own unknown code cannot be told from the repeated "
                          "cell" if plan.details_only else "")
                yield issue(Code.RAGGED_ROWS, source, location, first=location, detail=detail)
            if plan.details_only and _extent(row) > widest:
                widest = _extent(row)
                yield issue(Code.LOST_CHOICE, source, location)._replace(record=location)
                continue
            widest = max(widest, _extent(row))
        newer = keep.get(identity(plan, row), number) if keep is not None else number
        if newer != number:
            yield issue(Code.DUPLICATE, source, location, newer=f"{prefix}row {newer}")
            continue
        yield from respond(plan, forms, row, source, location, form_id)


def respond(plan: Plan, forms, row, source: str, location: str, form_id: str = "", version: str = "",
            deprecated: Optional[dict] = None) -> Iterator[Union[Response, Issue]]:
    """The Response (or Issues) of one row read under a plan; deprecated collects edit links (XML)."""
    encrypted = ENCRYPTED.get(plan.get(row, "status").lower())
    if encrypted:
        yield issue(encrypted, source, location)._replace(record=location)
        return
    raw = plan.raw(row)
    if isinstance(raw, Issue):
        yield raw._replace(source=source, location=location, record=location)
        return
    instance = strip_uuid(plan.get(row, "instance") or plan.get(row, "uuid"))
    old = strip_uuid(plan.get(row, "deprecated"))
    if deprecated is not None and old and instance:
        deprecated[instance] = old
    number = plan.get(row, "kobo_id")
    root = ("_id:" + number if number else strip_uuid(plan.get(row, "root"))
            or ("" if deprecated is not None else instance))
    response, problems = make_response(
        forms, raw, form_id=form_id, version=version or plan.version(row), source=source, location=location,
        written=True, channel=CHANNEL, instance_id=instance, root_id=root, submitted=plan.get(row, "submitted"),
        language=plan.language, review=plan.get(row, "review"), edits=plan.edits(row))
    yield from problems
    if response is not None:
        yield response
