"""The web form in a real browser (Debian Chromium through Playwright), filled as a person would fill it."""
from __future__ import annotations

import contextlib
import json
import random
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from cpc_forms import conditions
from cpc_forms.answers import answered
from cpc_forms.channels import html
from cpc_forms.channels.html.page import widget
from cpc_forms.collation import ordered
from cpc_forms.model import NUMERIC_KINDS, Response
from cpc_forms.scoring import display, score_return
from cpc_forms.spec import build_form, check_document
from cpc_forms.synth import random_answers, random_value

from tiny import gated_spec

SETS = 25
SUBMIT_URL = "https://forms.example.org/submit/cpc"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """path of the page of a form (with the given render options), written once."""
    folder, cache = tmp_path_factory.mktemp("html"), {}

    def build(form, **options) -> Path:
        key = (form.id, form.spec_hash, json.dumps(options, sort_keys=True))
        if key not in cache:
            cache[key] = folder / f"{form.id}-{len(cache)}.html"
            cache[key].write_text(html.render(form, **options), encoding="utf-8")
        return cache[key]
    return build


@contextlib.contextmanager
def session(browser, path: Path):
    """A fresh browser context on a page; every request that is not a local file is aborted and reported."""
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    s = SimpleNamespace(blocked=[], requests=[], errors=[], downloads=[])
    ctx.route(lambda url: not url.startswith("file:"),
              lambda route: (s.blocked.append(route.request.url), route.abort()))
    s.page = ctx.new_page()
    s.page.set_default_timeout(5000)
    s.page.on("request", lambda r: s.requests.append(r.url))
    s.page.on("pageerror", lambda e: s.errors.append(str(e)))
    s.page.on("download", lambda d: s.downloads.append(d))
    s.page.on("dialog", lambda d: d.accept())
    s.page.goto(path.as_uri())
    try:
        yield s
    finally:
        ctx.close()
    assert s.errors == []


def assert_offline(s, allowed=()):
    assert s.blocked == []
    assert [u for u in s.requests if not u.startswith(("file:", "blob:", "data:")) and u not in allowed] == []


def put(page, q, value) -> None:
    """Answer one question through its control."""
    w = widget(q)
    if w in ("radio", "checkbox"):
        for code in ([value] if w == "radio" else value):
            page.locator(f'#q-{q.id} input[value="{code}"]').check()
    elif w == "select":
        if q.appearance == "search":
            label = page.locator(f'#i-{q.id} option[value="{value}"]').text_content()
            page.fill(f"#f-{q.id}", label[:3])
        page.select_option(f"#i-{q.id}", value)
    else:
        page.fill(f"#i-{q.id}", str(value))


def fill(page, form, answers, languages=()) -> None:
    """Answer in display order, switching to languages[0] first and languages[1] half-way."""
    todo = [q for q in form.questions if answered(answers.get(q.id))]
    for n, q in enumerate(todo):
        if languages and n in (0, len(todo) // 2):
            page.select_option("#cpc-lang", languages[0 if n == 0 else 1])
        put(page, q, answers[q.id])


def expected(form, answers) -> dict:
    relevant = conditions.relevance(form, answers)
    return {k: v for k, v in answers.items() if answered(v) and relevant[k]}


def plain(answers) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}


def check_scores(page, form, answers, language) -> None:
    """The page's scores (shown and computed) equal scoring.score_return's, to the last bit."""
    want = score_return(form, answers)
    got = page.evaluate("() => window.cpcForm.state().scores")
    assert [(s["section"], s["score"], s["completeness"]) for s in got["sections"]] == \
        [(s.section, s.score, s.completeness) for s in want.sections]
    assert (got["index"], got["level"]) == (want.index, want.level)
    if not form.shows_scores:
        assert page.locator("#cpc-scores").count() == 0
        return
    for s in want.sections:
        out = page.locator(f"#score-{s.section}")
        value = out.get_attribute("data-value")
        assert (float(value) if value else None) == s.score
        if s.score is not None:
            assert out.text_content() == display(s.score)
    index = page.locator("#score-index").get_attribute("data-value")
    assert (float(index) if index else None) == want.index
    assert page.locator("#score-level").get_attribute("data-level") == (want.level or "")
    if want.level:
        label = next(lv.label[language] for lv in form.levels if lv.code == want.level)
        assert page.locator("#score-level").text_content() == label


