"""What the reports hold of each return, declared once: every writer renders these fields and no others.

A return's row is its FIXED identity, per scored section the SECTION measures (SectionScore attributes of those
names, and the RATES made of two of them), the TAIL scores (ReturnScore attributes), its answers and its review
state. A new score in the model is one line here: scores.json then carries it, and scores.csv and the Returns sheet
too when it is flat.

"Don't know" is shown, not hidden: beside each section score its bounds (low, high: the score had every "don't
know" been the worst answer, or the best) and its "don't know" rate (the share of the section's applicable items
answered "don't know"; completeness is the share answered). Beside the level reached, the level of the index's
band alone and the level whose key elements were missing (held_by), when that held the return back.

Numbers keep full precision here, in scores.csv and in scores.json; only scores.xlsx (number formats) and
report.html round, for display. Missing numbers are None; missing texts (no country role, no submitted time)
are ''."""
from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional, Union

from ..model import SELECT_MULTIPLE, Form, Question, Report, ScoredReturn

TEXT, SCORE, FRACTION, COUNT, CODE = "text", "score", "fraction", "count", "code"


class Field(NamedTuple):
    """One measure of a return or of a section: its name, what kind of value it is, and whether the flat
    tables (scores.csv, the Returns sheet) have a column of it; scores.json has every field."""
    name: str
    kind: str
    flat: bool = True


FIXED = ("source", "location", "channel", "instance_id", "form_version", "submitted", "country", "agency")
SECTION = (Field("score", SCORE), Field("low", SCORE), Field("high", SCORE), Field("completeness", FRACTION),
           Field("dont_know_rate", FRACTION), Field("answered", COUNT, False), Field("applicable", COUNT, False),
           Field("dont_know", COUNT, False))
RATES = {"dont_know_rate": ("dont_know", "applicable")}  # SECTION measures that are one count over another
TAIL = (Field("index", SCORE), Field("level", CODE), Field("band_level", CODE), Field("held_by", CODE),
        Field("perceived_level", CODE))
TAIL_NAMES = tuple(f.name for f in TAIL)
ROLES = ("country", "agency")  # FIXED fields that are the answer of the question playing that role


def reported_questions(form: Form, personal: bool = False) -> List[Question]:
    """The questions whose answers go into reports: personal data only when asked for."""
    return [q for q in form.questions if personal or not q.personal]


def role_answer(scored: ScoredReturn, role: str) -> str:
    """The answer of the question playing a role (country, agency), '' when none."""
    q = scored.form.role(role)
    value = scored.response.answers.get(q.id) if q else None
    return "" if value is None else str(value)


def _answer(value: Any) -> Any:
    return list(value) if isinstance(value, (tuple, list)) else value


def return_row(report: Union[Report, Form], scored: ScoredReturn, personal: bool = False) -> Dict[str, Any]:
    """One return as scores.json writes it: identity, section scores, index, level, answers, review state."""
    form = report if isinstance(report, Form) else report.form
    r, score = scored.response, scored.score
    row: Dict[str, Any] = {k: role_answer(scored, k) if k in ROLES else getattr(r, k) for k in FIXED}
    found = {s.section: s for s in score.sections}
    row["sections"] = {s.id: {f.name: _measure(found.get(s.id), f) for f in SECTION} for s in form.scored_sections}
    row.update({f.name: getattr(score, f.name) for f in TAIL})
    answers = r.answers
    row["answers"] = {q.id: _answer(answers[q.id]) for q in reported_questions(form, personal)
                      if answers.get(q.id) is not None}
    row["review"] = r.review
    return row


def _measure(section, field: Field) -> Any:
    if section is None:
        return 0 if field.kind == COUNT else None
    if field.name in RATES:
        part, whole = (getattr(section, name) for name in RATES[field.name])
        return part / whole if whole else None
    return getattr(section, field.name)


def answer_columns(form: Form, personal: bool = False) -> Dict[str, Question]:
    """Column name -> question, for the flat answer columns.

    The country and agency questions are already the country and agency columns; a question whose id
    is a fixed column's name (say 'index') is named answer.<id>, as question ids never hold a dot."""
    out = {}
    for q in reported_questions(form, personal):
        if q.role not in ROLES:
            out[f"answer.{q.id}" if q.id in FIXED + TAIL_NAMES else q.id] = q
    return out


def section_columns(form: Form) -> List[str]:
    """The flat columns of the section measures: <section id>.<measure>."""
    return [f"{s.id}.{f.name}" for s in form.scored_sections for f in SECTION if f.flat]


def columns(form: Form, personal: bool = False) -> List[str]:
    """The flat columns of scores.csv and the Returns sheet, in order."""
    return [*FIXED, *section_columns(form), *TAIL_NAMES, *answer_columns(form, personal)]


def flat(form: Form, row: Dict[str, Any], personal: bool = False) -> Dict[str, Any]:
    """A return row flattened to columns (section ids never clash: question ids have no dot)."""
    out = {k: row[k] for k in FIXED}
    for sid, got in row["sections"].items():
        out.update({f"{sid}.{f.name}": got[f.name] for f in SECTION if f.flat})
    out.update({k: row[k] for k in TAIL_NAMES})
    for name, q in answer_columns(form, personal).items():
        value = row["answers"].get(q.id)
        out[name] = " ".join(map(str, value)) if q.kind == SELECT_MULTIPLE and value is not None else value
    return out


def kind_of(name: str) -> Optional[str]:
    """The kind of a flat score column (SCORE, FRACTION, COUNT), None for the others."""
    _, dot, measure = name.rpartition(".")
    fields = {f.name: f.kind for f in SECTION} if dot else {f.name: f.kind for f in TAIL}
    kind = fields.get(measure if dot else name)
    return kind if kind in (SCORE, FRACTION, COUNT) else None


def totals(counts) -> Dict[str, int]:
    """read, accepted, rejected, duplicates and excluded (by a reviewer on the server) summed over the channels."""
    counts = counts.counts if hasattr(counts, "counts") else counts
    keys = ("read", "accepted", "rejected", "duplicates", "excluded")
    return {k: sum(int(v.get(k, 0)) for v in counts.values()) for k in keys}


def label(text, language: Optional[str], default: str) -> str:
    """A text in a language, else in the default language, else ''."""
    return text.get(language or default) or text.get(default) or ""
