"""The instrument in INTERPOL's four languages: every text of the default spec in en, fr, es and ar, a missing
Arabic text named by its place, the country list from CLDR, and the translator's round trip (export, merge)."""
from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cpc_forms.catalogue import Code
from cpc_forms.cli import main
from cpc_forms.spec import DEFAULT_SPEC, build_form, check_document, load_form

from tiny import tiny_spec, write

TOOLS = Path(__file__).parent.parent / "spec" / "tools"
LANGUAGES = ["en", "fr", "es", "ar"]


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _default() -> dict:
    return json.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))


def test_the_default_spec_speaks_the_four_languages_and_check_passes():
    form = load_form(None)
    assert list(form.languages) == LANGUAGES
    assert form.language_names["ar"] == "العربية" and form.language_names["es"] == "Español"
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    assert "languages en, fr, es, ar" in result.output


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_text_of_the_default_spec_is_translated(language):
    translations = _tool("translations")
    rows = translations.table(_default())
    assert len(rows) > 300
    untranslated = [place for place, texts in rows.items() if not texts.get(language)]
    assert untranslated == []


def test_an_arabic_text_removed_from_the_spec_is_named_by_its_place():
    doc = _default()
    question = doc["properties"]["governance"]["properties"]["b3"]
    del question["x-i18n"]["ar"]["title"]
    found = [p for p in check_document(doc, "spec.json") if p.code == Code.MISSING_TRANSLATION]
    assert [(p.location, p.severity) for p in found] == [("/properties/governance/properties/b3/title", "error")]
    assert "ar" in found[0].message


def test_an_arabic_recommendation_removed_from_the_spec_is_named_by_its_place():
    doc = _default()
    section = next(s for s in doc["properties"].values() if s.get("x-recommendations"))
    del section["x-recommendations"][0]["x-i18n"]["ar"]
    found = [p for p in check_document(doc, "spec.json") if p.code == Code.MISSING_TRANSLATION]
    assert len(found) == 1 and found[0].location.endswith("/x-recommendations/0/text")


@pytest.mark.parametrize("language, iso3, name", [
    ("es", "DEU", "Alemania"), ("ar", "DEU", "ألمانيا"), ("es", "PSE", "Palestina"), ("ar", "EGY", "مصر"),
], ids=["es-germany", "ar-germany", "es-override", "ar-egypt"])
def test_the_country_list_names_each_country_in_each_language(language, iso3, name):
    country = next(q for q in load_form(None).questions if q.id == "country")
    assert next(c for c in country.choices if c.code == iso3).label[language] == name


def test_the_country_list_is_the_one_members_csv_and_cldr_give():
    assert _tool("countries").main(["--check"]) == 0


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_a_translator_round_trip_adds_a_language_to_a_spec(tmp_path, suffix):
    translations = _tool("translations")
    spec_path = write(tiny_spec(), tmp_path)
    sheet = tmp_path / f"texts-es{suffix}"
    assert translations.main(["export", "es", str(sheet), "--spec", str(spec_path)]) == 0
    if suffix == ".csv":
        with sheet.open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert rows[0].keys() == {"place", "en", "fr", "es"} and all(r["es"] == "" for r in rows)
        filled = [{**r, "es": f"{r['en']} (es)"} for r in rows]
        with sheet.open("w", encoding="utf-8-sig", newline="") as f:
            out = csv.DictWriter(f, ["place", "en", "fr", "es"])
            out.writeheader()
            out.writerows(filled)
    else:
        rows = json.loads(sheet.read_text(encoding="utf-8"))
        sheet.write_text(json.dumps({p: {**t, "es": f"{t['en']} (es)"} for p, t in rows.items()}), encoding="utf-8")
    assert translations.main(["merge", "es", str(sheet), "--spec", str(spec_path)]) == 0
    doc = json.loads(spec_path.read_text(encoding="utf-8"))
    assert doc["x-form"]["languages"] == ["en", "fr", "es"]
    assert [p for p in check_document(doc) if p.code == Code.MISSING_TRANSLATION] == []
    form = build_form(doc)
    assert form.sections[1].label["es"] == "One (es)"
    assert form.levels[2].label["es"] == "High (es)"


def test_a_merge_names_a_place_the_spec_does_not_have(tmp_path, capsys):
    translations = _tool("translations")
    spec_path = write(tiny_spec(), tmp_path)
    sheet = tmp_path / "texts-ar.json"
    sheet.write_text(json.dumps({"/properties/s1/title": {"ar": "واحد"}, "/properties/gone/title": {"ar": "x"}}),
                     encoding="utf-8")
    assert translations.main(["merge", "ar", str(sheet), "--spec", str(spec_path)]) == 1
    assert "/properties/gone/title names no text" in capsys.readouterr().err
    doc = json.loads(spec_path.read_text(encoding="utf-8"))
    assert doc["properties"]["s1"]["x-i18n"]["ar"] == {"title": "واحد"}
