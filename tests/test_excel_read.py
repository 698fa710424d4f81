"""Reading filled workbooks: answers by hidden id, labels of any language, bad input as Issues by cell."""
from __future__ import annotations

import random
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cpc_forms.catalogue import Code
from cpc_forms.channels import excel
from cpc_forms.channels.excel import reader
from cpc_forms.channels.excel.layout import QUESTIONNAIRE, sheet_name
from cpc_forms.model import Issue
from cpc_forms.returns import coerce
from cpc_forms.spec import load_form
from cpc_forms.synth import random_answers

EDGE = Path(__file__).parent / "fixtures" / "excel" / "edge.json"


def split(items):
    items = list(items)
    return [i for i in items if not isinstance(i, Issue)], [i for i in items if isinstance(i, Issue)]


def errors(items):
    return [(i.code, i.location) for i in items if isinstance(i, Issue) and i.severity == "error"]


def canonical(form, answers):
    return {k: coerce(form.question(k), v)[0] for k, v in answers.items() if v not in (None, "", ())}


def row_of(ws, qid, code=None):
    return next(r for r in range(5, ws.max_row + 1) if ws[f"F{r}"].value == qid and ws[f"G{r}"].value == code)


def edit(path, change):
    """Open a filled workbook as a person would in a spreadsheet program, change it, save it."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def edge_form():
    return load_form(EDGE)


@pytest.mark.parametrize("seed", range(6))
def test_filled_workbooks_read_back_to_the_same_answers(any_form, seed, tmp_path):
    rng = random.Random(seed)
    for language in any_form.languages:
        answers = random_answers(any_form, rng)
        path = excel.fill(any_form, answers, tmp_path / f"{language}.xlsx", language)
        responses, issues = split(excel.read(path, {any_form.version: any_form}))
        assert errors(issues) == [] and len(responses) == 1
        r = responses[0]
        assert dict(r.answers) == canonical(any_form, answers)
        assert (r.form_id, r.form_version, r.channel, r.language, r.location) == \
            (any_form.id, any_form.version, "excel", language, sheet_name(QUESTIONNAIRE, language))


def test_light_variations_and_other_languages_are_accepted(edge_form, tmp_path):
    path = excel.fill(edge_form, {}, tmp_path / "v.xlsx", "en")
    typed = {("open", None): "  =SÍ ", ("staff", None): " 12 ", ("kinds", "a"): "oui", ("kinds", "c"): "x",
             ("kinds", "b"): "No", ("rate", None): "3,5", ("quality", None): "buena", ("when", None): 46000,
             ("done", None): "yes", ("note", None): 12.0}

    def type_in(wb):
        ws = wb["Questionnaire"]
        for (qid, code), value in typed.items():
            ws[f"C{row_of(ws, qid, code)}"].value = value
            ws[f"C{row_of(ws, qid, code)}"].data_type = "s" if isinstance(value, str) else "n"
    responses, issues = split(excel.read(edit(path, type_in), {edge_form.version: edge_form}))
    assert errors(issues) == []
    assert dict(responses[0].answers) == {"open": "y", "staff": 12, "kinds": ("a", "c"), "rate": 3.5,
                                          "quality": "3", "when": "2025-12-09", "done": "yes", "note": "12"}


@pytest.mark.parametrize("cell_value, code, expected", [
    ("Maybe", Code.EXCEL_BAD_ANSWER, "'Maybe' is not an answer to 'open'; allowed: =Yes, open; No"),
    (7, Code.EXCEL_BAD_ANSWER, "7 is not an answer to 'open'"),
], ids=["text", "number"])
def test_an_answer_outside_the_list_names_cell_value_and_allowed_labels(edge_form, tmp_path, cell_value, code,
                                                                       expected):
    path = excel.fill(edge_form, {"open": "n", "staff": 3}, tmp_path / "bad.xlsx", "en")
    cell = {}

    def paste(wb):
        ws = wb["Questionnaire"]
        cell["ref"] = f"C{row_of(ws, 'open')}"
        ws[cell["ref"]] = cell_value
    responses, issues = split(excel.read(edit(path, paste), {edge_form.version: edge_form}))
    assert responses == []
    bad = [i for i in issues if i.code == code]
    assert [i.location for i in bad] == [f"Questionnaire!{cell['ref']}"] and expected in bad[0].message


@pytest.mark.parametrize("value", ["many", -4, "2026-13-45"], ids=["text", "below-minimum", "not-a-date"])
def test_a_number_or_date_out_of_range_is_located_at_its_cell(example_form, edge_form, tmp_path, value):
    form, qid = (edge_form, "when") if value == "2026-13-45" else (example_form, "staff_count")
    path = excel.fill(form, {}, tmp_path / "n.xlsx", "en")
    ref = {}

    def type_in(wb):
        ws = wb["Questionnaire"]
        ref["c"] = f"C{row_of(ws, qid)}"
        ws[ref["c"]] = value
    found = errors(excel.read(edit(path, type_in), {form.version: form}))
    assert found == [(Code.BAD_VALUE, f"Questionnaire!{ref['c']}")]


def typed(path, value, qid, code=None) -> str:
    """Type value into the answer cell of a question (or of one option of it), as a person would; the cell."""
    cell = {}

    def change(wb):
        ws = wb["Questionnaire"]
        cell["ref"] = f"C{row_of(ws, qid, code)}"
        ws[cell["ref"]] = value
    edit(path, change)
    return cell["ref"]


def test_a_bad_mark_on_an_option_row_is_refused(edge_form, tmp_path):
    path = excel.fill(edge_form, {"open": "y"}, tmp_path / "m.xlsx", "en")
    cell = typed(path, "perhaps", "kinds", "b")
    found = errors(excel.read(path, {edge_form.version: edge_form}))
    assert found == [(Code.EXCEL_BAD_ANSWER, f"Questionnaire!{cell}")]


def test_a_formula_in_an_answer_cell_is_refused_and_never_evaluated(edge_form, tmp_path):
    path = excel.fill(edge_form, {"open": "n"}, tmp_path / "f.xlsx", "en")
    cell = typed(path, "=2+2", "staff")
    items = list(excel.read(path, {edge_form.version: edge_form}))
    assert errors(items) == [(Code.EXCEL_FORMULA, f"Questionnaire!{cell}")]
    assert "=2+2" in next(i.message for i in items if isinstance(i, Issue))


FORMULA_XML = {
    "plain": (b'<c r="C5" t="str"><f>2+2</f><v>4</v></c>', {5: "2+2"}),
    "shared": (b'<c r="C6" s="3"><f t="shared" si="0"/><v>1</v></c>', {6: ""}),
    "prefixed": (b'<x:c r="C7"><x:f>SUM(A1)</x:f></x:c>', {7: "SUM(A1)"}),
    "r not first, newline": (b'<c s="1" r="C8">\n <f>1</f></c>', {8: "1"}),
    "empty cell then formula elsewhere": (b'<c r="C9" s="2"/><c r="D9"><f>1</f></c>', {}),
    "other column": (b'<c r="CC9"><f>1</f></c><c r="C10"><v>3</v></c>', {}),
    "attribute ending in r": (b'<c xr="C11"><f>1</f></c>', {}),
    "value, no formula": (b'<c r="C12" t="s"><v>0</v></c>', {}),
}


@pytest.mark.parametrize("xml, rows", FORMULA_XML.values(), ids=FORMULA_XML.keys())
def test_formula_cells_of_the_answer_column_are_found_in_any_spelling(xml, rows):
    assert reader.formulas_in(xml) == rows


def test_reordered_rows_are_read_by_their_hidden_id(form, tmp_path):
    answers = random_answers(form, random.Random(3))
    path = excel.fill(form, answers, tmp_path / "r.xlsx", "fr")

    def swap(wb):
        ws = wb["Questionnaire"]
        a, b = row_of(ws, "a1"), row_of(ws, "f5")
        for col in "ABCDEFGHIJKLMNO":
            ws[f"{col}{a}"].value, ws[f"{col}{b}"].value = ws[f"{col}{b}"].value, ws[f"{col}{a}"].value
    responses, issues = split(excel.read(edit(path, swap), {form.version: form}))
    assert errors(issues) == [] and dict(responses[0].answers) == canonical(form, answers)


def test_a_copied_row_and_an_unknown_id_are_issues(example_form, tmp_path):
    path = excel.fill(example_form, {"site_name": "Depot"}, tmp_path / "c.xlsx", "en")
    refs = {}

    def damage(wb):
        ws = wb["Questionnaire"]
        refs["dup"], refs["unknown"] = row_of(ws, "p_checks"), row_of(ws, "p_storage")
        ws[f"F{refs['dup']}"] = "site_name"
        ws[f"F{refs['unknown']}"] = "zz_top"
    found = errors(excel.read(edit(path, damage), {example_form.version: example_form}))
    assert sorted(found) == [(Code.EXCEL_DUPLICATE_ROW, f"Questionnaire!C{refs['dup']}"),
                             (Code.UNKNOWN_FIELD, f"Questionnaire!C{refs['unknown']}")]


def damaged(kind, good: Path, tmp: Path) -> Path:
    path = tmp / f"{kind}.xlsx"
    if kind == "corrupt-zip":
        path.write_bytes(good.read_bytes()[:3000])
    elif kind == "damaged-xls":
        path = tmp / "old.xls"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    elif kind == "ods":
        path = tmp / "saved.ods"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
            zf.writestr("content.xml", "<office:document-content/>")
    else:
        path.write_bytes(good.read_bytes())
        def change(wb):
            if kind == "meta-deleted":
                del wb["_meta"]
            elif kind == "sheet-renamed":
                wb["Questionnaire"].title = "Answers"
            elif kind == "other-version":
                wb["_meta"]["B2"] = "1999"
            elif kind == "lists-deleted":
                del wb["Lists"]
        edit(path, change)
    return path


@pytest.mark.parametrize("kind, code, location, accepted", [
    ("corrupt-zip", Code.UNREADABLE, "", False),
    ("damaged-xls", Code.UNREADABLE, "", False),
    ("ods", Code.EXCEL_FORMAT, "", False),
    ("meta-deleted", Code.EXCEL_SHEET_MISSING, "_meta", False),
    ("sheet-renamed", Code.EXCEL_SHEET_MISSING, "Questionnaire", False),
    ("other-version", Code.UNKNOWN_VERSION, "Questionnaire", False),
    ("lists-deleted", Code.EXCEL_LISTS_MISSING, "Lists", True),
], ids=lambda v: v if isinstance(v, str) else None)
def test_damaged_workbooks_are_specific_issues_and_good_ones_still_read(form, tmp_path, kind, code, location, accepted):
    good = excel.fill(form, random_answers(form, random.Random(9)), tmp_path / "good.xlsx", "en")
    bad = damaged(kind, good, tmp_path)
    batch = [item for path in (bad, good) for item in excel.read(path, {form.version: form})]
    responses, issues = split(batch)
    assert [(i.code, i.location, i.source) for i in issues if i.code == code] == [(code, location, str(bad))]
    assert [r.source for r in responses] == ([str(bad)] if accepted else []) + [str(good)]


def test_a_workbook_of_another_form_is_refused(form, example_form, tmp_path):
    path = excel.fill(example_form, {"site_name": "Depot"}, tmp_path / "o.xlsx", "en")
    assert errors(excel.read(path, {form.version: form})) == [(Code.OTHER_FORM, "Questionnaire")]


def test_a_workbook_of_a_changed_spec_text_is_read_with_a_warning(example_form, tmp_path):
    path = excel.fill(example_form, {"site_name": "Depot"}, tmp_path / "h.xlsx", "en")
    edit(path, lambda wb: wb["_meta"].__setitem__("B4", "0" * 64))
    responses, issues = split(excel.read(path, {example_form.version: example_form}))
    assert len(responses) == 1 and [i.code for i in issues if i.severity == "warning"][:1] == [Code.EXCEL_SPEC_CHANGED]


@pytest.mark.parametrize("name, head, claimed", [
    ("ours.xlsx", None, True), ("x.csv", b"a,b\n1,2\n", False), ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", True),
    ("other.xlsx", "plain", False), ("saved.ods", "ods", True),
], ids=["ours", "csv", "xls", "other-xlsx", "ods"])
def test_sniff_claims_our_workbooks_only(example_form, tmp_path, name, head, claimed):
    path = tmp_path / name
    if head is None:
        excel.fill(example_form, {}, path, "en")
    elif head == "ods":
        path = damaged("ods", path, tmp_path)
    elif head == "plain":
        wb = openpyxl.Workbook()
        wb.active.title = "survey"
        wb.save(path)
    else:
        path.write_bytes(head)
    assert excel.sniff(path, path.read_bytes()[:512]) is claimed
