"""The XLSForm and XForm built from a spec: accepted by pyxform and ODK Validate with no warning, every
expression compiled from the spec, every language present, committed outputs up to date."""
from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml.ElementTree import parse
from openpyxl import load_workbook

from cpc_forms import conditions
from cpc_forms.channels import xlsform
from cpc_forms.channels.xlsform import build, scoring
from cpc_forms.spec import build_form

from tiny import tiny_spec

ROOT = Path(__file__).parent.parent
NS = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms",
      "jr": "http://openrosa.org/javarosa"}


def cells(path: Path) -> dict:
    """sheet -> rows of cell values: what a person (or pyxform) reads in the workbook."""
    wb = load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def elements(path: Path) -> list:
    """Every element of an XML file as (tag, attributes, text)."""
    return [(e.tag, sorted(e.attrib.items()), (e.text or "").strip()) for e in parse(path).getroot().iter()]


def rows(sheet: list) -> list:
    header = sheet[0]
    return [dict(zip(header, r, strict=True)) for r in sheet[1:]]


@pytest.fixture(scope="module")
def built(any_form, tmp_path_factory):
    out = tmp_path_factory.mktemp(any_form.id)
    xlsx, xml = xlsform.generate(any_form, out)
    return any_form, xlsx, xml


def test_pyxform_and_odk_validate_accept_it_with_no_warning(built, java):
    form, xlsx, _ = built
    result = xlsform.to_xform(xlsx, validate=True)
    assert result.warnings == []


def test_settings_identify_the_form(built):
    form, xlsx, xml = built
    settings = rows(cells(xlsx)["settings"])[0]
    assert (settings["form_id"], settings["version"]) == (form.id, form.version)
    assert settings["default_language"].endswith(f"({form.default_language})")
    instance = parse(xml).getroot().find("h:head/x:model/x:instance/*", NS)
    assert (instance.get("id"), instance.get("version")) == (form.id, form.version)
    name = parse(xml).getroot().find("h:head/x:model/x:bind[@nodeset='/data/meta/instanceName']", NS)
    for role in ("country", "agency", "date"):
        if form.role(role) is not None:
            assert f"/{form.role(role).id} " in name.get("calculate")


def test_every_question_is_in_its_group_with_compiled_expressions(built):
    form, xlsx, xml = built
    survey = {r["name"]: r for r in rows(cells(xlsx)["survey"]) if r["type"] != "end_group"}
    model = parse(xml).getroot().find("h:head/x:model", NS)
    for q in form.questions:
        row = survey[q.id]
        assert row["relevant"] == (conditions.to_xpath(q.relevant, form) if q.relevant else None)
        assert (row["required"] == "yes") == q.required
        bind = model.find(f"x:bind[@nodeset='/data/{q.section}/{q.id}']", NS)
        assert bind is not None, q.id
        assert (bind.get("required") == "true()") == q.required
        if q.required:
            assert bind.get(f"{{{NS['jr']}}}requiredMsg")
        assert (bind.get("constraint") is not None) == (build.constraint(q) is not None)
    for s in form.sections:
        assert survey[s.id]["type"] == "begin_group"


def test_every_language_has_every_text(built):
    form, xlsx, xml = built
    translations = parse(xml).getroot().findall("h:head/x:model/x:itext/x:translation", NS)
    assert sorted(t.get("lang") for t in translations) == sorted(
        f"{form.language_names.get(lang, lang)} ({lang})" for lang in form.languages)
    ids = [{t.get("id") for t in tr.findall("x:text", NS) if (t.findtext("x:value", "", NS) or "").strip()}
           for tr in translations]
    assert all(i == ids[0] for i in ids) and ids[0]


def test_scores_are_calculated_and_shown(built):
    form, xlsx, xml = built
    survey = {r["name"]: r for r in rows(cells(xlsx)["survey"]) if r["type"] != "end_group"}
    for s in form.scored_sections:
        assert survey[f"sc_{s.id}_score"]["type"] == "calculate"
        for q in s.scored_questions:
            assert scoring.item_relevance(form, q) in survey[f"sc_{q.id}_app"]["calculation"]
    assert survey["sc_level"]["type"] == "calculate"
    notes = [r for r in survey.values() if r["type"] == "note"]
    assert bool(notes) == form.shows_scores
    if form.shows_scores:
        assert {r["name"] for r in notes} >= {f"sc_level_{lv.code}" for lv in form.levels}


def test_country_list_is_searchable(form):
    row = build.question_row(form, form.role("country"))
    assert "autocomplete" in row["appearance"]


def test_committed_outputs_are_up_to_date(form, tmp_path):
    fresh_xlsx, fresh_xml = xlsform.generate(form, tmp_path)
    committed = ROOT / "outputs"
    assert cells(committed / fresh_xlsx.name) == cells(fresh_xlsx), "run: python -m cpc_forms build"
    assert elements(committed / fresh_xml.name) == elements(fresh_xml), "run: python -m cpc_forms build"


