"""The gate cases of test_gates.py in every real client, each channel's cases in one run of its client: the
workbook recalculated by LibreOffice and by Gnumeric, the XForm filled by JavaRosa, Enketo and ODK Web Forms,
and the web form's rules in Chromium. Each must give the level below the gate, held by it, its band unchanged."""
from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cpc_forms.channels import excel, html, xlsform

import xform_enketo
import xform_webforms
from libreoffice import convert
from test_excel_gnumeric import recalculate
from test_gates import CASES, FORM
from test_xlsform_javarosa import jar, value_text
from xform_clients import calculated

pytestmark = pytest.mark.clients
HERE = Path(__file__).parent
# Enketo and ODK Web Forms evaluate the XForm's gate calculates JavaRosa runs on every case: they take the cases
# of a weaker answer (each key element once); "don't know" fails the same comparisons
WEB_CASES = tuple(name for name in CASES if not name.endswith("-dk"))


def workbooks(folder: Path) -> list:
    """A workbook per case, filled in the form's languages in turn."""
    languages = FORM.languages
    return [excel.fill(FORM, case.answers, folder / f"{name}.xlsx", languages[n % len(languages)])
            for n, (name, case) in enumerate(CASES.items())]


def results(paths) -> dict:
    """(band, level, held by) of each case from its recalculated workbook's Results sheet."""
    got = [excel.read_results(path) for path in paths]
    return {name: tuple(r[k] or None for k in ("band_level", "level_code", "held_by"))
            for name, r in zip(CASES, got, strict=True)}


def from_records(xmls, names=tuple(CASES)) -> dict:
    """(band, level, held by) of each named case from the sc_* calculates of its record."""
    calcs = [calculated(xml) for xml in xmls]
    return {name: tuple(c[k] or None for k in ("sc_band", "sc_level", "sc_held"))
            for name, c in zip(names, calcs, strict=True)}


@pytest.fixture(scope="module")
def libreoffice(soffice, tmp_path_factory):
    filled = workbooks(tmp_path_factory.mktemp("gates_filled"))
    return results(convert(soffice, filled, tmp_path_factory.mktemp("gates_lo")))


@pytest.fixture(scope="module")
def gnumeric(tmp_path_factory, request):
    ssconvert = request.getfixturevalue("gnumeric")
    filled, out = workbooks(tmp_path_factory.mktemp("gates_filled")), tmp_path_factory.mktemp("gates_gn")
    with ThreadPoolExecutor(2) as pool:
        return results(list(pool.map(lambda path: recalculate(ssconvert, path, out), filled)))


@pytest.fixture(scope="module")
def javarosa(java, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gates_jr")
    xform = xlsform.generate(FORM, folder)[1]
    blocks = ["\n".join(f"{k}\t{value_text(v)}" for k, v in case.answers.items()) for case in CASES.values()]
    (folder / "answers.txt").write_text("\n---\n".join(blocks) + "\n", encoding="utf-8")
    run = subprocess.run([java, "-Djava.awt.headless=true", "-cp", str(jar()), str(HERE / "javarosa" / "JrFill.java"),
                          str(xform), str(folder / "answers.txt")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    records = [r for r in run.stdout.split("\n=====\n") if r.strip()]
    assert [line for r in records for line in r.splitlines() if line.startswith("REFUSED")] == []
    return from_records("<?xml" + r.partition("<?xml")[2] for r in records)


def _engine(fill, browser, folder) -> dict:
    """The cases of WEB_CASES filled in a web engine as a person would (a few seconds a case)."""
    records, log = fill(FORM, browser, folder, [CASES[name].answers for name in WEB_CASES])
    assert (log.errors, log.blocked) == ([], [])
    return from_records((xml for _, xml, _ in records), WEB_CASES)


@pytest.fixture(scope="module")
def enketo(browser, tmp_path_factory):
    return _engine(xform_enketo.fill, browser, tmp_path_factory.mktemp("gates_enketo"))


@pytest.fixture(scope="module")
def web_forms(browser, tmp_path_factory):
    return _engine(xform_webforms.fill, browser, tmp_path_factory.mktemp("gates_webforms"))


@pytest.fixture(scope="module")
def chromium(browser, tmp_path_factory):
    page_file = tmp_path_factory.mktemp("gates_html") / "form.html"
    page_file.write_text(html.render(FORM), encoding="utf-8")
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri())
        sets = [{k: list(v) if isinstance(v, tuple) else v for k, v in c.answers.items()} for c in CASES.values()]
        got = page.evaluate("sets => sets.map(a => { const s = cpcForm.scores(a); return [s.band, s.level, s.held]; })",
                            sets)
    finally:
        page.close()
    return {name: tuple(g) for name, g in zip(CASES, got, strict=True)}


RUNS = [pytest.param(channel, case, id=f"{channel}-{case}") for channel in
        ("libreoffice", "gnumeric", "javarosa", "enketo", "web_forms", "chromium")
        for case in (WEB_CASES if channel in ("enketo", "web_forms") else CASES)]


@pytest.mark.parametrize(("channel", "case"), RUNS)
def test_a_missing_key_element_holds_a_return_below_its_gate(channel, case, request):
    want = CASES[case]
    assert request.getfixturevalue(channel)[case] == (want.band, want.level, want.held)
