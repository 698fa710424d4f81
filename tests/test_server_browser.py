"""Chromium (through Playwright) fills and submits the served form; the return shows in the export and
in the live scores page, and the page runs under its CSP without a single violation."""
from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import threading

import pytest
import waitress

from cpc_forms.answers import nest
from cpc_forms.channels.html.page import ui_texts, widget
from cpc_forms.server import create_app
from cpc_forms.spec import build_form
from cpc_forms.synth import random_answers

from test_html_rtl import four_language_spec

TOKEN = "coordinator-token-for-tests"


@contextlib.contextmanager
def serving(form, folder):
    """The app of a form served by waitress on a free loopback port, in this process: (app, base URL)."""
    app = create_app(form, folder / "s.sqlite", TOKEN, rate_per_minute=0)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        server.task_dispatcher.shutdown()


@pytest.fixture
def hosted(any_form, tmp_path):
    """The app served by waitress on a free loopback port, in this process."""
    with serving(any_form, tmp_path) as served:
        yield served


def fill(page, form, answers):
    """Answer through the controls, as a person would, in display order."""
    for q in form.questions:
        if q.id not in answers:
            continue
        value, kind = answers[q.id], widget(q)
        if kind == "radio":
            page.check(f'input[name="{q.id}"][value="{value}"]')
        elif kind == "checkbox":
            for code in value:
                page.check(f'input[name="{q.id}"][value="{code}"]')
        elif kind == "select":
            page.select_option(f"#i-{q.id}", str(value))
        else:
            page.fill(f"#i-{q.id}", str(value))


def test_chromium_fills_and_submits_the_served_form(browser, hosted):
    from playwright.sync_api import expect  # here: the browser fixture has made sure Playwright is there

    app, base = hosted
    form = app.extensions["cpc_forms"].form
    answers = random_answers(form, random.Random(5), fill=1.0)
    language = form.languages[-1]
    context = browser.new_context(http_credentials={"username": "coordinator", "password": TOKEN})
    page = context.new_page()
    complaints = []
    page.on("console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: complaints.append(str(e)))

    try:
        page.goto(f"{base}/{language}/")
        fill(page, form, answers)
        page.click("#cpc-submit")
        received = ui_texts(form)[language]["sent_created"].split("{id}")[0]  # in the page's language
        expect(page.locator("#cpc-status")).to_contain_text(received, timeout=15000)
        instance_id = page.evaluate("window.cpcForm.envelope().instance_id")

        exported = context.request.get(f"{base}/admin/export.json")
        [stored] = json.loads(exported.body())["returns"]
        assert (stored["instance_id"], stored["language"]) == (instance_id, language)
        assert stored["answers"] == json.loads(json.dumps(nest(form, answers)))
        exported = context.request.get(f"{base}/admin/export.csv").text().lstrip("\ufeff")
        rows = list(csv.DictReader(io.StringIO(exported)))
        assert [r["instance_id"] for r in rows] == [instance_id]

        page.goto(f"{base}/admin/scores")
        cells = page.eval_on_selector_all("#summary tr",
                                          "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))")
        assert ["server", "1", "1", "0", "0"] in cells
    finally:
        context.close()
    assert complaints == []


def _text_question(form):
    return next(q for q in form.questions if widget(q) == "text" and not q.relevant)


def test_the_page_keeps_its_edit_token_in_the_draft_and_edits_with_it(browser, hosted):
    from playwright.sync_api import expect

    app, base = hosted
    form = app.extensions["cpc_forms"].form
    answers = random_answers(form, random.Random(6), fill=1.0)
    texts = ui_texts(form)[form.default_language]
    question = _text_question(form)
    key = f"cpc-forms:{form.id}:{form.version}"
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{base}/{form.default_language}/")
        fill(page, form, answers)
        page.click("#cpc-submit")
        expect(page.locator("#cpc-status")).to_contain_text(texts["sent_created"].split("{id}")[0], timeout=15000)
        page.fill(f"#i-{question.id}", "changed after sending")  # the draft is saved again, with the token
        draft = json.loads(page.evaluate(f"localStorage.getItem({json.dumps(key)})"))
        assert draft["edit_token"] and "edit_token" not in page.evaluate("window.cpcForm.envelope()")
        page.reload()  # the edit goes on from the draft
        page.click("#cpc-submit")
        expect(page.locator("#cpc-status")).to_contain_text(texts["sent_replaced"].split("{id}")[0], timeout=15000)
        [stored] = [env for _, _, env in app.extensions["cpc_forms"].store.envelopes()]
        assert stored["instance_id"] == draft["instance_id"] and "edit_token" not in stored
        assert stored["answers"][question.section][question.id] == "changed after sending"

        other = context.browser.new_context().new_page()  # a browser that knows the instance id, not the token
        other.goto(f"{base}/{form.default_language}/")
        forged = dict(draft, edit_token=None, values=dict(draft["values"], **{question.id: "forged"}))
        other.evaluate(f"localStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(forged))})")
        other.reload()
        other.click("#cpc-submit")
        expect(other.locator("#cpc-status")).to_contain_text("403", timeout=15000)
        expect(other.locator("#cpc-status")).to_contain_text("edit token")
        other.context.close()
        [stored] = [env for _, _, env in app.extensions["cpc_forms"].store.envelopes()]
        assert stored["answers"][question.section][question.id] == "changed after sending"
    finally:
        context.close()


DIRECTION = ("() => [document.documentElement.lang, document.documentElement.dir, "
             "getComputedStyle(document.body).direction]")


@pytest.mark.parametrize("accept, language, direction", [("ar-MA,ar;q=0.9,fr;q=0.5", "ar", "rtl"),
                                                         ("es-419", "es", "ltr")], ids=["arabic", "spanish"])
def test_the_served_form_speaks_the_browsers_language_in_its_direction(browser, tmp_path, accept, language,
                                                                         direction):
    from playwright.sync_api import expect

    form = build_form(four_language_spec())
    answers = random_answers(form, random.Random(8), fill=1.0)
    texts = ui_texts(form)[language]
    with serving(form, tmp_path) as (app, base):
        context = browser.new_context(extra_http_headers={"Accept-Language": accept})
        page = context.new_page()
        complaints = []
        page.on("console", lambda m: complaints.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: complaints.append(str(e)))
        try:
            page.goto(f"{base}/")
            assert page.evaluate(DIRECTION) == [language, direction, direction]
            page.select_option("#cpc-lang", "en")  # live, under the served page's CSP
            assert page.evaluate(DIRECTION) == ["en", "ltr", "ltr"]
            page.select_option("#cpc-lang", language)
            assert page.evaluate(DIRECTION) == [language, direction, direction]
            fill(page, form, answers)
            page.click("#cpc-submit")
            expect(page.locator("#cpc-status")).to_contain_text(texts["sent_created"].split("{id}")[0], timeout=15000)
            [(number, _, stored)] = list(app.extensions["cpc_forms"].store.envelopes())
            assert stored["language"] == language
            # the reference inside the receipt keeps its own direction
            assert page.locator("#cpc-status bdi").text_content() == str(number)
            assert page.locator("#cpc-status").text_content() == texts["sent_created"].replace("{id}", str(number))
            page.goto(f"{base}/ar/")
            assert page.evaluate(DIRECTION) == ["ar", "rtl", "rtl"]
        finally:
            context.close()
    assert complaints == []
