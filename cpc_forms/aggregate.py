"""Many returns -> country figures: each agency's means, the agency-balanced national figure, perception gaps and
perceived levels (Tally, figures); and the model's pooled view of the same returns (aggregate)."""
from __future__ import annotations

from collections import Counter
from fractions import Fraction
from statistics import fmean
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import model
from .exact import Sums
from .model import CountryScore, Form, GroupScore, Response, ReturnScore
from .scoring import level_for


def _mean(values: Iterable[Optional[float]]) -> Optional[float]:
    found = [v for v in values if v is not None]
    return fmean(found) if found else None


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


def gaps(form: Form, agencies: Iterable[GroupScore]) -> Tuple[model.Gap, ...]:
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
        out.append(model.Gap(sid, a, b, gap, gap is not None and abs(gap) >= form.gap_flag))
    return tuple(out)


def aggregate(form: Form, scored: Iterable[Tuple[Response, ReturnScore]]) -> Tuple[CountryScore, ...]:
    """The model's pooled view: returns grouped by country, then by agency, in code order, every return counting
    once in its country's total and any gap flagged (the reports show figures() instead)."""
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


# Country figures, as the reports show them: each agency's means, the agency-balanced national figure, perception
# gaps compared only where both sides have enough returns, and the perceived level as a median with its distribution.

MIN_GAP_RETURNS = 2  # returns each side needs behind a figure before its gap can be flagged
BALANCED, ONE_GROUP, POOLED, NONE = "balanced", "one-group", "pooled", "none"
TOO_FEW, NO_VALUE = "too-few-returns", "no-value"


class Group(NamedTuple):
    """Means over the returns of one agency of a country (agency '' when the form has none), or its national
    figure (agency '')."""
    agency: str
    returns: int
    sections: Mapping[str, Optional[float]]
    index: Optional[float]  # type: ignore[assignment]  # shadows tuple.index(), as ReturnScore.index does
    level: Optional[str]  # the level band the index falls in
    perceived: Mapping[str, int]  # perceived level code -> returns that chose it, in level order
    perceived_median: Optional[str]
    scored: Mapping[str, int]  # section id ('' for the index) -> returns with a value there


class Gap(NamedTuple):
    """The first gap group's figure minus the second's, on a section ('' for the index)."""
    section: str
    first: Optional[float]
    second: Optional[float]
    gap: Optional[float]
    flagged: bool
    reason: str  # '' when compared; TOO_FEW: a side has fewer than MIN_GAP_RETURNS; NO_VALUE: a side has no figure
    first_returns: int
    second_returns: int


class Country(NamedTuple):
    """One country: its national figure and how it was made, every agency apart, and the perception gaps."""
    country: str
    national: Group
    method: str  # BALANCED; ONE_GROUP (one gap group answered); POOLED (no gap groups: every return); NONE
    basis: Tuple[str, ...]  # the agencies the national figure rests on
    agencies: Tuple[Group, ...]
    gaps: Tuple[Gap, ...]


def perceived_order(form: Form) -> List[str]:
    """Perceived level codes in level order: the form's levels, then the perceived question's other choices."""
    codes = [lv.code for lv in form.levels]
    q = form.role("perceived_level")
    return codes + [c.code for c in (q.choices if q else ()) if c.code not in codes]


def median(distributions: Sequence[Sequence[int]], order: Sequence[str]) -> Optional[str]:
    """The median by level order of one or more distributions (counts in order), each weighing the same: the first
    level where the cumulative share reaches one half (a tie goes to the lower level)."""
    shares = [[Fraction(n, sum(d)) for n in d] for d in distributions if sum(d)]
    reached = Fraction(0)
    for k, code in enumerate(order):
        reached += sum(s[k] for s in shares)
        if shares and reached * 2 >= len(shares):
            return code
    return None


