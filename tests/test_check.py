"""cpc-forms check: a good spec passes with one summary line; every planted mistake is listed with its pointer."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cpc_forms.catalogue import Code
from cpc_forms.cli import main
from cpc_forms.spec import build_form, check_document, check_spec

from conftest import DEFAULT_SPEC, EXAMPLE_SPEC
from tiny import break_parts, tiny_spec, write


def run(*args):
    return CliRunner().invoke(main, ["check", *map(str, args)])


def test_default_spec_passes_with_its_summary():
    result = run()
    assert result.exit_code == 0, result.output
    assert re.search(r"\b7 scored sections\b", result.output)
    assert int(re.search(r"(\d+) scored items", result.output).group(1)) >= 30
    assert "en, fr" in result.output


def test_example_spec_passes():
    result = run(EXAMPLE_SPEC)
    assert result.exit_code == 0, result.output
    assert "fire_safety" in result.output


def test_tiny_spec_is_clean():
    assert check_document(tiny_spec()) == []


def _q(spec, qid):
    for section in spec["properties"].values():
        if qid in section["properties"]:
            return section["properties"][qid]


def plant_unknown_question(s): _q(s, "q3")["x-relevant"] = {"question": "nope", "in": ["1"]}
def plant_duplicate_id(s): s["properties"]["s2"]["properties"]["q1"] = dict(_q(s, "q1"))
def plant_bad_choice_code(s): s["$defs"]["areas"]["oneOf"][0]["const"] = "a b"
def plant_missing_french(s): del _q(s, "q2")["x-i18n"]
def plant_level_gap(s): s["x-scoring"]["levels"][1]["from"] = 25
def plant_level_overlap(s): s["x-scoring"]["levels"][1]["to"] = 70
def plant_band_gap(s): _q(s, "n1")["x-score"]["bands"][1]["from"] = 2
def plant_unknown_ref(s): _q(s, "q1")["$ref"] = "#/$defs/nowhere"
def plant_zero_weight(s): _q(s, "q2")["x-score"]["weight"] = 0
def plant_negative_section_weight(s): s["properties"]["s1"]["x-score"]["weight"] = -1


def plant_cycle(s):
    _q(s, "n1")["x-relevant"] = {"question": "m1", "answered": True}
    _q(s, "n1")["x-required"] = True
    _q(s, "m1")["x-relevant"] = {"question": "n1", "gt": 0}


def plant_unknown_keyword(s): _q(s, "q1")["x-colour"] = "red"
def plant_unscored_choice(s): del s["$defs"]["scale"]["oneOf"][1]["x-score"]
def plant_numeric_op_on_choice(s): _q(s, "q3")["x-relevant"] = {"question": "q1", "gt": 1}
def plant_unknown_choice_in_condition(s): _q(s, "q3")["x-relevant"] = {"question": "q1", "in": ["7"]}
def plant_none_in_single_choice(s): s["$defs"]["scale"]["oneOf"][0]["x-special"] = "none"
def plant_partial_language(s): s["x-form"]["messages"] = {"required": {"en": "Required"}}
def plant_gate_in_no_words(s): s["x-scoring"]["levels"][1]["requires"] = {"question": "q1", "in": ["2"]}


def plant_gate_on_lowest(s):  # in English only, too
    s["x-scoring"]["levels"][0].update(requires={"question": "q1", "in": ["2"]}, requirement="Q1 fully")


def plant_gate_on_nothing(s):
    s["x-scoring"]["levels"][2].update(requires={"question": "z", "in": ["2"]}, requirement="Z")
    s["x-scoring"]["levels"][2]["x-i18n"]["fr"]["requirement"] = "Z"


def _advice(text, **kw):
    return {**kw, "text": text, "x-i18n": {"fr": {"text": text}}, "x-handbook-ref": "IV.b"}


def plant_recommendation_untranslated(s):
    s["properties"]["s1"]["x-recommendations"] = [_advice("Start", levels=["low"])]
    del s["properties"]["s1"]["x-recommendations"][0]["x-i18n"]


def plant_recommendation_unknown_level(s): s["properties"]["s2"]["x-recommendations"] = [_advice("Go", levels=["hi"])]
def plant_recommendation_no_gate(s): _q(s, "q3")["x-recommendations"] = [_advice("Q3 in place", when="gate")]
def plant_recommendation_unscored(s): s["properties"]["who"]["x-recommendations"] = [_advice("Who", levels=["low"])]


def plant_recommendation_bad_chapter(s):
    _q(s, "q2")["x-recommendations"] = [dict(_advice("Q2", when="low"), **{"x-handbook-ref": "4b"})]


PLANTS = {
    "unknown-question": (plant_unknown_question, "/properties/s1/properties/q3/x-relevant"),
    "duplicate-id": (plant_duplicate_id, "/properties/s2/properties/q1"),
    "bad-choice-code": (plant_bad_choice_code, "/$defs/areas/oneOf/0/const"),
    "missing-translation": (plant_missing_french, "/properties/s1/properties/q2/title"),
    "level-gap": (plant_level_gap, "/x-scoring/levels"),
    "level-overlap": (plant_level_overlap, "/x-scoring/levels"),
    "score-bands": (plant_band_gap, "/properties/s2/properties/n1/x-score/bands"),
    "unknown-ref": (plant_unknown_ref, "/properties/s1/properties/q1/$ref"),
    "zero-weight": (plant_zero_weight, "/properties/s1/properties/q2/x-score/weight"),
    "negative-section-weight": (plant_negative_section_weight, "/properties/s1/x-score/weight"),
    "condition-cycle": (plant_cycle, "/properties/s2/properties/n1/x-relevant"),
    "unknown-keyword": (plant_unknown_keyword, "/properties/s1/properties/q1/x-colour"),
    "unscored-choice": (plant_unscored_choice, "/$defs/scale/oneOf/1"),
    "bad-comparison": (plant_numeric_op_on_choice, "/properties/s1/properties/q3/x-relevant"),
    "unknown-choice": (plant_unknown_choice_in_condition, "/properties/s1/properties/q3/x-relevant"),
    "partial-language": (plant_partial_language, "/x-form/messages/required"),
    "none-in-single-choice": (plant_none_in_single_choice, "/$defs/scale/oneOf/0/x-special"),
    "gate-on-lowest-level": (plant_gate_on_lowest, "/x-scoring/levels/0/requires"),
    "gate-in-no-words": (plant_gate_in_no_words, "/x-scoring/levels/1"),
    "gate-on-unknown-question": (plant_gate_on_nothing, "/x-scoring/levels/2/requires"),
    "gate-untranslated": (plant_gate_on_lowest, "/x-scoring/levels/0/requirement"),
    "recommendation-untranslated": (plant_recommendation_untranslated, "/properties/s1/x-recommendations/0/text"),
    "recommendation-unknown-level": (plant_recommendation_unknown_level, "/properties/s2/x-recommendations/0/levels/0"),
    "recommendation-no-gate": (plant_recommendation_no_gate, "/properties/s1/properties/q3/x-recommendations/0/when"),
    "recommendation-unscored": (plant_recommendation_unscored, "/properties/who/x-recommendations"),
    "recommendation-bad-chapter": (plant_recommendation_bad_chapter,
                                   "/properties/s1/properties/q2/x-recommendations/0/x-handbook-ref"),
}


@pytest.mark.parametrize("kind", PLANTS, ids=list(PLANTS))
def test_each_planted_mistake_is_reported_at_its_pointer(kind, tmp_path):
    plant, pointer = PLANTS[kind]
    spec = tiny_spec()
    plant(spec)
    problems = check_spec(write(spec, tmp_path))
    assert problems, kind
    assert any(p.location == pointer for p in problems), [str(p) for p in problems]
    result = run(tmp_path / "spec.json")
    assert result.exit_code == 1 and pointer in result.output and "Traceback" not in result.output


def test_every_mistake_is_listed_at_once(tmp_path):
    # shape mistakes (weights) and cross-reference mistakes together; two kinds are left out only because
    # they rewrite the same condition another kind plants its mistake in
    spec = tiny_spec()
    kinds = [k for k in PLANTS if k not in ("bad-comparison", "unknown-choice")]
    for kind in kinds:
        PLANTS[kind][0](spec)
    result = run(write(spec, tmp_path))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(tmp_path))]
    assert len(lines) >= 13
    for kind in kinds:
        assert PLANTS[kind][1] in result.output, kind


def test_a_recommendation_without_french_and_one_of_an_unknown_level_are_both_named(tmp_path):
    spec = tiny_spec()
    plant_recommendation_untranslated(spec)
    plant_recommendation_unknown_level(spec)
    result = run(write(spec, tmp_path))
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith(str(tmp_path))]
    assert any("/properties/s1/x-recommendations/0/text" in line and "no fr text" in line for line in lines), lines
    assert any("/properties/s2/x-recommendations/0/levels/0" in line and "'hi' is not a level code" in line
               for line in lines), lines


@pytest.mark.parametrize("text, where", [('{"a": 1,\n', "2:1"), ('{"a": [1, 2}', "1:12"), ("", "1:1")],
                         ids=["truncated", "bracket", "empty"])
def test_invalid_json_gives_line_and_column(text, where, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(text)
    result = run(path)
    assert result.exit_code == 1
    assert f"bad.json:{where}" in result.output and "Traceback" not in result.output


def test_duplicate_json_key_is_located(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{\n "title": "a",\n "title": "b"\n}')
    problems = check_spec(path)
    assert [(p.code, p.location) for p in problems] == [(Code.DUPLICATE_KEY, "3:2")]


def test_missing_file_is_a_problem_not_a_traceback(tmp_path):
    result = run(tmp_path / "absent.json")
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_default_spec_states_provenance_and_handbook_chapters():
    form = build_form(__import__("json").loads(DEFAULT_SPEC.read_text()), str(DEFAULT_SPEC))
    assert "Handbook" in form.description["en"] and "Manuel" in form.description["fr"]
    assert all(s.handbook_ref for s in form.sections)
    # chapters II to V each have a scored section (V: implementing cooperation)
    assert {s.handbook_ref.split(".")[0] for s in form.scored_sections} == {"II", "III", "IV", "V"}
    # counts are answered as bands with a don't-know, so the assessment has no free number (the example spec has)
    assert {q.kind for q in form.questions} >= {"select_one", "select_multiple", "date", "text"}


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _paths(value, path + (n,))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_check_never_raises_whatever_part_of_a_spec_is_broken(data):
    spec = tiny_spec()
    break_parts(spec, lambda doc: [p for p in _paths(doc) if p], data)
    problems = check_document(spec)
    assert all(p.location.startswith("/") for p in problems)
    if not [p for p in problems if p.severity == "error"]:
        build_form(spec)  # whatever check accepts, the model can be built from
