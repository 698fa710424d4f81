"""One Report -> plain rows and aggregates (codes and unrounded numbers) that every writer renders.

Numbers keep full precision here, in scores.csv and in scores.json; only scores.xlsx (number formats)
and report.html round, for display. Missing numbers are None; missing texts (no country role, no
submitted time) are ''."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..model import SELECT_MULTIPLE, CountryScore, Form, GroupScore, Question, Report, ScoredReturn

FIXED = ("source", "location", "channel", "instance_id", "form_version", "submitted", "country", "agency")
TAIL = ("index", "level", "perceived_level")


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


def return_row(report: Report, scored: ScoredReturn, personal: bool = False) -> Dict[str, Any]:
    """One return as scores.json writes it: identity, section scores, index, level, answers."""
    r, score = scored.response, scored.score
    row: Dict[str, Any] = dict(source=r.source, location=r.location, channel=r.channel,
                               instance_id=r.instance_id, form_version=r.form_version, submitted=r.submitted,
                               country=role_answer(scored, "country"), agency=role_answer(scored, "agency"))
    sections = {}
    for s in report.form.scored_sections:
        got = score.section(s.id)
        sections[s.id] = dict(score=got.score if got else None, completeness=got.completeness if got else None,
                              answered=got.answered if got else 0, applicable=got.applicable if got else 0)
    row["sections"] = sections
    row.update(index=score.index, level=score.level, perceived_level=score.perceived_level)
    answers = r.answers
    row["answers"] = {q.id: _answer(answers[q.id]) for q in reported_questions(report.form, personal)
                      if answers.get(q.id) is not None}
    return row


def answer_columns(form: Form, personal: bool = False) -> Dict[str, Question]:
    """Column name -> question, for the flat answer columns.

    The country and agency questions are already the country and agency columns; a question whose id
    is a fixed column's name (say 'index') is named answer.<id>, as question ids never hold a dot."""
    out = {}
    for q in reported_questions(form, personal):
        if q.role not in ("country", "agency"):
            out[f"answer.{q.id}" if q.id in FIXED + TAIL else q.id] = q
    return out


def columns(form: Form, personal: bool = False) -> List[str]:
    """The flat columns of scores.csv and the Returns sheet, in order."""
    per_section = [f"{s.id}.{what}" for s in form.scored_sections for what in ("score", "completeness")]
    return [*FIXED, *per_section, *TAIL, *answer_columns(form, personal)]


def flat(form: Form, row: Dict[str, Any], personal: bool = False) -> Dict[str, Any]:
    """A return row flattened to columns (section ids never clash: question ids have no dot)."""
    out = {k: row[k] for k in FIXED}
    for sid, got in row["sections"].items():
        out[f"{sid}.score"], out[f"{sid}.completeness"] = got["score"], got["completeness"]
    out.update({k: row[k] for k in TAIL})
    for name, q in answer_columns(form, personal).items():
        value = row["answers"].get(q.id)
        out[name] = " ".join(map(str, value)) if q.kind == SELECT_MULTIPLE and value is not None else value
    return out


def group(g: GroupScore) -> Dict[str, Any]:
    """Means of one group (agency '' is the whole country), with measured and perceived level."""
    return dict(agency=g.agency, returns=g.returns, sections=dict(g.sections), index=g.index, level=g.level,
                perceived=dict(g.perceived), perceived_mode=g.perceived_mode)


def country(c: CountryScore) -> Dict[str, Any]:
    """One country's aggregates: everyone, each agency, and the perception gaps."""
    return dict(country=c.country, total=group(c.total), agencies=[group(a) for a in c.agencies],
                gaps=[dict(section=g.section, first=g.first, second=g.second, gap=g.gap, flagged=g.flagged)
                      for g in c.gaps])


def totals(report: Report) -> Dict[str, int]:
    """read, accepted, rejected, duplicates and excluded (by a reviewer on the server) summed over the channels."""
    keys = ("read", "accepted", "rejected", "duplicates", "excluded")
    return {k: sum(int(v.get(k, 0)) for v in report.counts.values()) for k in keys}


def label(text, language: Optional[str], default: str) -> str:
    """A text in a language, else in the default language, else ''."""
    return text.get(language or default) or text.get(default) or ""