STORAGE = "() => JSON.stringify(Object.keys(localStorage).sort().map(k => [k, localStorage.getItem(k)]))"


def reopen(page) -> None:
    """Reload the page as a person reopening it would, once the draft it saved has reached the browser.

    Chromium commits a page's localStorage writes to the browser process asynchronously; a reload in the
    same instant (as a test does) can overtake them. Another page of the same origin sees only what was
    committed, so wait until it sees what this page holds; on a loaded machine the first reload has still
    been seen to come up empty, so an empty restore is tried twice more (a wrong one fails at once)."""
    wanted = page.evaluate(STORAGE)
    for attempt in range(3):
        _wait_until_committed(page, wanted)
        page.reload()
        if wanted == "[]" or page.evaluate("() => Object.keys(window.cpcForm.state().answers).length"):
            return
        page.wait_for_timeout(500 * (attempt + 1))


def _wait_until_committed(page, wanted: str) -> None:
    blank = Path(tempfile.mkdtemp()) / "probe.html"
    blank.write_text("<!doctype html><title>probe</title>", encoding="utf-8")
    probe = page.context.new_page()
    try:
        probe.goto(blank.as_uri())
        deadline = time.monotonic() + 10
        while probe.evaluate(STORAGE) != wanted and time.monotonic() < deadline:
            probe.wait_for_timeout(50)
    finally:
        probe.close()


def download(s, folder: Path) -> Path:
    with s.page.expect_download() as info:
        s.page.click("#cpc-download")
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def read_back(path: Path, form):
    found = list(html.read(path, {form.version: form}))
    assert [i for i in found if not isinstance(i, Response) and i.severity == "error"] == []
    (response,) = [r for r in found if isinstance(r, Response)]
    return response


@pytest.mark.parametrize("seed", range(SETS))
def test_filled_like_a_person(browser, built, any_form, tmp_path, artifacts, seed):
    form = any_form
    answers = random_answers(form, random.Random(seed))
    langs = form.languages
    switch = (langs[seed % len(langs)], langs[(seed + 1) % len(langs)]) if len(langs) > 1 else ()
    final = switch[1] if switch else form.default_language
    with session(browser, built(form)) as s:
        page = s.page
        fill(page, form, answers, switch)
        relevant = conditions.relevance(form, answers)
        shown = dict(page.evaluate("() => Array.from(document.querySelectorAll('.q')).map(e => "
                                   "[e.id.slice(2), !e.hidden && !e.closest('fieldset.section').hidden])"))
        assert shown == relevant
        for qid in [q for q, yes in relevant.items() if not yes]:
            assert not page.locator(f"#q-{qid}").is_visible()
        check_scores(page, form, answers, final)
        before = page.evaluate("() => window.cpcForm.state().answers")
        assert before == plain(expected(form, answers))

        reopen(page)
        assert page.evaluate("() => window.cpcForm.state().answers") == before
        assert page.evaluate("() => document.documentElement.lang") == final
        assert page.locator("#cpc-status").text_content() != ""

        path = download(s, tmp_path)
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert (doc["form_id"], doc["form_version"], doc["language"]) == (form.id, form.version, final)
        response = read_back(path, form)
        assert dict(response.answers) == expected(form, answers)
        assert response.instance_id == doc["instance_id"] and response.instance_id.startswith("uuid:")
        if seed == 0:
            for lang in langs:
                if len(langs) > 1:
                    page.select_option("#cpc-lang", lang)
                shot = f"html-{form.id}-{lang}-switched.png" if len(langs) > 1 else f"html-{form.id}-{lang}.png"
                page.screenshot(path=str(artifacts / shot), full_page=True)  # test_html_rtl: opened in lang
        assert_offline(s)


def test_skip_logic_hides_questions_in_some_answer_sets(any_form):
    hidden = sum(not yes for seed in range(SETS)
                 for yes in conditions.relevance(any_form, random_answers(any_form, random.Random(seed))).values())
    assert hidden > 0, "the answer sets never exercise skip logic"


