"""What the tests of our XForm in the web engines of KoboToolbox (Enketo) and ODK Central (ODK Web Forms) share:
the XForm, the answer sets, a page served over https from files, and the comparisons with the Python side."""
from __future__ import annotations

import contextlib
import random
from pathlib import Path
from types import SimpleNamespace

from defusedxml.ElementTree import fromstring

from cpc_forms import conditions
from cpc_forms.answers import answered
from cpc_forms.channels import xlsform
from cpc_forms.model import Response
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers

from conftest import require_client

DIST = Path(__file__).parent / "js" / "dist"
ORIGIN = "https://cpc.test"  # an https origin (a secure context) that only Playwright's routing answers
SETS = 25


def bundle(name: str) -> bytes:
    """A bundle built by tests/js/build.mjs (./setup.sh runs it): skipped when missing, failed under CI."""
    path = DIST / name
    require_client(f"the bundle tests/js/dist/{name} (built by ./setup.sh)", path.is_file())
    return path.read_bytes()


def xform(form, folder: Path) -> str:
    """The XForm XML of a form, as `cpc-forms build` writes it."""
    return xlsform.generate(form, folder)[1].read_text(encoding="utf-8")


def answer_sets(form, seed: int, n: int = SETS) -> list:
    """n random answer sets drawn as the JavaRosa test draws them (an empty selection is no answer in ODK)."""
    rng = random.Random(seed)
    sets = [random_answers(form, rng, fill=rng.choice((0.3, 0.7, 0.95))) for _ in range(n)]
    return [{k: v for k, v in s.items() if answered(v)} for s in sets]


def xpath(q) -> str:
    """The instance path of a question in our XForm: /data/<section>/<question>."""
    return f"/data/{q.section}/{q.id}"


def choice_label(form, q, code: str, lang: str = "") -> str:
    """The label a person sees for a choice: in the form's default language, in which it opens, unless the person
    picked another."""
    return q.choice(code).label[lang or form.default_language]


@contextlib.contextmanager
def served(browser, files: dict):
    """A page at ORIGIN/index.html in a fresh context; files maps a path to (content type, bytes). Any other
    request is aborted and kept in .blocked; page errors are kept in .errors."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    s = SimpleNamespace(blocked=[], errors=[])

    def answer(route):
        url = route.request.url
        path = url[len(ORIGIN):].split("?")[0] if url.startswith(ORIGIN + "/") else None
        if path in files:
            route.fulfill(status=200, content_type=files[path][0], body=files[path][1])
        else:
            s.blocked.append(url)
            route.abort()
    ctx.route("**/*", answer)
    s.page = ctx.new_page()
    s.page.set_default_timeout(10000)
    s.page.on("pageerror", lambda e: s.errors.append(str(e)))
    s.page.goto(f"{ORIGIN}/index.html")
    try:
        yield s
    finally:
        ctx.close()


CENTRE = """selector => {
  const element = document.querySelector(selector);
  element.scrollIntoView({block: 'center'});
  const box = element.getBoundingClientRect();
  return [box.x + box.width / 2, box.y + box.height / 2];
}"""


def click(page, selector: str) -> None:
    """A person's click on a control: scrolled into view, then trusted mouse events on its centre. (Playwright's
    click() and check() also wait for the control to stop moving and for what follows, which nearly doubled the
    time of these tests; that every click took is checked by reading the records back.)"""
    page.mouse.click(*page.evaluate(CENTRE, selector))


def calculated(xml: str) -> dict:
    """The scoring calculates (sc_*) of a record, as text."""
    return {el.tag: (el.text or "") for el in fromstring(xml.encode("utf-8")) if el.tag.startswith("sc_")}


def _number(text: str):
    return float(text) if text != "" else None


def score_mismatches(form, records) -> list:
    """(answers, engine, Python) for every record whose sections' scores, completeness, don't-know bounds and
    count, index, level, band or the level holding it back differ from score_return's: numbers compared
    exactly, as the JavaRosa test does (a JavaScript number prints as the shortest text that reads back to it,
    so no conversion is needed)."""
    out = []
    for answers, xml, _ in records:
        calc, want = calculated(xml), score_return(form, answers)
        got = {"index": _number(calc["sc_index"]), "level": calc["sc_level"] or None,
               "band": calc["sc_band"] or None, "held": calc["sc_held"] or None}
        expect = {"index": want.index, "level": want.level, "band": want.band_level, "held": want.held_by}
        for s in want.sections:
            keys = ("score", "completeness", "low", "high", "dkn")
            got[s.section] = tuple(_number(calc[f"sc_{s.section}_{k}"]) for k in keys)
            expect[s.section] = (s.score, s.completeness, s.low, s.high, s.dont_know)
        if got != expect:
            out.append((answers, got, expect))
    return out


def relevance_mismatches(form, records) -> tuple:
    """([(answers, hidden by the engine, hidden by conditions.relevance)] where they differ, hidden in all)."""
    out, skipped = [], 0
    for answers, _, hidden in records:
        relevant = conditions.relevance(form, answers)
        want = {q.id for q in form.questions if not relevant[q.id]}
        skipped += len(want)
        if set(hidden) != want:
            out.append((answers, sorted(hidden), sorted(want)))
    return out, skipped


def read_back(form, records, folder: Path) -> list:
    """The answers our XML reader finds in the engine's records, in record order."""
    for n, (_, xml, _) in enumerate(records):
        (folder / f"record_{n:02d}.xml").write_text(xml, encoding="utf-8")
    items = list(xlsform.read(folder, {form.version: form}))
    assert [i for i in items if not isinstance(i, Response) and i.severity == "error"] == []
    responses = sorted((i for i in items if isinstance(i, Response)), key=lambda r: r.source)
    return [dict(r.answers) for r in responses]
