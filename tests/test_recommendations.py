"""Recommendations (x-recommendations): built once into the Form, chosen for a return (gates first, weakest sections
first, low items after their section) and for a country's figures; the assessment's own are complete and French."""
from __future__ import annotations

import dataclasses
import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpc_forms import recommendations as rec
from cpc_forms.aggregate import figures
from cpc_forms.model import Response
from cpc_forms.scoring import score_return
from cpc_forms.spec import build_form, check_document, load_form
from cpc_forms.synth import random_answers

from conftest import DEFAULT_SPEC, EXAMPLE_SPEC
from tiny import break_parts, gated_spec


def _r(text, ref="IV.b", **kw):
    return {**kw, "text": text, "x-i18n": {"fr": {"text": f"{text} (fr)"}}, "x-handbook-ref": ref}


def advised_spec() -> dict:
    """The tiny gated spec (mid needs q2 at 1 or 2; high needs area a in m1 and q3 at 2) with recommendations."""
    spec = gated_spec()
    s1, s2 = spec["properties"]["s1"], spec["properties"]["s2"]
    s1["x-recommendations"] = [_r("S1 start", levels=["low", "mid"]), _r("S1 keep", levels=["high"]),
                               _r("S1 also", "II", levels=["low"])]
    s2["x-recommendations"] = [_r("S2 start", levels=["low"]), _r("S2 more", levels=["mid", "high"])]
    s1["properties"]["q1"]["x-recommendations"] = [_r("Q1 low", when="low")]
    s1["properties"]["q2"]["x-recommendations"] = [_r("Q2 gate", when="gate"), _r("Q2 low", when="low")]
    s1["properties"]["q3"]["x-recommendations"] = [_r("Q3 gate", when="gate")]
    s2["properties"]["m1"]["x-recommendations"] = [_r("M1 gate", "III.c", when="gate")]
    s2["properties"]["n1"]["x-recommendations"] = [_r("N1 low", when="low")]
    return spec


@pytest.fixture(scope="module")
def form():
    spec = advised_spec()
    assert check_document(spec) == []
    return build_form(spec)


def texts(advice):
    return [(a.reason, a.recommendation.text["en"], a.level) for a in advice]


def test_built_once_into_the_form_frozen(form):
    assert len(form.recommendations) == 11
    first = form.recommendations[0]
    assert (first.section, first.question, first.levels, first.handbook_ref) == ("s1", None, ("low", "mid"), "IV.b")
    assert first.pointer == "/properties/s1/x-recommendations/0"
    assert first.text == {"en": "S1 start", "fr": "S1 start (fr)"} and first.in_language("fr", "en") == "S1 start (fr)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.section = "s2"  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.text["en"] = "changed"  # type: ignore[index]


def test_for_section_and_for_item(form):
    assert [r.text["en"] for r in rec.for_section(form, "s1", "low")] == ["S1 start", "S1 also"]
    assert [r.text["en"] for r in rec.for_section(form, "s1", "high")] == ["S1 keep"]
    assert rec.for_section(form, "s1", "nope") == () and rec.for_section(form, "who", "low") == ()
    assert [r.text["en"] for r in rec.for_item(form, "q2", rec.GATE)] == ["Q2 gate"]
    assert [r.text["en"] for r in rec.for_item(form, "q2", rec.LOW)] == ["Q2 low"]
    assert rec.for_item(form, "q3", rec.LOW) == () and rec.for_item(form, "absent", rec.LOW) == ()


def test_a_return_held_by_a_gate_gets_the_missing_key_elements_first(form):
    # s1: q1 2, q2 2 (weight 2), q3 0: 6 of 8 = 75; s2: n1 9 (2 of 2), m1 b c (count 2 -> 1 of 2): 75; index 75,
    # the band of high, held at mid: area a is not chosen and q3 is not 2
    answers = {"q1": "2", "q2": "2", "q3": "0", "n1": 9, "m1": ["b", "c"]}
    advice = rec.recommend(form, answers)
    assert texts(advice) == [("gate", "M1 gate", "high"), ("gate", "Q3 gate", "high"),  # in the order of high's
                             ("section", "S1 keep", "high"), ("section", "S2 more", "high")]  # a tie: display order
    assert rec.recommend(form, {"s1": {k: answers[k] for k in ("q1", "q2", "q3")},
                                "s2": {"n1": 9, "m1": ["b", "c"]}}) == advice  # nested as a return, the same


