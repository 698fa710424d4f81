"""Enketo (the web form KoboToolbox serves: npm enketo-transformer's browser build and enketo-core) fills our
XForm in Chromium as a person would: its calculated scores equal score_return, it hides exactly the questions
conditions.relevance skips, and its records read back to the same answers (tests/test_xform_engines.py).

How this engine is driven: its page, and fill(), which answers every random set as a person would."""
from __future__ import annotations

from cpc_forms import conditions
from cpc_forms.model import DATE, SELECT_MULTIPLE, SELECT_ONE

from xform_clients import (
    answer_sets,
    bundle,
    choice_label,
    click,
    served,
    xform,
    xpath,
)

SEED = 20261201
PAGE = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Enketo</title></head>
<body><div id="host"></div><script src="/enketo.js"></script></body></html>"""

# The XForm turned into Enketo's HTML form and model once, by enketo-transformer in the page.
TRANSFORM = "async xml => { window.cpcTransformed = await cpcEnketo.transform({ xform: xml }); }"
# A fresh form from the transformed HTML and model; answers enketo-core's load errors.
START = """() => {
  const host = document.querySelector('#host');
  host.innerHTML = window.cpcTransformed.form;
  window.cpcForm = new cpcEnketo.Form(host.querySelector('form.or'), { modelStr: window.cpcTransformed.model }, {});
  return window.cpcForm.init();
}"""
# Whether the question is shown: Enketo disables a non-relevant question, or its group, with .or-branch.disabled.
SHOWN = "ref => document.querySelector(`[name='${ref}']`).closest('.or-branch.disabled') === null"
# The record (enketo-core's model as XML) and the references of the questions Enketo hides.
READ = """refs => [window.cpcForm.getDataStr(),
                refs.filter(ref => document.querySelector(`[name='${ref}']`).closest('.or-branch.disabled'))]"""


def control(ref: str, value: str | None = None) -> str:
    """The selector of a question's control (of one of its choices, given a value)."""
    return f'[name="{ref}"]' + (f'[value="{value}"]' if value is not None else "")


def put(page, form, q, value) -> None:
    """Answer one question through its control: click, or type (Enketo reads a field on its change event)."""
    ref = xpath(q)
    if q.kind == SELECT_ONE and q.appearance == "search":  # Enketo's autocomplete: type the label of a choice
        typed = f"{control(ref)} ~ input.autocomplete"
        page.fill(typed, choice_label(form, q, value))
        page.dispatch_event(typed, "change")
    elif q.kind in (SELECT_ONE, SELECT_MULTIPLE):
        for code in ((value,) if q.kind == SELECT_ONE else value):
            click(page, control(ref, code))
    elif q.kind == DATE:  # Enketo's date widget: a text field that takes yyyy-mm-dd
        typed = f".question:has(> {control(ref)}) .widget.date input"
        page.fill(typed, value)
        page.dispatch_event(typed, "change")
    else:
        page.fill(control(ref), str(value))
        page.dispatch_event(control(ref), "change")


def fill(form, browser, folder, sets=None):
    """(records of (answers, record XML, hidden question ids), page log), all sets (by default the random ones
    of SEED) filled in one page."""
    files = {"/index.html": ("text/html", PAGE), "/enketo.js": ("text/javascript", bundle("enketo.js"))}
    xml = xform(form, folder)
    refs = [xpath(q) for q in form.questions]
    ids = {xpath(q): q.id for q in form.questions}
    conditional = set(conditions.conditional(form))  # the questions that may be hidden: look before answering
    records = []
    with served(browser, files) as s:
        s.page.evaluate(TRANSFORM, xml)
        for answers in answer_sets(form, SEED) if sets is None else sets:
            assert s.page.evaluate(START) == []
            for q in form.questions:
                if q.id in answers and (q.id not in conditional or s.page.evaluate(SHOWN, xpath(q))):
                    put(s.page, form, q, answers[q.id])
            record, hidden = s.page.evaluate(READ, refs)
            records.append((answers, record, [ids[ref] for ref in hidden]))
    return records, s
