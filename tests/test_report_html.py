"""report.html: everything escaped, self-contained; its first page the overview heatmap (a cell per country and
section in its level's colour), then a profile per country (levels, confidence, section scores with bounds and gaps
with their returns, recommendations with their chapters, comments by section attributed by agency only unless
personal), the methods, and the annex; right to left in Arabic, in the language asked for or the nearest."""
from __future__ import annotations

import sys

import pytest

from cpc_forms import recommendations
from cpc_forms.aggregate import MIN_GAP_RETURNS
from cpc_forms.report import FILES, write_all
from cpc_forms.scoring import display, level_for

from report_sample import CRAFTED, RAW, countries, sample_report
from report_spec import COUNTRIES, LANGUAGES, WORDS, classes, four_language_form, parse, text

ALLOWED = {"document", "html", "head", "meta", "title", "style", "body", "header", "main", "section", "h1", "h2",
           "h3", "h4", "p", "table", "caption", "thead", "tbody", "tr", "th", "td", "article", "div", "figure",
           "figcaption", "svg", "line", "text", "rect", "span", "a", "strong", "bdi", "ol", "ul", "li", "q"}


@pytest.fixture(scope="module")
def four():
    return four_language_form()


def _page(report, tmp_path, **options):
    (path,) = write_all(report, tmp_path, ("html",), **options)
    return path, parse(path.read_text(encoding="utf-8"))


def _by_id(page, ident):
    return next(e for e in page.iter() if e.get("id") == ident)


def _rows(element):
    return [[text(c) for c in tr if c.tag in ("td", "th")] for tr in element.iter("tr") if tr.find("td") is not None]


def _shade(form, code):
    """lv0 (lowest level) to lv4 (highest), spread over the form's levels; lvn without a level."""
    codes = [lv.code for lv in form.levels]
    return "lvn" if code is None else f"lv{round(codes.index(code) * 4 / max(len(codes) - 1, 1))}"


def test_planted_markup_is_text_not_markup(any_form, tmp_path):
    report = sample_report(any_form)
    path, page = _page(report, tmp_path)
    assert {e.tag for e in page.iter()} <= ALLOWED
    assert not any(k.startswith("on") for e in page.iter() for k in e.attrib)
    every = text(page)
    assert "<script>window.planted=3</script>.xlsx" in every  # a rejected file's name
    if any_form.role("country"):
        assert RAW["country"] in every  # a country value no reader should have let through
        said = [text(q) for q in page.iter("q")]
        assert CRAFTED[4] in said, "planted in a comment"


def test_the_overview_comes_first_and_the_read_statistics_and_problems_last(any_form, tmp_path):
    report = sample_report(any_form)
    _, page = _page(report, tmp_path)
    main = next(page.iter("main"))
    assert [s.get("id") for s in main.findall("section")] == ["overview", "countries", "methods", "annex"]
    annex = _by_id(page, "annex")
    assert [s.get("id") for s in annex.findall("section")][:2] == ["summary", "rejected"]
    assert _rows(_by_id(page, "summary"))[:len(report.counts)] == \
        [[k, *(str(v[n]) for n in ("read", "accepted", "rejected", "duplicates"))] for k, v in report.counts.items()]
    errors = [i for i in report.issues if i.severity == "error"]
    assert errors and _rows(_by_id(page, "rejected"))[:len(errors)] == \
        [[i.source, i.location, i.code, i.message] for i in errors]
    assert not list(page.iter("details")), "nothing is collapsed: a printed page shows it all"


def test_the_heatmap_colours_each_country_and_section_by_its_level(form, tmp_path):
    report = sample_report(form, 60, 11)
    _, page = _page(report, tmp_path)
    heatmap = next(t for t in page.iter("table") if "heatmap" in classes(t))
    rows = [tr for tr in heatmap.find("tbody")]
    figures = countries(report)
    names = {c.code: c.label["en"] for c in form.role("country").choices}
    assert [text(tr.find("th/a")) for tr in rows] == [names.get(f.country, f.country) for f in figures]
    for tr, c in zip(rows, figures, strict=True):
        cells = [td for td in tr.findall("td") if "cell" in classes(td)]
        want = [c.national.sections[s.id] for s in form.scored_sections] + [c.national.index]
        assert [text(td) for td in cells] == [display(v) or "–" for v in want]
        assert [classes(td) - {"cell", "index"} for td in cells] == [{_shade(form, level_for(form, v))} for v in want]
        few = any(g.returns < MIN_GAP_RETURNS for g in c.agencies if g.agency in form.gap_groups) or \
            not set(form.gap_groups) <= {g.agency for g in c.agencies}
        assert (tr.find("th/span") is not None) == few
    legend = _by_id(page, "legend")
    assert [text(k) for k in legend.iter("span") if "key" in classes(k)][:len(form.levels)] == \
        [f"{lv.label['en']} {lv.low:g}–{lv.high:g}" for lv in form.levels]


