"""ODK Web Forms (the form ODK Central serves, npm @getodk/web-forms with its xforms-engine) fills our XForm in
Chromium as a person would: its calculated scores equal score_return, it hides exactly the questions
conditions.relevance skips, and its records read back to the same answers."""
from __future__ import annotations

import datetime as dt

import pytest

from cpc_forms import conditions
from cpc_forms.model import DATE, DECIMAL, INTEGER, SELECT_MULTIPLE, SELECT_ONE
from cpc_forms.scoring import score_return

from xform_clients import (
    answer_sets,
    bundle,
    choice_label,
    click,
    read_back,
    relevance_mismatches,
    score_mismatches,
    served,
    xform,
    xpath,
)

SEED = 20261130
PAGE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>ODK Web Forms</title></head>
<body><div id="app"></div><script type="module">import "/webforms.js"; window.cpcReady = true;</script></body></html>"""

# A fresh form: mounted anew, its engine's nodes kept; answers the node id of every question reference.
MOUNT = """async ([xml, refs]) => {
  window.cpcRoot = await cpcWebForms.mount(document.querySelector('#app'), xml);
  const nodes = cpcWebForms.nodes(window.cpcRoot);
  return Object.fromEntries(refs.map(ref => [ref, nodes[ref].nodeId]));
}"""
# Whether the engine holds a question relevant and the page shows it.
SHOWN = """ref => {
  const node = cpcWebForms.nodes(window.cpcRoot)[ref];
  return node.currentState.relevant && document.getElementById(node.nodeId + '_container') !== null;
}"""
# The record (the engine's serialized instance) and the questions the engine holds non-relevant or the page
# does not show.
READ = """refs => {
  const nodes = cpcWebForms.nodes(window.cpcRoot);
  const hidden = refs.filter(ref => !nodes[ref].currentState.relevant
                                    || document.getElementById(nodes[ref].nodeId + '_container') === null);
  return [window.cpcRoot.instanceState.instanceXML, hidden];
}"""


def by_id(node_id: str) -> str:
    return f'[id="{node_id}"]'


def put(page, form, q, node_id: str, value) -> None:
    """Answer one question through its control: click, type, or search the list and pick."""
    if q.kind == SELECT_ONE and q.appearance == "search":
        click(page, by_id(node_id))
        label = choice_label(form, q, value)
        page.fill(".p-select-overlay .p-select-filter", label)
        click(page, f'.p-select-overlay [role=option][aria-label="{label}"]')
    elif q.kind in (SELECT_ONE, SELECT_MULTIPLE):
        for code in ((value,) if q.kind == SELECT_ONE else value):
            click(page, by_id(f"{node_id}_{code}"))
    elif q.kind in (INTEGER, DECIMAL):
        page.locator(f"{by_id(node_id)} input").press_sequentially(str(value))
    elif q.kind == DATE:  # the date picker takes what is typed in its own format, month first
        box = page.locator(f"{by_id(node_id + '_container')} input")
        box.press_sequentially(dt.date.fromisoformat(value).strftime("%m/%d/%Y"))
        box.press("Escape")
        page.wait_for_selector(".p-datepicker-panel", state="detached")  # gone before the next click
    else:
        page.fill(by_id(node_id), str(value))


@pytest.fixture(scope="module")
def filled(any_form, browser, tmp_path_factory):
    """(form, records of (answers, record XML, hidden question ids), page log), all sets filled in one page."""
    files = {"/index.html": ("text/html", PAGE), "/webforms.js": ("text/javascript", bundle("webforms.js"))}
    xml = xform(any_form, tmp_path_factory.mktemp(f"wf_{any_form.id}"))
    refs = [xpath(q) for q in any_form.questions]
    ids = {xpath(q): q.id for q in any_form.questions}
    conditional = set(conditions.conditional(any_form))  # the questions that may be hidden: look before answering
    records = []
    with served(browser, files) as s:
        s.page.wait_for_function("window.cpcReady === true")
        for answers in answer_sets(any_form, SEED):
            node_ids = s.page.evaluate(MOUNT, [xml, refs])
            for q in any_form.questions:
                if q.id in answers and (q.id not in conditional or s.page.evaluate(SHOWN, xpath(q))):
                    put(s.page, any_form, q, node_ids[xpath(q)], answers[q.id])
            record, hidden = s.page.evaluate(READ, refs)
            records.append((answers, record, [ids[ref] for ref in hidden]))
    return any_form, records, s


def test_web_forms_scores_equal_score_return(filled):
    form, records, _ = filled
    assert len(records) >= 25
    assert [(got, want) for _, got, want in score_mismatches(form, records)] == []
    levels = {score_return(form, answers).level for answers, _, _ in records}
    assert None in levels and len(levels) >= 3  # insufficient returns and several levels were exercised


def test_web_forms_hides_exactly_the_skipped_questions(filled):
    form, records, _ = filled
    mismatches, skipped = relevance_mismatches(form, records)
    assert mismatches == []
    assert skipped > 0  # some answer sets took the non-relevant branches


def test_web_forms_records_read_back_to_the_same_answers(filled, tmp_path):
    form, records, _ = filled
    assert read_back(form, records, tmp_path) == [answers for answers, _, _ in records]


def test_web_forms_ran_offline_without_errors(filled):
    _, _, log = filled
    assert (log.errors, log.blocked) == ([], [])
