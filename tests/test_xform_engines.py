"""The web engines KoboToolbox and ODK Central serve fill our XForm in Chromium as a person would (Enketo:
tests/xform_enketo.py; ODK Web Forms: tests/xform_webforms.py): their calculated scores equal score_return,
they hide exactly the questions conditions.relevance skips, and their records read back to the same answers."""
from __future__ import annotations

import pytest

from cpc_forms import conditions
from cpc_forms.model import SELECT_ONE
from cpc_forms.scoring import plan_for, score_return
from cpc_forms.spec import build_form, load_form

import xform_enketo
import xform_webforms
from conftest import DEFAULT_SPEC
from xform_clients import (
    ORIGIN,
    answer_sets,
    bundle,
    choice_label,
    read_back,
    relevance_mismatches,
    score_mismatches,
    served,
    xform,
    xpath,
)
from xlsform_languages import four_language_spec

ENGINES = {"enketo": xform_enketo.fill, "web_forms": xform_webforms.fill}


@pytest.fixture(scope="module", params=list(ENGINES))
def filled(request, any_form, browser, tmp_path_factory):
    """(form, records of (answers, record XML, hidden question ids), page log) of one engine and spec."""
    records, log = ENGINES[request.param](any_form, browser, tmp_path_factory.mktemp(request.param))
    return any_form, records, log


def test_scores_equal_score_return(filled):
    form, records, _ = filled
    assert len(records) >= 25
    assert [(got, want) for _, got, want in score_mismatches(form, records)] == []
    scored = [score_return(form, answers) for answers, _, _ in records]
    levels = {s.level for s in scored}
    assert None in levels and len(levels) >= 3  # insufficient returns and several levels were exercised
    if any(item.dont_know for section in plan_for(form).sections for item in section.items):
        assert len([s for s in scored if any(x.low != x.high for x in s.sections)]) >= 3  # don't-know bounds
    if any(lv.requires is not None for lv in form.levels):
        assert len([s for s in scored if s.held_by is not None]) >= 3  # returns held below their band by a gate


def test_hides_exactly_the_skipped_questions(filled):
    form, records, _ = filled
    mismatches, skipped = relevance_mismatches(form, records)
    assert mismatches == []
    assert skipped > 0  # some answer sets took the non-relevant branches


def test_records_read_back_to_the_same_answers(filled, tmp_path):
    form, records, _ = filled
    assert read_back(form, records, tmp_path) == [answers for answers, _, _ in records]


def test_ran_offline_without_errors(filled):
    _, _, log = filled
    assert (log.errors, log.blocked) == ([], [])


# Enketo with another form language picked in its language menu, as a person does: Arabic (right to left) and
# Spanish, on the default spec (every language it has but the default) and on the four-language tiny spec.
LANGUAGE_SETS = 10
# Enketo Express's page holds the language menu outside the form (enketo-core moves the form's menu into it)
LANGUAGE_PAGE = xform_enketo.PAGE.replace(
    b'<div id="host">', b'<header><span class="form-language-selector hide"><span>Language</span></span></header>'
                        b'<div id="host">')
SHOWN = """refs => [document.querySelector('form.or').getAttribute('dir'),
  Object.fromEntries(refs.map(ref => [ref, [...document.querySelector(`[name='${ref}']`).closest('.question')
    .querySelectorAll('.question-label.active')].map(label => [label.lang, label.textContent.trim()])]))]"""
DEFAULT_LANGUAGES = load_form(DEFAULT_SPEC)
LANGUAGE_CASES = ([("default", lang) for lang in DEFAULT_LANGUAGES.languages
                   if lang != DEFAULT_LANGUAGES.default_language] + [("four-languages", "ar")])


def enketo_in(form, lang: str, browser, folder, sets):
    """Enketo fills the sets with the form language lang picked: (records as fill() gives them, the form's dir
    and each question's shown label per set, page log)."""
    files = {"/index.html": ("text/html", LANGUAGE_PAGE), "/enketo.js": ("text/javascript", bundle("enketo.js"))}
    xml, refs = xform(form, folder), [xpath(q) for q in form.questions]
    ids, conditional = {xpath(q): q.id for q in form.questions}, set(conditions.conditional(form))
    records, shown = [], []
    with served(browser, files) as s:
        for answers in sets:
            # a page of its own for each set: enketo-core's language module is one for the page, and a second form
            # in the page finds its labels switched to codes
            s.page.goto(f"{ORIGIN}/index.html")
            s.page.evaluate(xform_enketo.TRANSFORM, xml)
            assert s.page.evaluate(xform_enketo.START) == []
            s.page.select_option("#form-languages", lang)
            shown.append(s.page.evaluate(SHOWN, refs))
            for q in form.questions:
                if q.id in answers and (q.id not in conditional or s.page.evaluate(xform_enketo.SHOWN, xpath(q))):
                    if q.kind == SELECT_ONE and q.appearance == "search":  # typed as the picked language shows it
                        typed = f"{xform_enketo.control(xpath(q))} ~ input.autocomplete"
                        s.page.fill(typed, choice_label(form, q, answers[q.id], lang))
                        s.page.dispatch_event(typed, "change")
                    else:
                        xform_enketo.put(s.page, form, q, answers[q.id])
            record, hidden = s.page.evaluate(xform_enketo.READ, refs)
            records.append((answers, record, [ids[ref] for ref in hidden]))
    return records, shown, s


@pytest.mark.parametrize("case", LANGUAGE_CASES, ids=[f"{s}-{lang}" for s, lang in LANGUAGE_CASES])
def test_enketo_in_another_language_shows_it_in_its_direction_and_scores_the_same(case, browser, tmp_path):
    spec_name, lang = case
    form = DEFAULT_LANGUAGES if spec_name == "default" else build_form(four_language_spec())
    sets = answer_sets(form, 20261130, LANGUAGE_SETS)
    records, shown, log = enketo_in(form, lang, browser, tmp_path, sets)
    assert (log.errors, log.blocked) == ([], [])
    want = {xpath(q): [[lang, q.label[lang].replace("\u00a0", " ")]] for q in form.questions}  # pyxform: no NBSP
    assert shown == [["rtl" if lang == "ar" else "ltr", want]] * len(sets)
    assert len(records) >= 10
    assert [(got, expected) for _, got, expected in score_mismatches(form, records)] == []
    assert relevance_mismatches(form, records)[0] == []
    assert read_back(form, records, tmp_path) == [answers for answers, _, _ in records]