def test_the_answer_sets_hold_some_returns_below_their_band_and_bound_some_scores(form):
    scored = [score_return(form, random_answers(form, random.Random(seed))) for seed in range(SETS)]
    assert len([s for s in scored if s.held_by is not None]) >= 3, "no answer set was held back by a gate"
    assert len([s for s in scored if any(x.low != x.high for x in s.sections)]) >= 3, "no don't-know bounds"


def _bounded(form):
    return next((q for q in form.questions if q.kind in NUMERIC_KINDS and q.relevant is None
                 and (q.maximum is not None or q.minimum is not None)), None)


def test_validation_blocks_a_bad_entry_with_the_specs_message(browser, built, any_form, tmp_path):
    form, q = any_form, _bounded(any_form)
    if q is None:  # the assessment counts in bands with a don't know: the example spec has bounded numbers
        pytest.skip(f"{form.id} has no bounded number to enter")
    bad = q.maximum + 1 if q.maximum is not None else q.minimum - 1
    good = q.maximum if q.maximum is not None else q.minimum
    with session(browser, built(form)) as s:
        page = s.page
        page.fill(f"#i-{q.id}", str(bad))
        page.click("#cpc-download")
        for lang in form.languages:
            if len(form.languages) > 1:
                page.select_option("#cpc-lang", lang)
            message = (q.messages.get("constraint") or form.messages["constraint"])[lang]
            assert page.locator(f"#e-{q.id}").text_content() == message
            assert message in page.locator("#cpc-summary").text_content()
        assert page.get_attribute(f"#i-{q.id}", "aria-invalid") == "true"
        assert page.locator("#cpc-summary").is_visible()
        page.fill(f"#i-{q.id}", str(good))
        assert page.locator(f"#e-{q.id}").text_content() == ""
        path = download(s, tmp_path)
        assert len(s.downloads) == 1, "the bad entry was downloaded"
        assert read_back(path, form).answers[q.id] == good
        assert_offline(s)


def test_typing_rewrites_no_live_region_but_what_changed(browser, form, tmp_path):
    text_q = next(q for q in form.questions if q.kind == "text" and not q.format and q.max_length)
    page_file = tmp_path / "served.html"
    page_file.write_text(html.render(form, submit_url="http://127.0.0.1:9/submissions"), encoding="utf-8")
    with session(browser, page_file) as s:
        page = s.page
        page.click("#cpc-submit")  # blocked before any request: shows every missing required answer
        shown = "() => Array.from(document.querySelectorAll('.error')).filter(e => e.textContent).length"
        assert page.evaluate(shown) > 5
        page.evaluate("""() => { window.rewritten = new Set();
            new MutationObserver(ms => ms.forEach(m => window.rewritten.add(m.target.id || m.target.parentNode.id)))
              .observe(document.body, {subtree: true, childList: true, characterData: true}); }""")
        page.type(f"#i-{text_q.id}", "ab")
        page.wait_for_timeout(100)
        live = page.evaluate("""() => Array.from(window.rewritten).filter(id => {
            const el = document.getElementById(id);
            return el && (el.getAttribute('aria-live') || el.tagName === 'OUTPUT'
                          || el.getAttribute('role') === 'status');
        })""")
        # the unit is not required, so typing in it changes no message and no score
        assert live == [], f"screen readers would hear these again: {live}"


def test_submit_posts_the_return_and_keeps_the_draft_until_acknowledged(browser, built, form, tmp_path):
    posted = []

    def server(route):
        posted.append(route.request.post_data)
        ok = len(posted) > 1
        route.fulfill(status=201 if ok else 503, content_type="application/json",
                      body=json.dumps({"message": "Received 1" if ok else "Try later"}))

    answers = random_answers(form, random.Random(99), fill=1.0)
    with session(browser, built(form, submit_url=SUBMIT_URL)) as s:
        page = s.page
        page.route(SUBMIT_URL, server)
        page.click("#cpc-submit")
        required = [q for q in form.questions if q.required and conditions.relevance(form, {})[q.id]]
        assert posted == [] and page.locator(".q.invalid").count() == len(required)
        assert page.locator(f"#e-{required[0].id}").text_content() == form.messages["required"][form.default_language]
        fill(page, form, answers)
        key = f"cpc-forms:{form.id}:{form.version}"
        for status, draft_kept in (("Try later", True), ("Received 1", False)):
            page.click("#cpc-submit")
            page.wait_for_function("t => document.getElementById('cpc-status').textContent.includes(t)", arg=status)
            assert (page.evaluate("k => localStorage.getItem(k)", key) is not None) == draft_kept
        (tmp_path / "posted.json").write_text(posted[-1], encoding="utf-8")
        assert dict(read_back(tmp_path / "posted.json", form).answers) == expected(form, answers)
        assert_offline(s, allowed=(SUBMIT_URL,))


