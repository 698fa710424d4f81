"""Many returns -> country figures: each agency's means, the agency-balanced national figure, perception gaps,
perceived levels, the "don't know" rates and bounds beside every section mean, and the key elements (gates) that
hold a figure's level back (Tally, figures).

A figure's level is gated as a return's is (scoring.gated), its key elements judged on its returns: the level is the
band of its index, unless a level at or below that band has key elements that are not in place in more than half
of the returns behind the index; then it is the level below the first such one. A national figure weighs its
agencies the same here too: a level's share is the mean of each agency's share of its returns with those key
elements. A tie (exactly half) holds the figure back, as a tie of the perceived median goes to the lower level:
overstating cooperation is the worse mistake."""
from __future__ import annotations

from collections import Counter
from fractions import Fraction
from statistics import fmean
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .exact import Sums
from .model import Form, Response, ReturnScore
from .scoring import band_of, gated, plan_for


def _mean(values: Iterable[Optional[float]]) -> Optional[float]:
    found = [v for v in values if v is not None]
    return fmean(found) if found else None


# Country figures, as the reports show them: each agency's means, the agency-balanced national figure, perception
# gaps compared only where both sides have enough returns, and the perceived level as a median with its distribution.

MIN_GAP_RETURNS = 2  # returns each side needs behind a figure before its gap can be flagged
BALANCED, ONE_GROUP, POOLED, NONE = "balanced", "one-group", "pooled", "none"
TOO_FEW, NO_VALUE = "too-few-returns", "no-value"
BOUNDS = ("low", "high", "dont_know_rate")  # per section, beside its score: a measure "<section id>.<bound>"
MAJORITY = Fraction(1, 2)  # a level's key elements count as in place in a figure above this share of its returns


class Group(NamedTuple):
    """Means over the returns of one agency of a country (agency '' when the form has none), or its national
    figure (agency '')."""
    agency: str
    returns: int
    sections: Mapping[str, Optional[float]]
    index: Optional[float]  # type: ignore[assignment]  # shadows tuple.index(), as ReturnScore.index does
    level: Optional[str]  # the level reached: the band of the index, or below it where key elements are missing
    perceived: Mapping[str, int]  # perceived level code -> returns that chose it, in level order
    perceived_median: Optional[str]
    scored: Mapping[str, int]  # section id ('' for the index) -> returns with a value there
    low: Mapping[str, Optional[float]]  # section id -> mean of its low bounds ("don't know" as the worst answer)
    high: Mapping[str, Optional[float]]  # ... of its high bounds ("don't know" as the best answer)
    dont_know_rate: Mapping[str, Optional[float]]  # section id -> mean share of applicable items answered "don't know"
    band_level: Optional[str]  # the level whose band the index falls in
    held_by: Optional[str]  # the level whose key elements are not in place in more than half of the returns
    key_elements: Mapping[str, Optional[float]]  # gated level code -> share of the returns behind the index that
    #   have its key elements (a national figure: the mean of its agencies' shares); None without such returns


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


