"""The channels' own words as data: every strings file complete in every language, a missing or malformed text
named by file, language and key, and the XLSForm, web form and server speaking the spec's language from them."""
from __future__ import annotations

import copy
import json
import random

import pytest
from click.testing import CliRunner
from defusedxml.ElementTree import fromstring

from cpc_forms import strings
from cpc_forms.catalogue import Code
from cpc_forms.channels import html as web
from cpc_forms.channels import xlsform
from cpc_forms.channels.html import page
from cpc_forms.channels.xlsform import build
from cpc_forms.cli import main
from cpc_forms.server import create_app
from cpc_forms.spec import DEFAULT_SPEC, build_form, check_document
from cpc_forms.synth import random_answers

from tiny import tiny_spec

TOKEN = "coordinator-token-for-tests"
NS = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
LANGUAGES = ("en", "fr", "es", "ar")


def _spanish_tiny() -> dict:
    """The tiny spec with its French texts relabelled Spanish: a spec in en and es."""
    return json.loads(json.dumps(tiny_spec()).replace('"fr"', '"es"'))


def _default_doc() -> dict:
    return json.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))


def test_every_strings_file_has_every_key_in_en_fr_es_and_ar():
    assert strings.missing(LANGUAGES) == []
    for name in strings.FILES:
        assert set(LANGUAGES) <= set(strings.load(name)), name
    assert list(strings.mismatched({name: strings.load(name) for name in strings.FILES})) == []


@pytest.mark.parametrize("name", strings.FILES, ids=[n.split("/")[1] for n in strings.FILES])
def test_an_arabic_text_removed_from_a_strings_file_is_named_by_file_language_and_key(name):
    tables = {n: copy.deepcopy(strings.load(n)) for n in strings.FILES}
    key = list(tables[name]["ar"])[-1]
    del tables[name]["ar"][key]
    assert strings.missing(["en", "fr"], strings.FILES, tables) == [(name, "ar", key)]


def test_check_fails_naming_the_file_language_and_key_of_a_missing_arabic_text(monkeypatch, tmp_path):
    installed = strings.load
    draft = copy.deepcopy(installed(strings.HTML))
    del draft["ar"]["submit"]
    monkeypatch.setattr(strings, "load", lambda name: draft if name == strings.HTML else installed(name))
    found = [p for p in check_document(_default_doc(), "spec.json") if p.code == Code.MISSING_STRING]
    assert [(p.source, p.location) for p in found] == [(strings.HTML, "/ar/submit")]
    assert "no ar text for 'submit'" in found[0].message
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "generators/html/ui.json:/ar/submit: no ar text for 'submit'" in result.output


def test_a_spec_language_no_strings_file_has_is_refused_key_by_key():
    spec = json.loads(json.dumps(tiny_spec()).replace('"fr"', '"de"'))
    found = [p for p in check_document(spec) if p.code == Code.MISSING_STRING]
    expected = {(name, f"/de/{key}") for name in strings.FILES for key in strings.load(name)["en"]}
    assert {(p.source, p.location) for p in found} == expected


@pytest.mark.parametrize("words, reason", [
    ({"en": {"sent": "reference {id}"}, "ar": {"sent": "المرجع {ident}"}}, "places ['ident'], while en has ['id']"),
    ({"en": {"sent": "reference {id}"}, "ar": {"sent": "المرجع {id"}}, "cannot be filled in"),
], ids=["renamed-place", "unclosed-brace"])
def test_a_text_whose_places_differ_between_languages_is_named(monkeypatch, words, reason):
    monkeypatch.setattr(strings, "load", lambda name: words)
    found = [p for p in strings.check({"x-form": {"languages": ["en"]}}, ["generators/x/strings.json"])]
    assert [(p.code, p.source, p.location) for p in found] == [(Code.BAD_STRINGS, "generators/x/strings.json",
                                                                "/ar/sent")]
    assert reason in found[0].message


@pytest.mark.parametrize("text, reason", [
    ('{"en": {"a": "A"}', "cannot be read"),
    ('["en"]', "expected an object of languages"),
    ('{"en": ["A"]}', "/en must be an object"),
    ('{"en": {"a": 1}}', "/en/a must be a text, not int"),
], ids=["not-json", "not-an-object", "language-not-an-object", "text-not-a-string"])
def test_a_malformed_strings_file_is_refused_with_its_name(monkeypatch, text, reason):
    name = f"generators/test/{abs(hash(text))}.json"  # a name of its own: load() keeps what it has read
    monkeypatch.setattr(strings.resources, "read_text", lambda _: text)
    found = list(strings.check({"x-form": {"languages": ["en"]}}, [name]))
    assert [(p.code, p.source) for p in found] == [(Code.BAD_STRINGS, name)] and reason in found[0].message


@pytest.mark.parametrize("language, block", [("fr", "fr"), ("fr-CA", "fr"), ("FR_ca", "fr"), ("ar-EG", "ar"),
                                             ("pt-BR", None), ("f", None)],
                         ids=["same", "regional", "case-and-underscore", "arabic-regional", "absent", "prefix-only"])
def test_a_regional_language_takes_its_base_block_and_nothing_else(language, block):
    assert strings.block_for(strings.load(strings.XLSFORM), language) == block


