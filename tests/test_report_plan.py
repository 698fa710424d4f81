"""scores.xlsx's Action plan: a row per country and weak section, the level its key elements held back first, with
the recommendation and its chapter in the report's language; laid out as a plan (header frozen, a filter, wrapped
texts, a status list, a date deadline, right to left in Arabic). LibreOffice opens it: test_report_libreoffice."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from cpc_forms.aggregate import figures
from cpc_forms.demo import synthesise
from cpc_forms.ingest import run
from cpc_forms.model import Report, Response, ScoredReturn
from cpc_forms.report import plan, write_all
from cpc_forms.report.labels import STRINGS
from cpc_forms.scoring import score_return
from cpc_forms.spec import build_form, check_document, form_versions, load_form

from conftest import DEFAULT_SPEC
from test_recommendations import advised_spec

# plan_report: two countries whose figures are known by hand (the advised tiny spec of test_recommendations).
# AAA (Customs and Police answer alike): s1 75 (q1 2, q2 2 of weight 2, q3 0), s2 25 (n1 0, m1 one area), index 50,
# the band of mid, whose key element (q2 at 1 or 2) is in place: level mid. Above it, high from 60: s2 is weak.
# BBB: s1 0 (q1 0, q2 0; q3 not asked), s2 100 (n1 9, m1 three areas), index 50, the band of mid, but q2 is 0 in
# every return: held at low by mid. Above low, mid from 20: s1 is weak.
COUNTRIES = {"AAA": ("Avalon", "Avalonie"), "BBB": ("Brigadoon", "Brigadoune")}
ANSWERS = {"AAA": {"q1": "2", "q2": "2", "q3": "0", "n1": 0, "m1": ["a"]},
           "BBB": {"q1": "0", "q2": "0", "n1": 9, "m1": ["a", "b", "c"]}}
LANGUAGES = ("en", "fr", "es", "ar")


def _more_languages(node) -> None:
    """Every text with a French one gets a Spanish and an Arabic one: its English marked (es), (ar)."""
    if isinstance(node, dict):
        given = node.get("x-i18n", {})
        for lang in ("es", "ar") if "fr" in given else ():
            given[lang] = {key: f"{node[key]} ({lang})" for key in given["fr"]}
        for value in node.values():
            _more_languages(value)
    elif isinstance(node, list):
        for value in node:
            _more_languages(value)


def plan_spec(agency: bool = True, advised: bool = True) -> dict:
    """The advised tiny spec (test_recommendations) in four languages with a country question; without its agency
    question or its recommendations on request."""
    spec = advised_spec()
    spec["x-form"]["languages"] = list(LANGUAGES)
    who = spec["properties"]["who"]["properties"]
    who["country"] = {"type": "string", "title": "Country", "x-i18n": {"fr": {"title": "Pays"}}, "x-role": "country",
                      "oneOf": [{"const": code, "title": en, "x-i18n": {"fr": {"title": fr}}}
                                for code, (en, fr) in COUNTRIES.items()]}
    if not agency:
        del who["agency"]
        del spec["x-scoring"]["gap"]
    _more_languages(spec)
    if not advised:  # another version: recommendations are no part of a form's equality, a cache's key
        spec["x-form"]["version"] = "2"
        for node in [spec["properties"][s] for s in ("s1", "s2")]:
            for part in [node, *node["properties"].values()]:
                part.pop("x-recommendations", None)
    assert check_document(spec) == []
    return spec


def plan_report(agency: bool = True, advised: bool = True) -> Report:
    """Two returns a country (one from Customs, one from the Police, when the form asks)."""
    form = build_form(plan_spec(agency, advised))
    scored = []
    for code, answers in ANSWERS.items():
        for n, who in enumerate(("customs", "police") if agency else ("", "")):
            given = {**answers, "country": code, **({"agency": who} if who else {})}
            response = Response(form.id, form.version, given, channel="html", source=f"{code}-{n}.json",
                                instance_id=f"uuid:{code}-{n}")
            scored.append(ScoredReturn(response, score_return(form, given), form))
    counts = {"html": {"read": len(scored), "accepted": len(scored), "rejected": 0, "duplicates": 0}}
    return Report(form, tuple(scored), figures(form, [(s.response, s.score) for s in scored]), (), counts,
                  generated="2026-11-30T08:00:00Z")


WORDS = json.loads(STRINGS.read_text(encoding="utf-8"))
FRENCH = {"Two": "Deux", "One": "Un", "Mid": "Moyen", "Low": "Bas", "Q2 in place": "Q2 en place"}


def words(language):
    """The report's words in a language, English where it has none."""
    return {**WORDS["en"], **WORDS.get(language, {})}


def _plan(folder, report, language="en"):
    (path,) = write_all(report, folder, ("xlsx",), language=language)
    return path, load_workbook(path)[words(language)["action_plan"][:31]]


def _spec(text, language):
    """A tiny spec's text as a report in this language shows it (plan_sample marks its Spanish and Arabic)."""
    if language == "fr":
        return FRENCH.get(text, text)
    return text if language == "en" else f"{text} ({language})"


def _advice(text, language):
    return text if language == "en" else f"{text} ({language})"


