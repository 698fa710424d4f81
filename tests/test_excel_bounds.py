"""Workbooks that cannot be read as they are: encrypted with a password, or with a sheet far larger than a
questionnaire (refused before it is parsed, in little memory); answer cells left locked by a paste are named."""
from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Protection

from cpc_forms.catalogue import Code
from cpc_forms.channels import excel
from cpc_forms.channels.excel.layout import plan
from cpc_forms.channels.excel.ooxml import extent
from cpc_forms.model import Issue
from cpc_forms.synth import random_answers

from conftest import DEFAULT_SPEC
from libreoffice import convert

MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub Save(src As String, dst As String, filter As String)
  Dim load(0) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden" : load(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(src), "_blank", 0, load())
  Dim store(1) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName" : store(0).Value = filter
  store(1).Name = "Password" : store(1).Value = "secret"
  doc.storeToURL(ConvertToURL(dst), store())
  doc.close(True)
End Sub
</script:module>
"""
LIBRARIES = """<?xml version="1.0" encoding="UTF-8"?>
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" library:link="false"/>
</library:libraries>
"""
LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard"
 library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Module1"/>
</library:library>
"""


def save_with_password(soffice: str, src: Path, dst: Path, filter_name: str) -> Path:
    """LibreOffice saves a copy with a password to open it, as File > Save As > 'Save with password' does."""
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        run = [soffice, "--headless", "--norestore", f"-env:UserInstallation={Path(profile).as_uri()}"]
        subprocess.run(run + ["--terminate_after_init"], capture_output=True, timeout=120)  # a first start
        basic = Path(profile) / "user" / "basic"  # writes the default macros, which ours then replace
        (basic / "script.xlc").write_text(LIBRARIES, encoding="utf-8")
        (basic / "Standard" / "script.xlb").write_text(LIBRARY, encoding="utf-8")
        (basic / "Standard" / "Module1.xba").write_text(MACRO, encoding="utf-8")
        subprocess.run(run + [f'macro:///Standard.Module1.Save("{src}","{dst}","{filter_name}")'],
                       capture_output=True, timeout=120)
    assert dst.exists(), "soffice wrote no password-protected copy"
    return dst


def codes(path, form) -> list:
    return [(i.code, i.location) for i in excel.read(path, {form.version: form}) if isinstance(i, Issue)]


