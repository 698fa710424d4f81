"""The demo's free text: comments from a per-section phrase bank in the return's language, in the tone of the
section's score, unit names by agency; the same seed gives the same returns."""
from __future__ import annotations

import json
import random
import re

import pytest

from cpc_forms import resources
from cpc_forms.demo import HIGH_FROM, LOW_BELOW, PHRASES, improve, realistic_text, synthesise
from cpc_forms.ingest import run
from cpc_forms.model import TEXT
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers

BANK = json.loads(resources.read_text(PHRASES))


def _free_text(form):
    return [q for q in form.questions if q.kind == TEXT and q.format is None]


def test_the_bank_has_comments_for_every_scored_section_in_every_language_and_tone(form):
    assert BANK["form"] == form.id
    agencies = [c.code for c in form.role("agency").choices]
    for section in form.scored_sections:
        for tone in ("low", "high"):
            by_whom = BANK["sections"][section.id][tone]
            assert set(by_whom) <= {"any", *agencies}, set(by_whom)
            for lang in form.languages:
                assert [len(p[lang]) for p in by_whom.values()] == [len(p["en"]) for p in by_whom.values()]
                phrases = [p for who in by_whom.values() for p in who[lang]]
                assert len(phrases) >= 18 and len(set(phrases)) == len(phrases), (section.id, tone, lang)
                assert len(by_whom["any"][lang]) >= 12 and by_whom["police"][lang], (section.id, tone, lang)
    # every free-text question of the form is covered: by its section, by name, or as the unit
    named = set(BANK["questions"]) | {BANK["units"]["question"]}
    assert all(q.id in named or q.section in BANK["sections"] for q in _free_text(form))


def _phrases(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _phrases(value)
    elif isinstance(node, list):
        for value in node:
            yield from _phrases(value)


def test_the_bank_names_no_country(form):
    # the comments are shown in reports: a place name could point at one border post
    names = {label for c in form.role("country").choices for label in c.label.values() if len(label) > 3}
    text = "\n".join(p for key in ("sections", "units", "questions") for p in _phrases(BANK[key]))
    assert [name for name in names if re.search(rf"\b{re.escape(name)}\b", text)] == []


def test_every_phrase_is_a_sentence_and_the_french_keeps_french_typography():
    text = [p for key in ("sections", "questions") for p in _phrases(BANK[key])]
    assert all(p.strip() == p and p[-1] in ".!?" for p in text)
    fr = [p for s in BANK["sections"].values() for tone in s.values() for who in tone.values() for p in who["fr"]]
    assert [p for p in fr if re.search(r" [:;?!]", p)] == [], "a plain space before : ; ? !"
    assert [p for p in fr if re.search(r"(?<=\w )(Douane|Police)\b", p)] == [], "douane and police in lower case"


def _answers(form, level):
    """Answers of every scored item at the lowest or the highest scored choice, with every comment."""
    answers = {}
    for q in form.questions:
        scored = sorted((c for c in q.choices if c.score is not None), key=lambda c: c.score)
        if q.scored and scored and q.kind == "select_one":
            answers[q.id] = (scored[0] if level == "low" else scored[-1]).code
    answers.update({q.id: "x" for q in _free_text(form)})
    answers[form.role("agency").id] = "police"
    return answers


@pytest.mark.parametrize("tone", ["low", "high"], ids=["low-scores-a-difficulty", "high-scores-a-good-practice"])
@pytest.mark.parametrize("lang", ["en", "fr"], ids=["en", "fr"])
def test_comments_fit_the_section_score_and_the_language(form, tone, lang):
    answers = _answers(form, tone)
    scores = {s.section: s.score for s in score_return(form, answers).sections}
    out = realistic_text(form, answers, lang, random.Random(1))
    for section in form.scored_sections:
        score = scores[section.id]
        assert score is not None and (score < LOW_BELOW if tone == "low" else score >= HIGH_FROM), section.id
        by_whom = BANK["sections"][section.id][tone]
        bank = by_whom["any"][lang] + by_whom["police"][lang]  # a Police officer's comments, never a Customs one's
        comments = [out[q.id] for q in _free_text(form) if q.section == section.id and q.id not in BANK["questions"]]
        assert comments, section.id
        for comment in comments:
            assert comment in bank or any(comment == f"{a} {b}" for a in bank for b in bank if a != b), comment
    assert out["unit"] in BANK["units"]["by_agency"]["police"][lang]


def test_another_form_keeps_its_answers(example_form):
    answers = {"site_name": "words", "r_exits": "always"}
    assert realistic_text(example_form, answers, "en", random.Random(1)) == answers


def _read(form, folder):
    report = run([folder], form, {form.version: form})
    return sorted((r.response.instance_id, dict(r.response.answers)) for r in report.returns)


def test_the_demo_is_the_same_for_a_seed_and_its_comments_come_from_the_bank(form, tmp_path):
    synthesise(form, tmp_path / "one", 2, seed=7)
    synthesise(form, tmp_path / "two", 2, seed=7)
    first, second = _read(form, tmp_path / "one"), _read(form, tmp_path / "two")
    assert first == second and len(first) >= 4
    known = set(_phrases(BANK))
    comments = [a[q.id] for _, a in first for q in _free_text(form) if q.id in a]
    assert len(comments) > 10
    assert all(all(part in known for part in _split(c, known)) for c in comments), comments
    synthesise(form, tmp_path / "three", 2, seed=8)
    assert _read(form, tmp_path / "three") != first


def _split(comment, known):
    """The phrases a comment is made of: one, or two joined by a space."""
    if comment in known:
        return [comment]
    for phrase in known:
        if comment.startswith(phrase + " ") and comment[len(phrase) + 1:] in known:
            return [phrase, comment[len(phrase) + 1:]]
    return [comment]


@pytest.mark.parametrize(("day", "later"), [("2026-03-14", "2027-03-14"), ("2028-02-29", "2029-02-28"),
                                             ("not a date", "not a date")], ids=["day", "leap-day", "not-a-date"])
def test_a_later_round_is_dated_a_year_on(form, day, later):
    date_q = form.role("date")
    assert improve(form, {date_q.id: day}, (), random.Random(1))[date_q.id] == later


def test_a_later_round_improves_only_the_sections_given_by_one_step(form):
    rng = random.Random(5)
    answers = random_answers(form, rng, fill=1.0, bias=0.3)
    section = form.scored_sections[0]
    after = improve(form, answers, (section.id,), random.Random(6))
    opened = set(after) - set(answers)
    assert all(form.question(q).section == section.id for q in opened)  # only what the better answers open
    for qid, value in answers.items():
        q = form.question(qid)
        if q.section != section.id or q.id not in after:
            assert after.get(qid, value) == value or q.role == "date", qid
        elif q.kind == "select_one" and q.scored and q.choice(value).score is not None:
            scale = sorted((c for c in q.choices if c.score is not None), key=lambda c: c.score)
            codes = [c.code for c in scale]
            assert after[qid] == codes[min(len(codes) - 1, codes.index(value) + 1)], qid
    assert score_return(form, after).section(section.id).score > score_return(form, answers).section(section.id).score
