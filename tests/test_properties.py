"""Properties of scoring and validation that must hold for any answers, on both specs."""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpc_forms import conditions
from cpc_forms.answers import nest
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers, random_value
from cpc_forms.validation import fast_validator, reference_validator

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read_by_conditions(form):
    return {q for s in form.sections for q in conditions.dependencies(s.relevant)} | {
        q for question in form.questions for q in conditions.dependencies(question.relevant)}


@SETTINGS
@given(rng=st.randoms(use_true_random=False), fill=st.floats(0, 1))
def test_every_score_is_in_range_or_insufficient(any_form, rng, fill):
    result = score_return(any_form, random_answers(any_form, rng, fill=fill))
    for value in [s.score for s in result.sections] + [result.index]:
        assert value is None or 0 <= value <= 100
    assert (result.index is None) == (result.level is None)


@SETTINGS
@given(rng=st.randoms(use_true_random=False), data=st.data())
def test_raising_an_answer_never_lowers_its_section_score(any_form, rng, data):
    answers = random_answers(any_form, rng)
    # An item other conditions read can switch further items on; those are not "this item's answer".
    free = [q for s in any_form.scored_sections for q in s.scored_questions
            if q.id in answers and q.id not in _read_by_conditions(any_form)]
    if not free:
        return
    q = data.draw(st.sampled_from(free))
    before = score_return(any_form, answers).section(q.section)
    if q.kind == "select_one":
        current = q.choice(answers[q.id]).score
        better = [c.code for c in q.choices if c.score is not None and current is not None and c.score > current]
        if not better:
            return
        raised = data.draw(st.sampled_from(better))
    elif q.kind == "select_multiple":
        if not answers[q.id]:
            return  # an empty multi-select is unanswered: adding a code answers it, it does not raise it
        missing = [c.code for c in q.choices if c.code not in answers[q.id] and c.special is None]
        if not missing:
            return
        raised = tuple(answers[q.id]) + (data.draw(st.sampled_from(missing)),)
    else:
        raised = answers[q.id] + data.draw(st.integers(1, 20))
        if q.maximum is not None and raised > q.maximum:
            return
    after = score_return(any_form, {**answers, q.id: raised}).section(q.section)
    if before.score is not None:
        assert after.score is not None and after.score >= before.score - 1e-9


@SETTINGS
@given(rng=st.randoms(use_true_random=False))
def test_answering_a_non_relevant_item_changes_nothing(any_form, rng):
    answers = random_answers(any_form, rng)
    relevant = conditions.relevance(any_form, answers)
    extra = {q.id: random_value(q, rng) for q in any_form.questions if not relevant[q.id]}
    assert score_return(any_form, {**answers, **extra}) == score_return(any_form, answers)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["0", "4", "dk", "na", "yes", "FRA", "2026-02-30", "2026-02-28", "a@b.c", "@"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), data=st.data())
def test_fast_validator_agrees_with_python_jsonschema(any_form, rng, data):
    nested = nest(any_form, random_answers(any_form, rng))
    for _ in range(data.draw(st.integers(0, 3))):
        kind = data.draw(st.sampled_from(["value", "unknown", "section"]))
        section = data.draw(st.sampled_from([s.id for s in any_form.sections]))
        if kind != "section" and not isinstance(nested.get(section), dict):
            nested[section] = {}
        if kind == "value":
            q = data.draw(st.sampled_from(any_form.section(section).questions))
            nested.setdefault(section, {})[q.id] = data.draw(json_values)
        elif kind == "unknown":
            nested.setdefault(section, {})[data.draw(st.text(min_size=1, max_size=5))] = 1
        else:
            nested[section] = data.draw(json_values)
    nested = json.loads(json.dumps(nested))
    schema = any_form.schema_json
    assert fast_validator(schema).is_valid(nested) == reference_validator(schema).is_valid(nested)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False), data=st.data())
def test_flat_validator_agrees_with_python_jsonschema_on_the_nested_shape(any_form, rng, data):
    from cpc_forms.validation import flat_validator
    flat = dict(random_answers(any_form, rng))
    for _ in range(data.draw(st.integers(0, 3))):
        if data.draw(st.booleans()):
            flat[data.draw(st.sampled_from([q.id for q in any_form.questions]))] = data.draw(json_values)
        else:
            flat[data.draw(st.text(min_size=1, max_size=5))] = data.draw(json_values)
    flat = json.loads(json.dumps(flat))
    assert flat_validator(any_form.schema_json).is_valid(flat) == reference_validator(any_form.schema_json).is_valid(
        nest(any_form, flat))


raw_cells = st.one_of(
    st.text(max_size=12), st.sampled_from(["0", "4", "dk", " 3 ", "n/a", "'=1+1", "=1+1", "-5", "007", "3.0", "١٢",
                                           "2026-02-28", "2026-02-28T10:00", " FRA", "Douane", "yes", "a b"]),
    st.integers(-5, 10**6), st.floats(allow_nan=False, allow_infinity=False), st.none())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fast_converters_agree_with_coerce(any_form, data):
    from cpc_forms.returns import coerce, converters
    q = data.draw(st.sampled_from(any_form.questions))
    own = [c.code for c in q.choices] + [t for c in q.choices for t in c.label.values()]
    raw = data.draw(st.one_of(raw_cells, st.sampled_from(own)) if own else raw_cells)
    assert converters(any_form)[q.id](raw) == coerce(q, raw)
