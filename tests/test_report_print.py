"""report.html in Chromium, in every language of the project: no console error or request, axe finds no serious or
critical violation, right to left in Arabic; printed (Chromium's own PDF), a country per page with nothing hidden
but the chart that repeats its table, the pages numbered. Screenshots of the first page and of a country's page are
kept as artefacts."""
from __future__ import annotations

import io
import unicodedata

import pytest

from cpc_forms.report import write_all
from cpc_forms.spec import load_form

from conftest import DEFAULT_SPEC
from report_sample import countries, sample_report
from report_spec import LANGUAGES, demo_report, four_language_form
from test_html_axe import axe_source, serious  # noqa: F401 - axe_source is a fixture

DEFAULT_LANGUAGES = load_form(DEFAULT_SPEC).languages
CASES = [("default", lang) for lang in DEFAULT_LANGUAGES] + [("four", lang) for lang in LANGUAGES]


@pytest.fixture(scope="module")
def four():
    return four_language_form()


@pytest.fixture(scope="module")
def demo(form, tmp_path_factory):
    return demo_report(form, tmp_path_factory.mktemp("demo"), 6)


def _report(which, demo, four):
    return demo if which == "default" else sample_report(four, 24, 3, crafted=False)


def _open(browser, path):
    # the page forbids every script (its Content-Security-Policy): axe is let in by the test's browser alone
    page = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 1400}).new_page()
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    page.goto(path.as_uri())
    return page, problems, requests


@pytest.mark.parametrize("which,language", CASES, ids=[f"{w}-{lang}" for w, lang in CASES])
def test_report_in_chromium_is_accessible_in_every_language(browser, axe_source, demo, four, tmp_path, artifacts,  # noqa: F811
                                                            which, language):
    report = _report(which, demo, four)
    figures = countries(report)
    (path,) = write_all(report, tmp_path, ("html",), language=language)
    page, problems, requests = _open(browser, path)
    try:
        facts = page.evaluate("""() => ({dir: getComputedStyle(document.body).direction,
            lang: document.documentElement.lang, scripts: document.scripts.length,
            profiles: document.querySelectorAll('#countries article.country').length,
            charts: document.querySelectorAll('#countries figure svg[role=img]').length,
            heatmap: document.querySelectorAll('table.heatmap tbody tr').length})""")
        violations = serious(page, axe_source)
        # the default spec's pages are the artefacts in its languages, the four-language spec's in the others
        if which == "default" or language not in DEFAULT_LANGUAGES:
            page.screenshot(path=str(artifacts / f"report-first-page-{language}.png"))
            busiest = max(range(len(figures)), key=lambda k: figures[k].national.returns)
            page.locator(f"#country-{busiest + 1}").screenshot(path=str(artifacts / f"report-country-{language}.png"))
    finally:
        page.context.close()
    n = len(figures)
    assert (problems, requests, violations) == ([], [], [])
    assert facts == {"dir": "rtl" if language == "ar" else "ltr", "lang": language, "scripts": 0, "profiles": n,
                     "charts": n, "heatmap": n}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_printed_a_country_per_page_nothing_hidden_but_the_chart(browser, four, tmp_path, language):
    from pypdf import PdfReader

    report = _report("four", None, four)
    (path,) = write_all(report, tmp_path, ("html",), language=language)
    page, problems, _ = _open(browser, path)
    try:
        page.emulate_media(media="print")
        printed = page.evaluate("""() => ({
            breaks: [...document.querySelectorAll('article.country')].map(a => getComputedStyle(a).breakBefore),
            hidden: [...document.querySelectorAll('main *')].filter(e => e.offsetParent === null
                && getComputedStyle(e).position !== 'fixed' && !e.closest('figure, svg, bdi')).length,
            charts: [...document.querySelectorAll('.scores figure')].map(f => getComputedStyle(f).display)})""")
        pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    finally:
        page.context.close()
    names = [four.role("country").choice(c.country).label[language] for c in countries(report)]
    texts = [unicodedata.normalize("NFKC", p.extract_text()) for p in pdf.pages]  # Arabic presentation forms
    assert printed["breaks"] == ["page"] * len(names) and printed["hidden"] == 0
    assert set(printed["charts"]) == {"none"}
    for name in names:  # its profile starts a page of its own
        assert any(name in t and not any(other in t for other in names if other != name) for t in texts[1:])
    assert all(f"{n} / {len(texts)}" in t for n, t in enumerate(texts, 1)), "numbered pages"
    assert problems == []
