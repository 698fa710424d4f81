"""The scoring plan, and pure scoring of one return by it: item scores, section scores, overall index, level.

Every rule of scoring is data in one frozen ScoringPlan, built once per Form: which codes score how many
points, which make an item not applicable or count as "don't know", which choices a multiple choice
counts, the bands, the completeness threshold and the level bands. Python (here), NumPy (bulk.py), the
workbook's formulas, the XForm's calculates and the web form's JavaScript all read that plan and only render
its arithmetic. Nothing is rounded here; rounding happens only at display (display()).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from . import conditions
from .answers import answered, flatten
from .model import (
    DONT_KNOW,
    NOT_APPLICABLE,
    SELECT_MULTIPLE,
    SELECT_ONE,
    Condition,
    Form,
    ItemScore,
    Question,
    ReturnScore,
    SectionScore,
)

SCORED, NA, NOT_RELEVANT, DK, MISSING = "scored", "not_applicable", "not_relevant", "dont_know", "missing"
CHOICE, COUNT, NUMBER = "choice", "count", "number"  # how an item's answer becomes points


@dataclass(frozen=True)
class Band:
    """value for a number x with low <= x < high (high None: no upper bound; closed: x == high too)."""
    low: float
    high: Optional[float]
    value: Any
    closed: bool = False

    def contains(self, x: float) -> bool:
        """Whether x falls in this band."""
        return x >= self.low and (self.high is None or x < self.high or (self.closed and x == self.high))


@dataclass(frozen=True)
class Threshold:
    """x passes when x >= value (inclusive) or x > value."""
    value: float
    inclusive: bool = True

    def passes(self, x: float) -> bool:
        """Whether x reaches the threshold."""
        return x >= self.value if self.inclusive else x > self.value


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: caches key on it
class ItemPlan:
    """How one scored item's answer becomes its status and points."""
    question: str
    kind: str  # CHOICE: points by code; COUNT: a band of how many counted codes are chosen; NUMBER: a band of it
    points: Mapping[str, float]  # CHOICE: code -> points
    not_applicable: Tuple[str, ...]  # codes that take the item out of its section (chosen at all, for COUNT)
    dont_know: Tuple[str, ...]  # CHOICE: codes that count as asked but not answered
    counted: Tuple[str, ...]  # COUNT: the codes counted (none-of-these and the other special answers are not)
    bands: Tuple[Band, ...]  # COUNT, NUMBER: the band the number falls in gives the points
    weight: float
    max_points: float
    conditional: bool  # whether it can be not relevant (its own or its section's condition)

    @property
    def weighted_max(self) -> float:
        """weight x the best points: what an answered item adds to its section's denominator."""
        return self.weight * self.max_points


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: caches key on it
class SectionPlan:
    """A scored section: its items, and its weight in the overall index."""
    section: str
    weight: float
    items: Tuple[ItemPlan, ...]


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: caches key on it
class ScoringPlan:
    """Every rule of a form's scoring, as data every target renders."""
    sections: Tuple[SectionPlan, ...]
    completeness: Threshold  # answered / applicable a section needs for a score
    min_sections: int  # sections with a score the index needs (at least 1)
    levels: Tuple[Band, ...]  # index -> level code
    gates: Tuple[Optional[Condition], ...]  # per level, the key elements it requires besides its band (None: none)
    perceived: Optional[str]  # the question of the level the respondent perceives

    def item(self, qid: str) -> ItemPlan:
        """The plan of one scored item."""
        return self._items[qid]

    @cached_property
    def _items(self) -> Mapping[str, ItemPlan]:
        return MappingProxyType({item.question: item for s in self.sections for item in s.items})


def _item_plan(form: Form, q: Question) -> ItemPlan:
    specials = {c.code: c.special for c in q.choices}
    na = tuple(code for code, special in specials.items() if special == NOT_APPLICABLE)
    kind = CHOICE if q.kind == SELECT_ONE else COUNT if q.kind == SELECT_MULTIPLE else NUMBER
    points = {c.code: float(c.score) for c in q.choices
              if c.special not in (NOT_APPLICABLE, DONT_KNOW) and c.score is not None}
    dk = tuple(c.code for c in q.choices if c.special == DONT_KNOW or
               (c.special != NOT_APPLICABLE and c.score is None)) if kind == CHOICE else ()
    counted = tuple(code for code, special in specials.items() if special is None) if kind == COUNT else ()
    bands = tuple(Band(float(b.low), None if b.high is None else float(b.high), float(b.score)) for b in q.bands)
    return ItemPlan(q.id, kind, MappingProxyType(points if kind == CHOICE else {}), na, dk, counted,
                    bands if kind != CHOICE else (), q.weight, q.max_score,
                    bool(form.conditions_of(q.id)))


