"""cpc-forms compare: two rounds of one form -> progress.html and progress.json. On the demo's two rounds it shows
exactly the improvements the second round was given; it refuses two forms or one round; it compares two versions of
a form by section id; its page is in the reader's language, right to left in Arabic, with no script."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from cpc_forms import rounds, strings
from cpc_forms.cli import main
from cpc_forms.demo import synthesise_rounds
from cpc_forms.ingest import run
from cpc_forms.progress.changes import STEADY, gap_changes
from cpc_forms.progress.html import STRINGS, signed
from cpc_forms.report import write_all
from cpc_forms.report.run import Run
from cpc_forms.spec import form_versions, load_form

import tiny
from conftest import DEFAULT_SPEC
from libreoffice import convert
from report_spec import parse
from test_html_axe import axe_source, serious  # noqa: F401 - axe_source is a fixture

LANGUAGES = load_form(DEFAULT_SPEC).languages


def _page(path: Path) -> ElementTree.Element:
    return parse(path.read_text(encoding="utf-8"))


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


@pytest.fixture(scope="module")
def two_rounds(form, tmp_path_factory):
    """The demo's two rounds of 5 countries, each scored into scores-<round>/ (as `demo --rounds 2` does)."""
    folder = tmp_path_factory.mktemp("rounds")
    made = synthesise_rounds(form, folder, countries=5, rounds=2, seed=11)
    for r in made:
        report = Run.of(run([r.folder], form, form_versions(form)))
        write_all(rounds.named(report, rounds.of_run(report)), folder / f"scores-{r.name}", ["json"])
    return folder, made


def _compare(*args):
    result = CliRunner().invoke(main, ["compare", *map(str, args)])
    return result, result.output


def _progress(out: Path) -> dict:
    return json.loads((out / "progress.json").read_text(encoding="utf-8"))


def test_compare_on_two_demo_rounds_shows_exactly_the_improvements_made(form, two_rounds, tmp_path):
    folder, (first, second) = two_rounds
    result, said = _compare(folder / "scores-2026", folder / "scores-2027" / "scores.json", "--out", tmp_path)
    assert result.exit_code == 0, said
    doc = _progress(tmp_path)
    assert (doc["old"]["round"], doc["new"]["round"]) == ("2026", "2027")
    assert first.improved == {} and len(second.improved) == len(doc["countries"]) == 5
    order = [lv.code for lv in form.levels]
    for c in doc["countries"]:
        improved = set(second.improved[c["country"]])
        assert len(improved) == 2
        up = {s["section"] for s in c["sections"] if s["trend"] == "up"}
        assert up == improved, c["country"]
        for s in c["sections"]:
            if s["section"] in improved:
                assert s["change"] > STEADY
            elif s["old"] is None:  # a section without a figure in the first round has none in the second
                assert s["new"] is None and s["trend"] is None
            else:
                assert abs(s["change"]) <= STEADY and s["trend"] == "same"
        lv = c["level"]
        assert order.index(lv["new_band"]) >= order.index(lv["old_band"])  # the index rose: its band cannot fall
        moved = order.index(lv["new"]) - order.index(lv["old"])
        assert lv["move"] == ("up" if moved > 0 else "same")
        # the first round's recommendations: those of the improved sections were followed by improvement
        followed = {r["section"]: r["improved"] for r in c["recommendations"]}
        assert followed and all(followed[s] for s in improved if s in followed)
        assert not [s for s, yes in followed.items() if yes and s not in improved]


def test_the_demo_improves_each_countrys_two_weakest_sections(form, two_rounds):
    folder, (first, second) = two_rounds
    old = json.loads((folder / "scores-2026" / "scores.json").read_text(encoding="utf-8"))
    for c in old["countries"]:
        scores = c["national"]["sections"]
        weakest = sorted((v, [s.id for s in form.scored_sections].index(k), k) for k, v in scores.items()
                         if v is not None)[:2]
        assert set(second.improved[c["country"]]) == {k for _, _, k in weakest}


