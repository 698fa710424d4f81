"""The workbook in INTERPOL's four languages: its wording as data complete in each, valid sheet names quoted in
formulas, the Arabic workbook right to left in its XML, and returns in Spanish or Arabic read back to the same
answers however the labels were retyped (bidi marks, decomposed accents, stray spaces)."""
from __future__ import annotations

import copy
import random
import re
import unicodedata
import zipfile

import openpyxl
import pytest
from defusedxml.ElementTree import fromstring

from cpc_forms import strings
from cpc_forms.channels import excel
from cpc_forms.channels.excel import ooxml
from cpc_forms.channels.excel.layout import INSTRUCTIONS, LISTS, META, QUESTIONNAIRE, RESULTS, sheet_name
from cpc_forms.channels.excel.saved_csv import saved_sheet
from cpc_forms.channels.excel.texts import MARKS, STRINGS, texts
from cpc_forms.model import Issue
from cpc_forms.returns import coerce
from cpc_forms.spec import build_form
from cpc_forms.synth import random_answers

from tiny import gated_spec, translated

LANGUAGES = ("en", "fr", "es", "ar")
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
SHEETS = (INSTRUCTIONS, QUESTIONNAIRE, RESULTS, LISTS)
# English title -> (Spanish, Arabic): the tiny spec's texts, as a translator of each language writes them
WORDS = {
    "Tiny": ("Evaluación breve", "تقييم موجز"), "Who": ("Quién responde", "من يجيب"),
    "Agency": ("Administración", "الإدارة"), "Customs": ("Aduanas", "الجمارك"), "Police": ("Policía", "الشرطة"),
    "Perceived": ("Nivel percibido", "المستوى المُدرَك"), "One": ("Intercambio de información", "تبادل المعلومات"),
    "Two": ("Operaciones conjuntas", "العمليات المشتركة"),
    "Q1": ("¿Comparten Aduanas y Policía sus bases de datos?", "هل تتقاسم الجمارك والشرطة قواعد بياناتهما؟"),
    "Q2": ("¿Existe un acuerdo escrito (Manual, II.a)?", "هل يوجد اتفاق مكتوب (الدليل، II.a)؟"),
    "Q3": ("¿Se aplica en todo el país?", "هل يُطبَّق في جميع أنحاء البلد؟"),
    "N1": ("Operaciones conjuntas en 12 meses", "عدد العمليات المشتركة خلال 12 شهرًا"),
    "M1": ("Ámbitos de cooperación", "مجالات التعاون"), "Scale": ("Escala", "المقياس"), "No": ("No", "لا"),
    "Partly": ("En parte", "جزئيًا"), "Fully": ("Plenamente", "كليًا"), "Don't know": ("No sabe", "لا أعرف"),
    "N/A": ("No procede", "لا ينطبق"), "Levels": ("Niveles", "المستويات"), "low": ("bajo", "منخفض"),
    "mid": ("medio", "متوسط"), "high": ("alto", "مرتفع"), "Low": ("Bajo", "منخفض"), "Mid": ("Medio", "متوسط"),
    "High": ("Alto", "مرتفع"), "Areas": ("Ámbitos", "المجالات"), "a": ("drogas", "المخدرات"),
    "b": ("armas", "الأسلحة"), "c": ("fraude", "الاحتيال"), "d": ("PNR/API", "PNR/API"),
    "Q2 in place": ("Q2 en vigor", "Q2 قائم"), "Area a and Q3 fully": ("Ámbito a y Q3 plenamente", "المجال a وQ3 كليًا"),
}


def four_language_spec() -> dict:
    """The gated tiny spec in en, fr, es and ar, its scores shown live."""
    spec = gated_spec()
    spec["x-form"].update(id="tiny4", languages=list(LANGUAGES), live_scores="live",
                          language_names={"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"})
    return translated(spec, WORDS)


@pytest.fixture(scope="module")
def four():
    return build_form(four_language_spec())


@pytest.fixture(scope="module")
def books(four, tmp_path_factory):
    """language -> the blank workbook of the four-language form."""
    paths = excel.generate(four, tmp_path_factory.mktemp("four"))
    return dict(zip(four.languages, paths, strict=True))


