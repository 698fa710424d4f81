"""Readers of every export family, on hand-built fixtures (tests/fixtures/xlsform/<scenario>/expected.json)."""
from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest

from cpc_forms.answers import answered
from cpc_forms.channels import xlsform
from cpc_forms.model import Issue, Response
from cpc_forms.spec import build_form, load_form
from cpc_forms.synth import random_answers

from conftest import DEFAULT_SPEC
from server_exports import MULTIPLE, SEPARATORS, Kobo, Submission, kobo_csv, kobo_xlsx, stored
from xlsform_languages import RLM, TATWEEL, four_language_spec, retype_arabic

FIXTURES = Path(__file__).parent / "fixtures" / "xlsform"
SCENARIOS = sorted(p.name for p in FIXTURES.iterdir() if (p / "expected.json").exists())
V1_SPEC = Path(__file__).parent.parent / "spec" / "versions" / "cpc_assessment-2026112901.json"


@pytest.fixture(scope="module")
def form():
    """The fixtures are returns of the assessment's version 2026112901, kept under spec/versions/."""
    return load_form(V1_SPEC)


def expected(name: str) -> dict:
    return json.loads((FIXTURES / name / "expected.json").read_text(encoding="utf-8"))


def scenario_form(name: str, default):
    """The form a scenario's returns are of: its expected.json's spec (a path from its folder), else default."""
    spec = expected(name).get("spec")
    return load_form((FIXTURES / name / spec).resolve()) if spec else default


def canonical(answers) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}


def split(items):
    items = list(items)
    return [i for i in items if isinstance(i, Response)], [i for i in items if isinstance(i, Issue)]


def read_all(paths, forms):
    out = []
    for path in paths:
        out += list(xlsform.read(path, forms))
    return split(out)


@pytest.mark.parametrize("name", SCENARIOS, ids=SCENARIOS)
def test_scenario_reads_the_answers_it_holds(name, form):
    exp, form = expected(name), scenario_form(name, form)
    paths = [FIXTURES / name / f for f in exp["files"]]
    source = FIXTURES / name if len(paths) > 1 else paths[0]
    responses, issues = read_all([source], {form.version: form})
    got = {r.instance_id: r for r in responses}
    assert set(got) == set(exp["responses"])
    for iid, want in exp["responses"].items():
        r = got[iid]
        assert canonical(r.answers) == want["answers"], iid
        assert (r.channel, r.form_id, r.form_version, r.identity) == ("xlsform", form.id, form.version, want["root"])
        assert r.location and r.source
        if "submitted" in want:
            assert r.submitted == want["submitted"]
        assert r.language == exp.get("language", "")
    errors = sorted((i.code, i.location) for i in issues if i.severity == "error")
    assert [c for c, _ in errors] == sorted(c for c, _ in exp["errors"])
    for code, where in exp["errors"] + exp.get("warnings", []):
        assert any(i.code == code and where in f"{i.source} {i.location}" for i in issues), (code, where)


def test_every_scenario_mixed_in_one_folder_reads_with_no_mismatch(form, tmp_path):
    """The scenarios of each form in one folder (those of the four-language spec in a folder of their own)."""
    groups: dict = {}
    for name in SCENARIOS:
        groups.setdefault(expected(name).get("spec", ""), []).append(name)
    for spec, names in groups.items():
        folder, want = tmp_path / (Path(spec).stem or "v1"), {}
        folder.mkdir()
        for name in names:
            exp = expected(name)
            for f in exp["files"]:
                shutil.copy(FIXTURES / name / f, folder / f"{name}__{f}")
            want.update({iid: w["answers"] for iid, w in exp["responses"].items()})
        of = scenario_form(names[0], form)
        responses, _ = split(xlsform.read(folder, {of.version: of}))
        assert {r.instance_id: canonical(r.answers) for r in responses} == want, spec


LABELLED = [name for name in SCENARIOS if expected(name).get("same_as")]


@pytest.mark.parametrize("name", LABELLED, ids=LABELLED)
def test_a_label_scenario_reads_as_the_xml_values_export_of_the_same_submissions(name):
    """Kobo's label export in Spanish or Arabic and its XML-values export (codes, names) give the same answers."""
    exp, form = expected(name), scenario_form(name, None)
    labels = read_all([FIXTURES / name / f for f in exp["files"]], {form.version: form})[0]
    values = read_all([FIXTURES / name / f for f in exp["same_as"]], {form.version: form})[0]
    assert {r.language for r in labels} == {exp["language"]} and {r.language for r in values} == {""}
    assert {r.instance_id: dict(r.answers) for r in labels} == {r.instance_id: dict(r.answers) for r in values}
    assert len(labels) == len(exp["responses"]) >= 8


