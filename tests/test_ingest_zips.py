"""Exports inside a zip are judged by what they hold, as the same file unzipped is: a Kobo export keeps its returns
whatever its member is named; a member's problems are told with the member named."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from cpc_forms import ingest
from cpc_forms.model import Issue, Response
from cpc_forms.spec import load_form

FIXTURES = Path(__file__).parent / "fixtures" / "xlsform"
V1_SPEC = Path(__file__).parent.parent / "spec" / "versions" / "cpc_assessment-2026112901.json"


@pytest.fixture(scope="module")
def forms():
    form = load_form(V1_SPEC)
    return {form.version: form}


def _answers(path, forms):
    items = [item for _, item in ingest.read_file(path, forms)]
    errors = [str(i) for i in items if isinstance(i, Issue) and i.severity == "error"]
    return sorted((r.instance_id, sorted(r.answers.items())) for r in items if isinstance(r, Response)), errors


@pytest.mark.parametrize("member", ["export.csv", "cpc_assessment_-_all_versions_-_False_-_2026-11-30.csv",
                                    "kobo_export.csv"], ids=["export", "kobo-download-name", "fixture-name"])
def test_a_kobo_export_in_a_zip_is_read_as_the_same_file_unzipped(forms, tmp_path, member):
    export = FIXTURES / "kobo_xml_csv" / "kobo_export.csv"
    with zipfile.ZipFile(tmp_path / "download.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(export, member)
    alone, alone_errors = _answers(export, forms)
    zipped, zipped_errors = _answers(tmp_path / "download.zip", forms)
    assert alone and zipped == alone
    assert zipped_errors == alone_errors


def test_a_member_that_is_no_list_of_submissions_is_told_with_its_name_as_location(forms, tmp_path):
    with zipfile.ZipFile(tmp_path / "many.zip", "w") as archive:
        for n in range(3):
            archive.writestr(f"{n}.json", "{}")
    items = [item for _, item in ingest.read_file(tmp_path / "many.zip", forms)]
    assert [i.location for i in items] == ["0.json", "1.json", "2.json"]
    assert all(str(i).startswith(f"{tmp_path / 'many.zip'}:{n}.json: ") and ": : " not in str(i)
               for n, i in enumerate(items))