def build_plan(form: Form) -> ScoringPlan:
    """The scoring plan of a form (plan_for caches it)."""
    sections = tuple(SectionPlan(s.id, float(s.weight), tuple(_item_plan(form, q) for q in s.scored_questions))
                     for s in form.scored_sections)
    last = len(form.levels) - 1
    levels = tuple(Band(float(lv.low), float(lv.high), lv.code, closed=n == last) for n, lv in enumerate(form.levels))
    gates = tuple(lv.requires for lv in form.levels)
    perceived = form.role("perceived_level")
    return ScoringPlan(sections, Threshold(float(form.completeness_threshold)), max(1, form.min_sections), levels,
                       gates, perceived.id if perceived is not None else None)


@lru_cache(maxsize=64)
def plan_for(form: Form) -> ScoringPlan:
    """The one scoring plan of a form: what every scorer and every target's renderer reads."""
    return build_plan(form)


def item_score(item: ItemPlan, value: Any, relevant: bool = True) -> ItemScore:
    """The score of one scored item given its answer."""
    base: Dict[str, Any] = dict(question=item.question, max_score=item.max_points, weight=item.weight)
    if not relevant:
        return ItemScore(status=NOT_RELEVANT, **base)
    if not answered(value):
        return ItemScore(status=MISSING, **base)
    if item.kind == CHOICE:
        code = str(value)
        if code in item.points:
            return ItemScore(status=SCORED, score=item.points[code], **base)
        status = NA if code in item.not_applicable else DK if code in item.dont_know else MISSING
        return ItemScore(status=status, **base)
    if item.kind == COUNT:
        chosen = set(value) if isinstance(value, (list, tuple, set, frozenset)) else {value}
        if chosen.intersection(item.not_applicable):
            return ItemScore(status=NA, **base)
        number = float(len(chosen.intersection(item.counted)))
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return ItemScore(status=MISSING, **base)
    band = next((b for b in item.bands if b.contains(number)), None)
    if band is None:
        return ItemScore(status=MISSING, **base)
    return ItemScore(status=SCORED, score=band.value, **base)


@lru_cache(maxsize=256)
def _item_tables(plan: SectionPlan) -> tuple:
    """Per item: (its plan, {answer: ItemScore} of the answers seen so far, its ItemScore when not relevant)."""
    return tuple((item, {None: item_score(item, None), **{c: item_score(item, c) for c in item.points}},
                  item_score(item, None, False) if item.conditional else None) for item in plan.items)


_MEMO_TYPES = {str, int, float, tuple, type(None)}
_MEMO_SIZE = 4096


def section_score(plan: ScoringPlan, section: SectionPlan, answers: Mapping[str, Any],
                  relevant: Mapping[str, bool]) -> SectionScore:
    """Score and completeness of one section: 100 x sum(w x s) / sum(w x max) over answered items."""
    items, numerator, denominator, scored, unanswered, dont_know, unknown = [], 0.0, 0.0, 0, 0, 0, 0.0
    get, is_relevant = answers.get, relevant.get
    for item, known, skipped in _item_tables(section):
        if skipped is not None and not is_relevant(item.question, True):
            items.append(skipped)
            continue
        value = get(item.question)
        memo = value.__class__ in _MEMO_TYPES
        score = known.get(value) if memo else None
        if score is None:
            score = item_score(item, value)
            if memo and len(known) < _MEMO_SIZE:
                known[value] = score  # numbers and multi-selects repeat too: remember their item score
        items.append(score)
        status = score[1]  # ItemScore: (question, status, score, max_score, weight)
        if status == SCORED:
            scored += 1
            numerator += score[4] * score[2]  # type: ignore[operator]  # a scored item has its score
            denominator += score[4] * score[3]
        elif status == DK:
            unanswered += 1
            dont_know += 1
            unknown += score[4] * score[3]
        elif status == MISSING:
            unanswered += 1
    result = section_result(plan, numerator, denominator, scored, unanswered)
    return SectionScore(section.section, *result, tuple(items), dont_know, *bounds(result[0], numerator, denominator,
                                                                                    unknown))