def test_no_text_is_taken_from_english_for_a_language_a_file_lacks():
    with pytest.raises(strings.StringsError, match="generators/server/strings.json has no texts in pt"):
        strings.text(strings.SERVER, "pt", "created", id=1)
    assert strings.text(strings.XLSFORM, "fr-CA", "labelled", label="Niveau", value="x") == "Niveau\u00a0: x"


def test_the_xlsform_final_page_speaks_spanish_from_the_strings_file():
    spec = _spanish_tiny()
    spec["x-form"]["live_scores"] = "live"
    form = build_form(spec)
    notes = {row["name"]: row for row in build.survey(form) if row["type"] in ("begin_group", "note")}
    assert notes["sc_result"]["label::es (es)"] == strings.text(strings.XLSFORM, "es", "scores")
    assert notes["sc_index_note"]["label::es (es)"] == "Índice global: ${sc_index_disp}"
    assert notes["sc_level_low"]["label::es (es)"].startswith("Nivel: ")
    assert notes["sc_index_note"]["label::en (en)"] == "Overall index: ${sc_index_disp}"


def test_pyxform_carries_the_arabic_score_page_into_the_xform(tmp_path):
    spec = json.loads(json.dumps(tiny_spec()).replace('"fr"', '"ar"'))
    spec["x-form"].update(live_scores="live", language_names={"en": "English", "ar": "العربية"})
    form = build_form(spec)
    xform = fromstring(xlsform.to_xform(xlsform.write_xlsform(form, tmp_path / "tiny.xlsx")).xform)
    arabic = xform.find("h:head/x:model/x:itext/x:translation[@lang='العربية (ar)']", NS)
    index = arabic.find("x:text[@id='/data/sc_result/sc_index_note:label']/x:value", NS)
    group = arabic.find("x:text[@id='/data/sc_result:label']/x:value", NS)
    assert index.text.strip() == "المؤشر العام:" and index.find("x:output", NS).get("value") == " /data/sc_index_disp "
    assert group.text.strip() == "الدرجات (0-100)، محسوبة على أساس إجاباتكم"


def test_a_spec_message_overrides_the_strings_file_on_the_xlsform_final_page():
    spec = _spanish_tiny()
    spec["x-form"]["messages"] = {"index": {"en": "Partnership index", "es": "Índice de asociación"}}
    assert build.ui_text(build_form(spec), "index") == {"en": "Partnership index", "es": "Índice de asociación"}


def test_the_web_form_shows_its_buttons_in_spanish():
    form = build_form(_spanish_tiny())
    assert page.texts(form)["es"]["u:submit"] == "Enviar"
    assert page.ui_texts(form)["es"] == dict(strings.load(strings.HTML)["es"])


def _client(form, tmp_path):
    return create_app(form, tmp_path / "s.sqlite", TOKEN, rate_per_minute=0).test_client()


@pytest.mark.parametrize("accept, language", [("fr-CA,fr;q=0.9", "fr"), ("es", "es"), ("de", "en"), (None, "en")],
                         ids=["french-canada", "spanish", "unoffered-german", "no-header"])
def test_the_server_answers_in_the_request_language_among_the_forms(tmp_path, accept, language):
    spec = tiny_spec()
    spec["x-form"]["languages"] = ["en", "fr", "es"]
    for node in json_nodes(spec):
        node["x-i18n"]["es"] = {k: f"{v} (es)" for k, v in node["x-i18n"]["fr"].items()}
    form = build_form(spec)
    client = _client(form, tmp_path)
    headers = {"Accept-Language": accept} if accept else {}
    sent = web.envelope(form, random_answers(form, random.Random(1)))
    resp = client.post("/submissions", json=sent, headers=headers)
    body = resp.get_json()
    assert resp.status_code == 201
    assert body["message"] == strings.text(strings.SERVER, language, "created", id=body["id"])
    unauthorized = client.get("/admin/health", headers=headers)
    assert (unauthorized.status_code, unauthorized.get_json()["message"]) == (
        401, strings.text(strings.SERVER, language, "unauthorized"))
    lost = client.get("/no/such/page", headers=headers)
    assert (lost.status_code, lost.get_json()["message"]) == (404, strings.text(strings.SERVER, language, "http_404"))


def json_nodes(node):
    """Every object of a spec that carries x-i18n."""
    if isinstance(node, dict):
        if "x-i18n" in node:
            yield node
        for value in node.values():
            yield from json_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from json_nodes(value)


def test_more_than_three_refusals_are_summed_up_in_the_request_language(tmp_path):
    client = _client(build_form(tiny_spec()), tmp_path)
    bad = {"form_id": 1, "form_version": 2, "instance_id": 3, "submitted": 4, "answers": 5}
    body = client.post("/submissions", json=bad, headers={"Accept-Language": "fr"}).get_json()
    assert body["message"].endswith(" (et 2 de plus)") and len(body["problems"]) == 5


def test_a_language_one_file_begins_must_be_whole_in_every_file():
    tables = {n: copy.deepcopy(strings.load(n)) for n in strings.FILES}
    tables[strings.HTML]["de"] = {"submit": "Senden"}
    found = strings.missing(["en"], strings.FILES, tables)
    assert {(name, key) for name, lang, key in found if lang == "de"} == {
        (name, key) for name in strings.FILES for key in tables[name]["en"]} - {(strings.HTML, "submit")}
    assert {lang for _, lang, _ in found} == {"de"}
