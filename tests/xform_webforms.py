"""ODK Web Forms (the form ODK Central serves, npm @getodk/web-forms with its xforms-engine) fills our XForm in
Chromium as a person would: its calculated scores equal score_return, it hides exactly the questions
conditions.relevance skips, and its records read back to the same answers (tests/test_xform_engines.py).

How this engine is driven: its page, and fill(), which answers every random set as a person would."""
from __future__ import annotations

import datetime as dt

from cpc_forms import conditions
from cpc_forms.model import DATE, DECIMAL, INTEGER, SELECT_MULTIPLE, SELECT_ONE

from xform_clients import (
    answer_sets,
    bundle,
    choice_label,
    click,
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


def fill(form, browser, folder, sets=None):
    """(records of (answers, record XML, hidden question ids), page log), all sets (by default the random ones
    of SEED) filled in one page."""
    files = {"/index.html": ("text/html", PAGE), "/webforms.js": ("text/javascript", bundle("webforms.js"))}
    xml = xform(form, folder)
    refs = [xpath(q) for q in form.questions]
    ids = {xpath(q): q.id for q in form.questions}
    conditional = set(conditions.conditional(form))  # the questions that may be hidden: look before answering
    records = []
    with served(browser, files) as s:
        s.page.wait_for_function("window.cpcReady === true")
        for answers in answer_sets(form, SEED) if sets is None else sets:
            node_ids = s.page.evaluate(MOUNT, [xml, refs])
            for q in form.questions:
                if q.id in answers and (q.id not in conditional or s.page.evaluate(SHOWN, xpath(q))):
                    put(s.page, form, q, node_ids[xpath(q)], answers[q.id])
            record, hidden = s.page.evaluate(READ, refs)
            records.append((answers, record, [ids[ref] for ref in hidden]))
    return records, s
