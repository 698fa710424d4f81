"""One rule changed in the scoring plan changes it in every target: Python, NumPy, and the rules rendered into
the workbook (LibreOffice), the XForm (JavaRosa) and the web form (Chromium). A target that decided the rule
by itself would keep the old answer and fail here."""
from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import numpy as np
import pytest
from defusedxml.ElementTree import fromstring

from cpc_forms import bulk, conditions, scoring
from cpc_forms.channels import excel, html, xlsform
from cpc_forms.scoring import Threshold, score_return
from cpc_forms.spec import build_form

from libreoffice import convert
from test_xlsform_javarosa import jar
from tiny import gated_spec, tiny_spec

HERE = Path(__file__).parent
# section one is exactly half complete (q2 don't know, q3 not applicable): a score under ">=", none under ">"
BOUNDARY = {"q1": "2", "q2": "dk", "q3": "na", "n1": 3, "m1": ("a",)}


@pytest.fixture
def tiny():
    return build_form(tiny_spec())


@pytest.fixture
def strict_threshold(monkeypatch):
    """The plan's completeness rule mutated from >= to >, for every target built while it is in force."""
    built = scoring.build_plan

    def mutated(form):
        plan = built(form)
        return dataclasses.replace(plan, completeness=Threshold(plan.completeness.value, inclusive=False))
    scoring.plan_for.cache_clear()
    monkeypatch.setattr(scoring, "build_plan", mutated)
    yield
    scoring.plan_for.cache_clear()


KEYS = ("s1", "index", "level", "band", "held", "low", "high")


def _scored(r):
    s1 = r.sections[0]
    return dict(zip(KEYS, (s1.score, r.index, r.level, r.band_level, r.held_by, s1.low, s1.high), strict=True))


def python(form, answers, tmp_path, request):
    return _scored(score_return(form, answers))


def numpy(form, answers, tmp_path, request):
    columns = {qid: bulk.Column([value], np.zeros(1, dtype=np.intp)) for qid, value in answers.items()}
    [r] = bulk.scores(form, columns, bulk.relevance(form, columns, 1), 1)
    return _scored(r)


def libreoffice(form, answers, tmp_path, request):
    soffice = request.getfixturevalue("soffice")
    filled = excel.fill(form, dict(answers), tmp_path / "filled.xlsx", "en")
    [out] = convert(soffice, [filled], tmp_path / "recalculated")
    got = excel.read_results(out)
    cells = ("section:s1", "index", "level_code", "band_level", "held_by", "low:s1", "high:s1")
    return {key: None if got[cell] == "" else got[cell] for key, cell in zip(KEYS, cells, strict=True)}


def javarosa(form, answers, tmp_path, request):
    java = request.getfixturevalue("java")
    xform = xlsform.generate(form, tmp_path)[1]
    lines = [f"{k}\t{' '.join(v) if isinstance(v, tuple) else v}" for k, v in answers.items()]
    (tmp_path / "answers.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = subprocess.run([java, "-Djava.awt.headless=true", "-cp", str(jar()), str(HERE / "javarosa" / "JrFill.java"),
                          str(xform), str(tmp_path / "answers.txt")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    record = fromstring(("<?xml" + run.stdout.split("<?xml", 1)[1].split("\n=====\n")[0]).encode("utf-8"))
    calc = {el.tag: el.text or "" for el in record if el.tag.startswith("sc_")}
    numbers = {k: float(calc[n]) if calc[n] else None for k, n in (("s1", "sc_s1_score"), ("index", "sc_index"),
                                                                  ("low", "sc_s1_low"), ("high", "sc_s1_high"))}
    return {**numbers, **{k: calc[n] or None for k, n in (("level", "sc_level"), ("band", "sc_band"),
                                                          ("held", "sc_held"))}}


def chromium(form, answers, tmp_path, request):
    browser = request.getfixturevalue("browser")
    page_file = tmp_path / "tiny.html"
    page_file.write_text(html.render(form), encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        shown = {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}
        return page.evaluate("""a => { const s = cpcForm.scores(a);
            return {s1: s.sections[0].score, index: s.index, level: s.level, band: s.band, held: s.held,
                    low: s.sections[0].low, high: s.sections[0].high}; }""",
                             shown)
    finally:
        page.close()


# the client targets ask for soffice, java and browser at run time, so they carry the clients marker themselves
TARGETS = [pytest.param(t, id=t.__name__, marks=[pytest.mark.clients] if t in (libreoffice, javarosa, chromium) else [])
           for t in (python, numpy, libreoffice, javarosa, chromium)]


@pytest.mark.parametrize("target", TARGETS)
def test_the_boundary_return_scores_alike_in_every_target(target, tiny, tmp_path, request):
    want = score_return(tiny, BOUNDARY)
    assert conditions.relevance(tiny, dict(BOUNDARY))["q3"] and want.sections[0].completeness == 0.5
    got = target(tiny, BOUNDARY, tmp_path, request)
    assert (got["s1"], got["index"]) == pytest.approx((want.sections[0].score, want.index))
    # q2 (weight 2) is "don't know": as the worst answer section one would score 2 of 6, as the best 6 of 6
    assert (got["low"], got["high"]) == pytest.approx((100 * 2 / 6, 100.0))


@pytest.mark.parametrize("target", TARGETS)
def test_a_rule_changed_in_the_plan_changes_in_every_target(target, tiny, tmp_path, request, strict_threshold):
    before = (100.0, 75.0)  # section one scored, index of two sections, under ">="
    got = target(tiny, BOUNDARY, tmp_path, request)
    assert (got["s1"], got["index"]) != pytest.approx(before)
    # under ">", section one has no score, and one section is too few for an index
    assert (got["s1"], got["index"]) == (None, None)


# band high everywhere (index 100); high needs area a and Q3 fully, mid needs Q2 in place
HELD = {"high": ({"q1": "2", "q2": "2", "q3": "2", "n1": 9, "m1": ("a", "b", "c")}, "high", None),
        "by-high": ({"q1": "2", "q2": "2", "q3": "2", "n1": 9, "m1": ("b", "c", "d")}, "mid", "high"),
        "by-mid": ({"q1": "2", "q2": "dk", "q3": "2", "n1": 9, "m1": ("a", "b", "c")}, "low", "mid")}


@pytest.mark.parametrize("case", HELD)
@pytest.mark.parametrize("target", TARGETS)
def test_a_level_without_its_key_elements_is_held_below_in_every_target(target, case, tmp_path, request):
    answers, level, held = HELD[case]
    got = target(build_form(gated_spec()), answers, tmp_path, request)
    assert (got["index"], got["band"], got["level"], got["held"]) == (100, "high", level, held)
