"""Many returns -> per-country and per-agency means, perception gaps, perceived vs measured level."""
from __future__ import annotations

from collections import Counter
from statistics import fmean
from typing import Iterable, List, Optional, Tuple

from .model import CountryScore, Form, Gap, GroupScore, Response, ReturnScore
from .scoring import level_for


def _mean(values) -> Optional[float]:
    values = [v for v in values if v is not None]
    return fmean(values) if values else None


def group_score(form: Form, country: str, agency: str, scored: List[Tuple[Response, ReturnScore]]) -> GroupScore:
    """Means of one group of scored returns."""
    sections = {s.id: _mean(found.score if (found := r.section(s.id)) else None for _, r in scored)
                for s in form.scored_sections}
    index = _mean(r.index for _, r in scored)
    perceived = Counter(r.perceived_level for _, r in scored if r.perceived_level)
    order = {lv.code: n for n, lv in enumerate(form.levels)}
    # the most chosen level; on a tie, the lower one (overstating cooperation is the worse mistake)
    mode = max(perceived, key=lambda code: (perceived[code], -order.get(code, 0))) if perceived else None
    return GroupScore(country, agency, len(scored), sections, index, level_for(form, index), dict(perceived), mode)


def gaps(form: Form, agencies: Iterable[GroupScore]) -> Tuple[Gap, ...]:
    """The first gap group's means minus the second's, per section and on the index; flagged at the threshold."""
    if len(form.gap_groups) != 2:
        return ()
    by_code = {g.agency: g for g in agencies}
    first, second = (by_code.get(code) for code in form.gap_groups)
    out = []
    for sid in [s.id for s in form.scored_sections] + [""]:
        a = (first.sections.get(sid) if sid else first.index) if first else None
        b = (second.sections.get(sid) if sid else second.index) if second else None
        gap = a - b if a is not None and b is not None else None
        out.append(Gap(sid, a, b, gap, gap is not None and abs(gap) >= form.gap_flag))
    return tuple(out)


def aggregate(form: Form, scored: Iterable[Tuple[Response, ReturnScore]]) -> Tuple[CountryScore, ...]:
    """Returns grouped by country, then by agency, in code order."""
    country_q, agency_q = form.role("country"), form.role("agency")
    groups: dict = {}
    for response, score in scored:
        country = str(response.answers.get(country_q.id) or "") if country_q else ""
        agency = str(response.answers.get(agency_q.id) or "") if agency_q else ""
        groups.setdefault(country, {}).setdefault(agency, []).append((response, score))
    out = []
    for country in sorted(groups):
        by_agency = groups[country]
        agencies = tuple(group_score(form, country, a, by_agency[a]) for a in sorted(by_agency))
        everyone = [pair for a in sorted(by_agency) for pair in by_agency[a]]
        out.append(CountryScore(country, group_score(form, country, "", everyone), agencies, gaps(form, agencies)))
    return tuple(out)