def section_result(plan: ScoringPlan, numerator: float, denominator: float, scored: int,
                   unanswered: int) -> Tuple[Optional[float], Optional[float], int, int]:
    """(score or None, completeness or None, answered, applicable) of a section from its item sums."""
    applicable = scored + unanswered
    completeness = scored / applicable if applicable else None
    score: Optional[float] = None
    if completeness is not None and plan.completeness.passes(completeness) and denominator > 0:
        score = 100.0 * numerator / denominator
    return score, completeness, scored, applicable


def bounds(score: Optional[float], numerator: float, denominator: float,
           unknown: float) -> Tuple[Optional[float], Optional[float]]:
    """(low, high) of a section's score had its "don't know" items (unknown: their weight x maximum) been
    the worst and the best answers; None when the section has no score."""
    if score is None:
        return None, None
    return 100.0 * numerator / (denominator + unknown), 100.0 * (numerator + unknown) / (denominator + unknown)


def overall_index(form: Form, sections) -> Optional[float]:
    """Weighted mean of the sections that have a score, when at least min_sections do."""
    plan = plan_for(form)
    weights = {s.section: s.weight for s in plan.sections}
    have = [s for s in sections if s.score is not None]
    if len(have) < plan.min_sections:
        return None
    return sum(weights[s.section] * s.score for s in have) / sum(weights[s.section] for s in have)


def level_for(form: Form, index: Optional[float]) -> Optional[str]:
    """The code of the partnership level an index falls in."""
    band = band_of(plan_for(form), index)
    return None if band is None else plan_for(form).levels[band].value


def band_of(plan: ScoringPlan, index: Optional[float]) -> Optional[int]:
    """The number (from 0) of the level band an index falls in, or None."""
    if index is None:
        return None
    return next((n for n, band in enumerate(plan.levels) if band.contains(index)), None)


def gated(plan: ScoringPlan, band: Optional[int], holds: Sequence[bool]) -> Tuple[Optional[int], Optional[int]]:
    """(the level reached, the level that held it back or None), as numbers from 0: a level is reached when the
    index's band is at or above it and its key elements, and those of every level below it, are there.
    holds: per level, whether its key elements are there (True for a level that requires none)."""
    if band is None:
        return None, None
    missing = next((n for n in range(1, band + 1) if plan.gates[n] is not None and not holds[n]), None)
    return (band, None) if missing is None else (missing - 1, missing)


def gate_holds(plan: ScoringPlan, flat: Mapping[str, Any], relevant: Mapping[str, bool]) -> List[bool]:
    """Per level, whether the return has the key elements it requires (answers of skipped questions unseen)."""
    def seen(qid: str) -> Any:
        return flat.get(qid) if relevant.get(qid, False) else None
    return [gate is None or conditions.evaluate(gate, seen) for gate in plan.gates]


def score_return(form: Form, answers: Mapping[str, Any]) -> ReturnScore:
    """Every score of one return (answers nested by section, or flat by question id)."""
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping of question (or section) ids, not {type(answers).__name__}")
    plan = plan_for(form)
    flat = flatten(form, answers)
    relevant = conditions.relevance(form, flat)
    sections = tuple(section_score(plan, s, flat, relevant) for s in plan.sections)
    index = overall_index(form, sections)
    seen = flat.get(plan.perceived) if plan.perceived is not None and relevant.get(plan.perceived) else None
    band = band_of(plan, index)
    holds = gate_holds(plan, flat, relevant)
    level, held = gated(plan, band, holds)
    codes = [b.value for b in plan.levels]
    return ReturnScore(sections, index, None if level is None else codes[level], seen or None,
                       None if band is None else codes[band], None if held is None else codes[held],
                       tuple(code for code, ok in zip(codes, holds, strict=True) if not ok))


def display(value: Optional[float], digits: int = 1) -> str:
    """A score as people see it: half away from zero, to one decimal; '' for none."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-digits)
    return str(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