def test_the_level_above_the_band_reached_names_its_missing_key_elements_too(form):
    # index in the band of mid and mid's own gate met: high's key elements are what is missing next
    answers = {"q1": "1", "q2": "1", "q3": "1", "n1": 2, "m1": ["b"]}
    advice = rec.recommend(form, answers)
    assert [(a.recommendation.text["en"], a.level) for a in advice if a.reason == rec.GATE] == [
        ("M1 gate", "high"), ("Q3 gate", "high")]


def test_weakest_sections_first_each_followed_by_its_low_items(form):
    # s1: q1 0, q2 1 (weight 2): 2 of 6 = 33.3 (mid band; q3 not relevant); s2: n1 0, m1 a (1 of 2): 25 (mid)
    # index 29.2: mid, whose gate q2 (1) holds; high's key elements (area a chosen, q3 2) are missing: q3 only
    answers = {"q1": "0", "q2": "1", "n1": 0, "m1": ["a"]}
    advice = rec.recommend(form, answers)
    assert texts(advice) == [("gate", "Q3 gate", "high"), ("section", "S2 more", "mid"), ("low", "N1 low", None),
                             ("section", "S1 start", "mid"), ("low", "Q1 low", None)]
    assert [a.score for a in advice if a.reason == rec.SECTION] == [25.0, pytest.approx(100 / 3)]


def test_an_item_advised_for_its_gate_is_not_advised_again_as_low(form):
    # q2 at 0 is low, and it is mid's key element: the index is in mid's band, so the return is held at low
    answers = {"q1": "2", "q2": "0", "q3": "2", "n1": 9, "m1": ["a"]}
    advice = rec.recommend(form, answers)
    assert texts(advice)[0] == ("gate", "Q2 gate", "mid")
    assert "Q2 low" not in [a.recommendation.text["en"] for a in advice]


def test_a_country_s_figures_weakest_section_first_and_none_without_a_score(form):
    advice = rec.for_sections(form, {"s1": 85.0, "s2": 10.0})
    assert texts(advice) == [("section", "S2 start", "low"), ("section", "S1 keep", "high")]
    assert texts(rec.for_sections(form, {"s1": None, "s2": 45.0})) == [("section", "S2 more", "mid")]
    assert rec.for_sections(form, {"s1": None}) == ()


def test_a_country_s_national_figures(form):
    # two Customs returns and one Police return: each agency weighs the same in the national figure
    returns = [("customs", {"q1": "0", "q2": "0", "n1": 0, "m1": ["b"]}), ("customs", {"q1": "0", "q2": "1", "n1": 0}),
               ("police", {"q1": "2", "q2": "2", "q3": "2", "n1": 9, "m1": ["a", "b", "c"]})]
    scored = [(Response("tiny", "1", {"agency": agency, **answers}), score_return(form, answers))
              for agency, answers in returns]
    (country,) = figures(form, scored)
    sections = dict(country.national.sections)
    assert sections["s2"] < sections["s1"]
    assert rec.for_country(form, country) == rec.for_sections(form, sections)
    assert [a.recommendation.section for a in rec.for_country(form, country)][:1] == ["s2"]


def test_they_change_no_form_so_neither_its_schema_nor_its_hash():
    plain, advised = build_form(gated_spec()), build_form(advised_spec())
    assert plain.spec_hash == advised.spec_hash and plain.schema_json == advised.schema_json
    assert "x-recommendations" not in advised.schema_json and plain.recommendations == ()