def expected_rows(language):
    """The Action plan of plan_report in a language, header first, known by hand (plan_sample)."""
    W, t = words(language), (lambda text: _spec(text, language))
    name = {code: names[1] if language == "fr" else _spec(names[0], language) for code, names in COUNTRIES.items()}
    gate = W["plan_gate"].format(level=t("Mid"), requirement=t("Q2 in place"), share=W["percent"].format(n=0))
    empty = [None, None, None]
    return [[W[key] for key, _, _ in plan.COLUMNS],
            ["AAA", name["AAA"], t("Two"), t("Mid"), 25, 25, 25, _advice("S2 more", language), "IV.b", *empty],
            ["BBB", name["BBB"], gate, t("Low"), None, None, None, _advice("Q2 gate", language), "IV.b", *empty],
            ["BBB", name["BBB"], t("One"), t("Low"), 0, 0, 0,
             _advice("S1 start", language) + "\n" + _advice("S1 also", language), "IV.b, II", *empty]]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("agency", [True, False], ids=["agencies", "no-agency"])
def test_a_row_per_weak_section_after_the_held_level(tmp_path, language, agency):
    _, ws = _plan(tmp_path, plan_report(agency=agency), language)
    assert [[c.value for c in row] for row in ws.iter_rows()] == expected_rows(language)


def test_without_recommendations_the_weak_sections_still_stand(tmp_path):
    _, ws = _plan(tmp_path, plan_report(advised=False))
    shown = [[c.value for c in row][:9] for row in ws.iter_rows(min_row=2)]
    assert shown == [row[:7] + [None, None] for row in expected_rows("en")[1:]]


def test_an_empty_run_says_there_is_nothing_to_plan(form, tmp_path):
    _, ws = _plan(tmp_path, Report(form, (), (), (), {}))
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[1][0] == WORDS["en"]["plan_none"] and len(rows) == 2


def validations(ws):
    """Each data validation of a sheet by type: (its cells, first formula, second formula)."""
    return {v.type: (str(v.sqref), v.formula1, v.formula2) for v in ws.data_validations.dataValidation}


@pytest.mark.parametrize("language", LANGUAGES)
def test_laid_out_as_a_plan(tmp_path, language):
    _, ws = _plan(tmp_path, plan_report(), language)
    W = words(language)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:L4"
    status = '"' + ",".join(W[k] for k in plan.STATUS) + '"'
    found = validations(ws)
    assert found["list"] == ("L2:L4", status, None)
    assert found["date"][0] == "K2:K4"
    assert [ws.cell(r, 11).number_format for r in (2, 3, 4)] == ["yyyy-mm-dd"] * 3
    assert ws.column_dimensions["K"].number_format == "yyyy-mm-dd"  # rows a committee adds below
    assert all(ws.cell(r, c).alignment.wrap_text for r in (2, 3, 4) for c in (3, 8, 10))
    assert all(ws.cell(1, c).font.b for c in range(1, 13))
    assert ws.column_dimensions["H"].width > 60 and ws.column_dimensions["C"].width > 30
    assert [ws.cell(2, c).number_format for c in (5, 6, 7)] == ["0.0"] * 3
    assert bool(ws.sheet_view.rightToLeft) is (language == "ar")


def test_risky_texts_stay_text(tmp_path):
    """A country code planted as a formula comes back quote-prefixed, never a formula."""
    report = plan_report()
    _, ws = _plan(tmp_path, report)
    assert [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"] == []


@pytest.fixture(scope="module")
def demo(form, tmp_path_factory):
    """The assessment's demo returns, scored."""
    folder = tmp_path_factory.mktemp("demo")
    synthesise(form, folder / "returns", 6)
    return run([folder / "returns"], form, form_versions(form))


@pytest.mark.parametrize("language", load_form(DEFAULT_SPEC).languages)
def test_the_demo_plan_in_every_spec_language(form, demo, tmp_path, language):
    """Each country's rows: its held level, then each section under the band of the level above its own, weakest
    first; every recommendation and section name in the language."""
    _, ws = _plan(tmp_path, demo, language)
    W, table = words(language), [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert table, "the demo's countries have weak sections"
    assert any(c.national.held_by for c in demo.countries), "and some a level held back"
    texts = {r.text[language] for r in form.recommendations}
    names = {form.section(s.id).label[language]: s.id for s in form.scored_sections}
    codes = [lv.code for lv in form.levels]
    for c in demo.countries:
        n = c.national
        above = codes.index(n.level) + 1 if n.level else 1
        low = form.levels[above].low if above < len(codes) else None
        weak = sorted((float("%.16g" % score), sid) for sid, score in n.sections.items()  # as xlsx keeps it
                      if low is not None and score is not None and score < low)
        mine = [row for row in table if row[0] == c.country]
        gate = [row[2] for row in mine if row[2] not in names]
        assert len(gate) == (1 if n.held_by else 0)
        if n.held_by:
            held = next(lv for lv in form.levels if lv.code == n.held_by)
            assert gate[0].startswith(W["plan_gate"].split("{")[0]) and held.requirement[language] in gate[0]
        assert [(row[4], names[row[2]]) for row in mine if row[2] in names] == weak
    for row in table:
        assert row[7] is None or set(row[7].split("\n")) <= texts
        assert row[9:] == [None, None, None]


def test_each_row_is_tall_enough_for_its_wrapped_texts(tmp_path):
    _, ws = _plan(tmp_path, plan_report())
    gate = ws.cell(3, 3).value  # "Key elements of Mid: ..." in a column of 34 characters
    assert 34 < len(gate) <= 68
    assert [ws.row_dimensions[r].height or plan.LINE for r in (2, 3, 4)] == [plan.LINE, 2 * plan.LINE, 2 * plan.LINE]