@pytest.mark.parametrize("mode", ["off", "after-submit", "live", True, False], ids=str)
def test_the_result_page_follows_the_live_score_mode(mode):
    spec = tiny_spec()
    spec["x-form"]["live_scores"] = mode
    form = build_form(spec)
    survey = {row["name"]: row for row in build.survey(form) if row["type"] == "begin_group"}
    assert (build.RESULT_GROUP in survey) == (mode not in ("off", False))
    if mode == "after-submit":  # the perceived level is judged before any score is seen
        assert survey[build.RESULT_GROUP]["relevant"] == "string-length(${seen}) > 0"
    elif build.RESULT_GROUP in survey:
        assert "relevant" not in survey[build.RESULT_GROUP]


def _itext(xml: Path, lang: str) -> dict:
    """text id -> value of one language's itext (a language named as the XLSForm's column suffix)."""
    tr = parse(xml).getroot().find(f"h:head/x:model/x:itext/x:translation[@lang='{lang}']", NS)
    assert tr is not None, lang
    return {t.get("id"): "".join(t.find("x:value", NS).itertext()).strip() for t in tr.findall("x:text", NS)}


def test_spanish_and_arabic_columns_itext_and_odk_validate(java, tmp_path):
    """A spec in en, fr, es and ar: every translatable column in four languages, each an itext translation of
    its own, ODK Validate content; Arabic needs nothing more (Collect and Enketo set the direction)."""
    from xlsform_languages import NAMES, four_language_spec
    spec = four_language_spec()
    spec["x-form"]["live_scores"] = "live"
    form = build_form(spec)
    xlsx, xml = xlsform.generate(form, tmp_path)
    assert xlsform.to_xform(xlsx, validate=True).warnings == []
    book = cells(xlsx)
    suffixes = [f"{NAMES[lang]} ({lang})" for lang in ("en", "fr", "es", "ar")]
    for sheet, columns in (("survey", ("label", "hint", "required_message", "constraint_message")),
                           ("choices", ("label",))):
        assert {f"{c}::{s}" for c in columns for s in suffixes} <= set(book[sheet][0]), sheet
    assert book["settings"][0][3] == "default_language" and book["settings"][1][3] == "English (en)"
    itext = {lang: _itext(xml, f"{NAMES[lang]} ({lang})") for lang in form.languages}
    assert all(set(texts) == set(itext["en"]) for texts in itext.values())
    q1, n1 = form.question("q1"), form.question("n1")
    for lang in ("es", "ar"):
        texts = itext[lang]
        assert texts["/data/s1/q1:label"] == q1.label[lang]
        assert texts["/data/s2/n1:hint"] == n1.hint[lang]
        assert texts["/data/s2/n1:jr:constraintMsg"] == form.messages["constraint"][lang]
        assert texts["/data/who/agency:jr:requiredMsg"] == form.messages["required"][lang]
        assert texts["/data/who/agency:hint"] == form.question("agency").hint[lang]
        assert sorted(v for k, v in texts.items() if k.startswith("scale-")) == sorted(
            c.label[lang] for c in q1.choices)
        level = form.levels[0]
        assert texts[f"/data/{build.RESULT_GROUP}/{scoring.PREFIX}level_{level.code}:label"].startswith(
            build.labelled(lang, build.ui_text(form, "level")[lang], level.label[lang])[:6])
    assert itext["ar"]["/data/s2:label"] == "العمليات المشتركة"
    assert itext["ar"][f"/data/{build.RESULT_GROUP}:label"] == build.ui_text(form, "scores")["ar"]
    assert "المؤشر العام" in itext["ar"][f"/data/{build.RESULT_GROUP}/{scoring.PREFIX}index_note:label"]


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_default_spec_columns_in_each_of_its_languages(form, lang):
    """The default spec in Spanish and Arabic (once it has them): every text the XLSForm has in the default
    language (label, hint, required and constraint messages, choices, the result page) it has in that language."""
    if lang not in form.languages:
        pytest.skip(f"the default spec has no {lang} texts yet")
    assert build.column("label", form, lang) == f"label::{form.language_names.get(lang, lang)} ({lang})"
    default = f"::{form.language_names.get(form.default_language)} ({form.default_language})"
    for sheet, rows_ in (("survey", build.survey(form)), ("choices", build.choices(form))):
        texts = [(row, key[:-len(default)]) for row in rows_ for key in row if key.endswith(default)]
        assert len(texts) > len(rows_) // 2 and {kind for _, kind in texts} >= {"label"}
        missing = [(row.get("list_name"), row["name"], kind) for row, kind in texts
                   if not row.get(build.column(kind, form, lang))]
        assert missing == [], sheet
    kinds = {key.split("::")[0] for row in build.survey(form) for key in row if "::" in key}
    assert kinds >= {"label", "hint", "required_message", "constraint_message"}