class Tally:
    """Country figures accumulated from columns of returns, a batch at a time, exactly (exact.Sums): memory grows
    with the countries and agencies, not with the returns."""

    def __init__(self, form: Form):
        self.form = form
        self.measures = [s.id for s in form.scored_sections] + [""]
        self.sums = {m: Sums() for m in self.measures}
        self.ids: Dict[Tuple[str, str], int] = {}
        self.returns = np.zeros(0, dtype=np.int64)
        self.perceived: Counter = Counter()  # (group id, perceived code) -> returns

    def add(self, countries, agencies, values: Mapping[str, Any], perceived) -> None:
        """A batch: per row its country and agency codes, each measure's value (by section id, '' for the index;
        None or NaN for none) and its perceived level; as sequences or Arrow arrays (dictionary-encoded or not)."""
        (country_codes, c), (agency_codes, a) = _codes(countries), _codes(agencies)
        pairs, groups = np.unique(c * max(len(agency_codes), 1) + a, return_inverse=True)
        width = max(len(agency_codes), 1)
        ids = [self.ids.setdefault((country_codes[p // width], agency_codes[p % width]), len(self.ids))
               for p in pairs.tolist()]
        groups = np.asarray(ids, dtype=np.intp)[groups.reshape(-1)] if ids else np.zeros(0, np.intp)
        size = len(self.ids)
        self.returns = np.pad(self.returns, (0, size - len(self.returns))) + np.bincount(groups, minlength=size)
        for m in self.measures:
            self.sums[m].add(groups, _floats(values[m]), size)
        chosen, p = _codes(perceived)
        said = p >= 0
        found, counts = np.unique(groups[said] * max(len(chosen), 1) + p[said], return_counts=True)
        for key, n in zip(found.tolist(), counts.tolist(), strict=True):
            self.perceived[(key // max(len(chosen), 1), chosen[key % max(len(chosen), 1)])] += n

    def countries(self) -> Tuple[Country, ...]:
        """Every country's figures, countries and agencies in code order."""
        by_country: Dict[str, Dict[str, int]] = {}
        for (country, agency), g in self.ids.items():
            by_country.setdefault(country, {})[agency] = g
        self.chosen: Dict[int, Counter] = {}
        for (g, code), n in self.perceived.items():
            if code:
                self.chosen.setdefault(g, Counter())[code] += n
        return tuple(self._country(c, by_country[c]) for c in sorted(by_country))

    def _group(self, agency: str, ids: Sequence[int]) -> Group:
        counts: Counter = sum((self.chosen.get(g, Counter()) for g in ids), Counter())
        order = perceived_order(self.form)
        order += sorted(set(counts) - set(order))
        index = self.sums[""].mean(*ids)
        return Group(agency, int(sum(self.returns[g] for g in ids)),
                     {m: self.sums[m].mean(*ids) for m in self.measures if m}, index, level_for(self.form, index),
                     {c: counts[c] for c in order if counts[c]}, median([[counts[c] for c in order]], order),
                     {m: sum(self.sums[m].count(g) for g in ids) for m in self.measures})

    def _balanced(self, groups: Sequence[Group]) -> Group:
        """The mean of the groups' figures, each group weighing the same whatever its number of returns."""
        order = perceived_order(self.form)
        order += sorted({c for g in groups for c in g.perceived} - set(order))
        index = _mean(g.index for g in groups)
        pooled = {c: sum(g.perceived.get(c, 0) for g in groups) for c in order}
        return Group("", sum(g.returns for g in groups),
                     {m: _mean(g.sections[m] for g in groups) for m in self.measures if m}, index,
                     level_for(self.form, index), {c: n for c, n in pooled.items() if n},
                     median([[g.perceived.get(c, 0) for c in order] for g in groups], order),
                     {m: sum(g.scored[m] for g in groups) for m in self.measures})

    def _country(self, country: str, ids: Dict[str, int]) -> Country:
        agencies = {a: self._group(a, [ids[a]]) for a in sorted(ids)}
        pair = self.form.gap_groups if len(self.form.gap_groups) == 2 and self.form.role("agency") else ()
        if not pair:
            national, basis = self._group("", list(ids.values())), tuple(agencies)
            return Country(country, national, POOLED, basis, tuple(agencies.values()), ())
        basis = tuple(a for a in pair if a in agencies)
        method = BALANCED if len(basis) == 2 else ONE_GROUP if basis else NONE
        return Country(country, self._balanced([agencies[a] for a in basis]), method, basis,
                       tuple(agencies.values()), self._gaps(agencies.get(pair[0]), agencies.get(pair[1])))

    def _gaps(self, first: Optional[Group], second: Optional[Group]) -> Tuple[Gap, ...]:
        out = []
        for m in self.measures:
            a, b = ((g.sections[m] if m else g.index) if g else None for g in (first, second))
            na, nb = (g.scored[m] if g else 0 for g in (first, second))
            gap = a - b if a is not None and b is not None else None
            enough = na >= MIN_GAP_RETURNS and nb >= MIN_GAP_RETURNS
            reason = NO_VALUE if gap is None else "" if enough else TOO_FEW
            flagged = gap is not None and enough and abs(gap) >= self.form.gap_flag
            out.append(Gap(m, a, b, gap, flagged, reason, na, nb))
        return tuple(out)


def _codes(column) -> Tuple[List[Any], np.ndarray]:
    """(the distinct values but None, per row the index of its value in them, -1 for None)."""
    if isinstance(column, (pa.Array, pa.ChunkedArray)):
        encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
        indices = pc.fill_null(encoded.indices, pa.scalar(-1, encoded.indices.type))
        return encoded.dictionary.to_pylist(), indices.to_numpy(zero_copy_only=False)
    values = list(column)
    distinct = [v for v in dict.fromkeys(values) if v is not None]
    where = {v: n for n, v in enumerate(distinct)}
    return distinct, np.array([where.get(v, -1) if v is not None else -1 for v in values], dtype=np.int64)


def _floats(column) -> np.ndarray:
    """Numbers as floats, NaN for none."""
    if isinstance(column, (pa.Array, pa.ChunkedArray)):
        if pa.types.is_dictionary(column.type):
            column = pc.take(column.dictionary, column.indices)
        return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)
    return np.array([np.nan if v is None else v for v in column], dtype=np.float64)


def figures(form: Form, scored: Iterable[Tuple[Response, ReturnScore]]) -> Tuple[Country, ...]:
    """The country figures of scored returns held in memory (the reports accumulate theirs batch by batch)."""
    tally, country_q, agency_q = Tally(form), form.role("country"), form.role("agency")
    rows = [(str(r.answers.get(country_q.id) or "") if country_q else "",
             str(r.answers.get(agency_q.id) or "") if agency_q else "", s) for r, s in scored]
    if rows:
        values = {m: np.array([_value(s, m) for _, _, s in rows], dtype=np.float64) for m in tally.measures}
        tally.add([c for c, _, _ in rows], [a for _, a, _ in rows], values, [s.perceived_level for _, _, s in rows])
    return tally.countries()


def _value(score: ReturnScore, measure: str) -> float:
    value = (found.score if (found := score.section(measure)) else None) if measure else score.index
    return float("nan") if value is None else value