def gated_level(form: Form, index: Optional[float],
                shares: Mapping[str, Optional[Fraction]]) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(the band's level, the level reached, the level that held it back) of a figure: its index's band, held at the
    level below the first gated level at or below it whose key elements are in place in no more than half of its
    returns (shares: gated level code -> that share). scoring.gated decides, as for one return."""
    plan = plan_for(form)
    codes = [b.value for b in plan.levels]
    band = band_of(plan, index)
    holds = [gate is None or (shares.get(code) or 0) > MAJORITY for code, gate in zip(codes, plan.gates, strict=True)]
    level, held = gated(plan, band, holds)
    return tuple(None if n is None else codes[n] for n in (band, level, held))  # type: ignore[return-value]


def gated_levels(form: Form) -> List[Tuple[int, str]]:
    """(place, code) of the levels that require key elements."""
    return [(n, b.value) for n, (b, gate) in enumerate(zip(plan_for(form).levels, plan_for(form).gates, strict=True))
            if gate is not None]


def lacking_bits(form: Form, missing: Sequence[Sequence[str]]) -> List[int]:
    """Per return, the levels of form whose key elements it lacks (ReturnScore.missing) as bits: bit n, level n."""
    bit = {lv.code: 1 << n for n, lv in enumerate(form.levels)}
    memo = {codes: sum(bit.get(c, 0) for c in codes) for codes in set(map(tuple, missing))}
    return [memo[tuple(codes)] for codes in missing]


class Tally:
    """Country figures accumulated from columns of returns, a batch at a time, exactly (exact.Sums): memory grows
    with the countries and agencies, not with the returns."""

    def __init__(self, form: Form):
        self.form = form
        sections = [s.id for s in form.scored_sections]
        self.scores = sections + [""]  # what gaps compare: each section's score, the index ('')
        self.measures = self.scores + [f"{sid}.{b}" for sid in sections for b in BOUNDS]
        self.sums = {m: Sums() for m in self.measures}
        self.gates = gated_levels(form)
        self.ids: Dict[Tuple[str, str], int] = {}
        self.returns = np.zeros(0, dtype=np.int64)
        self.kept = np.zeros((len(self.gates), 0), dtype=np.int64)  # per gated level, returns with an index and it
        self.perceived: Counter = Counter()  # (group id, perceived code) -> returns

    def add(self, countries, agencies, values: Mapping[str, Any], perceived, missing=None) -> None:
        """A batch: per row its country and agency codes, each measure's value (by measure name: a section id
        for its score, '' for the index, "<section id>.<bound>" for BOUNDS; None or NaN for none), its perceived
        level and the levels whose key elements it lacks (lacking_bits; None: none lacks any); as sequences or
        Arrow arrays (dictionary-encoded or not)."""
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
        bits = np.zeros(len(groups), np.int64) if missing is None else _floats(missing).astype(np.int64)
        indexed = ~np.isnan(_floats(values[""]))
        self.kept = np.pad(self.kept, ((0, 0), (0, size - self.kept.shape[1])))
        for k, (n, _) in enumerate(self.gates):
            have = indexed & ((bits >> n) & 1 == 0)
            self.kept[k] += np.bincount(groups[have], minlength=size)
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

    def _shares(self, ids: Sequence[int]) -> Dict[str, Optional[Fraction]]:
        """Per gated level, the share of these groups' returns with an index that have its key elements."""
        behind = sum(self.sums[""].count(g) for g in ids)
        return {code: Fraction(int(sum(self.kept[k, g] for g in ids)), behind) if behind else None
                for k, (_, code) in enumerate(self.gates)}

    def _made(self, agency: str, returns: int, sections, index, perceived, distributions, order, scored, bounds,
              shares: Mapping[str, Optional[Fraction]]) -> Group:
        band, level, held = gated_level(self.form, index, shares)
        low, high, dont_know = bounds
        return Group(agency, returns, sections, index, level, {c: n for c, n in perceived.items() if n},
                     median(distributions, order), scored, low, high, dont_know, band, held,
                     {code: None if share is None else float(share) for code, share in shares.items()})

    def _group(self, agency: str, ids: Sequence[int]) -> Group:
        counts: Counter = sum((self.chosen.get(g, Counter()) for g in ids), Counter())
        order = perceived_order(self.form)
        order += sorted(set(counts) - set(order))
        sections = [m for m in self.scores if m]
        bounds = [{sid: self.sums[f"{sid}.{b}"].mean(*ids) for sid in sections} for b in BOUNDS]
        returns = int(sum(self.returns[g] for g in ids))
        return self._made(agency, returns, {m: self.sums[m].mean(*ids) for m in sections}, self.sums[""].mean(*ids),
                          {c: counts[c] for c in order}, [[counts[c] for c in order]], order,
                          {m: sum(self.sums[m].count(g) for g in ids) for m in self.scores}, bounds, self._shares(ids))

    def _balanced(self, groups: Sequence[Group], ids: Sequence[int]) -> Group:
        """The mean of the groups' figures, each group weighing the same whatever its number of returns; the
        share of a level's key elements likewise, over the groups with returns behind an index."""
        order = perceived_order(self.form)
        order += sorted({c for g in groups for c in g.perceived} - set(order))
        sections = [m for m in self.scores if m]
        bounds = [{sid: _mean(getattr(g, b)[sid] for g in groups) for sid in sections} for b in BOUNDS]
        each = [self._shares([g]) for g in ids]
        shares = {code: _fraction_mean([s[code] for s in each]) for _, code in self.gates}
        means = {m: _mean(g.sections[m] for g in groups) for m in sections}
        return self._made("", sum(g.returns for g in groups), means, _mean(g.index for g in groups),
                          {c: sum(g.perceived.get(c, 0) for g in groups) for c in order},
                          [[g.perceived.get(c, 0) for c in order] for g in groups], order,
                          {m: sum(g.scored[m] for g in groups) for m in self.scores}, bounds, shares)

    def _country(self, country: str, ids: Dict[str, int]) -> Country:
        agencies = {a: self._group(a, [ids[a]]) for a in sorted(ids)}
        pair = self.form.gap_groups if len(self.form.gap_groups) == 2 and self.form.role("agency") else ()
        if not pair:
            national, basis = self._group("", list(ids.values())), tuple(agencies)
            return Country(country, national, POOLED, basis, tuple(agencies.values()), ())
        basis = tuple(a for a in pair if a in agencies)
        method = BALANCED if len(basis) == 2 else ONE_GROUP if basis else NONE
        return Country(country, self._balanced([agencies[a] for a in basis], [ids[a] for a in basis]), method, basis,
                       tuple(agencies.values()), self._gaps(agencies.get(pair[0]), agencies.get(pair[1])))

    def _gaps(self, first: Optional[Group], second: Optional[Group]) -> Tuple[Gap, ...]:
        out = []
        for m in self.scores:
            a, b = ((g.sections[m] if m else g.index) if g else None for g in (first, second))
            na, nb = (g.scored[m] if g else 0 for g in (first, second))
            gap = a - b if a is not None and b is not None else None
            enough = na >= MIN_GAP_RETURNS and nb >= MIN_GAP_RETURNS
            reason = NO_VALUE if gap is None else "" if enough else TOO_FEW
            flagged = gap is not None and enough and abs(gap) >= self.form.gap_flag
            out.append(Gap(m, a, b, gap, flagged, reason, na, nb))
        return tuple(out)


def _fraction_mean(values: Sequence[Optional[Fraction]]) -> Optional[Fraction]:
    found = [v for v in values if v is not None]
    return sum(found, Fraction(0)) / len(found) if found else None


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
        tally.add([c for c, _, _ in rows], [a for _, a, _ in rows], values, [s.perceived_level for _, _, s in rows],
                  lacking_bits(form, [s.missing for _, _, s in rows]))
    return tally.countries()


def _value(score: ReturnScore, measure: str) -> float:
    """One measure of a return (a Tally measure name), NaN for none."""
    sid, _, bound = measure.partition(".")
    found = score.section(sid) if sid else None
    if not sid:
        value = score.index
    elif found is None:
        value = None
    elif bound == "dont_know_rate":
        value = found.dont_know / found.applicable if found.applicable else None
    else:
        value = getattr(found, bound or "score")
    return float("nan") if value is None else value