@pytest.fixture(scope="module")
def filled(form, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("filled")
    return excel.fill(form, random_answers(form, random.Random(3)), folder / "filled.xlsx", "en")


@pytest.mark.parametrize("name", ["returned.xls", "returned.xlsx"], ids=["as-xls", "renamed-xlsx"])
def test_an_xls_libreoffice_saved_with_a_password_is_named_encrypted(soffice, form, filled, tmp_path, name):
    saved = save_with_password(soffice, filled, tmp_path / "protected.xls", "MS Excel 97")
    path = tmp_path / name
    path.write_bytes(saved.read_bytes())
    assert excel.sniff(path, path.read_bytes()[:4096])
    [problem] = list(excel.read(path, {form.version: form}))
    assert problem.code == Code.EXCEL_ENCRYPTED and "without a password" in problem.message


def test_an_xlsx_encrypted_with_a_password_is_named_encrypted(form, filled, tmp_path):
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml", reason="msoffcrypto-tool (a test tool) encrypts the .xlsx")
    path = tmp_path / "protected.xlsx"
    with open(filled, "rb") as plain, open(path, "wb") as out:
        ooxml.OOXMLFile(plain).encrypt("secret", out)
    assert excel.sniff(path, path.read_bytes()[:4096])
    assert codes(path, form) == [(Code.EXCEL_ENCRYPTED, "")]


def far_cell(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    wb["Questionnaire"]["XFD1048576"] = "x"
    wb.save(path)


def declared(path: Path) -> None:
    _rewrite(path, lambda name, data: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
             if name.endswith("sheet2.xml") else data)


def gigantic(path: Path) -> None:
    padding = b" " * (80 * 1024 ** 2)  # 80 MB of XML that compresses to a few hundred KB
    _rewrite(path, lambda name, data: data.replace(b"<sheetData>", padding + b"<sheetData>", 1)
             if name.endswith("sheet5.xml") else data)


def _rewrite(path: Path, change) -> None:
    with zipfile.ZipFile(path) as zf:
        parts = [(i.filename, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts:
            zf.writestr(name, change(name, data))


# the peak resident memory of the reading process itself: VmHWM (getrusage's figure keeps the parent's from
# before exec)
READ = """
import json, re, sys
from pathlib import Path
from cpc_forms.channels import excel
from cpc_forms.spec import load_form
form = load_form(sys.argv[2])
found = [[i.code, i.location, i.message] for i in excel.read(sys.argv[1], {form.version: form})]
peak = int(re.search(r"VmHWM:\\s*(\\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024
print(json.dumps({"found": found, "peak_mb": peak}))
"""


@pytest.mark.parametrize("damage, location, words", [
    (far_cell, "Questionnaire", "1,048,576 rows and 16,384 columns"),
    (declared, "Questionnaire", "1,048,576 rows and 16,384 columns"),
    (gigantic, "xl/worksheets/sheet5.xml", "80 MB of XML"),
], ids=["cell-at-XFD1048576", "declared-dimension", "80-MB-sheet-in-a-small-file"])
def test_a_sheet_too_large_for_a_questionnaire_is_refused_before_it_is_parsed(form, filled, tmp_path, damage, location,
                                                                              words):
    path = tmp_path / "large.xlsx"
    path.write_bytes(filled.read_bytes())
    damage(path)
    assert path.stat().st_size < 2 * 1024 ** 2
    done = subprocess.run([sys.executable, "-c", READ, str(path), str(DEFAULT_SPEC)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert [(code, where) for code, where, _ in result["found"]] == [(Code.EXCEL_SHEET_TOO_LARGE, location)]
    assert words in result["found"][0][2]
    assert result["peak_mb"] < 200, result["peak_mb"]  # about 80 MB: the interpreter, its modules and the spec


def lock(path: Path, rows) -> None:
    wb = openpyxl.load_workbook(path)
    for r in rows:  # a paste from another sheet brings that sheet's style: locked
        wb["Questionnaire"][f"C{r}"].protection = Protection(locked=True)
    wb.save(path)


def test_locked_answer_cells_are_named_and_their_answers_still_read(form, filled, tmp_path):
    path = tmp_path / "pasted.xlsx"
    path.write_bytes(filled.read_bytes())
    layout = plan(form)
    rows = [layout.question_row["country"], layout.question_row["a1"]]
    lock(path, rows)
    read = list(excel.read(path, {form.version: form}))
    found = [i for i in read if isinstance(i, Issue) and i.code == Code.EXCEL_LOCKED_ANSWER]
    assert [(i.location, i.severity) for i in found] == [(f"Questionnaire!C{rows[0]}", "warning")]
    assert f"C{rows[0]}, C{rows[1]}" in found[0].message
    [response] = [r for r in read if not isinstance(r, Issue)]
    [plain] = [r for r in excel.read(filled, {form.version: form}) if not isinstance(r, Issue)]
    assert dict(response.answers) == dict(plain.answers)


@pytest.mark.parametrize("to", ["xlsx", "ods"])
def test_locked_cells_are_found_in_the_styles_libreoffice_writes(soffice, form, filled, tmp_path, to):
    pasted = tmp_path / "pasted.xlsx"
    pasted.write_bytes(filled.read_bytes())
    row = plan(form).question_row["a1"]
    lock(pasted, [row])
    clean, locked = convert(soffice, [filled, pasted], tmp_path / "saved", to=to)
    assert [c for c, _ in codes(clean, form) if c == Code.EXCEL_LOCKED_ANSWER] == []
    assert [w for c, w in codes(locked, form) if c == Code.EXCEL_LOCKED_ANSWER] == [f"Questionnaire!C{row}"]


def test_a_far_cell_written_after_a_line_break_is_found_too():
    xml = b'<worksheet><dimension ref="A1"/><sheetData><row r="1"><c\nr="XFD1048576"><v>1</v></c></row></sheetData>'
    assert extent(xml) == (1_048_576, 16_384)
    assert extent(b'<worksheet><sheetData><row r="7"><c r="R7" s="1"/></row></sheetData>') == (0, 0)


@pytest.fixture(scope="module")
def copies(soffice, filled, tmp_path_factory) -> dict:
    """The filled workbook, and the .xls and .ods LibreOffice saves of it."""
    saved = {to: convert(soffice, [filled], tmp_path_factory.mktemp(to), to=to)[0] for to in ("xls", "ods")}
    return {"xlsx": filled, **saved}


@pytest.mark.parametrize("kind", ["xls", "ods", "xlsx"])
@pytest.mark.parametrize("seed", range(30))
def test_a_damaged_workbook_is_an_issue_never_a_traceback(form, copies, tmp_path, seed, kind):
    rng = random.Random(seed)
    data = bytearray(copies[kind].read_bytes())
    if seed % 3 == 0:
        data = data[:rng.randrange(8, len(data))]  # cut short in transfer
    else:
        for _ in range(1 + seed):  # bytes flipped in the header, the FAT, the directory or the sheets
            at = rng.randrange(0, 4096) if seed % 3 == 1 else rng.randrange(0, len(data))
            data[at] ^= 1 << rng.randrange(8)
    path = tmp_path / f"damaged.{kind}"
    path.write_bytes(bytes(data))
    read = list(excel.read(path, {form.version: form}))
    assert read and all(isinstance(r, Issue) or r.form_id == form.id for r in read)


def test_an_ods_whose_cell_repeats_across_the_grid_is_refused_before_it_is_parsed(soffice, form, filled, tmp_path):
    [saved] = convert(soffice, [filled], tmp_path / "ods", to="ods")
    path = tmp_path / "repeated.ods"
    far = (b'<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
           b'table:number-columns-repeated="16000" office:value-type="string"><text:p>x</text:p></table:table-cell>'
           b'</table:table-row>')

    def repeat(name, data):  # one cell repeated over the hidden metadata sheet: 16 billion cells
        if name != "content.xml":
            return data
        start = data.index(b'<table:table table:name="_meta"')
        end = data.index(b"</table:table>", start)
        return data[:end] + far + data[end:]
    with zipfile.ZipFile(saved) as zf:
        parts = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in parts:  # the mimetype first and stored, as LibreOffice writes it
            zf.writestr(info, repeat(info.filename, data))
    done = subprocess.run([sys.executable, "-c", READ, str(path), str(DEFAULT_SPEC)], capture_output=True, text=True,
                          timeout=300)
    result = json.loads(done.stdout)
    assert [(code, where) for code, where, _ in result["found"]] == [(Code.EXCEL_SHEET_TOO_LARGE, "_meta")]
    assert result["peak_mb"] < 200, result["peak_mb"]
