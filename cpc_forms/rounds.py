"""Assessment rounds: which round the returns of one scoring run belong to, and a refusal when they span several.

A round is named by `score --round NAME`; without a name it is the campaign of the assessment dates: the year of
the answer to the question playing the date role (x-role: date). Returns of two years are never merged silently:
the run is then mixed (Rounds.mixed), and what to do about it is said in words (mixed_message). A return without
a date takes the run's round."""
from __future__ import annotations

import dataclasses
import re
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

import pyarrow as pa
import pyarrow.compute as pc

from .limits import shown
from .model import Form
from .report import table
from .report.run import Run

DATE = r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}"  # an ISO date (a date-time too): its first four digits are its year
EXAMPLES = 1  # files named per round found


class Found(NamedTuple):
    """One round among a run's returns: its name (the year of their assessment dates), how many, a file of one."""
    name: str
    returns: int
    example: str


class Rounds(NamedTuple):
    """The rounds of a run: the round it is given ('' when none is named or found), every round its returns'
    dates fall in, how many returns have no date, and whether they span several rounds with none named."""
    name: str
    found: Tuple[Found, ...]
    undated: int
    mixed: bool


def year(value: object) -> Optional[str]:
    """The round of one date answer: its year ('2026' of '2026-03-14'), None when it is not an ISO date."""
    text = value.isoformat() if hasattr(value, "isoformat") else value
    if not isinstance(text, str) or not re.match(DATE, text):
        return None
    return text.strip()[:4]


def _count(years: pa.Array, sources: pa.Array, tally: Dict[str, List]) -> None:
    """Add a batch's years (null: no date) to tally: year -> [returns, an example source]."""
    counts = pc.value_counts(years.drop_null())
    for item in counts.to_pylist():
        seen = tally.setdefault(item["values"], [0, ""])
        if not seen[1]:
            where = pc.index(years, pa.scalar(item["values"], pa.string())).as_py()
            seen[1] = sources[where].as_py() or ""
        seen[0] += item["counts"]


def _years(column: pa.Array) -> pa.Array:
    """Per return, the year of its date answer (null where there is none, or it is not an ISO date)."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(pa.string())
    dated = pc.match_substring_regex(column, DATE)
    trimmed = pc.utf8_slice_codeunits(pc.utf8_ltrim_whitespace(column), 0, 4)
    return pc.if_else(pc.fill_null(dated, False), trimmed, pa.scalar(None, pa.string()))


def found_in(form: Form, batches: Iterable[pa.RecordBatch]) -> Tuple[Tuple[Found, ...], int]:
    """(the rounds the returns' dates fall in, in order, how many returns have no date) of batches of returns."""
    q = form.role("date")
    tally: Dict[str, List] = {}
    undated = 0
    for batch in batches:
        name = table.answer(q.id) if q is not None else ""
        if not name or name not in batch.schema.names:
            undated += batch.num_rows
            continue
        years = _years(batch.column(name))
        undated += years.null_count
        _count(years, batch.column("source"), tally)
    return tuple(Found(y, n, ex) for y, (n, ex) in sorted(tally.items())), undated


def decide(found: Tuple[Found, ...], undated: int, named: Optional[str] = None) -> Rounds:
    """The rounds of a run from what its returns' dates say: the round named if any, else the one year found;
    mixed when several years are found and none is named."""
    if named:
        return Rounds(named, found, undated, False)
    if len(found) == 1:
        return Rounds(found[0].name, found, undated, False)
    return Rounds("", found, undated, len(found) > 1)


def of_run(run: Run, named: Optional[str] = None) -> Rounds:
    """The rounds of a scoring run's returns (read once more from the run)."""
    return decide(*found_in(run.form, run.returns()), named=named)


def of_answers(form: Form, answers: Iterable[dict], named: Optional[str] = None) -> Rounds:
    """The rounds of returns given as answers (question id -> answer), e.g. the returns of a scores.json."""
    q = form.role("date")
    tally: Dict[str, List] = {}
    undated = 0
    for n, a in enumerate(answers):
        y = year(a.get(q.id)) if q is not None else None
        if y is None:
            undated += 1
            continue
        tally.setdefault(y, [0, str(n)])[0] += 1
    return decide(tuple(Found(y, c, ex) for y, (c, ex) in sorted(tally.items())), undated, named)


def named(run: Run, rounds: Rounds) -> Run:
    """The run carrying its round, for the writers."""
    return dataclasses.replace(run, round=rounds.name)


def mixed_message(rounds: Rounds, where: str = "the inputs hold") -> str:
    """What a mixed run says: each round found, its returns and a file of one, and the way out."""
    lines = [f"{where} returns of {len(rounds.found)} assessment rounds (the years of their assessment dates); "
             "they are not merged into one report:"]
    lines += [f"  round {f.name}: {f.returns} return{'s' if f.returns != 1 else ''}, e.g. {shown(f.example)}"
              for f in rounds.found]
    if rounds.undated:
        lines.append(f"  and {rounds.undated} return{'s' if rounds.undated != 1 else ''} without a date")
    lines.append("Score each round's returns on its own (one 'cpc-forms score' per round, each into its own --out), "
                 "or give --round NAME to treat them all as one round.")
    return "\n".join(lines)
