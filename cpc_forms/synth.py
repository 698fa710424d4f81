"""Realistic random answers for a form: for the demo, the benchmark and every equivalence test."""
from __future__ import annotations

import datetime as dt
import random
from typing import Optional

from . import conditions
from .model import DATE, DECIMAL, INTEGER, SELECT_MULTIPLE, SELECT_ONE, Form, Question


def random_value(q: Question, rng: random.Random, bias: float = 0.5):
    """A valid random answer to one question; bias in [0, 1] leans scored choices towards high scores."""
    if q.kind == SELECT_ONE:
        scored = sorted((c for c in q.choices if c.score is not None), key=lambda c: c.score or 0.0)  # all scored
        special = [c for c in q.choices if c.score is None]
        if scored and (not special or rng.random() < 0.9):
            pick = min(len(scored) - 1, max(0, int(rng.gauss(bias * (len(scored) - 1), 1.0) + 0.5)))
            return scored[pick].code
        return rng.choice(special or scored).code
    if q.kind == SELECT_MULTIPLE:
        nothing = [c.code for c in q.choices if c.special == "none"]
        if nothing and rng.random() < 0.15:
            return (nothing[0],)
        plain = [c.code for c in q.choices if c.special is None]
        return tuple(sorted(rng.sample(plain, rng.randint(1, len(plain))), key=plain.index))
    if q.kind in (INTEGER, DECIMAL):
        low = q.minimum if q.minimum is not None else 0
        high = min(q.maximum if q.maximum is not None else 100, low + 30)
        value = rng.randint(int(low), int(high))
        return value if q.kind == INTEGER or rng.random() < 0.5 else min(high, value + 0.5)
    if q.kind == DATE:
        return (dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 330))).isoformat()
    if q.format == "email":
        return f"officer{rng.randint(1, 999)}@example.org"
    words = ["liaison", "joint", "port", "border", "unit", "review", "MoU", "training", "analysis", "é", "'quote'"]
    return " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))[: q.max_length or 200]


def random_answers(form: Form, rng: random.Random, fill: float = 0.9, bias: Optional[float] = None) -> dict:
    """Flat answers (question id -> value) for relevant questions only, leaving about 1 - fill unanswered."""
    bias = rng.random() if bias is None else bias
    answers: dict = {}
    for q in form.questions:
        conditional = bool(form.conditions_of(q.id))  # its own condition or its section's
        if conditional and not conditions.relevance(form, answers).get(q.id, True):
            continue
        if q.required and q.role or rng.random() < fill:
            answers[q.id] = random_value(q, rng, bias)
    # later answers can make earlier questions irrelevant only through cycles, which checks refuse
    relevant = conditions.relevance(form, answers)
    return {k: v for k, v in answers.items() if relevant[k]}
