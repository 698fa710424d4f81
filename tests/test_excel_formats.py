"""Workbooks saved by LibreOffice in its own format (.ods) read and score like the .xlsx they were filled as."""
from __future__ import annotations

import random

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
    ods = convert(soffice, [c[2] for c in cases] + [typed], tmp_path_factory.mktemp("ods"), to="ods")
    return [(*case, out) for case, out in zip(cases, ods[:-1], strict=True)], ods[-1]


def test_ods_saved_by_libreoffice_reads_and_scores_like_the_xlsx(saved):
    cases, _ = saved
    for f, answers, xlsx, ods in cases:
        read = list(excel.read(ods, {f.version: f}))
        errors = [r for r in read if isinstance(r, Issue) and r.severity == "error"]
        responses = [r for r in read if not isinstance(r, Issue)]
        assert errors == [] and len(responses) == 1, ods.name
        [from_xlsx] = [r for r in excel.read(xlsx, {f.version: f}) if not isinstance(r, Issue)]
        assert dict(responses[0].answers) == dict(from_xlsx.answers) == canonical(f, answers), ods.name
        assert score_return(f, dict(responses[0].answers)) == score_return(f, dict(from_xlsx.answers))
        assert responses[0].language == from_xlsx.language


def test_a_formula_typed_in_an_ods_answer_is_refused(saved, form):
    _, typed = saved
    read = list(excel.read(typed, {form.version: form}))
    assert [(r.code, r.location) for r in read if isinstance(r, Issue) and r.severity == "error"] == \
        [(Code.EXCEL_FORMULA, "Questionnaire!C13")]