def test_the_example_spec_has_its_own():
    form = load_form(EXAMPLE_SPEC)
    assert {r.section for r in form.recommendations} == {"prevention", "response"}
    assert [r.text["en"][:20] for r in rec.for_section(form, "response", "fair")] == ["Hold a fire drill wi"]
    assert rec.for_item(form, "r_exits", rec.LOW)


@pytest.fixture(scope="module")
def assessment():
    return load_form(DEFAULT_SPEC)


def test_the_assessment_advises_every_scored_section_in_every_level_band(assessment):
    for section in assessment.scored_sections:
        for level in assessment.levels:
            assert rec.for_section(assessment, section.id, level.code), (section.id, level.code)


def test_the_assessment_advises_every_key_element_of_every_level(assessment):
    gates = {q for lv in assessment.levels if lv.requires for q in lv.requires.questions()}
    assert gates and all(rec.for_item(assessment, q, rec.GATE) for q in gates), gates


def test_the_assessment_s_recommendations_cite_a_chapter_in_every_language(assessment):
    chapters = set()
    for r in assessment.recommendations:
        assert set(r.text) == set(assessment.languages) and r.handbook_ref, r.pointer
        chapters |= {ref.strip() for ref in r.handbook_ref.split(",")}
        assert len(re.findall(r"[.!?](\s|$)", r.text["en"])) <= 2, r.text["en"]  # one or two sentences
    assert chapters >= {"II.a", "II.b", "II.c", "III.a", "III.b", "III.c", "IV.b", "V"}


@pytest.mark.parametrize("pattern, what", [(r" [:;?!»]", "a plain space before : ; ? ! or »"),
                                           (r"«(?!\u00a0)", "« without a no-break space"),
                                           (r"(?<=\w )(Douane|Police)\b", "Douane or Police in capitals"),
                                           (r"\"", "straight double quotes")],
                         ids=["space-before-punctuation", "guillemets", "capitals", "quotes"])
def test_the_french_follows_french_typography(assessment, pattern, what):
    wrong = [r.text["fr"] for r in assessment.recommendations if re.search(pattern, r.text["fr"])]
    assert wrong == [], f"{what}: {wrong[:3]}"


def test_the_assessment_s_recommendations_are_in_its_json_as_written():
    doc = json.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))
    sections = [sid for sid, s in doc["properties"].items() if "x-recommendations" in s]
    assert sections == [sid for sid, s in doc["properties"].items() if "x-score" in s]


def _recommendation_paths(node, path=()):
    """Paths of every part of the spec's recommendations (and of the levels their codes and gates refer to)."""
    if isinstance(node, dict):
        for key, value in node.items():
            inside = path + (key,)
            if "x-recommendations" in inside or inside[:2] == ("x-scoring", "levels"):
                yield inside
            yield from _recommendation_paths(value, inside)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            if "x-recommendations" in path or path[:2] == ("x-scoring", "levels"):
                yield path + (n,)
            yield from _recommendation_paths(value, path + (n,))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_check_never_raises_whatever_part_of_the_recommendations_is_broken(data):
    spec = advised_spec()
    break_parts(spec, lambda doc: list(_recommendation_paths(doc)), data)
    problems = check_document(spec)
    assert all(p.location.startswith("/") for p in problems)
    if not [p for p in problems if p.severity == "error"]:
        form = build_form(spec)  # whatever check accepts can be built, and chosen from
        rec.recommend(form, random_answers(form, random.Random(data.draw(st.integers(0, 99)))))


def test_a_spec_edited_in_place_gives_its_new_advice_to_the_same_form_version():
    first = build_form(advised_spec())
    edited = advised_spec()
    edited["properties"]["s1"]["x-recommendations"][0]["text"] = "Something else first."
    second = build_form(edited)
    assert first == second  # the same form: advice changes no form
    assert rec.for_section(first, "s1", "low")[0].text["en"] != "Something else first."
    assert rec.for_section(second, "s1", "low")[0].text["en"] == "Something else first."