def test_sniff_knows_exports_and_not_the_xform(form, tmp_path):
    for name in SCENARIOS:
        for f in expected(name)["files"]:
            path = FIXTURES / name / f
            assert xlsform.sniff(path, path.read_bytes()[:4096]), path
    xform = tmp_path / "form.xml"
    xform.write_text('<?xml version="1.0"?><h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head/></h:html>')
    plain = tmp_path / "notes.csv"
    plain.write_text("name,amount\nx,1\n")
    assert not xlsform.sniff(xform, xform.read_bytes())
    assert not xlsform.sniff(plain, plain.read_bytes())


BAD = [
    ("truncated.csv.zip", "unreadable", "truncated"),
    ("external_entity.xml", "unsafe-xml", ""),
    ("entity_expansion.xml", "unsafe-xml", ""),
    ("wrong_form.xml", "other-form", "household_survey"),
    ("unknown_column.csv", "unknown-column", "row 1, column 8"),
]


@pytest.mark.parametrize("file,code,detail", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gives_a_specific_issue(file, code, detail, form):
    path = FIXTURES / "bad" / file
    responses, issues = split(xlsform.read(path, {form.version: form}))
    hits = [i for i in issues if i.code == code]
    assert hits and all(i.source == str(path) for i in hits)
    assert detail in " ".join(f"{i.message} {i.location}" for i in hits)
    if file == "unknown_column.csv":  # the good rows are still read, the unknown column ignored
        assert sorted(r.instance_id for r in responses) == ["u-0001", "u-0002"]


PARTIAL = ("required-missing", "scored-column-missing", "column-missing")  # of hand-made exports of a few columns


def test_bad_rows_are_issues_and_good_rows_are_kept(form):
    path = FIXTURES / "bad" / "mixed_rows.csv"
    responses, issues = split(xlsform.read(path, {form.version: form}))
    found = {(i.code, i.location.split(":")[0]) for i in issues if i.code not in PARTIAL}
    assert found == {("unknown-version", "row 3"), ("bad-value", "row 4"), ("duplicate", "row 5")}
    assert sorted((r.instance_id, r.answers["a1"]) for r in responses) == [
        ("m-0001", "2"), ("m-0004", "3"), ("m-0005", "4")]


def test_a_file_broken_part_way_keeps_the_rows_before(form, tmp_path):
    good = (FIXTURES / "central_csv" / "cpc_assessment.csv").read_bytes()
    path = tmp_path / "cut.csv"
    path.write_bytes(good + b"2026-05-05T00:00:00Z,FRA,\xff\xfe broken\n")
    responses, issues = split(xlsform.read(path, {form.version: form}))
    assert len(responses) == 3
    assert [(i.code, i.location) for i in issues if i.severity == "error"] == [("not-utf-8", "line 11")]


AMBIGUOUS_SPEC = {
    "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "title": "Wine",
    "x-form": {"id": "wine", "version": "1", "languages": ["en"], "default_language": "en"},
    "x-scoring": {"levels": [{"code": "all", "from": 0, "to": 100, "title": "All", "description": "Every index."}]},
    "properties": {"s": {"type": "object", "title": "S", "properties": {
        "pick": {"title": "Pick", "type": "array", "uniqueItems": True,
                 "items": {"oneOf": [{"const": "r", "title": "Red"}, {"const": "w", "title": "Wine"},
                                     {"const": "rw", "title": "Red Wine"}]}}}}}}


@pytest.mark.parametrize("cell,codes", [("Wine Red", ["w", "r"]), ("Red Wine", None)], ids=["unique", "ambiguous"])
def test_label_mode_multi_select_is_mapped_or_refused_when_ambiguous(cell, codes, tmp_path):
    from cpc_forms.spec import build_form, check_document
    assert not [p for p in check_document(AMBIGUOUS_SPEC) if p.severity == "error"]
    wine = build_form(AMBIGUOUS_SPEC)
    path = tmp_path / "labels.csv"
    path.write_text(f'"Pick";"_uuid";"_submission_time";"_index"\r\n"{cell}";"w-1";"2026-01-01T00:00:00";"1"\r\n')
    responses, issues = split(xlsform.read(path, {"1": wine}))
    if codes:
        assert [list(r.answers["pick"]) for r in responses] == [codes]
    else:
        assert not responses
        assert [(i.code, i.location) for i in issues if i.severity == "error"] == [("ambiguous-label", "row 2")]


def test_kobo_deployment_id_in_version_column_yields_to_the_stamped_version(form, tmp_path):
    from cpc_forms.channels.xlsform import read
    header = ('"profile/country";"profile/agency";"mandates/a1";"sc_form_version";"__version__";"_uuid";'
              '"_submission_time";"_index"')
    row = f'"KEN";"police";"3";"{form.version}";"vHagmzimVwhMJ4C26sX38Q";"3f8a90e9-0001";"2026-03-27T14:33:22";"1"'
    path = tmp_path / "kobo.csv"
    path.write_text(header + "\r\n" + row + "\r\n", encoding="utf-8")
    (response,) = [r for r in read(path, {form.version: form}) if not hasattr(r, "severity")]
    assert response.form_version == form.version and response.answers["a1"] == "3"
    # without the form's own version column, the deployment id is no reason to refuse a row: said once per file
    rows = [row.replace(f'"{form.version}";', "").replace("0001", str(n)) for n in range(3)]
    path.write_text("\r\n".join([header.replace('"sc_form_version";', "")] + rows) + "\r\n", encoding="utf-8")
    items = list(read(path, {form.version: form}))
    assert [r.form_version for r in items if not hasattr(r, "severity")] == [form.version] * 3
    assert [(i.code, i.location) for i in items if getattr(i, "code", "") == "version-fallback"] == [
        ("version-fallback", "row 1")]
    assert not [i for i in items if getattr(i, "code", "") == "unknown-version"]


def test_a_wide_label_mode_kobo_export_is_recognised_by_its_whole_header(form, tmp_path):
    from cpc_forms.channels.xlsform import sniff
    from cpc_forms.ingest import run
    questions = [q for q in form.questions if q.kind == "select_one" and q.role is None]
    every = [q for q in form.questions if q.role is None]  # a real export has a column for every question
    header = [f"{form.section(q.section).label['fr']}/{q.label['fr']}" for q in every] + ["_uuid", "_index"]
    values = [q.choices[0].label["fr"] if q in questions else "" for q in every] + ["wide-0001", "1"]
    text = ";".join(f'"{h}"' for h in header) + "\r\n" + ";".join(f'"{v}"' for v in values) + "\r\n"
    assert len(text.split("\r\n")[0].encode()) > 4096  # the signature columns lie past the first 4 KiB
    path = tmp_path / "kobo_wide.csv"
    path.write_text(text, encoding="utf-8")
    assert sniff(path, path.read_bytes()[:4096])
    (scored,) = run([path], form, {form.version: form}).returns
    assert scored.response.answers[questions[0].id] == questions[0].choices[0].code


def test_kobo_hxl_row_with_untagged_columns_is_skipped(form, tmp_path):
    from cpc_forms.channels.xlsform import read
    path = tmp_path / "hxl.csv"
    path.write_text('"profile/country";"mandates/a1";"mandates/a2";"_uuid";"_index"\r\n'
                    '"#country";"";"";"";""\r\n"KEN";"3";"2";"hxl-1";"1"\r\n', encoding="utf-8")
    items = list(read(path, {form.version: form}))
    assert [i for i in items if getattr(i, "severity", "") == "error" and i.code not in PARTIAL] == []
    (response,) = [i for i in items if not hasattr(i, "severity")]
    assert response.location == "row 3" and response.answers["a1"] == "3"


@pytest.mark.parametrize("written", [False, True], ids=["trimmed", "as-written"])
@pytest.mark.parametrize("raw", ["0\n", "2026-01-01\n", " x ", "n/a", "'=1", "a\r\nb"], ids=repr)
def test_fast_converters_agree_with_coerce_on_line_breaks_and_spaces(form, raw, written):
    from cpc_forms.returns import coerce, converters
    for q in form.questions:
        assert converters(form, written)[q.id](raw) == coerce(q, raw, written), (q.id, raw)


# Labels in every language: KoboToolbox's label exports (tests/server_exports.py writes them as formpack does) in
# Spanish and Arabic read back to the answers its XML-values export of the same submissions gives.

def _submissions(form, count: int, seed: int, fixed=()):
    """count random answer sets, fixed answers put into the first ones, and the server's submissions of them."""
    rng = random.Random(seed)
    sets = [{k: v for k, v in random_answers(form, rng, fill=rng.choice((0.5, 0.95))).items() if answered(v)}
            for _ in range(count)]
    for answers, extra in zip(sets, fixed, strict=False):
        answers.update(extra)
    subs = [Submission(stored(form, a), 700 + n, f"lab-{n:04d}", f"2026-04-01T10:00:{n:02d}", version=form.version)
            for n, a in enumerate(sets)]
    return sets, subs


def _read_answers(path, form):
    responses, issues = split(xlsform.read(path, {form.version: form}))
    errors = [(i.code, i.location, i.message) for i in issues if i.severity == "error"]
    return {r.instance_id: canonical(r.answers) for r in responses}, {r.language for r in responses}, errors


EXPORTS = {"csv-slash-groups-both": ("csv", dict(sep="/", hierarchy=True, multiple="both")),
           "csv-dash-bare-summary": ("csv", dict(sep="-", hierarchy=False, multiple="summary")),
           "xlsx-spaced-groups-details": ("xlsx", dict(sep=" / ", hierarchy=True, multiple="details")),
           "xlsx-dot-bare-both": ("xlsx", dict(sep=".", hierarchy=False, multiple="both"))}


@pytest.mark.parametrize("export", list(EXPORTS))
@pytest.mark.parametrize("lang", ["es", "ar"])
def test_a_spanish_or_arabic_label_export_reads_as_the_xml_export(lang, export, tmp_path):

    form = build_form(four_language_spec())
    kind, options = EXPORTS[export]
    write = kobo_csv if kind == "csv" else kobo_xlsx
    sets, subs = _submissions(form, 16, 15)
    xml, _, xml_errors = _read_answers(write(form, subs, Kobo(**options), tmp_path / f"xml.{kind}"), form)
    labels, languages, errors = _read_answers(write(form, subs, Kobo(lang=lang, **options),
                                                    tmp_path / f"{lang}.{kind}"), form)
    want = {s.uuid: canonical(a) for s, a in zip(subs, sets, strict=True)}
    assert (xml_errors, errors) == ([], [])
    assert xml == want and labels == want
    assert languages == {lang}


@pytest.mark.parametrize("lang", ["en", "fr", "es", "ar"])
def test_the_default_spec_label_export_in_each_of_its_languages(lang, tmp_path):
    """The default spec in each language it has (Spanish and Arabic once merged): a label export with group labels
    reads back to the answers."""

    form = load_form(DEFAULT_SPEC)
    if lang not in form.languages:
        pytest.skip(f"the default spec has no {lang} texts yet")
    sets, subs = _submissions(form, 12, 16)
    got, languages, errors = _read_answers(kobo_csv(form, subs, Kobo(lang=lang), tmp_path / f"{lang}.csv"), form)
    assert errors == []
    assert got == {s.uuid: canonical(a) for s, a in zip(subs, sets, strict=True)}
    assert languages == {lang}


@pytest.mark.parametrize("spec_name", ["tiny", "default"])
def test_arabic_labels_with_direction_marks_tatweel_and_hamza_variants_still_match(spec_name, tmp_path):
    """The form deployed on the server had its Arabic labels retyped (marks, tatweel, alif without hamza, NFD,
    lam-alif ligature): its label export still reads back, by our clean spec, to the answers."""

    spec = four_language_spec() if spec_name == "tiny" else json.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))
    if "ar" not in spec["x-form"]["languages"]:
        pytest.skip("the default spec has no ar texts yet")
    form = build_form(spec)
    retype_arabic(spec)
    deployed = build_form(spec)
    changed = [q.id for q in form.questions if q.label["ar"] != deployed.question(q.id).label["ar"]]
    assert len(changed) > len(form.questions) // 2
    sets, subs = _submissions(form, 16, 17)
    path = kobo_csv(deployed, subs, Kobo(lang="ar", sep="/", hierarchy=True), tmp_path / "ar.csv")
    assert RLM in path.read_text(encoding="utf-8") and TATWEEL in path.read_text(encoding="utf-8")
    got, languages, errors = _read_answers(path, form)
    assert errors == []
    assert got == {s.uuid: canonical(a) for s, a in zip(subs, sets, strict=True)}
    assert languages == {"ar"}