def test_one_profile_per_country_with_its_levels_bounds_gaps_and_their_returns(form, tmp_path):
    report = sample_report(form, 60, 11)
    _, page = _page(report, tmp_path)
    figures = countries(report)
    articles = list(_by_id(page, "countries").findall("article"))
    assert [a.get("id") for a in articles] == [f"country-{n}" for n in range(1, len(figures) + 1)]
    level = {lv.code: lv.label["en"] for lv in form.levels}
    for article, c in zip(articles, figures, strict=True):
        boxes = [b for b in article.iter("div") if "level-box" in classes(b)]
        assert [text(b.find("strong")) for b in boxes] == \
            [level.get(code, "–") for code in (c.national.band_level, c.national.level, c.national.perceived_median)]
        table = next(t for t in article.iter("table") if "sections" in classes(t))
        rows = _rows(table)
        groups = [c.national, *c.agencies]
        for row, s in zip(rows, form.scored_sections, strict=False):
            assert row[0] == form.section(s.id).label["en"]
            assert row[1:1 + len(groups)] == [_bounded(g.sections[s.id], g.low[s.id], g.high[s.id]) for g in groups]
        gaps = {g.section: g for g in c.gaps}
        for row, sid in zip(rows, [s.id for s in form.scored_sections] + [""], strict=True):
            g = gaps[sid]
            assert row[-2].split()[0] == (display(g.gap) or "–")
            assert ("Flagged" in row[-2]) == g.flagged and row[-1] == f"{g.first_returns} / {g.second_returns}"
        flagged = [tr for tr in table.iter("tr") if "flagged" in classes(tr)]
        assert len(flagged) == sum(g.flagged for g in c.gaps)
        confidence = _rows(next(t for t in article.iter("table") if "confidence" in classes(t)))
        assert [int(r[1].split()[0]) for r in confidence] == [g.returns for g in groups]


def _bounded(score, low, high):
    if score is None:
        return "–"
    return display(score) if display(low) == display(high) else f"{display(score)} ({display(low)}–{display(high)})"


@pytest.mark.parametrize("language", LANGUAGES)
def test_recommendations_for_the_weakest_sections_with_their_chapter(four, tmp_path, language):
    report = sample_report(four, 24, 3, crafted=False)
    _, page = _page(report, tmp_path, language=language)
    articles = list(_by_id(page, "countries").findall("article"))
    figures = countries(report)
    assert len(articles) == len(figures) >= 3
    for article, c in zip(articles, figures, strict=True):
        shown = [li for ol in article.iter("ol") for li in ol]
        weakest = sorted((v, sid) for sid, v in c.national.sections.items() if v is not None)
        want = [rec for score, sid in weakest for rec in recommendations.for_section(four, sid, level_for(four, score))]
        assert len(shown) == len(want) >= 2
        for li, rec in zip(shown, want, strict=True):
            assert rec.text[language] in text(li)
            assert text(next(s for s in li.iter("span") if "chapter" in classes(s))).endswith(rec.handbook_ref)


def test_comments_by_section_attributed_by_agency_unless_personal(four, tmp_path):
    report = sample_report(four, 24, 3, crafted=False)
    agencies = {c.label["en"] for c in four.role("agency").choices}
    units = {s.response.answers["unit"] for s in report.returns if s.response.answers.get("unit")}
    _, page = _page(report, tmp_path / "plain")
    by = [text(s).removeprefix("— ") for s in page.iter("span") if "by" in classes(s)]
    assert by and set(by) <= agencies
    assert not any(f"· {u}" in text(page) for u in units)
    for article, c in zip(_by_id(page, "countries").findall("article"), countries(report), strict=True):
        groups = [d for d in article.iter("div") if "comments" in classes(d)]
        headings = [text(h) for h in groups[0].iter("h4")]
        mine = [s.response.answers for s in report.returns if s.response.answers["country"] == c.country]
        want = [(sid, sum(bool(a.get(f"{sid}_comment")) for a in mine)) for sid in ("s1", "s2")]
        assert headings == [f"{four.section(sid).label['en']} ({n})" for sid, n in want if n]
        assert all(len(ul) <= 2 for ul in groups[0].iter("ul"))  # a bounded sample: the rest in scores.xlsx
    _, personal = _page(report, tmp_path / "personal", personal=True)
    by = [text(s).removeprefix("— ") for s in personal.iter("span") if "by" in classes(s)]
    assert any(" · " in b and b.split(" · ")[0] in agencies and b.split(" · ")[1] in units for b in by)


@pytest.mark.parametrize("language,direction", [("en", "ltr"), ("fr", "ltr"), ("es", "ltr"), ("ar", "rtl"),
                                                ("fr-CA", "ltr"), ("ar-EG", "rtl"), ("de", "ltr")])
