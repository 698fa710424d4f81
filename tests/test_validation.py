"""validate_return: each problem names the question, the value and what was expected."""
from __future__ import annotations

import pytest

import cpc_forms
from cpc_forms.catalogue import Code
from cpc_forms.spec import build_form
from cpc_forms.validation import validate_return

from tiny import tiny_spec


@pytest.fixture(scope="module")
def tiny():
    return build_form(tiny_spec())


def codes(issues):
    return sorted((i.code, i.location) for i in issues)


@pytest.mark.parametrize("answers, expected, words", [
    ({"s1": {"q1": "7"}}, (Code.BAD_VALUE, "q1"), ["'7'", "one of 0, 1, 2, dk, na"]),
    ({"s2": {"n1": "five"}}, (Code.BAD_VALUE, "n1"), ["'five'", "a whole number at least 0 at most 100"]),
    ({"s2": {"n1": 2.5}}, (Code.BAD_VALUE, "n1"), ["2.5", "whole number"]),
    ({"s2": {"m1": ["a", "a"]}}, (Code.BAD_VALUE, "m1"), ["distinct codes"]),
    ({"s2": {"m1": "a"}}, (Code.BAD_VALUE, "m1"), ["'a'", "a list"]),
    ({"s1": {"zz": "1"}}, (Code.UNKNOWN_FIELD, "s1/zz"), ["'zz'"]),
    ({"nowhere": {}}, (Code.UNKNOWN_FIELD, "nowhere"), ["'nowhere'"]),
], ids=["choice", "not-a-number", "not-whole", "repeated", "not-a-list", "unknown-question", "unknown-section"])
def test_errors_name_question_value_and_expectation(tiny, answers, expected, words):
    errors = [i for i in validate_return(tiny, answers) if i.severity == "error"]
    assert [(i.code, i.location) for i in errors] == [expected]
    for word in words:
        assert word in errors[0].message


def test_non_relevant_answer_is_a_warning(tiny):
    issues = validate_return(tiny, {"s1": {"q1": "0", "q3": "2"}})
    assert (Code.NOT_RELEVANT_ANSWER, "q3") in codes(issues)
    assert all(i.severity == "warning" for i in issues)


def test_required_and_relevant_but_missing_is_a_warning():
    spec = tiny_spec()
    spec["properties"]["s1"]["properties"]["q3"]["x-required"] = True
    form = build_form(spec)
    assert (Code.REQUIRED_MISSING, "q3") in codes(validate_return(form, {"s1": {"q1": "1"}}))
    assert (Code.REQUIRED_MISSING, "q3") not in codes(validate_return(form, {"s1": {"q1": "0"}}))


def test_flat_and_nested_shapes_agree(tiny):
    flat = {"q1": "2", "q2": "x", "n1": 3}
    nested = {"s1": {"q1": "2", "q2": "x"}, "s2": {"n1": 3}}
    assert validate_return(tiny, flat) == validate_return(tiny, nested)


def test_public_api_scores_the_embedded_default_spec():
    form = cpc_forms.load_form()
    assert form.id == "cpc_assessment" and form.languages == ("en", "fr", "es", "ar")
    answers = {"profile": {"agency": "customs", "resp_level": "hq"},  # every item of section A is asked of them
               "mandates": {q.id: max((c for c in q.choices if c.score is not None), key=lambda c: c.score).code
                            for q in form.section("mandates").scored_questions}}
    assert cpc_forms.validate_return(form, answers) and not [
        i for i in cpc_forms.validate_return(form, answers) if i.severity == "error"]
    assert cpc_forms.score_return(form, answers).section("mandates").score == 100.0


def test_bad_spec_raises_spec_error_listing_problems(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"title": "x"}')
    with pytest.raises(cpc_forms.SpecError) as caught:
        cpc_forms.load_form(path)
    assert caught.value.issues and all(i.source == str(path) for i in caught.value.issues)


@pytest.mark.parametrize("answers", [["x"], "a1=3", 7, None], ids=["list", "text", "number", "none"])
def test_a_return_that_is_not_an_object_is_an_issue(tiny, answers):
    (problem,) = validate_return(tiny, answers)
    assert problem.code == Code.BAD_SHAPE and "object" in problem.message
    with pytest.raises(TypeError):
        cpc_forms.score_return(tiny, answers)
