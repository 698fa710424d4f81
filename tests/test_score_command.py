"""cpc-forms score and demo: every channel's returns in one run, bad inputs listed, counts that add up."""
from __future__ import annotations

import json
import random
import shutil
import zipfile
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cpc_forms.catalogue import Code
from cpc_forms.channels import CHANNELS, channel
from cpc_forms.cli import main
from cpc_forms.ingest import run
from cpc_forms.report import json as report_json
from cpc_forms.spec import form_versions, load_form
from cpc_forms.synth import random_answers

from conftest import DEFAULT_SPEC

HERE = Path(__file__).parent
XLSFORM_FIXTURES = HERE / "fixtures" / "xlsform"
SCHEMA = json.loads((HERE.parent / "cpc_forms" / "report" / "scores.schema.json").read_text(encoding="utf-8"))
SAME = ("country", "agency", "form_version", "sections", "index", "level", "perceived_level", "answers")


def _records(form, answers, n: int) -> dict:
    """channel -> the n-th answers as that channel's users send them back (a workbook in every language)."""
    return {"excel": [(answers, {"name": f"w{n}", "language": lang}) for lang in form.languages],
            "xlsform": [(answers, {"via": "xml", "name": f"i{n}", "instance_id": f"uuid:xml-{n}"}),
                        (answers, {"via": "central", "instance_id": f"uuid:central-{n}",
                                   "submitted": "2026-05-02T09:13:44.123Z"}),
                        (answers, {"via": "kobo", "instance_id": f"kobo-{n}"})],
            "html": [(answers, {"name": f"r{n}", "instance_id": f"uuid:web-{n}"})],
            "server": [(answers, {"instance_id": f"uuid:server-{n}"})]}


def every_channel(form, answer_sets, folder: Path, channels=CHANNELS) -> None:
    """Each set of answers written in each channel's own return formats, through the channel protocol."""
    batches = {name: [] for name in channels}
    for n, answers in enumerate(answer_sets):
        records = _records(form, answers, n)
        assert set(records) == set(CHANNELS)  # a new channel is written here too
        for name in channels:
            batches[name] += records[name]
    for name, batch in batches.items():
        channel(name).write_returns(form, batch, folder)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False))
def test_same_answers_through_every_channel_give_identical_rows(any_form, rng, tmp_path_factory):
    answers = random_answers(any_form, rng, fill=rng.uniform(0.3, 1))
    assume(answers)  # a return that answers nothing is refused by every channel (no-answers), tested apart
    folder = tmp_path_factory.mktemp("same")
    every_channel(any_form, [answers], folder)
    report = run([folder], any_form, {any_form.version: any_form})
    rows = report_json.document(report)["returns"]
    assert not [i for i in report.issues if i.severity == "error"]
    # the two workbooks (one per language) hold the same answers: one return, the other a duplicate
    assert len(rows) == 6 and {r["channel"] for r in rows} == set(CHANNELS)
    first = {k: rows[0][k] for k in SAME}
    for row in rows[1:]:
        assert {k: row[k] for k in SAME} == first, row["source"]