def test_after_submit_scores_appear_once_the_return_is_saved(browser, built, tmp_path):
    spec = gated_spec()
    spec["x-form"]["live_scores"] = "after-submit"
    form = build_form(spec)
    answers = {"agency": "customs", "seen": "mid", "q1": "2", "q2": "dk", "q3": "1", "n1": 3, "m1": ("a", "c")}
    with session(browser, built(form)) as s:
        fill(s.page, form, answers)
        assert s.page.locator("#cpc-scores").is_hidden()  # the perceived level is judged without them
        download(s, tmp_path)
        assert s.page.locator("#cpc-scores").is_visible()
        check_scores(s.page, form, answers, "en")


def test_start_over_clears_answers_and_draft(browser, built, example_form):
    q = example_form.questions[0]
    with session(browser, built(example_form)) as s:
        put(s.page, q, "Depot 4")
        s.page.click("#cpc-reset")
        assert s.page.evaluate("() => window.cpcForm.state().answers") == {}
        reopen(s.page)
        assert s.page.input_value(f"#i-{q.id}") == ""


def test_page_runs_under_a_strict_content_security_policy(browser, form):
    page_html = html.render(form, submit_url="/submit")
    hashes = " ".join(html.inline_hashes(page_html))
    policy = f"default-src 'none'; script-src {hashes}; style-src {hashes}; connect-src 'self'"
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        violations = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.route("http://forms.test/**", lambda r: r.fulfill(status=200, body=page_html, content_type="text/html",
                                                                 headers={"Content-Security-Policy": policy}))
        page.goto("http://forms.test/form")
        page.locator('#q-b1a input[value="no"]').check()
        assert not page.locator("#q-b1b").is_visible()
        page.locator('#q-b1a input[value="yes"]').check()
        assert page.locator("#q-b1b").is_visible()
        assert violations == []
    finally:
        ctx.close()


TINY = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "Tiny", "type": "object",
    "additionalProperties": False,
    "x-form": {"id": "tiny", "version": "1", "languages": ["en"], "default_language": "en"},
    "x-scoring": {"min_sections": 1, "completeness_threshold": 0.5, "levels": [
        {"code": "low", "from": 0, "to": 50, "title": "Low", "description": "Low."},
        {"code": "high", "from": 50, "to": 100, "title": "High", "description": "High."}]},
    "properties": {
        "one": {"type": "object", "title": "One", "additionalProperties": False,
                "x-score": {"weight": 1}, "properties": {
            "kind": {"type": "string", "title": "Kind", "x-score": {}, "oneOf": [
                {"const": "a", "title": "A", "x-score": 0}, {"const": "b", "title": "B", "x-score": 3},
                {"const": "x", "title": "Unknown", "x-special": "dk"},
                {"const": "n", "title": "None", "x-special": "na"}]},
            "n": {"type": "number", "title": "N", "minimum": -5, "maximum": 5, "x-score": {"bands": [
                {"from": -5, "to": 0, "score": 0}, {"from": 0, "to": 2.5, "score": 1}, {"from": 2.5, "score": 3}]}},
            "tags": {"type": "array", "uniqueItems": True, "title": "Tags", "x-score": {"bands": [
                {"from": 0, "to": 1, "score": 0}, {"from": 1, "score": 3}]}, "items": {"type": "string", "oneOf": [
                    {"const": "p", "title": "P"}, {"const": "q", "title": "Q"},
                    {"const": "z", "title": "Does not apply", "x-special": "na"}]}},
            "ne_kind": {"type": "string", "title": "Not A", "x-relevant": {"question": "kind", "ne": "a"}},
            "no_n": {"type": "string", "title": "No N", "x-relevant": {"question": "n", "answered": False}},
            "no_p": {"type": "string", "title": "No P", "x-relevant": {"not": {"question": "tags", "in": ["p"]}}},
            "cascade": {"type": "integer", "title": "Cascade", "x-score": {"bands": [{"from": 0, "score": 3}]},
                        "x-relevant": {"all": [{"question": "ne_kind", "answered": True},
                                               {"question": "n", "lte": 1.5}]}},
            "either": {"type": "string", "title": "Either", "x-relevant": {"any": [
                {"question": "n", "gt": -1}, {"question": "kind", "eq": "b"}, {"question": "cascade", "gte": 2}]}}}},
        "two": {"type": "object", "title": "Two", "additionalProperties": False, "x-score": {"weight": 2},
                "x-relevant": {"question": "kind", "in": ["b", "x"]}, "properties": {
                    "m": {"type": "integer", "title": "M", "x-score": {"bands": [{"from": 0, "to": 3, "score": 1},
                                                                             {"from": 3, "score": 3}]}}}}}}


