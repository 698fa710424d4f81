"""A test per gate of the assessment's levels: a return at the top of every scored item, so its index falls in
the highest band, with exactly one key element of one level missing (a weaker answer, or "don't know"), gets the
level below the gated one, held by it, its band unchanged. The cases are built from the scoring plan and the
gates' condition trees, not copied from the spec; here in Python and NumPy, in test_gates_clients.py in every
real client."""
from __future__ import annotations

import random
from typing import Dict, List, NamedTuple, Tuple

import numpy as np
import pytest

from cpc_forms import bulk, conditions
from cpc_forms.model import SELECT_MULTIPLE, SELECT_ONE, Condition, Form
from cpc_forms.scoring import CHOICE, COUNT, ItemPlan, plan_for, score_return
from cpc_forms.spec import load_form
from cpc_forms.synth import random_value

from conftest import DEFAULT_SPEC


class Case(NamedTuple):
    """A return and the (band, level, held by) it must get."""
    answers: dict
    band: str
    level: str
    held: "str | None"


def best(item: ItemPlan):
    """The answer to a scored item that earns its most points."""
    if item.kind == CHOICE:
        return max(item.points, key=item.points.__getitem__)
    if item.kind == COUNT:
        return item.counted
    return max(item.bands, key=lambda b: b.value).low


def top_return(form: Form) -> dict:
    """Answers in form order: the best answer to every relevant scored item, the first plain choice of every
    other choice question (so every scored item is asked), and a made-up answer to any other required one."""
    plan, rng, answers = plan_for(form), random.Random(0), {}
    scored = {item.question for section in plan.sections for item in section.items}
    for q in form.questions:
        if form.conditions_of(q.id) and not conditions.relevance(form, answers)[q.id]:
            continue
        plain = [c.code for c in q.choices if c.special is None]
        if q.id in scored:
            answers[q.id] = best(plan.item(q.id))
        elif q.kind in (SELECT_ONE, SELECT_MULTIPLE):
            answers[q.id] = plain[0] if q.kind == SELECT_ONE else (plain[0],)
        elif q.required:
            answers[q.id] = random_value(q, rng)
    return answers


def key_elements(gate: Condition) -> List[Tuple[str, Tuple[str, ...]]]:
    """(question, the answers that satisfy it) of each key element of a gate: the terms of an "all", or one
    comparison (a gate written any other way needs cases of its own)."""
    if gate.op == "all":
        return [element for term in gate.terms for element in key_elements(term)]
    if gate.op in ("eq", "in"):
        return [(gate.question, tuple(gate.value) if gate.op == "in" else (gate.value,))]
    raise AssertionError(f"a gate's {gate.op!r} term has no case here")


def gate_cases(form: Form) -> Dict[str, Case]:
    """The top return, then per key element of each gated level that return with that element answered by the
    highest-scoring answer that misses it but meets every lower level's gate ("{level}-{question}"), and per
    question a gate reads that return with it answered "don't know" ("{level}-{question}-dk", held by the
    lowest level whose gate reads it)."""
    plan = plan_for(form)
    codes = [band.value for band in plan.levels]
    top, band = top_return(form), codes[-1]
    cases = {"top": Case(top, band, band, None)}
    reads: Dict[str, List[Tuple[int, Tuple[str, ...]]]] = {}
    for n, gate in enumerate(plan.gates):
        for question, allowed in key_elements(gate) if gate is not None else ():
            reads.setdefault(question, []).append((n, allowed))
    for question, gates in reads.items():
        item = plan.item(question)
        for n, allowed in gates:
            lower = [ok for m, ok in gates if m < n]
            misses = [code for code in item.points if code not in allowed and all(code in ok for ok in lower)]
            if misses:
                weaker = max(misses, key=item.points.__getitem__)
                cases[f"{codes[n]}-{question}"] = Case({**top, question: weaker}, band, codes[n - 1], codes[n])
        first = min(n for n, _ in gates)
        for dk in item.dont_know[:1]:
            cases[f"{codes[first]}-{question}-dk"] = Case({**top, question: dk}, band, codes[first - 1], codes[first])
    return cases


FORM = load_form(DEFAULT_SPEC)
CASES = gate_cases(FORM)


def outcome(score) -> tuple:
    return score.band_level, score.level, score.held_by


def test_every_gate_of_the_assessment_has_a_case():
    gated = [(lv.code, q) for lv in FORM.levels if lv.requires is not None for q, _ in key_elements(lv.requires)]
    assert len(gated) >= 8  # Communication b3, Cooperation a3, Coordination a3 b1a b1b c1, Integration i1 i4
    # a3 answered "partly" meets Cooperation and misses Coordination; "no" misses Cooperation first
    assert {f"{level}-{q}" for level, q in gated} <= set(CASES)
    assert {f"{level}-{q}-dk" for level, q in gated if level != "coordination" or q != "a3"} <= set(CASES)
    assert CASES["coordination-a3"].answers["a3"] == "partly" and CASES["cooperation-a3"].answers["a3"] == "no"


def test_the_top_return_answers_every_item_a_gate_reads():
    relevant = conditions.relevance(FORM, CASES["top"].answers)
    assert all(relevant[q] for lv in FORM.levels if lv.requires is not None for q in lv.requires.questions())


@pytest.mark.parametrize("case", CASES)
def test_a_missing_key_element_holds_a_return_below_its_gate_in_python(case):
    want = CASES[case]
    assert outcome(score_return(FORM, want.answers)) == (want.band, want.level, want.held)


def columns(form: Form, answer_sets: list) -> dict:
    """The answers as bulk Columns: each question's distinct values, and per return an index."""
    out = {}
    for q in form.questions:
        values: list = []
        for answers in answer_sets:
            if answers.get(q.id) not in values:
                values.append(answers.get(q.id))
        out[q.id] = bulk.Column(values, np.array([values.index(a.get(q.id)) for a in answer_sets], dtype=np.intp))
    return out


@pytest.fixture(scope="module")
def in_numpy():
    sets = [case.answers for case in CASES.values()]
    cols = columns(FORM, sets)
    return dict(zip(CASES, bulk.scores(FORM, cols, bulk.relevance(FORM, cols, len(sets)), len(sets)), strict=True))


@pytest.mark.parametrize("case", CASES)
def test_a_missing_key_element_holds_a_return_below_its_gate_in_numpy(in_numpy, case):
    want = CASES[case]
    assert outcome(in_numpy[case]) == (want.band, want.level, want.held)
