"""The built web form, read as a document: self-contained, labelled, every language, CSP hashes, fresh outputs."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cpc_forms.channels import html
from cpc_forms.collation import in_order, ordered
from cpc_forms.spec import DEFAULT_SPEC, load_form

ROOT = Path(__file__).parent.parent
LANGUAGES = load_form(DEFAULT_SPEC).languages
VOID = {"meta", "link", "input", "br", "hr", "img", "source", "area", "base", "col", "embed", "wbr"}


class _TreeBuilder(HTMLParser):
    """HTML -> ElementTree, so the page can be queried with ElementTree's XPath subset."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = ET.Element("document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        el = ET.SubElement(self.stack[-1], tag, {k: v if v is not None else "" for k, v in attrs})
        if tag not in VOID:
            self.stack.append(el)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data):
        el = self.stack[-1]
        if len(el):
            el[-1].tail = (el[-1].tail or "") + data
        else:
            el.text = (el.text or "") + data


def parse(text: str) -> ET.Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def dump(root: ET.Element) -> list:
    """Every element with its attributes and own text: what a page shows and does, minus formatting."""
    return [(el.tag, sorted(el.attrib.items()), " ".join((el.text or "").split())) for el in root.iter()]


def text_of(el: ET.Element) -> str:
    """The element's text with runs of white space as one space; a no-break space (French: 'judiciaire\u00a0?') is
    text, kept as it is."""
    return " ".join(re.split(r"[ \t\n\r\f\v]+", "".join(el.itertext()).strip(" \t\n\r\f\v")))


def data_of(root: ET.Element) -> dict:
    return json.loads(root.find(".//script[@id='cpc-data']").text)


def test_generate_writes_one_file_per_form(any_form, tmp_path):
    paths = html.generate(any_form, tmp_path)
    assert [p.name for p in paths] == [f"{any_form.id}.html"]
    assert parse(paths[0].read_text(encoding="utf-8")).find(".//form[@id='cpc-form']") is not None


def test_default_form_is_under_320_kb(form, tmp_path):
    (path,) = html.generate(form, tmp_path)
    # 72 questions and 200 country names, every text in English, French, Spanish and Arabic (two bytes a letter)
    assert path.stat().st_size < 320 * 1024


def test_page_refers_to_no_other_file_or_host(any_form):
    root = parse(html.render(any_form, submit_url=None))
    assert root.findall(".//link") == [] and root.findall(".//img") == [] and root.findall(".//iframe") == []
    assert [s for s in root.iter("script") if "src" in s.attrib] == []
    for el in root.iter():
        for name in ("src", "href", "action", "formaction", "data"):
            assert not el.get(name, "#").strip() or el.get(name, "#").startswith("#"), (el.tag, name)
    style = root.find(".//style").text
    assert "url(" not in style and "@import" not in style