@pytest.fixture(scope="module")
def tiny_form():
    assert [p for p in check_document(TINY) if p.severity == "error"] == []
    return build_form(TINY)


def arbitrary_answers(form, rng):
    """Answers to any question, relevant or not, some left blank: the rules must agree on all of them."""
    return {q.id: random_value(q, rng, rng.random()) for q in form.questions if rng.random() < 0.7}


@pytest.mark.parametrize("which", ["tiny", "gated", "default", "example"])
def test_runtime_rules_equal_python_on_arbitrary_answers(browser, built, tiny_form, form, example_form, which):
    spec = {"tiny": tiny_form, "gated": build_form(gated_spec()), "default": form, "example": example_form}[which]
    rng = random.Random(which)
    sets = [arbitrary_answers(spec, rng) for _ in range(300)]
    with session(browser, built(spec)) as s:
        got = s.page.evaluate("sets => sets.map(a => [cpcForm.relevance(a), cpcForm.scores(a)])",
                              [plain(a) for a in sets])
    for answers, (relevant, scores) in zip(sets, got, strict=True):
        assert relevant == conditions.relevance(spec, answers), answers
        want = score_return(spec, answers)
        assert [(x["score"], x["completeness"], x["dont_know"], x["low"], x["high"]) for x in scores["sections"]] == \
            [(x.score, x.completeness, x.dont_know, x.low, x.high) for x in want.sections], answers
        assert (scores["index"], scores["level"], scores["band"], scores["held"]) == \
            (want.index, want.level, want.band_level, want.held_by), answers


ROUNDING = [0.05, 0.15, 0.25, 2.675, 66.65, 66.66666666666667, 99.95, 100.0, 0.0, 12.5, 1e-7, 33.349999999999994]


def test_runtime_display_rounds_like_python(browser, built, example_form):
    with session(browser, built(example_form)) as s:
        shown = s.page.evaluate("xs => xs.map(x => cpcForm.display(x))", ROUNDING)
    assert dict(zip(ROUNDING, shown, strict=True)) == {x: display(x) for x in ROUNDING}


OPTIONS = "id => Array.from(document.getElementById(id).options).slice(1).map(o => [o.value, o.textContent])"


def test_the_country_list_follows_the_alphabetical_order_of_the_language_switched_to(browser, built, form):
    q = form.role("country")

    def alphabetical(language):
        return ordered([(c.code, c.label[language]) for c in q.choices], language)
    with session(browser, built(form)) as s:
        page = s.page
        assert [tuple(o) for o in page.evaluate(OPTIONS, f"i-{q.id}")] == alphabetical("en")
        page.select_option(f"#i-{q.id}", "EGY")
        for language in ("fr", "en", "fr"):
            page.select_option("#cpc-lang", language)
            assert [tuple(o) for o in page.evaluate(OPTIONS, f"i-{q.id}")] == alphabetical(language)
            assert page.input_value(f"#i-{q.id}") == "EGY"  # the choice stays chosen as its option moves
        names = [name for _, name in alphabetical("fr")]
        assert names.index("Dominique") < names.index("Égypte") < names.index("Espagne") < names.index("Fidji")
        put(page, q, "IND")  # the search filter types the first letters of the French name, then picks
        reopen(page)
        assert [tuple(o) for o in page.evaluate(OPTIONS, f"i-{q.id}")] == alphabetical("fr")
        assert page.input_value(f"#i-{q.id}") == "IND"
        assert_offline(s)
