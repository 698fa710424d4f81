"""The Excel channel against its real client: LibreOffice Calc recalculates the filled workbooks headless."""
from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from cpc_forms.catalogue import Code
from cpc_forms.channels import excel
from cpc_forms.model import Issue
from cpc_forms.returns import coerce
from cpc_forms.scoring import score_return
from cpc_forms.spec import load_form
from cpc_forms.synth import random_answers

from libreoffice import convert

SETS = 25  # random answer sets per language of each real spec
EDGE = Path(__file__).parent / "fixtures" / "excel" / "edge.json"


def expected_results(form, answers) -> dict:
    s = score_return(form, answers)
    values = {"index": s.index, "level_code": s.level, "band_level": s.band_level, "held_by": s.held_by}
    for sec in s.sections:
        values[f"section:{sec.section}"] = sec.score
        values[f"completeness:{sec.section}"] = sec.completeness
        values.update({f"low:{sec.section}": sec.low, f"high:{sec.section}": sec.high,
                       f"dont_know:{sec.section}": sec.dont_know})
    return values


def same(got, want) -> bool:
    if want is None:
        return got in ("", None)
    if isinstance(want, str):
        return got == want
    return isinstance(got, (int, float)) and abs(got - want) < 1e-9


def canonical(form, answers) -> dict:
    out = {}
    for qid, value in answers.items():
        code, _ = coerce(form.question(qid), value)
        if code not in (None, (), ""):
            out[qid] = code
    return out


def retyped_cases(form, rng, src, sets=6) -> list:
    """Workbooks whose choices were typed, not picked: the other language's label, upper case, stray spaces."""
    variants = [lambda c: c.label[form.languages[-1]], lambda c: c.label[form.languages[0]].upper(),
                lambda c: "  " + c.label[form.languages[0]].replace(" ", "  ") + " "]
    cases = []
    for n in range(sets):
        answers = random_answers(form, rng)
        path = excel.fill(form, answers, src / f"retyped-{n:02d}.xlsx", form.languages[0])
        wb = openpyxl.load_workbook(path)
        ws = wb["Questionnaire"]
        for r in range(5, ws.max_row + 1):
            q = form.question(ws[f"F{r}"].value or "")
            if q is not None and q.kind == "select_one" and ws[f"G{r}"].value is None and q.id in answers:
                ws[f"C{r}"] = variants[(n + r) % len(variants)](q.choice(answers[q.id]))
        wb.save(path)
        cases.append([form, form.languages[0], answers, path])
    return cases


@pytest.fixture(scope="module")
def batch(soffice, form, example_form, tmp_path_factory):
    """Every filled workbook, converted (recalculated) by ONE soffice call: (form, language, answers, in, out)."""
    rng = random.Random(20261129)
    src = tmp_path_factory.mktemp("filled")
    cases = []
    for f, sets in ((form, SETS), (example_form, SETS), (load_form(EDGE), 15)):
        for language in f.languages:
            for n in range(sets):
                answers = random_answers(f, rng)
                path = excel.fill(f, answers, src / f"{f.id}-{language}-{n:02d}.xlsx", language)
                cases.append([f, language, answers, path])
    cases += retyped_cases(form, rng, src)
    typed = excel.fill(form, {}, src / "typed-formula.xlsx", "en")
    wb = openpyxl.load_workbook(typed)
    wb["Questionnaire"]["C13"] = "=1+3"  # a person typing a formula into an answer cell
    wb.save(typed)
    outputs = convert(soffice, [c[3] for c in cases] + [typed], tmp_path_factory.mktemp("recalculated"))
    for case, out in zip(cases, outputs[:-1], strict=True):  # the last is the typed formula's
        case.append(out)
    return cases, outputs[-1]


def test_libreoffice_results_equal_the_python_scorer(batch, form):
    cases, _ = batch
    mismatches = []
    for f, _language, answers, _, out in cases:
        got, want = excel.read_results(out), expected_results(f, answers)
        mismatches += [(out.name, key, got.get(key), value) for key, value in want.items()
                       if not same(got.get(key), value)]
    picked = [c for c in cases if c[0].id == form.id and not c[3].name.startswith("retyped")]
    assert len(picked) == SETS * len(form.languages)
    assert mismatches == []
    bounded = [c for c in picked if any(s.low != s.high for s in score_return(c[0], c[2]).sections)]
    assert bounded  # some sets had a "don't know" in a scored section, so the bounds were exercised
    assert len([c for c in picked if score_return(c[0], c[2]).held_by is not None]) >= 3  # gates held some back


def test_results_show_level_labels_and_perceived_level(batch, form):
    cases, _ = batch
    for f, language, answers, _, out in cases:
        got = excel.read_results(out)
        level = next((lv for lv in f.levels if lv.code == got["level_code"]), None)
        assert got["level"] == (level.label[language] if level else "")
        perceived = f.role("perceived_level")
        if perceived is not None:
            choice = perceived.choice(answers.get(perceived.id, ""))
            assert got["perceived"] == (choice.label[language] if choice else "")


def test_workbooks_saved_by_libreoffice_read_back_the_same_answers(batch):
    cases, _ = batch
    for f, language, answers, _, out in cases:
        read = list(excel.read(out, {f.version: f}))
        errors = [r for r in read if isinstance(r, Issue) and r.severity == "error"]
        responses = [r for r in read if not isinstance(r, Issue)]
        assert errors == [] and len(responses) == 1, out.name
        assert dict(responses[0].answers) == canonical(f, answers), out.name
        assert responses[0].language == language and responses[0].channel == "excel"


def test_a_formula_typed_in_an_answer_is_refused_even_with_its_cached_value(batch, form):
    _, typed = batch
    read = list(excel.read(typed, {form.version: form}))
    assert [(r.code, r.location) for r in read if isinstance(r, Issue) and r.severity == "error"] == \
        [(Code.EXCEL_FORMULA, "Questionnaire!C13")]
    assert not [r for r in read if not isinstance(r, Issue)]


def test_first_page_of_a_filled_questionnaire_as_png(batch, soffice, artifacts, tmp_path, form, example_form):
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed with LibreOffice")
    cases, _ = batch
    pages = []
    last_language = [c for c in cases if c[1] == c[0].languages[-1] and c[0].id != "excel_edge"]
    for f, language, _, filled, _ in last_language[::SETS]:
        copy = tmp_path / f"{f.id}.{language}.xlsx"
        wb = openpyxl.load_workbook(filled)
        # LibreOffice prints hidden sheets too: drop the two the questionnaire's formulas do not read, the first
        # and third whatever the workbook's language names them
        for ws in (wb.worksheets[0], wb.worksheets[2]):
            wb.remove(ws)
        wb.active = wb.sheetnames.index("Questionnaire")
        wb.save(copy)
        pages.append(copy)
    for pdf in convert(soffice, pages, tmp_path / "pdf", to="pdf"):
        target = artifacts / f"excel_{pdf.stem}"
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],
                       check=True, timeout=60)
        assert Path(f"{target}.png").stat().st_size > 10_000
        first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                                    text=True, timeout=60).stdout
        f = next(f for f in (form, example_form) if pdf.stem.startswith(f.id))
        first, language = f.questions[0], pdf.stem.split(".")[-1]
        # the questionnaire's rows, not the instructions
        assert f.number(first.id) in first_page and first.label[language].split()[0] in first_page
