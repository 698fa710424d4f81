"""The web engines KoboToolbox and ODK Central serve fill our XForm in Chromium as a person would (Enketo:
tests/xform_enketo.py; ODK Web Forms: tests/xform_webforms.py): their calculated scores equal score_return,
they hide exactly the questions conditions.relevance skips, and their records read back to the same answers."""
from __future__ import annotations

import pytest
import xform_enketo
import xform_webforms

from cpc_forms.scoring import plan_for, score_return

from xform_clients import read_back, relevance_mismatches, score_mismatches

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
