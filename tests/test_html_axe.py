"""Accessibility of the web form: axe-core (npm, tests/js) in Chromium, before and after errors are shown, in every
language of the default spec and, right to left, in a tiny Arabic one."""
from __future__ import annotations

from pathlib import Path

import pytest

from cpc_forms.channels import html
from cpc_forms.spec import DEFAULT_SPEC, build_form, load_form

from conftest import require_client
from test_html_rtl import four_language_spec

AXE = Path(__file__).parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
RUN = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"


@pytest.fixture(scope="module")
def axe_source():
    require_client("axe-core (run `npm ci` in tests/js)", AXE.exists())
    return AXE.read_text(encoding="utf-8")


def serious(page, axe_source) -> list:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(RUN, TAGS)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


CASES = [("default", lang) for lang in load_form(DEFAULT_SPEC).languages] + \
    [("example", "en"), ("four", "es"), ("four", "ar")]


@pytest.mark.parametrize("which,language", CASES)
def test_no_serious_violations_before_and_after_errors(browser, axe_source, form, example_form, tmp_path,
                                                        which, language):
    spec = {"default": form, "example": example_form, "four": build_form(four_language_spec())}[which]
    path = tmp_path / "form.html"
    path.write_text(html.render(spec, submit_url="/submit", language=language), encoding="utf-8")
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.route("**/submit", lambda route: route.abort())
        page.goto(path.as_uri())
        assert serious(page, axe_source) == []
        number = next((q for q in spec.questions if q.kind in ("integer", "decimal") and q.relevant is None), None)
        if number is not None:  # an out-of-range number besides the required answers still missing
            page.fill(f"#i-{number.id}", "-1000000")
        page.click("#cpc-submit")
        assert page.locator("#cpc-summary").is_visible() and page.locator(".q.invalid").count() > 1
        assert serious(page, axe_source) == []
    finally:
        ctx.close()