@pytest.mark.parametrize("na_label", ["لا أعرف", "\u200fلا اعرف "], ids=["same", "same-once-compared"])
def test_an_arabic_label_two_choices_share_is_reported_not_guessed(na_label, tmp_path):
    """Two choices of one list with one Arabic label (or labels that differ only by a hamza and marks): a return
    answering either is refused with ambiguous-label in the Arabic export, read in the English one."""

    spec = four_language_spec()
    scale = spec["$defs"]["scale"]["oneOf"]
    assert [c["const"] for c in scale[3:]] == ["dk", "na"] and scale[3]["x-i18n"]["ar"]["title"] == "لا أعرف"
    scale[4]["x-i18n"]["ar"]["title"] = na_label
    form = build_form(spec)
    sets, subs = _submissions(form, 16, 18, fixed=[{"q2": "dk"}, {"q2": "na"}])
    shared = {s.uuid for s, a in zip(subs, sets, strict=True) if {"dk", "na"} & {a.get(q) for q in ("q1", "q2", "q3")}}
    assert 2 <= len(shared) < len(subs)
    got, _, errors = _read_answers(kobo_csv(form, subs, Kobo(lang="ar"), tmp_path / "ar.csv"), form)
    assert set(got) == {s.uuid for s in subs} - shared
    assert {code for code, _, _ in errors} == {"ambiguous-label"} and len(errors) == len(shared)
    assert all("dk, na" in message for _, _, message in errors)
    english, _, errors = _read_answers(kobo_csv(form, subs, Kobo(lang="en"), tmp_path / "en.csv"), form)
    assert errors == [] and set(english) == {s.uuid for s in subs}