def test_every_language_has_every_workbook_text():
    assert STRINGS in strings.FILES  # so that `cpc-forms check` names a text missing from it
    table = strings.load(STRINGS)
    assert list(table) == list(LANGUAGES)
    assert strings.missing(LANGUAGES, [STRINGS]) == []
    assert list(strings.mismatched({STRINGS: table})) == []
    assert [len(texts(lang)["how"]) for lang in LANGUAGES] == [6] * 4


def test_an_arabic_text_removed_from_the_workbook_strings_is_named():
    tables = {STRINGS: copy.deepcopy(strings.load(STRINGS))}
    del tables[STRINGS]["ar"]["sheet_results"]
    assert strings.missing(["en", "fr"], [STRINGS], tables) == [(STRINGS, "ar", "sheet_results")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_sheet_names_are_valid_in_every_language(language):
    names = [sheet_name(s, language) for s in SHEETS]
    assert len(set(names + [META])) == len(SHEETS) + 1, names
    for name in names:
        assert 0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), name
        assert name == name.strip() and not name.startswith("'") and not name.endswith("'"), name
        assert name.casefold() != "history", name  # Excel keeps that name for itself


def _parts(path):
    """(sheet name, sheet XML root) in workbook order, the styles XML root."""
    with zipfile.ZipFile(path) as zf:
        names = ooxml.sheet_names(zf.read("xl/workbook.xml"))
        sheets = [(name, fromstring(zf.read(ooxml.sheet_part(zf, name)))) for name in names]
        return sheets, fromstring(zf.read("xl/styles.xml"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_only_the_arabic_workbook_is_right_to_left_on_every_sheet(books, language):
    sheets, styles = _parts(books[language])
    views = [sheet.findall("m:sheetViews/m:sheetView", NS) for _, sheet in sheets]
    assert all(len(v) == 1 for v in views)
    assert [v[0].get("rightToLeft") for v in views] == [("1" if language == "ar" else None)] * len(sheets)
    xfs = styles.findall("m:cellXfs/m:xf", NS)
    fonts = [next((n.get("val") for n in f.findall("m:name", NS)), None) for f in styles.findall("m:fonts/m:font", NS)]
    for name, sheet in sheets:
        for cell in sheet.iterfind("m:sheetData/m:row/m:c", NS):
            xf = xfs[int(cell.get("s", "0"))]
            shown = (xf.find("m:alignment", NS), fonts[int(xf.get("fontId", "0"))])
            if language == "ar":
                assert shown[0] is not None and (shown[0].get("horizontal"), shown[0].get("readingOrder"),
                                                 shown[1]) == ("right", "2", "Arial"), (name, cell.get("r"))
            else:
                assert shown[0] is None or shown[0].get("readingOrder") is None, (name, cell.get("r"))


def _print_setup(path):
    sheets, _ = _parts(path)
    keep = ("pageSetup", "pageMargins", "printOptions")
    setup = [[(tag, sorted((k, v) for k, v in node.attrib.items() if not k.startswith("{")))
              for tag in keep for node in sheet.findall(f"m:{tag}", NS)] for _, sheet in sheets]
    with zipfile.ZipFile(path) as zf:
        names = fromstring(zf.read("xl/workbook.xml")).findall("m:definedNames/m:definedName", NS)
    areas = sorted((n.get("name"), n.get("localSheetId"), re.sub(r"^.*!", "", n.text)) for n in names)
    return setup, areas


def test_the_arabic_workbook_prints_as_the_english_one(books):
    assert _print_setup(books["ar"]) == _print_setup(books["en"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_formulas_quote_sheet_names_that_need_it(books, language):
    wb = openpyxl.load_workbook(books[language])
    lists, questionnaire = sheet_name(LISTS, language), sheet_name(QUESTIONNAIRE, language)
    written = {n: n if re.fullmatch(r"[A-Za-z_]+", n) else f"'{n}'" for n in (lists, questionnaire)}
    formulas = [c.value for ws in wb for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    formulas += [dv.formula1 for dv in wb[questionnaire].data_validations.dataValidation if dv.type == "list"]
    for name, quoted in written.items():
        refs = [f for f in formulas if f"{name}!" in f or f"{name}'!" in f]
        assert refs, name
        assert all(f.count(f"{name}") == f.count(f"{quoted}!") for f in refs), name
    assert {dv.formula1.split("!")[0] for dv in wb[questionnaire].data_validations.dataValidation
            if dv.type == "list"} == {written[lists]}


def canonical(form, answers) -> dict:
    """The answers as the readers give them: canonical codes, unanswered ones left out."""
    out = {}
    for qid, value in answers.items():
        code, _ = coerce(form.question(qid), value)
        if code not in (None, (), ""):
            out[qid] = code
    return out


def _read(form, path):
    read = list(excel.read(path, {form.version: form}))
    errors = [r for r in read if isinstance(r, Issue) and r.severity == "error"]
    assert errors == [], path.name
    [response] = [r for r in read if not isinstance(r, Issue)]
    return response


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_filled_workbook_in_each_language_reads_back_the_same_answers(four, tmp_path, language):
    rng = random.Random(f"four-{language}")
    for n in range(8):
        answers = random_answers(four, rng)
        response = _read(four, excel.fill(four, answers, tmp_path / f"{n}.{language}.xlsx", language))
        assert dict(response.answers) == canonical(four, answers)
        assert (response.language, response.location) == (language, sheet_name(QUESTIONNAIRE, language))


RETYPED = {  # how a person may type a label: with a bidi mark, decomposed accents, spaces around
    "rlm-before": lambda label: "\u200f" + label,
    "lrm-after": lambda label: label + "\u200e",
    "alm-and-spaces": lambda label: "  \u061c" + label + " ",
    "decomposed": lambda label: unicodedata.normalize("NFD", label),
}


@pytest.mark.parametrize("typed_in, retyped_from", [("ar", "ar"), ("ar", "es"), ("es", "ar"), ("es", "es")],
                         ids=["arabic", "spanish-in-arabic", "arabic-in-spanish", "spanish"])
@pytest.mark.parametrize("how", RETYPED, ids=list(RETYPED))
def test_labels_retyped_in_spanish_or_arabic_read_back_the_same_answers(four, tmp_path, typed_in, retyped_from, how):
    answers = random_answers(four, random.Random(f"{typed_in}{retyped_from}{how}"))
    answers.update(q1="2", q2="dk", agency="customs", m1=["a", "c"])
    path = excel.fill(four, answers, tmp_path / f"typed.{typed_in}.xlsx", typed_in)
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet_name(QUESTIONNAIRE, typed_in)]
    retyped = 0
    for r in range(5, ws.max_row + 1):
        q = four.question(ws[f"F{r}"].value or "")
        if q is None or q.id not in answers:
            continue
        if q.kind == "select_one":
            ws[f"C{r}"] = RETYPED[how](q.choice(answers[q.id]).label[retyped_from])
            retyped += 1
        elif q.kind == "select_multiple" and ws[f"G{r}"].value in answers[q.id]:
            ws[f"C{r}"] = RETYPED[how](texts(retyped_from)["yes"])
            retyped += 1
    wb.save(path)
    assert retyped >= 5
    assert dict(_read(four, path).answers) == canonical(four, answers)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_sheet_saved_as_csv_is_known_in_every_language(language):
    t = texts(language)
    assert saved_sheet([[t["no"], t["question"], t["answer"]]]) == sheet_name(QUESTIONNAIRE, language)
    assert saved_sheet([[t["section"], t["score"], t["completeness"]]]) == sheet_name(RESULTS, language)
    assert saved_sheet([[t["stamp"].format(id="tiny4", version="1", language=language)]]) == INSTRUCTIONS


def test_the_arabic_instructions_name_the_arabic_sheets(books):
    wb = openpyxl.load_workbook(books["ar"])
    shown = "\n".join(str(c.value) for row in wb[sheet_name(INSTRUCTIONS, "ar")].iter_rows() for c in row if c.value)
    assert "«الاستبيان»" in shown and "«النتائج»" in shown and "«نعم»" in shown
    latin = set(re.findall(r"[A-Za-z]\w{3,}", shown))  # names of programs and formats only
    assert latin <= {"LibreOffice", "Excel", "tiny4", "YYYY", "xlsx"}, latin
    assert not any(m in shown for m in MARKS)