def test_every_question_has_a_labelled_control_named_by_its_id(any_form):
    root = parse(html.render(any_form))
    for q in any_form.questions:
        box = root.find(f".//div[@id='q-{q.id}']")
        controls = box.findall(f".//*[@name='{q.id}']")
        assert controls, q.id
        group = box.find("fieldset")
        if group is not None:
            assert group.find("legend") is not None and len(controls) == len(q.choices)
            assert all(c.get("value") == choice.code for c, choice in zip(controls, q.choices, strict=True))
        else:
            (control,) = controls
            assert root.find(f".//label[@for='{control.get('id')}']") is not None, q.id
        described = (group if group is not None else controls[0]).get("aria-describedby").split()
        assert f"e-{q.id}" in described and box.find(f".//p[@id='e-{q.id}']") is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_render_in_each_language_uses_that_languages_texts(form, language):
    root = parse(html.render(form, language=language))
    assert root.find("html").get("lang") == language
    assert text_of(root.find(".//h1")) == form.title[language]
    for q in form.questions:
        assert text_of(root.find(f".//*[@data-t='q:{q.id}']")) == q.label[language]
        box = root.find(f".//div[@id='q-{q.id}']")
        shown = box.findall(".//label[@class='choice']/span") or box.findall(".//option")[1:]
        assert [text_of(el) for el in shown] == [c.label[language] for c in in_order(q, language)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_countries_are_listed_in_the_alphabetical_order_of_the_pages_language(form, language):
    root = parse(html.render(form, language=language))
    q = form.role("country")
    shown = [text_of(el) for el in root.findall(f".//select[@id='i-{q.id}']/option")[1:]]
    assert shown == [name for _, name in ordered([(c.code, c.label[language]) for c in q.choices], language)]
    code = {c.label[language]: c.code for c in q.choices}
    # the order the runtime moves the options into when a person switches to this language
    assert data_of(root)["orders"][q.choice_list][form.languages.index(language)] == [code[name] for name in shown]
    if language == "fr":  # accents ignored: the É and Î names among the E and I, not after Z
        at = shown.index
        assert at("Dominique") < at("Égypte") < at("Espagne") < at("États-Unis") < at("Éthiopie") < at("Fidji")
        assert at("Hongrie") < at("Îles Marshall") < at("Inde") < at("Zimbabwe")


def test_other_lists_keep_the_order_of_the_spec_in_every_language(form):
    data = data_of(parse(html.render(form, language="fr")))
    assert set(data["orders"]) == {form.role("country").choice_list}
    agency = parse(html.render(form, language="fr")).findall(".//div[@id='q-agency']//input")
    assert [el.get("value") for el in agency] == [c.code for c in form.role("agency").choices]


def test_page_data_carries_every_language_for_the_switcher(form):
    texts = data_of(parse(html.render(form)))["texts"]
    for q in form.questions:
        assert texts[f"q:{q.id}"] == [q.label[lang] for lang in form.languages] or \
            texts[f"q:{q.id}"] == q.label[form.default_language]
    switcher = parse(html.render(form)).find(".//select[@id='cpc-lang']")
    assert [o.get("value") for o in switcher.findall("option")] == list(form.languages)


@pytest.mark.parametrize("url", [None, "https://forms.example.org/submit/cpc"], ids=["offline", "served"])
def test_submit_appears_only_with_a_submission_url(form, url):
    root = parse(html.render(form, submit_url=url))
    assert (root.find(".//button[@id='cpc-submit']") is not None) == bool(url)
    assert data_of(root)["submit_url"] == url


def test_live_scores_follow_the_spec(any_form):
    panel = parse(html.render(any_form)).find(".//section[@id='cpc-scores']")
    assert (panel is not None) == any_form.shows_scores
    if panel is not None:
        outputs = {o.get("id") for o in panel.iter("output")}
        assert outputs == {f"score-{s.id}" for s in any_form.scored_sections} | {"score-index", "score-level"}


def test_skip_logic_is_compiled_for_exactly_the_conditional_questions(any_form):
    script = html.page.relevance_script(any_form)
    conditional = {q.id for s in any_form.sections for q in s.questions if s.relevant or q.relevant}
    declared = {line.split(":")[0].strip().strip('"') for line in script.splitlines()[1:-1]}
    assert declared == conditional


def test_inline_hashes_cover_every_script_and_style_block(form):
    page = html.render(form, submit_url="/submit")
    root = parse(page)
    blocks = [el.text or "" for el in root.iter() if el.tag in ("script", "style")]
    expected = [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in blocks]
    assert html.inline_hashes(page) == expected and len(expected) == 4
    assert all(not el.get(a) for el in root.iter() for a in el.attrib if a.startswith("on"))
    assert all("style" not in el.attrib for el in root.iter())


def test_committed_output_is_fresh(form):
    committed = ROOT / "outputs" / f"{form.id}.html"
    assert dump(parse(committed.read_text(encoding="utf-8"))) == dump(parse(html.render(form))), \
        "outputs are stale: regenerate with channels.html.generate(form, Path('outputs'))"
