"""Workbooks saved by LibreOffice in its own format (.ods) and as Excel 97 (.xls) read and score like the .xlsx
they were filled as; a sheet of the workbook saved as CSV is named as such."""
from __future__ import annotations

import random
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest

from cpc_forms.catalogue import Code
from cpc_forms.channels import excel
from cpc_forms.model import Issue
from cpc_forms.scoring import score_return
from cpc_forms.synth import random_answers

from libreoffice import convert
from test_excel_libreoffice import canonical

SETS = 4


@pytest.fixture(scope="module")
def saved(soffice, form, example_form, tmp_path_factory):
    """(form, answers, .xlsx filled, .ods LibreOffice saved from it), and an .ods whose answer holds a formula."""
    rng, src = random.Random(20261202), tmp_path_factory.mktemp("filled")
    cases = [(f, answers, excel.fill(f, answers, src / f"{f.id}-{language}-{n}.xlsx", language))
             for f in (form, example_form) for language in f.languages for n in range(SETS)
             for answers in [random_answers(f, rng)]]
    typed = excel.fill(form, {}, src / "typed-formula.xlsx", "en")
    wb = openpyxl.load_workbook(typed)
    wb["Questionnaire"]["C13"] = "=1+3"
    wb.save(typed)
    saved = {}
    for to in ("ods", "xls"):
        out = convert(soffice, [c[2] for c in cases] + [typed], tmp_path_factory.mktemp(to), to=to)
        saved[to] = [(*case, path) for case, path in zip(cases, out[:-1], strict=True)], out[-1]
    return saved


@pytest.mark.parametrize("to", ["ods", "xls"])
def test_a_copy_saved_by_libreoffice_reads_and_scores_like_the_xlsx(saved, to):
    cases, _ = saved[to]
    for f, answers, xlsx, ods in cases:
        read = list(excel.read(ods, {f.version: f}))
        errors = [r for r in read if isinstance(r, Issue) and r.severity == "error"]
        responses = [r for r in read if not isinstance(r, Issue)]
        assert errors == [] and len(responses) == 1, ods.name
        [from_xlsx] = [r for r in excel.read(xlsx, {f.version: f}) if not isinstance(r, Issue)]
        assert dict(responses[0].answers) == dict(from_xlsx.answers) == canonical(f, answers), ods.name
        assert score_return(f, dict(responses[0].answers)) == score_return(f, dict(from_xlsx.answers))
        assert responses[0].language == from_xlsx.language


@pytest.mark.parametrize("to", ["ods", "xls"])
def test_a_formula_typed_in_an_answer_of_a_saved_copy_is_refused(saved, form, to):
    _, typed = saved[to]
    read = list(excel.read(typed, {form.version: form}))
    assert [(r.code, r.location) for r in read if isinstance(r, Issue) and r.severity == "error"] == \
        [(Code.EXCEL_FORMULA, "Questionnaire!C13")]


def test_an_xls_named_xlsx_is_read_as_the_xls_it_is(saved, tmp_path):
    f, answers, _, xls = saved["xls"][0][0]
    renamed = tmp_path / "returned.xlsx"
    renamed.write_bytes(xls.read_bytes())
    assert excel.sniff(renamed, renamed.read_bytes()[:4096])
    [response] = [r for r in excel.read(renamed, {f.version: f}) if not isinstance(r, Issue)]
    assert dict(response.answers) == canonical(f, answers)


@pytest.fixture(scope="module")
def csv_saved(soffice, form, tmp_path_factory):
    """Each visible sheet of a filled French workbook, saved as CSV by LibreOffice (its sheet option: 1, 2, 3)."""
    src = tmp_path_factory.mktemp("csv-src")
    filled = excel.fill(form, random_answers(form, random.Random(5)), src / "filled.xlsx", "fr")
    out = []
    for n in (1, 2, 3):  # soffice names these <stem>-<sheet>.csv, so convert() cannot check them
        folder = tmp_path_factory.mktemp(f"csv{n}")
        with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
            subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={Path(profile).as_uri()}",
                            "--convert-to", f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
                            f"false,{n}", "--outdir", str(folder), str(filled)], capture_output=True, timeout=300)
        out += sorted(folder.glob("*.csv"))
    return out


def test_a_sheet_saved_as_csv_is_named_and_the_workbook_asked_for(csv_saved, form):
    assert [p.stem.split("-")[-1] for p in csv_saved] == ["Instructions", "Questionnaire", "Résultats"]
    for path in csv_saved:
        assert excel.sniff(path, path.read_bytes()[:4096]), path.name
        [problem] = list(excel.read(path, {form.version: form}))
        assert problem.code == Code.EXCEL_SAVED_CSV and "send the workbook itself (.xlsx)" in problem.message
        assert f"sheet '{path.stem.split('-')[-1]}'" in problem.message