def test_sets_of_returns_are_scored_first_and_compare_as_their_scores_do(two_rounds, tmp_path):
    folder, (first, second) = two_rounds
    result, said = _compare(first.folder, second.folder, "--out", tmp_path / "returns")
    assert result.exit_code == 0, said
    result, said = _compare(folder / "scores-2026", folder / "scores-2027", "--out", tmp_path / "scores")
    assert result.exit_code == 0, said
    by_returns, by_scores = _progress(tmp_path / "returns"), _progress(tmp_path / "scores")
    assert by_returns["countries"] == by_scores["countries"]
    assert (by_returns["old"]["round"], by_returns["new"]["round"]) == ("2026", "2027")


def test_the_same_round_twice_is_refused(two_rounds, tmp_path):
    folder, _ = two_rounds
    result, said = _compare(folder / "scores-2026", folder / "scores-2026" / "scores.json", "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert "both of round '2026'" in said and "Nothing written." in said
    assert not (tmp_path / "o").exists()


def test_two_forms_are_refused(form, two_rounds, tmp_path):
    folder, _ = two_rounds
    doc = json.loads((folder / "scores-2026" / "scores.json").read_text(encoding="utf-8"))
    doc["form"]["id"], doc["round"] = "another_form", "2025"
    (tmp_path / "other.json").write_text(json.dumps(doc), encoding="utf-8")
    result, said = _compare(tmp_path / "other.json", folder / "scores-2027", "--out", tmp_path / "o")
    assert result.exit_code == 1
    assert "of form 'another_form'" in said and "of form 'cpc_assessment'" in said and "one form" in said
    assert not (tmp_path / "o").exists()


def test_scores_of_a_form_other_than_the_specs_are_refused(two_rounds, tmp_path):
    folder, _ = two_rounds
    spec = tiny.write(tiny.tiny_spec(), tmp_path)
    result, said = _compare(folder / "scores-2026", folder / "scores-2027", "--spec", spec, "--out", tmp_path / "o")
    assert result.exit_code == 1 and "the spec is of form 'tiny'" in said and "--spec" in said


def test_a_file_that_is_no_return_and_no_scores_is_refused(two_rounds, tmp_path):
    folder, _ = two_rounds
    (tmp_path / "notes.json").write_text('{"format": "something else"}', encoding="utf-8")
    result, said = _compare(tmp_path / "notes.json", folder / "scores-2027", "--out", tmp_path / "o")
    assert result.exit_code == 1 and "notes.json: holds no return that could be scored" in said


def test_two_versions_of_a_form_compare_by_section_id_and_name_the_sections_of_one(form, two_rounds, tmp_path):
    folder, _ = two_rounds
    doc = json.loads((folder / "scores-2026" / "scores.json").read_text(encoding="utf-8"))
    old = copy.deepcopy(doc)
    gone = old["form"]["sections"].pop(0)["id"]  # the first round's version had no such section
    old["form"]["version"] = "2025010101"
    for c in old["countries"]:
        c["national"]["sections"].pop(gone)
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    result, said = _compare(tmp_path / "old.json", folder / "scores-2027", "--out", tmp_path / "o")
    assert result.exit_code == 0, said
    out = _progress(tmp_path / "o")
    assert out["only_new_sections"] == [gone] and gone not in out["sections"]
    assert all(gone not in [s["section"] for s in c["sections"]] for c in out["countries"])
    page = _page(tmp_path / "o" / "progress.html")
    assert form.section(gone).label["en"] in _text(page.find(".//section[@id='one-round']"))
    assert "2025010101" in _text(page.find(".//header"))


def test_countries_of_one_round_are_named(two_rounds, tmp_path):
    folder, _ = two_rounds
    doc = json.loads((folder / "scores-2027" / "scores.json").read_text(encoding="utf-8"))
    dropped = doc["countries"].pop()["country"]
    (tmp_path / "new.json").write_text(json.dumps(doc), encoding="utf-8")
    result, said = _compare(folder / "scores-2026", tmp_path / "new.json", "--out", tmp_path / "o")
    assert result.exit_code == 0, said
    out = _progress(tmp_path / "o")
    assert out["only_old_countries"] == [dropped] and dropped not in [c["country"] for c in out["countries"]]


def _gap(value, reason=""):
    return {"section": "s1", "gap": value, "reason": reason}


@pytest.mark.parametrize(("old", "new", "status"), [
    (_gap(20.0), _gap(3.0), "closed"), (_gap(-16.0), _gap(-15.0), "still-open"), (_gap(2.0), _gap(-15.0), "opened"),
    (_gap(14.9), _gap(-14.9), ""), (_gap(30.0), _gap(None, "too-few-returns"), ""),
    (_gap(30.0, ""), _gap(2.0, "too-few-returns"), "")],
    ids=["closed", "still-open", "opened", "never", "no-longer-compared", "too-few-now"])
def test_gaps_close_or_open_at_the_specs_flag(form, old, new, status):
    assert form.gap_flag == 15
    (found,) = gap_changes({"gaps": [old]}, {"gaps": [new]}, form.gap_flag)
    assert found.status == status


@pytest.mark.parametrize(("value", "shown"), [(12.345, "+12.3"), (-4.0, "−4.0"), (0.04, "0.0"), (-0.04, "0.0"),
                                               (None, "–")], ids=["up", "down", "tiny-up", "tiny-down", "none"])
def test_a_change_is_shown_with_its_sign(value, shown):
    assert signed(value) == shown


def test_the_strings_have_every_key_in_every_language():
    table = strings.load(STRINGS)
    assert set(table) >= {"en", "fr", "es", "ar"}
    assert strings.missing(LANGUAGES, [STRINGS]) == []
    assert list(strings.mismatched({STRINGS: table})) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_is_in_the_language_asked_with_no_script(two_rounds, tmp_path, language, form):
    folder, (_, second) = two_rounds
    result, said = _compare(folder / "scores-2026", folder / "scores-2027", "--out", tmp_path, "--lang", language)
    assert result.exit_code == 0, said
    text = (tmp_path / "progress.html").read_text(encoding="utf-8")
    page = _page(tmp_path / "progress.html")
    root = page.find("html")
    words = strings.texts(STRINGS, language)
    assert root.get("lang") == language and root.get("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.findall(".//script") == [] and "<script" not in text.lower()
    assert _text(page.find(".//section[@id='summary']/h2")) == words["summary"]
    assert len(page.findall(".//section[@class='country']")) == 5
    overview = _text(page.find(".//table[@class='overview']"))
    for section in form.scored_sections:
        assert " ".join(section.label.get(language, section.label["en"]).split()) in overview
    # every figure in a table cell is isolated from the text around it (right to left in Arabic)
    cells = [td for td in page.findall(".//section[@class='country']//td") if "num" in td.get("class", "").split()]
    assert cells and all(td.find("bdi") is not None for td in cells)
    css = _text(page.find(".//style"))
    assert "margin-left" not in css and "margin-right" not in css and "text-align: left" not in css


def test_a_language_the_spec_lacks_is_refused_with_its_languages(two_rounds, tmp_path):
    folder, _ = two_rounds
    result, said = _compare(folder / "scores-2026", folder / "scores-2027", "--out", tmp_path, "--lang", "de")
    assert result.exit_code == 2
    assert "'de'" in said and ", ".join(LANGUAGES) in said


def test_demo_with_two_rounds_scores_each_and_compares_them(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--rounds", "2", "--countries", "2", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("scores-2026/scores.json", "scores-2027/report.html", "progress/progress.html",
                 "returns-2026", "returns-2027"):
        assert (tmp_path / name).exists(), name
    assert [json.loads((tmp_path / f"scores-{y}" / "scores.json").read_text(encoding="utf-8"))["round"]
            for y in ("2026", "2027")] == ["2026", "2027"]
    assert len(_progress(tmp_path / "progress")["countries"]) == 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_in_chromium_is_accessible_and_right_to_left_in_arabic(browser, axe_source, two_rounds,  # noqa: F811
                                                                       tmp_path, artifacts, language):
    folder, _ = two_rounds
    result, said = _compare(folder / "scores-2026", folder / "scores-2027", "--out", tmp_path, "--lang", language)
    assert result.exit_code == 0, said
    page = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 1400}).new_page()
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file:") else None)
    page.goto((tmp_path / "progress.html").as_uri())
    assert problems == [] and requests == []
    assert page.evaluate("() => getComputedStyle(document.body).direction") == ("rtl" if language == "ar" else "ltr")
    # the country column starts the overview on the reading side: right in Arabic, left otherwise
    box = page.locator("table.overview thead th").first.bounding_box()
    width = page.evaluate("() => document.documentElement.clientWidth")
    assert (box["x"] > width / 2) == (language == "ar")
    assert serious(page, axe_source) == []
    page.screenshot(path=str(artifacts / f"progress-{language}.png"))
    page.context.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_workbook_holds_the_same_changes_in_the_language_asked(two_rounds, tmp_path, language):
    import openpyxl

    folder, (_, second) = two_rounds
    result, said = _compare(folder / "scores-2026", folder / "scores-2027", "--out", tmp_path, "--lang", language)
    assert result.exit_code == 0, said
    doc = _progress(tmp_path)
    words = strings.texts(STRINGS, language)
    book = openpyxl.load_workbook(tmp_path / "progress.xlsx")
    assert book.sheetnames == [words[k] for k in ("sheet_sections", "sheet_levels", "sheet_gaps",
                                                  "sheet_recommendations")]
    sheet = book[words["sheet_sections"]]
    assert sheet.sheet_view.rightToLeft == (language == "ar") and sheet.freeze_panes == "A2"
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    trends = {"up": "trend_up", "down": "trend_down", "same": "trend_same", None: "trend_unknown"}
    expected = [[s["old"], s["old_low"], s["old_high"], s["new"], s["new_low"], s["new_high"], s["change"],
                 words[trends[s["trend"]]]] for c in doc["countries"] for s in [*c["sections"], c["index"]]]
    # a workbook keeps 15 significant digits, as Excel does
    assert [row[2:] for row in cells] == [[pytest.approx(v, rel=1e-13) if isinstance(v, float) else v for v in row]
                                          for row in expected]
    up = [row for row in cells if row[-1] == words["trend_up"]]
    assert len(up) == sum(len(v) for v in second.improved.values()) + sum(
        c["index"]["trend"] == "up" for c in doc["countries"])
    recs = [[c.value for c in row] for row in book[words["sheet_recommendations"]].iter_rows(min_row=2)]
    assert len(recs) == sum(len(c["recommendations"]) for c in doc["countries"])
    assert {r[5] for r in recs} == {words["followed_yes"], words["followed_no"]}


def test_libreoffice_opens_the_workbook_as_written(soffice, two_rounds, tmp_path):
    import openpyxl

    folder, _ = two_rounds
    result, said = _compare(folder / "scores-2026", folder / "scores-2027", "--out", tmp_path, "--lang", "ar")
    assert result.exit_code == 0, said
    (saved,) = convert(soffice, [tmp_path / "progress.xlsx"], tmp_path / "lo")
    ours, theirs = (openpyxl.load_workbook(p) for p in (tmp_path / "progress.xlsx", saved))
    assert theirs.sheetnames == ours.sheetnames
    for name in ours.sheetnames:
        mine = [[c.value for c in row] for row in ours[name].iter_rows()]
        kept = [[c.value for c in row] for row in theirs[name].iter_rows()]
        assert kept == [[pytest.approx(v) if isinstance(v, float) else v for v in row] for row in mine], name
        assert theirs[name].sheet_view.rightToLeft
