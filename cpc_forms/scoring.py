"""Pure scoring of one return: item scores, section scores with completeness, overall index, level.

Nothing is rounded here; rounding happens only at display (display()).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, Mapping, Optional

from . import conditions
from .answers import answered, flatten
from .model import (DONT_KNOW, NOT_APPLICABLE, SELECT_MULTIPLE, SELECT_ONE, Form, ItemScore, Question,
                    ReturnScore, SectionScore)

SCORED, NA, NOT_RELEVANT, DK, MISSING = "scored", "not_applicable", "not_relevant", "dont_know", "missing"


def item_score(q: Question, value: Any, relevant: bool = True) -> ItemScore:
    """The score of one scored item given its answer."""
    base = dict(question=q.id, max_score=q.max_score, weight=q.weight)
    if not relevant:
        return ItemScore(status=NOT_RELEVANT, **base)
    if not answered(value):
        return ItemScore(status=MISSING, **base)
    if q.kind == SELECT_ONE:
        choice = q.choice(str(value))
        if choice is None:
            return ItemScore(status=MISSING, **base)
        if choice.special == NOT_APPLICABLE:
            return ItemScore(status=NA, **base)
        if choice.special == DONT_KNOW or choice.score is None:
            return ItemScore(status=DK, **base)
        return ItemScore(status=SCORED, score=float(choice.score), **base)
    if q.kind == SELECT_MULTIPLE:
        chosen = [c for c in q.choices if c.code in set(value)]
        if any(c.special == NOT_APPLICABLE for c in chosen):
            return ItemScore(status=NA, **base)
        number = float(len([c for c in chosen if c.special is None]))
    else:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return ItemScore(status=MISSING, **base)
    band = next((b for b in q.bands if b.contains(number)), None)
    if band is None:
        return ItemScore(status=MISSING, **base)
    return ItemScore(status=SCORED, score=float(band.score), **base)


@lru_cache(maxsize=64)
def _choice_items(form: Form) -> dict:
    """question id -> {code: ItemScore} for every scored single-choice question (the common case, precomputed)."""
    table = {}
    for q in form.questions:
        if q.scored:
            codes = q.choices if q.kind == SELECT_ONE else ()
            table[q.id] = {None: item_score(q, None), **{c.code: item_score(q, c.code) for c in codes}}
    return table


_MEMO_TYPES = {str, int, float, tuple, type(None)}
_MEMO_SIZE = 4096


@lru_cache(maxsize=256)
def section_plan(form: Form, section_id: str) -> tuple:
    """Per scored item of a section: (question id, {answer: ItemScore} precomputed, ItemScore when not
    relevant or None when the item is always relevant, Question)."""
    table, conditional = _choice_items(form), set(conditions.conditional(form))
    return tuple((q.id, table[q.id], item_score(q, None, False) if q.id in conditional else None, q)
                 for q in form.section(section_id).scored_questions)


def section_score(form: Form, section, answers: Mapping[str, Any], relevant: Mapping[str, bool]) -> SectionScore:
    """Score and completeness of one section: 100 x sum(w x s) / sum(w x max) over answered items."""
    items, numerator, denominator, answered, unanswered = [], 0.0, 0.0, 0, 0
    get, is_relevant = answers.get, relevant.get
    for qid, known, skipped, q in section_plan(form, section.id):
        if skipped is not None and not is_relevant(qid, True):
            items.append(skipped)
            continue
        value = get(qid)
        memo = value.__class__ in _MEMO_TYPES
        item = known.get(value) if memo else None
        if item is None:
            item = item_score(q, value)
            if memo and len(known) < _MEMO_SIZE:
                known[value] = item  # numbers and multi-selects repeat too: remember their item score
        items.append(item)
        status = item[1]  # ItemScore: (question, status, score, max_score, weight)
        if status == SCORED:
            answered += 1
            numerator += item[4] * item[2]
            denominator += item[4] * item[3]
        elif status == DK or status == MISSING:
            unanswered += 1
    applicable = answered + unanswered
    completeness = answered / applicable if applicable else None
    score = None
    if completeness is not None and completeness >= form.completeness_threshold and denominator > 0:
        score = 100.0 * numerator / denominator
    return SectionScore(section.id, score, completeness, answered, applicable, tuple(items))


@lru_cache(maxsize=64)
def section_weights(form: Form) -> dict:
    """section id -> its weight in the overall index."""
    return {s.id: s.weight for s in form.scored_sections}


def overall_index(form: Form, sections) -> Optional[float]:
    """Weighted mean of the sections that have a score, when at least min_sections do."""
    weights = section_weights(form)
    have = [s for s in sections if s.score is not None]
    if len(have) < form.min_sections:
        return None
    return sum(weights[s.section] * s.score for s in have) / sum(weights[s.section] for s in have)


def level_for(form: Form, index: Optional[float]) -> Optional[str]:
    """The code of the partnership level an index falls in (low <= index < high; the top band closed)."""
    if index is None:
        return None
    for n, level in enumerate(form.levels):
        last = n == len(form.levels) - 1
        if level.low <= index < level.high or (last and index == level.high):
            return level.code
    return None


def score_return(form: Form, answers: Mapping[str, Any]) -> ReturnScore:
    """Every score of one return (answers nested by section, or flat by question id)."""
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping of question (or section) ids, not {type(answers).__name__}")
    flat = flatten(form, answers)
    relevant = conditions.relevance(form, flat)
    sections = tuple(section_score(form, s, flat, relevant) for s in form.scored_sections)
    index = overall_index(form, sections)
    perceived = form.role("perceived_level")
    seen = flat.get(perceived.id) if perceived is not None and relevant.get(perceived.id) else None
    return ReturnScore(sections, index, level_for(form, index), seen or None)


def display(value: Optional[float], digits: int = 1) -> str:
    """A score as people see it: half away from zero, to one decimal; '' for none."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-digits)
    return str(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))
