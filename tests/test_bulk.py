"""Bulk scoring (bulk.py) agrees with scoring.py and validation.py return by return, bit for bit."""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpc_forms import bulk, conditions
from cpc_forms.scoring import score_return
from cpc_forms.spec import build_form
from cpc_forms.synth import random_answers, random_value
from cpc_forms.validation import validate_return

from tiny import gated_spec

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def returns(form, rng: random.Random, count: int) -> list:
    """Random returns, some with answers to questions their conditions switch off, some almost empty."""
    out = []
    for _ in range(count):
        answers = random_answers(form, rng, fill=rng.choice([0.0, 0.3, 0.9, 1.0]))
        for q in form.questions:
            if q.id not in answers and rng.random() < 0.15:
                answers[q.id] = random_value(q, rng)  # relevant or not: both paths must judge it alike
        out.append(answers)
    return out


def columns(form, answer_sets: list) -> dict:
    """The answers as bulk Columns: each question's distinct values, and per return an index."""
    out = {}
    for q in form.questions:
        values, codes = [], []
        for answers in answer_sets:
            value = answers.get(q.id)
            if value not in values:
                values.append(value)
            codes.append(values.index(value))
        out[q.id] = bulk.Column(values, np.array(codes, dtype=np.intp))
    return out


def tiny_form():
    """The tiny spec whose levels require key elements, plus q4, relevant when q3 (itself conditional) is 2: a
    cascade through a skipped item."""
    spec = gated_spec()
    spec["properties"]["s1"]["properties"]["q4"] = {"$ref": "#/$defs/scale", "title": "Q4", "x-score": {},
                                                    "x-i18n": {"fr": {"title": "Q4"}},
                                                    "x-relevant": {"question": "q3", "in": ["2"]}}
    return build_form(spec)


@pytest.fixture(scope="module", params=["default", "example", "tiny"])
def some_form(request, form, example_form):
    return {"default": form, "example": example_form, "tiny": tiny_form()}[request.param]


def batch(form, seed: int, count: int):
    """(a random generator, count random returns, their columns, their relevance by bulk.py)."""
    rng = random.Random(seed)
    sets = returns(form, rng, count)
    cols = columns(form, sets)
    return rng, sets, cols, bulk.relevance(form, cols, count)


@SETTINGS
@given(seed=st.integers(0, 2 ** 32), count=st.integers(1, 40))
def test_bulk_scores_equal_score_return(some_form, seed, count):
    rng, sets, cols, relevant = batch(some_form, seed, count)
    keep = np.array([rng.random() < 0.8 for _ in sets])
    got = bulk.scores(some_form, cols, relevant, count, keep)
    for answers, kept, score in zip(sets, keep, got, strict=True):
        assert score == (score_return(some_form, answers) if kept else None)


@SETTINGS
@given(seed=st.integers(0, 2 ** 32), count=st.integers(1, 40))
def test_bulk_relevance_and_warnings_equal_validation(some_form, seed, count):
    _, sets, cols, relevant = batch(some_form, seed, count)
    found = [[] for _ in sets]
    for code, qid, mask in bulk.warnings(some_form, cols, relevant, count):
        for n in np.flatnonzero(mask):
            found[n].append((code, qid))
    for n, answers in enumerate(sets):
        want = conditions.relevance(some_form, answers)
        assert {qid: bool(mask[n]) for qid, mask in relevant.items()} == {q: want[q] for q in relevant}
        assert found[n] == [(i.code, i.location) for i in validate_return(some_form, answers)]


def test_a_tiny_spec_with_a_cascade_and_weights_agrees():
    form = tiny_form()
    sets = [{"q1": "0", "q3": "2", "q4": "1", "q2": "dk"}, {"q1": "2", "q3": "2", "q4": "2", "n1": 7, "m1": ("a", "b")},
            {"who": None}, {"q1": "na", "q2": "na", "n1": 0, "seen": "mid"}, {"q1": "1", "q2": "2", "q3": "dk"}]
    cols = columns(form, sets)
    relevant = bulk.relevance(form, cols, len(sets))
    assert relevant["q3"].tolist() == [False, True, False, False, True]
    assert relevant["q4"].tolist() == [False, True, False, False, False]
    assert bulk.scores(form, cols, relevant, len(sets)) == [score_return(form, a) for a in sets]


def test_levels_held_back_by_missing_key_elements_agree():
    form = tiny_form()
    high = {"q1": "2", "q2": "2", "q3": "2", "n1": 9, "m1": ("a", "b", "c")}
    mid = dict(high, q1="1", q2="1", q3="0", n1=2, m1=("a",))
    sets = [high, dict(high, m1=("b", "c", "d")), dict(high, q2="dk"), mid]
    cols = columns(form, sets)
    got = bulk.scores(form, cols, bulk.relevance(form, cols, len(sets)), len(sets))
    assert got == [score_return(form, a) for a in sets]
    assert [(s.band_level, s.level, s.held_by) for s in got] == [
        ("high", "high", None), ("high", "mid", "high"), ("high", "low", "mid"), ("mid", "mid", None)]


def test_a_batch_with_no_rows_scores_nothing(form):
    cols = columns(form, [])
    assert bulk.scores(form, cols, bulk.relevance(form, cols, 0), 0) == []


@pytest.mark.parametrize("items", [[], [(1, 2)], [(1, 2), (3, 4)], ["a", None]], ids=["empty", "one", "two", "mixed"])
def test_objects_keeps_tuples_whole(items):
    array = bulk.objects(items)
    assert array.shape == (len(items),) and array.tolist() == items
