"""The Excel channel against its real client: LibreOffice Calc recalculates the filled workbooks headless."""
from __future__ import annotations

import random
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from cpc_forms.catalogue import Code
from cpc_forms.channels import excel
from cpc_forms.channels.excel.layout import QUESTIONNAIRE, sheet_name
from cpc_forms.channels.excel.texts import right_to_left
from cpc_forms.model import Issue
from cpc_forms.scoring import score_return
from cpc_forms.spec import build_form, load_form
from cpc_forms.synth import random_answers

from libreoffice import convert
from test_excel_languages import canonical, four_language_spec

SETS = 25  # random answer sets per language of each real spec
LANGUAGES = ("en", "fr", "es", "ar")
TINY_SETS = 10  # per language of the tiny four-language spec, which proves es and ar whatever the default spec has
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


def retyped_cases(form, rng, src, language: str, sets=6) -> list:
    """Workbooks in a language whose choices were typed, not picked: another language's label, upper case, stray
    spaces, a right-to-left or left-to-right mark around it, accents decomposed (NFD, as a Mac may type them)."""
    other = form.languages[-1] if language != form.languages[-1] else form.languages[0]
    variants = [lambda c: c.label[other], lambda c: c.label[language].upper(),
                lambda c: "  " + c.label[language].replace(" ", "  ") + " ", lambda c: "\u200f" + c.label[language],
                lambda c: c.label[other] + "\u200e", lambda c: unicodedata.normalize("NFD", c.label[other])]
    cases = []
    for n in range(sets):
        answers = random_answers(form, rng)
        path = excel.fill(form, answers, src / f"retyped-{form.id}-{language}-{n:02d}.xlsx", language)
        wb = openpyxl.load_workbook(path)
        ws = wb[sheet_name(QUESTIONNAIRE, language)]
        for r in range(5, ws.max_row + 1):
            q = form.question(ws[f"F{r}"].value or "")
            if q is not None and q.kind == "select_one" and ws[f"G{r}"].value is None and q.id in answers:
                ws[f"C{r}"] = variants[(n + r) % len(variants)](q.choice(answers[q.id]))
        wb.save(path)
        cases.append([form, language, answers, path])
    return cases


@pytest.fixture(scope="module")
def batch(soffice, form, example_form, tmp_path_factory):
    """Every filled workbook, converted (recalculated) by ONE soffice call: (form, language, answers, in, out)."""
    rng = random.Random(20261129)
    src = tmp_path_factory.mktemp("filled")
    cases = []
    four = build_form(four_language_spec())
    for f, sets in ((form, SETS), (example_form, SETS), (load_form(EDGE), 15), (four, TINY_SETS)):
        for language in f.languages:
            for n in range(sets):
                answers = random_answers(f, rng)
                path = excel.fill(f, answers, src / f"{f.id}-{language}-{n:02d}.xlsx", language)
                cases.append([f, language, answers, path])
    cases += retyped_cases(form, rng, src, form.languages[0])
    cases += [case for language in ("es", "ar") for case in retyped_cases(four, rng, src, language, sets=3)]
    typed = excel.fill(form, {}, src / "typed-formula.xlsx", "en")
    wb = openpyxl.load_workbook(typed)
    wb[sheet_name(QUESTIONNAIRE, "en")]["C13"] = "=1+3"  # a person typing a formula into an answer cell
    wb.save(typed)
    outputs = convert(soffice, [c[3] for c in cases] + [typed], tmp_path_factory.mktemp("recalculated"))
    for case, out in zip(cases, outputs[:-1], strict=True):  # the last is the typed formula's
        case.append(out)
    return cases, outputs[-1]


@pytest.mark.parametrize("language", LANGUAGES)
def test_libreoffice_results_equal_the_python_scorer(batch, form, language):
    cases, _ = batch
    mismatches = []
    mine = [c for c in cases if c[1] == language]
    for f, _language, answers, _, out in mine:
        got, want = excel.read_results(out), expected_results(f, answers)
        mismatches += [(out.name, key, got.get(key), value) for key, value in want.items()
                       if not same(got.get(key), value)]
    assert mismatches == []
    tiny = [c for c in mine if c[0].id == "tiny4" and not c[3].name.startswith("retyped")]
    assert len(tiny) == TINY_SETS
    if language not in form.languages:
        return
    picked = [c for c in mine if c[0].id == form.id and not c[3].name.startswith("retyped")]
    assert len(picked) == SETS
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
    firsts = {}  # per form (the edge one aside), the first workbook in its last language
    for case in cases:
        if case[1] == case[0].languages[-1] and case[0].id != "excel_edge" and "retyped" not in case[3].name:
            firsts.setdefault(case[0].id, case)
    for f, language, _, filled, _ in firsts.values():
        copy = tmp_path / f"{f.id}.{language}.xlsx"
        wb = openpyxl.load_workbook(filled)
        # LibreOffice prints hidden sheets too: drop the two the questionnaire's formulas do not read, the first
        # and third whatever the workbook's language names them
        for ws in (wb.worksheets[0], wb.worksheets[2]):
            wb.remove(ws)
        wb.active = wb.sheetnames.index(sheet_name(QUESTIONNAIRE, language))
        wb.save(copy)
        pages.append(copy)
    for pdf in convert(soffice, pages, tmp_path / "pdf", to="pdf"):
        target = artifacts / f"excel_{pdf.stem}"
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],
                       check=True, timeout=60)
        assert Path(f"{target}.png").stat().st_size > 10_000
        first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                                    text=True, timeout=60).stdout
        f = next(f for f in (form, example_form, firsts["tiny4"][0]) if pdf.stem.startswith(f.id + "."))
        first, language = f.questions[0], pdf.stem.split(".")[-1]
        # the questionnaire's rows, not the instructions (pdftotext spells a lam-alef ligature backwards: such
        # words are not looked for)
        words = [w for w in first.label[language].split() if not re.search("\u0644[\u0622\u0623\u0625\u0627]", w)]
        assert f.number(first.id) in first_page and words[:1] == [w for w in words[:1] if w in first_page]
        # column A (the numbers) stands at the page's right in a right-to-left workbook, at its left otherwise
        width, number_x = _number_column(pdf, f.number(first.id))
        assert (number_x > width / 2) == right_to_left(language), (pdf.name, number_x, width)


def _number_column(pdf: Path, number: str):
    """(the first page's width, the left x of the first word that is this question number) in a PDF."""
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True, timeout=60).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
    words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', boxes)
    return width, next(float(x) for x, text in words if text == number)