def _bad_inputs(form, folder: Path, good: Path) -> dict:
    """file name -> (issue code, words in the message) for 20+ kinds of bad input."""
    bad = {}

    def put(name, content, code, words=""):
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        bad[name] = (code, words)

    put("empty.csv", b"", Code.UNREADABLE, "empty")
    put("noise.bin", bytes(random.Random(1).getrandbits(8) for _ in range(3000)), Code.NOT_A_RETURN, "not a return")
    put("notes.txt", "Dear coordinator,\nplease find our answers attached.\n", Code.NOT_A_RETURN, "not a return")
    put("other-form.xml", '<data id="household_survey" version="3"><a><q1>x</q1></a></data>', Code.OTHER_FORM)
    put("old-version.xml", f'<data id="{form.id}" version="1999"><profile><country>FRA</country></profile></data>',
        Code.UNKNOWN_VERSION, "1999")
    put("broken.xml", f'<data id="{form.id}" version="{form.version}"><profile>', Code.UNREADABLE)
    for name in ("external_entity.xml", "entity_expansion.xml", "truncated.csv.zip"):
        shutil.copy(XLSFORM_FIXTURES / "bad" / name, folder / name)
    bad.update({"external_entity.xml": (Code.UNSAFE_XML, ""), "entity_expansion.xml": (Code.UNSAFE_XML, ""),
                "truncated.csv.zip": (Code.UNREADABLE, "")})
    put("malformed.json", '{"form_id": "cpc_assessment", "answers": {', Code.INVALID_JSON, "line")
    put("other-form.json", json.dumps({"form_id": "x", "form_version": "1", "instance_id": "uuid:o",
                                       "answers": {}}), Code.OTHER_FORM)
    put("bad-code.json", json.dumps({"form_id": form.id, "form_version": form.version, "instance_id": "uuid:b",
                                     "answers": {"mandates": {"a1": "7"}}}), Code.BAD_VALUE, "'7'")
    put("unknown-question.json", json.dumps({"form_id": form.id, "form_version": form.version,
                                             "instance_id": "uuid:u", "answers": {"mandates": {"a99": "1"}}}),
        Code.UNKNOWN_FIELD, "a99")
    big = folder / "huge.json"
    with open(big, "wb") as f:
        f.write(b'{"returns": [' + b" " * (50 * 1024 * 1024) + b"]}")
    bad["huge.json"] = (Code.TOO_LARGE, "")
    put("truncated.xlsx", good.read_bytes()[:4000], Code.UNREADABLE, "damaged")
    put("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), Code.UNREADABLE, "damaged Office file")
    with zipfile.ZipFile(folder / "saved.ods", "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    bad["saved.ods"] = (Code.EXCEL_FORMAT, "")
    for name, change, code in (("no-meta.xlsx", lambda wb: wb.remove(wb["_meta"]), Code.EXCEL_SHEET_MISSING),
                               ("renamed.xlsx", lambda wb: setattr(wb["Questionnaire"], "title", "Answers"),
                                Code.EXCEL_SHEET_MISSING),
                               ("formula.xlsx", lambda wb: wb["Questionnaire"].__setitem__(_cell(wb, "a1"), "=1+3"),
                                Code.EXCEL_FORMULA),
                               ("off-list.xlsx", lambda wb: wb["Questionnaire"].__setitem__(_cell(wb, "a1"), "Maybe"),
                                Code.EXCEL_BAD_ANSWER)):
        wb = openpyxl.load_workbook(good)
        change(wb)
        wb.save(folder / name)
        bad[name] = (code, "")
    return bad


def _cell(wb, qid):
    ws = wb["Questionnaire"]
    row = next(r for r in range(5, ws.max_row + 1) if ws[f"F{r}"].value == qid and ws[f"G{r}"].value is None)
    return f"C{row}"


def test_mixed_folder_scores_the_good_and_names_every_bad_input(form, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    rng = random.Random(7)
    every_channel(form, [random_answers(form, rng) for _ in range(3)], folder)
    shutil.copytree(XLSFORM_FIXTURES / "central_csv", folder / "central")
    (folder / "kobo.txt").write_bytes(next((XLSFORM_FIXTURES / "kobo_xml_csv").glob("*.csv")).read_bytes())
    bad = _bad_inputs(form, folder, next(folder.glob("w0.en.xlsx")))
    assert len(bad) >= 20
    report = run([folder], form, form_versions(form))  # the exports are of the version kept in spec/versions/
    errors = [i for i in report.issues if i.severity == "error"]
    for name, (code, words) in bad.items():
        mine = [i for i in errors if Path(i.source.split("!")[0]).name == name]
        assert mine, f"{name}: no error reported"
        assert any(i.code == code and words in i.message for i in mine), (name, [str(i) for i in mine])
    good_sources = {Path(s.response.source).name.split(".")[0] for s in report.returns}
    # each w<n> workbook exists in both languages with the same answers: one is kept, one is a duplicate
    assert {f"w{n}" for n in range(3)} | {f"i{n}" for n in range(3)} | {"kobo"} <= good_sources
    for counts in list(report.counts.values()):
        assert counts["read"] == counts["accepted"] + counts["rejected"] + counts["duplicates"]
    assert sum(c["accepted"] for c in report.counts.values()) == len(report.returns)


def test_score_command_writes_reports_and_exit_codes(form, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    every_channel(form, [random_answers(form, random.Random(3))], inbox)
    out = tmp_path / "scores"
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "scores.csv", "scores.json", "scores.xlsx"]
    document = json.loads((out / "scores.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    copies = len(form.languages)  # one workbook per language, the same answers: one accepted, the rest duplicates
    assert f"total: {copies + 5} read, 6 accepted, 0 rejected, {copies - 1} duplicates" in result.output
    (inbox / "bad.json").write_text("{")
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "again")])
    assert result.exit_code == 1 and "rejected:" in result.output and (tmp_path / "again" / "scores.json").exists()
    result = CliRunner().invoke(main, ["score", str(inbox), "--out", str(tmp_path / "strict"), "--strict"])
    assert result.exit_code == 1 and not (tmp_path / "strict").exists()


def test_parallel_reading_gives_the_same_report(form, tmp_path):
    rng = random.Random(11)
    every_channel(form, [random_answers(form, rng) for _ in range(4)], tmp_path)
    one = report_json.document(run([tmp_path], form, {form.version: form}))
    two = report_json.document(run([tmp_path], form, {form.version: form}, jobs=2))
    assert one["returns"] == two["returns"] and one["counts"] == two["counts"]


def test_a_newer_edit_through_another_channel_replaces_the_older(form, tmp_path):
    answers = random_answers(form, random.Random(5))
    sent = {"instance_id": "uuid:same", "submitted": "2026-01-01T00:00:00+00:00"}
    channel("html").write_returns(form, [(answers, sent)], tmp_path)
    edited = dict(answers, unit="Edited unit")
    channel("xlsform").write_returns(form, [(edited, dict(sent, submitted="2026-02-01T00:00:00.000Z"))], tmp_path)
    report = run([tmp_path], form, {form.version: form})
    (kept,) = report.returns
    assert kept.response.answers["unit"] == "Edited unit"
    assert [i.code for i in report.issues if i.code == Code.DUPLICATE] == [Code.DUPLICATE]


def test_demo_builds_fills_scores_and_reports(tmp_path, browser, artifacts):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path), "--countries", "5"])
    assert result.exit_code == 0, result.output
    scores = tmp_path / "scores"
    assert {p.name for p in scores.iterdir()} == {"report.html", "scores.csv", "scores.json", "scores.xlsx"}
    document = json.loads((scores / "scores.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, SCHEMA)
    assert len(document["countries"]) == 5
    assert {r["channel"] for r in document["returns"]} == {"excel", "xlsform", "html"}
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else (problems.append(r.request.url), r.abort()))
    page.goto((scores / "report.html").as_uri())
    page.screenshot(path=str(artifacts / "demo-report.png"), full_page=True)
    page.close()
    assert problems == []


def test_one_return_with_several_bad_values_counts_once(form, tmp_path):
    bad = {"form_id": form.id, "form_version": form.version, "instance_id": "uuid:three",
           "answers": {"mandates": {"a1": "7", "a2a": "8", "a5a": "9"}}}
    (tmp_path / "three_bad.json").write_text(json.dumps(bad))
    two = [dict(bad, instance_id="uuid:a"), dict(bad, instance_id="uuid:b")]
    (tmp_path / "two_bad.json").write_text(json.dumps(two))
    report = run([tmp_path], form, {form.version: form})
    assert len([i for i in report.issues if i.code == Code.BAD_VALUE]) == 9
    assert dict(report.counts["html"]) == {"read": 3, "accepted": 0, "rejected": 3, "duplicates": 0}


def test_a_return_that_answers_nothing_is_counted_by_no_channel(any_form, tmp_path):
    every_channel(any_form, [{}], tmp_path)
    report = run([tmp_path], any_form, {any_form.version: any_form})
    assert report_json.document(report)["returns"] == []
    said = {Path(i.source).name: i.code for i in report.issues}
    written = {p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))}
    # a questionnaire workbook with no answer is the blank template, whatever its name: skipped, not refused
    assert said == {name: Code.OWN_FILE if name.endswith(".xlsx") else Code.NO_ANSWERS for name in written}


@pytest.mark.parametrize("language", load_form(DEFAULT_SPEC).languages)
def test_score_lang_labels_the_report_in_that_language(form, tmp_path, language):
    every_channel(form, [random_answers(form, random.Random(4))], tmp_path / "inbox", channels=["html"])
    out = tmp_path / "scores"
    result = CliRunner().invoke(main, ["score", str(tmp_path / "inbox"), "--out", str(out), "--lang", language,
                                       "--format", "html"])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}"' in page
    first = form.scored_sections[0].label
    assert first.get(language, first[form.default_language]) in page