def test_language_and_direction(four, tmp_path, language, direction):
    report = sample_report(four, 24, 3, crafted=False)
    _, page = _page(report, tmp_path, language=language)
    html = page.find("html")
    shown = language.split("-")[0] if language != "de" else "en"  # a language the spec lacks: the default
    assert (html.get("lang"), html.get("dir")) == (shown, direction)
    words = text(page)
    assert all(s.label[shown] in words for s in four.scored_sections)
    assert all(WORDS[name][LANGUAGES.index(shown) - 1] if shown != "en" else name in words
               for name in COUNTRIES.values() if name in ("Egypt", "Jordan", "Morocco"))
    if direction == "rtl":  # numbers and codes kept left to right inside Arabic text
        heatmap = next(t for t in page.iter("table") if "heatmap" in classes(t))
        cells = [td for td in heatmap.iter("td") if "cell" in classes(td)]
        assert cells and all(td.find("bdi") is not None and td.find("bdi").get("dir") == "ltr" for td in cells)
        assert all(s.find("bdi") is not None for s in page.iter("span") if "chapter" in classes(s))


def test_the_chart_is_mirrored_right_to_left(four, tmp_path):
    report = sample_report(four, 24, 3, crafted=False)
    charts = {}
    for language in ("en", "ar"):
        _, page = _page(report, tmp_path / language, language=language)
        svg = next(page.iter("svg"))
        width = float(svg.get("width"))
        bars = [(float(r.get("x")), float(r.get("width"))) for r in svg.iter("rect")]
        label = next(t for t in svg.iter("text") if text(t) == four.section("s1").label[language])
        charts[language] = width, bars, float(label.get("x")), label.get("text-anchor")
    (width, ltr, x_ltr, anchor_ltr), (_, rtl, x_rtl, anchor_rtl) = charts["en"], charts["ar"]
    assert [round(width - x - w, 1) for x, w in rtl] == [x for x, _ in ltr]  # each bar, mirrored
    assert (x_rtl, anchor_ltr, anchor_rtl) == (round(width - x_ltr, 1), "end", "start")


def test_the_page_lists_the_first_problems_and_counts_them_all(form, tmp_path, monkeypatch):
    from cpc_forms.report import html
    monkeypatch.setattr(html, "MAX_LISTED", 1)
    report = sample_report(form)
    errors = [i for i in report.issues if i.severity == "error"]
    assert len(errors) > 1
    _, page = _page(report, tmp_path)
    assert len(_rows(_by_id(page, "rejected"))) == 1
    assert f"{len(errors) - 1} more rejected inputs" in text(page)
    assert sum(int(row[2]) for row in _rows(_by_id(page, "problems"))) == len(report.issues)


def test_the_round_is_in_the_heading(four, tmp_path):
    import dataclasses

    from cpc_forms.report.run import Run
    run = dataclasses.replace(Run.of(sample_report(four, 24, 3, crafted=False)), round="2026")
    (path,) = write_all(run, tmp_path, ("html",), language="es")
    assert text(next(parse(path.read_text(encoding="utf-8")).iter("h1"))).endswith("Ciclo de evaluación 2026")


def test_pdf_without_weasyprint_says_how_to_install_it(four, tmp_path, monkeypatch):
    from cpc_forms.report.pdf import PdfUnavailable, unavailable
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
    assert unavailable() == 'report.pdf needs WeasyPrint, which is not installed: pip install "cpc-forms[pdf]"'
    with pytest.raises(PdfUnavailable, match=r'pip install "cpc-forms\[pdf\]"'):
        write_all(sample_report(four, 24, 3, crafted=False), tmp_path, ("html", "pdf"))
    assert FILES["pdf"] == "report.pdf" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("words,direction", [("Le point de contact répond.", "ltr"), ("يرد ضابط الاتصال.", "rtl"),
                                             ("2026: يرد ضابط الاتصال", "rtl"), ("API: نعم", "ltr"), ("", "ltr"),
                                             ("12 / 3", "ltr")],
                         ids=["french", "arabic", "arabic-after-a-number", "code-first", "empty", "numbers"])
def test_a_comment_keeps_its_own_direction(words, direction):
    from cpc_forms.report.profile import direction as of
    assert of(words) == direction


def test_the_page_follows_the_countries_not_the_returns(form, tmp_path):
    sizes = {}
    for n in (60, 240):
        report = sample_report(form, n, 11)
        _, page = _page(report, tmp_path / str(n))
        sizes[n] = [len(countries(report))] + [len(list(page.iter(tag))) for tag in ("tr", "li", "q", "rect")]
    assert sizes[60] == sizes[240]  # four times the returns: the same countries, rows, list items, comments, bars


def test_every_report_string_in_every_language_with_the_same_places():
    from cpc_forms import strings
    from cpc_forms.report.labels import STRINGS

    name = "generators/report/strings.json"
    assert STRINGS.name == "strings.json" and STRINGS.parent.name == "report"
    assert strings.missing(LANGUAGES, [name]) == []
    assert list(strings.mismatched({name: strings.load(name)})) == []


def test_the_report_stylesheet_names_only_logical_sides():
    import re
    from pathlib import Path

    css = (Path(__file__).parent.parent / "generators" / "report" / "report.css").read_text(encoding="utf-8")
    assert re.findall(r"\b(left|right)\b", css) == []  # margin-inline-start, text-align: start, never left or right
    assert "margin-inline" in css and "text-align: start" in css and "text-align: end" in css
    assert '"Noto Naskh Arabic"' in css and '"Noto Sans Arabic"' in css and '"DejaVu Sans"' in css
