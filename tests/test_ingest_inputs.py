"""What ingest makes of inputs in awkward clothes: XML saved as UTF-16, a link inside a zip, and the words of
libraries (Python's json, defusedxml) turned into sentences a person can act on."""
from __future__ import annotations

import zipfile

import pytest

from cpc_forms import ingest
from cpc_forms.catalogue import Code, issue
from cpc_forms.model import Response
from cpc_forms.spec import build_form

from tiny import small_spec

XML = ('<?xml version="1.0" encoding="{encoding}"?>\n<data id="tiny" version="1"><s><staff>3</staff>'
       '<unit>Équipe côtière</unit></s><meta><instanceID>uuid:u16</instanceID></meta></data>\n')


@pytest.fixture(scope="module")
def forms():
    return {"1": build_form(small_spec())}


def _items(path, forms):
    return [item for _, item in ingest.read_file(path, forms)]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"], ids=["bom", "le-no-bom", "be-no-bom"])
def test_an_xml_instance_saved_as_utf16_is_read_as_its_utf8_twin(forms, tmp_path, codec):
    (tmp_path / "utf8.xml").write_bytes(XML.format(encoding="UTF-8").encode("utf-8"))
    (tmp_path / "utf16.xml").write_bytes(XML.format(encoding="UTF-16").encode(codec))
    (twin,) = _items(tmp_path / "utf8.xml", forms)
    (found,) = _items(tmp_path / "utf16.xml", forms)
    assert isinstance(found, Response), found
    assert (found.answers, found.instance_id) == (twin.answers, twin.instance_id)
    assert found.source == str(tmp_path / "utf16.xml")


def test_an_xml_with_a_dtd_saved_as_utf16_is_still_refused(forms, tmp_path):
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "x">]><data id="tiny">&a;</data>'
    (tmp_path / "dtd.xml").write_bytes(text.encode("utf-16"))
    (found,) = _items(tmp_path / "dtd.xml", forms)
    assert found.code == Code.UNSAFE_XML
    assert "DTD" in found.message and "Forbidden" not in found.message


def test_a_symbolic_link_in_a_zip_is_named_as_one_and_not_read(forms, tmp_path):
    link = zipfile.ZipInfo("export.csv")
    link.create_system, link.external_attr = 3, 0o120777 << 16
    with zipfile.ZipFile(tmp_path / "links.zip", "w") as archive:
        archive.writestr(link, "/etc/passwd")
        archive.writestr("notes.txt", "hello")
    found = _items(tmp_path / "links.zip", forms)
    linked = [i for i in found if "export.csv" in i.message]
    assert [i.code for i in linked] == [Code.ZIP_MEMBER]
    assert "symbolic link" in linked[0].message and "passwd" not in linked[0].message


@pytest.mark.parametrize("text,words", [
    ('{"a": }}', "a value is missing"),
    ('{"a": 1 "b": 2}}', "a comma is missing"),
    ('{"a": 1,}}', "a key is not in double quotes"),
    ('{"a": "open}}', "not closed by its double quote"),
    ('{}} {"form_id": "tiny"}', "more follows the end of the document"),
], ids=["no-value", "no-comma", "trailing-comma", "open-string", "two-documents"])
def test_broken_json_is_told_in_plain_words_with_its_line_and_column(forms, tmp_path, text, words):
    (tmp_path / "web.json").write_text('{"form_id": "tiny", "answers": ' + text)
    (found,) = _items(tmp_path / "web.json", forms)
    assert found.code == Code.INVALID_JSON
    assert words in found.message and "Expecting" not in found.message and "line 1, column" in found.message


def test_words_no_table_knows_are_kept():
    assert "odd words" in issue(Code.INVALID_JSON, "a.json", reason="odd words", line=1, column=2).message


VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
POLICY = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
          'img-src data:">\n')


@pytest.mark.parametrize("page,code", [
    ('<meta charset="utf-8">\n<meta name="generator" content="cpc-forms">\n' + VIEWPORT + POLICY, Code.OWN_FILE),
    ('<meta charset="utf-8">\n' + VIEWPORT + POLICY, Code.OWN_FILE),
    ('<meta charset="utf-8">\n' + VIEWPORT + '<meta name="cpc-form" content="tiny" data-version="1">\n',
     Code.OWN_FILE),
    ('<meta charset="utf-8">\n' + VIEWPORT, Code.NOT_A_RETURN),
], ids=["report", "report-before-its-generator-mark", "web-form", "another-page"])
def test_a_page_is_known_as_ours_by_what_it_holds_whatever_its_name(forms, tmp_path, page, code):
    path = tmp_path / "report (1).html"
    path.write_text("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n" + page + "<title>T</title>\n</head></html>\n")
    (found,) = _items(path, forms)
    assert found.code == code
    assert "DTD" not in found.message