SAME = [("الجمارك", "\u200fالجمارك\u200e"), ("الجمارك", "الجمـــارك "), ("إدارة الجمارك", "ادارة  الجمارك"),
        ("أموال", "\u0627\u0654موال"), ("جزئيًا", "جزئيا"), ("المزيّفة", "المزيفة"), ("على", "علي"),
        ("لا أعرف", "\ufefb اعرف"), ("الجمارك", "\ufe8d\ufedf\ufea0\ufee4\ufe8e\ufead\ufed9"), ("١٢ شهرًا", "12 شهرا"),
        ("Policía", "Polici\u0301a"), ("No sabe", "\u202bno  SABE\u202c"), ("Aduanas", "\u2067Aduanas\u2069")]
DIFFERENT = [("الجمارك", "الشرطة"), ("Policía", "Policia"), ("مراجعة", "مراجعه"), ("لا", "لا أعرف")]


@pytest.mark.parametrize("a,b", SAME + DIFFERENT, ids=[f"same-{n}" for n in range(len(SAME))]
                         + [f"different-{n}" for n in range(len(DIFFERENT))])
def test_labels_compare_the_same_however_marks_and_letter_variants_are_written(a, b):
    from cpc_forms.channels.xlsform.readers.labels import comparable
    assert (comparable(a) == comparable(b)) == ((a, b) in SAME)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "ar"])
def test_every_kobo_export_variant_in_spanish_and_arabic_reads_back_every_return(lang, tmp_path):
    """Every choice of Kobo's export dialog (six group separators, with or without groups, summary and/or choice
    columns; CSV and XLSX) in Spanish and in Arabic labels, on the default spec: each return read back whole, with
    score_return's scores, and no column misread (test_server_exports.check_file)."""
    import test_server_exports as exports
    form = load_form(DEFAULT_SPEC)
    if lang not in form.languages:
        pytest.skip(f"the default spec has no {lang} texts yet")
    sets = exports.answer_sets(form, random.Random(19), 6)
    kobo = exports.submissions(form, sets, True)
    for v in [Kobo(lang, sep, groups, multiple) for sep in SEPARATORS for groups in (True, False)
              for multiple in MULTIPLE]:
        for write, kind in ((kobo_csv, "csv"), (kobo_xlsx, "xlsx")):
            path = write(form, kobo, v, tmp_path / f"{v.name}.{kind}")
            items = list(xlsform.read(path, {form.version: form}))
            exports.check_file(form, sets, path, [(None, i) for i in items])
            assert [i.language for i in items if isinstance(i, Response)] == [lang] * len(sets), path.name
