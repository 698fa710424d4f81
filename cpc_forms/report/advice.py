"""What to do next in each country, as scores.json and scores.xlsx carry it: the recommendations of the key elements
that held its national level back (the gate recommendations of the items that level's requires read), then those
recommendations.for_country chooses for its national section figures, weakest section first.

The Action plan (plan.py) lists each country's weak sections: those whose national figure is under the band of the
level just above the country's measured level (the lowest level's, for a country with no level), weakest first,
after any level its key elements held back. A country at the top level has no weak section.

Per return, recommendations.recommend would add about three times the cost of scoring a return (it reads the
answers again, evaluates the gates and walks the items) to a run of a million returns, and some sixteen entries to
each return's line of scores.json; they stay per country, and a reader can ask recommend for one return."""
from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from .. import recommendations
from ..aggregate import Country
from ..model import Form, Level
from ..recommendations import GATE, SECTION, Advice


def held_level(form: Form, country: Country) -> Optional[Level]:
    """The level whose key elements held the country's national figure below its band, or None."""
    held = country.national.held_by
    return next((lv for lv in form.levels if lv.code == held), None) if held else None


def gates(form: Form, country: Country) -> Tuple[Advice, ...]:
    """The gate recommendations of the items the held level's key elements read, in the order it reads them."""
    level = held_level(form, country)
    if level is None or level.requires is None:
        return ()
    read = dict.fromkeys(level.requires.questions())
    return tuple(Advice(rec, GATE, level.code, None) for qid in read
                 for rec in recommendations.for_item(form, qid, GATE))


def for_country(form: Form, country: Country) -> Tuple[Advice, ...]:
    """A country's recommendations: the held-back level's key elements first, then its sections weakest first."""
    return gates(form, country) + recommendations.for_country(form, country)


def as_json(form: Form, advice: Advice) -> Dict[str, Any]:
    """One recommendation as scores.json holds it: why, its target, its text in every spec language, its chapter."""
    rec = advice.recommendation
    return {"reason": advice.reason, "section": rec.section, "question": rec.question, "level": advice.level,
            "score": advice.score, "handbook_ref": rec.handbook_ref,
            "text": {lang: rec.in_language(lang, form.default_language) for lang in form.languages}}


class Step(NamedTuple):
    """One row of the Action plan: a country's weak section (section id), or the level its key elements held back
    (section '')."""
    country: Country
    section: str
    level: Optional[str]  # the band of the section's figure; of a held level, the level the country was held at
    score: Optional[float]
    low: Optional[float]
    high: Optional[float]
    advice: Tuple[Advice, ...]


def _next_level(form: Form, level: Optional[str]) -> Optional[Level]:
    codes = [lv.code for lv in form.levels]
    place = codes.index(level) + 1 if level in codes else 1
    return form.levels[place] if place < len(codes) else None


def weak_sections(form: Form, country: Country) -> List[str]:
    """The sections whose national figure is under the band of the level above the country's, weakest first."""
    above = _next_level(form, country.national.level)
    if above is None:
        return []
    sections = country.national.sections
    found = [(score, n, s.id) for n, s in enumerate(form.scored_sections)
             if (score := sections.get(s.id)) is not None and score < above.low]
    return [sid for _, _, sid in sorted(found)]


def steps(form: Form, country: Country) -> List[Step]:
    """A country's rows of the Action plan: the held level, then each weak section, weakest first."""
    from ..scoring import level_for

    n = country.national
    out = [Step(country, "", n.level, None, None, None, gates(form, country))] if held_level(form, country) else []
    chosen = recommendations.for_country(form, country)
    for sid in weak_sections(form, country):
        score = n.sections.get(sid)
        mine = tuple(a for a in chosen if a.reason == SECTION and a.recommendation.section == sid)
        out.append(Step(country, sid, level_for(form, score), score, n.low.get(sid), n.high.get(sid), mine))
    return out
