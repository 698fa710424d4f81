"""The web form right to left: lang and dir per language, flipped live by the language switch, logical CSS, figures
kept left to right, and Chromium filling the form in Arabic and Spanish to the scores of scoring.score_return."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from cpc_forms.channels import html
from cpc_forms.channels.html.page import direction, ui_texts, widget
from cpc_forms.spec import DEFAULT_SPEC, build_form, check_document, load_form
from cpc_forms.synth import random_answers

from test_html_browser import assert_offline, check_scores, download, expected, fill, read_back, reopen, session
from test_html_page import data_of, parse, text_of
from tiny import gated_spec, translated

CSS = Path(__file__).parent.parent / "generators" / "html" / "form.css"
DEFAULT_LANGUAGES = load_form(DEFAULT_SPEC).languages  # es and ar join once the spec has their texts
SETS = 10
# the page's language, direction, and the direction the browser computed for the body
DIRECTION = ("() => [document.documentElement.lang, document.documentElement.dir, "
             "getComputedStyle(document.body).direction]")
# which side of its question box a question's label text and its first choice's control stand on
SIDES = """id => { const box = document.getElementById('q-' + id).getBoundingClientRect();
  const words = document.querySelector('#q-' + id + ' [data-t]').getBoundingClientRect();
  const input = document.querySelector('#q-' + id + ' input').getBoundingClientRect();
  const label = document.querySelector('#q-' + id + ' .choice span').getBoundingClientRect();
  return [box.right - words.right < words.left - box.left ? 'right' : 'left',
          input.left > label.left ? 'right' : 'left']; }"""

LANGUAGES = ["en", "fr", "es", "ar"]
# English text -> (Spanish, Arabic); codes and numbers inside the Arabic (Q1, II.a, 12) kept as a translator keeps them
WORDS = {
    "Tiny": ("Evaluación breve", "تقييم موجز للتعاون بين الجمارك والشرطة"),
    "Who": ("Quién responde", "من يجيب"),
    "Agency": ("Administración", "الإدارة"),
    "Unit": ("Unidad", "الوحدة"),
    "Customs": ("Aduanas", "الجمارك"),
    "Police": ("Policía", "الشرطة"),
    "Perceived": ("Nivel percibido", "المستوى المُدرَك"),
    "Date of the last joint exercise": ("Fecha del último ejercicio conjunto", "تاريخ آخر تمرين مشترك"),
    "Change in joint seizures (%)": ("Variación de las incautaciones conjuntas (%)", "تغيّر المضبوطات المشتركة (%)"),
    "One": ("Intercambio de información", "تبادل المعلومات"),
    "Two": ("Operaciones conjuntas", "العمليات المشتركة"),
    "Q1": ("Q1: ¿Comparten Aduanas y Policía sus bases de datos?", "Q1: هل تتقاسم الجمارك والشرطة قواعد بياناتهما؟"),
    "Q2": ("Q2: ¿Existe un acuerdo escrito (Manual, II.a)?", "Q2: هل يوجد اتفاق مكتوب (الدليل، II.a)؟"),
    "Q3": ("Q3: ¿Se aplica en todo el país?", "Q3: هل يُطبَّق في جميع أنحاء البلد؟"),
    "N1": ("N1: operaciones conjuntas en 12 meses", "N1: عدد العمليات المشتركة خلال 12 شهرًا"),
    "M1": ("M1: ámbitos de cooperación", "M1: مجالات التعاون"),
    "Scale": ("Escala", "المقياس"),
    "No": ("No", "لا"),
    "Partly": ("En parte", "جزئيًا"),
    "Fully": ("Plenamente", "كليًا"),
    "Don't know": ("No sabe", "لا أعرف"),
    "N/A": ("No procede", "لا ينطبق"),
    "Levels": ("Niveles", "المستويات"),
    "low": ("bajo", "منخفض"), "mid": ("medio", "متوسط"), "high": ("alto", "مرتفع"),
    "Low": ("Bajo", "منخفض"), "Mid": ("Medio", "متوسط"), "High": ("Alto", "مرتفع"),
    "Areas": ("Ámbitos", "المجالات"),
    "a": ("drogas", "المخدرات"), "b": ("armas", "الأسلحة"), "c": ("fraude", "الاحتيال"), "d": ("PNR/API", "PNR/API"),
    "Q2 in place": ("Q2 en vigor", "Q2 قائم"),
    "Area a and Q3 fully": ("Ámbito a y Q3 plenamente", "المجال a وQ3 كليًا"),
}
MESSAGES = {"required": ("This answer is required.", "Cette réponse est obligatoire.",
                         "Esta respuesta es obligatoria.", "هذه الإجابة إلزامية."),
            "constraint": ("This value is not allowed here.", "Cette valeur n'est pas admise ici.",
                           "Este valor no se admite aquí.", "هذه القيمة غير مقبولة هنا.")}
NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية"}


def four_language_spec() -> dict:
    """A fresh gated tiny spec in en, fr, es and ar with live scores, its agency required, a date, a unit's name
    and a decimal from -50 to 50."""
    spec = gated_spec()
    spec["x-form"].update(id="tiny_rtl", languages=list(LANGUAGES), language_names=dict(NAMES), live_scores="live",
                          messages={k: dict(zip(LANGUAGES, v, strict=True)) for k, v in MESSAGES.items()})
    who = spec["properties"]["who"]["properties"]
    who["agency"]["x-required"] = True
    who["since"] = {"type": "string", "format": "date", "title": "Date of the last joint exercise",
                    "x-i18n": {"fr": {"title": "Date du dernier exercice conjoint"}}}
    who["unit"] = {"type": "string", "maxLength": 80, "title": "Unit", "x-i18n": {"fr": {"title": "Unité"}}}
    who["trend"] = {"type": "number", "minimum": -50, "maximum": 50, "title": "Change in joint seizures (%)",
                    "x-i18n": {"fr": {"title": "Évolution des saisies conjointes (%)"}}}
    return translated(spec, WORDS)


@pytest.fixture(scope="module")
def four():
    spec = four_language_spec()
    assert [p for p in check_document(spec) if p.severity == "error"] == []
    return build_form(spec)


def page_file(folder: Path, form, language: str, **options) -> Path:
    path = folder / f"{form.id}-{language}.html"
    path.write_text(html.render(form, language=language, **options), encoding="utf-8")
    return path


@pytest.mark.parametrize("language, expected_direction", [
    ("ar", "rtl"), ("ar-MA", "rtl"), ("AR_eg", "rtl"), ("fa", "rtl"), ("he", "rtl"), ("ur", "rtl"),
    ("en", "ltr"), ("fr-CA", "ltr"), ("es-419", "ltr"), ("arn", "ltr")])
def test_a_language_is_written_in_its_scripts_direction(language, expected_direction):
    assert direction(language) == expected_direction


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_the_page_carries_its_languages_lang_and_dir(four, language):
    root = parse(html.render(four, language=language))
    page = root.find("html")
    assert (page.get("lang"), page.get("dir")) == (language, "rtl" if language == "ar" else "ltr")
    assert text_of(root.find(".//h1")) == four.title[language]
    switcher = root.findall(".//select[@id='cpc-lang']/option")
    assert [(o.get("value"), o.get("lang"), o.get("dir")) for o in switcher] == \
        [("en", "en", "ltr"), ("fr", "fr", "ltr"), ("es", "es", "ltr"), ("ar", "ar", "rtl")]
    assert data_of(root)["directions"] == ["ltr", "ltr", "ltr", "rtl"]


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_the_default_form_carries_each_of_its_languages_direction(form, language):
    page = parse(html.render(form, language=language)).find("html")
    assert (page.get("lang"), page.get("dir")) == (language, direction(language))


def test_figures_and_typed_numbers_dates_and_addresses_read_left_to_right(four):
    root = parse(html.render(four, language="ar"))
    typed = [q for q in four.questions if widget(q) in ("number", "date", "email")]
    assert {widget(q) for q in typed} == {"number", "date"}
    assert "text" in {widget(q) for q in four.questions}
    assert [root.find(f".//input[@id='i-{q.id}']").get("dir") for q in typed] == ["ltr"] * len(typed)
    assert [root.find(f".//span[@id='n-{s.id}']").get("dir") for s in four.sections] == ["ltr"] * len(four.sections)
    words = [q for q in four.questions if widget(q) in ("text", "textarea", "radio", "checkbox", "select")]
    assert all(el.get("dir") is None for q in words for el in root.find(f".//div[@id='q-{q.id}']").iter())


PHYSICAL = re.compile(r"\b(left|right)\b")  # margin-left, border-right-color, text-align: left, float: right


def test_the_stylesheet_names_no_left_or_right_only_logical_sides():
    rules = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    assert PHYSICAL.findall(rules) == []
    for side in ("margin-inline-start", "border-inline-start", "text-align: start"):
        assert side in rules


def test_the_language_switch_turns_the_page_around_live(browser, four, tmp_path):
    with session(browser, page_file(tmp_path, four, "ar")) as s:
        page = s.page
        assert page.evaluate(DIRECTION) == ["ar", "rtl", "rtl"]
        assert page.evaluate(SIDES, "agency") == ["right", "right"]
        download(s, tmp_path)
        for language in ("en", "ar", "es", "fr", "ar"):
            page.select_option("#cpc-lang", language)
            side = "right" if language == "ar" else "left"
            assert page.evaluate(DIRECTION) == [language, direction(language), direction(language)]
            assert page.evaluate(SIDES, "agency") == [side, side]
            assert page.locator("h1").text_content() == four.title[language]
            assert page.locator("#cpc-download").text_content() == ui_texts(four)[language]["download"]
            # the status line written in another language is written again in this one
            assert page.locator("#cpc-status").text_content() == ui_texts(four)[language]["downloaded"]
        page.locator('#q-agency input[value="police"]').check()
        reopen(page)  # the draft keeps the language, and the page comes back right to left
        assert page.evaluate(DIRECTION) == ["ar", "rtl", "rtl"]
        counts = page.evaluate("() => Array.from(document.querySelectorAll('.count')).map(e => "
                               "[e.textContent, getComputedStyle(e).direction])")
        assert counts[0] == [f"1 / {len(four.sections[0].questions)}", "ltr"] and {d for _, d in counts} == {"ltr"}
        assert_offline(s)


def test_numbers_and_dates_are_typed_and_checked_in_an_arabic_page(browser, four, tmp_path):
    with session(browser, page_file(tmp_path, four, "ar")) as s:
        page = s.page
        style = "id => [getComputedStyle(document.getElementById(id)).direction, " \
                "getComputedStyle(document.getElementById(id)).unicodeBidi]"
        for qid in ("trend", "since", "n1"):
            assert page.evaluate(style, f"i-{qid}") == ["ltr", "isolate"]
        # free text: an empty field on the page's side, a unit's name typed in French laid out left to right
        assert page.evaluate(style, "i-unit") == ["rtl", "plaintext"]
        page.fill("#i-unit", "Brigade mobile 3 (Nord)")
        page.fill("#i-trend", "-60")
        page.click("#cpc-download")
        message = MESSAGES["constraint"][LANGUAGES.index("ar")]
        assert page.locator("#e-trend").text_content() == message
        label = next(q.label["ar"] for q in four.questions if q.id == "trend")
        assert page.locator("#cpc-summary li").all_text_contents() == \
            [ui_texts(four)["ar"]["problem"].format(question=label, message=message)]
        page.select_option("#cpc-lang", "fr")  # the summary in French typography, then back in Arabic
        assert page.locator("#cpc-summary li").text_content().startswith("Évolution des saisies conjointes (%)\u00a0: ")
        page.select_option("#cpc-lang", "ar")
        assert s.downloads == []
        page.fill("#i-trend", "-12.5")
        page.fill("#i-since", "2024-02-29")
        page.fill("#i-n1", "7")
        answers = read_back(download(s, tmp_path), four).answers
        assert (answers["trend"], answers["since"], answers["n1"], answers["unit"]) == \
            (-12.5, "2024-02-29", 7, "Brigade mobile 3 (Nord)")
        assert page.locator("#cpc-status").text_content() == ui_texts(four)["ar"]["downloaded"]
        assert page.evaluate(style, "score-s2") == ["ltr", "isolate"]
        assert_offline(s)


def test_a_reference_from_the_server_is_isolated_inside_the_arabic_receipt(browser, four, tmp_path):
    url = "https://forms.example.org/submit/tiny"
    answers = random_answers(four, random.Random(3), fill=1.0)
    with session(browser, page_file(tmp_path, four, "ar", submit_url=url)) as s:
        page = s.page
        page.route(url, lambda route: route.fulfill(status=201, content_type="application/json",
                                                    body='{"status": "created", "id": 42, "message": "received"}'))
        fill(page, four, answers)
        page.click("#cpc-submit")
        page.wait_for_selector("#cpc-status bdi")
        assert page.locator("#cpc-status").text_content() == "أُرسلت: استُلمت إجاباتكم (المرجع 42)."
        assert page.locator("#cpc-status bdi").text_content() == "42"
        assert_offline(s, allowed=(url,))


@pytest.mark.parametrize("language", ["es", "ar"])
@pytest.mark.parametrize("seed", range(SETS))
def test_the_tiny_form_filled_in_spanish_and_arabic_scores_as_python(browser, four, tmp_path, artifacts, seed,
                                                                      language):
    filled_in(browser, four, language, seed, tmp_path, artifacts)


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
@pytest.mark.parametrize("seed", range(SETS))
def test_the_default_form_filled_in_each_of_its_languages_scores_as_python(browser, form, tmp_path, artifacts, seed,
                                                                             language):
    filled_in(browser, form, language, seed, tmp_path, artifacts)


def filled_in(browser, form, language, seed, folder, artifacts) -> None:
    """Chromium answers a page opened in one language through its controls; its scores and download equal Python's."""
    answers = random_answers(form, random.Random(seed))
    with session(browser, page_file(folder, form, language)) as s:
        page = s.page
        assert page.evaluate(DIRECTION) == [language, direction(language), direction(language)]
        fill(page, form, answers)
        check_scores(page, form, answers, language)
        response = read_back(download(s, folder), form)
        assert dict(response.answers) == expected(form, answers)
        assert response.language == language
        if seed == 0:
            page.screenshot(path=str(artifacts / f"html-{form.id}-{language}.png"), full_page=True)
        assert_offline(s)
