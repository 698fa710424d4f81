"""report.html: everything escaped, self-contained (no request, no console error in Chromium), and its
tables say what the Report says."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from cpc_forms.report import write_all
from cpc_forms.scoring import display

from report_sample import CRAFTED, RAW, countries, sample_report

ALLOWED = {"html", "head", "meta", "title", "style", "body", "header", "main", "section", "h1", "h2", "h3",
           "p", "table", "thead", "tbody", "tr", "th", "td", "article", "div", "figure", "figcaption", "svg",
           "line", "text", "rect", "span", "details", "summary", "a"}


class Page(HTMLParser):
    """The tags of a page, its text, and each section's table rows as lists of cell texts."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.texts, self.rows = [], [], [], {}
        self._section, self._row, self._cell = "", None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append(dict(attrs))
        if tag == "section":
            self._section = dict(attrs).get("id", "")
        elif tag == "tr":
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.rows.setdefault(self._section, []).append(self._row)
            self._row = None

    def handle_data(self, data):
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _page(report, tmp_path, **options):
    (path,) = write_all(report, tmp_path, ("html",), **options)
    return path, Page(path.read_text(encoding="utf-8"))


def test_planted_markup_is_text_not_markup(any_form, tmp_path):
    report = sample_report(any_form)
    _, page = _page(report, tmp_path)
    assert set(page.tags) <= ALLOWED
    assert not any(k.startswith("on") for attrs in page.attrs for k in attrs)
    text = "".join(page.texts)
    assert "<script>window.planted=3</script>.xlsx" in text  # a rejected file's name
    if any_form.role("country"):
        assert RAW["country"] in text  # a country value no reader should have let through
        comments = [row for row in page.rows["countries"] if len(row) == 3]
        assert any(row[1] == CRAFTED[4] for row in comments), "planted in a comment"
        assert any(CRAFTED[4] in row[2] for row in comments), "planted in the organisational unit"


def test_rejected_inputs_and_gaps_agree_with_report(any_form, tmp_path):
    report = sample_report(any_form)
    _, page = _page(report, tmp_path)
    errors = [i for i in report.issues if i.severity == "error"]
    assert errors
    assert page.rows["rejected"][:len(errors)] == [[i.source, i.location, i.code, i.message] for i in errors]
    gaps = [g for c in countries(report) for g in c.gaps]
    got = page.rows.get("gaps", [])
    assert [row[4] for row in got] == [display(g.gap) or "–" for g in gaps]
    reasons = {"": "", "too-few-returns": "too few returns", "no-value": "no value"}
    assert [row[5] for row in got] == ["yes" if g.flagged else reasons[g.reason] for g in gaps]
    summary = page.rows["summary"][:len(report.counts)]
    assert summary == [[k, *(str(v[n]) for n in ("read", "accepted", "rejected", "duplicates"))]
                       for k, v in report.counts.items()]


def test_countries_show_their_national_figure_and_each_agency_apart(form, tmp_path):
    report = sample_report(form)
    _, page = _page(report, tmp_path)
    overview = page.rows["overview"]
    figures = countries(report)
    assert [row[2] for row in overview] == [display(c.national.index) or "–" for c in figures]
    groups = [row for row in page.rows["countries"] if len(row) == 7]
    assert len(groups) == sum(1 + len(c.agencies) for c in figures)
    assert {row[6] for row in groups} <= {"", "yes", "shown apart"}


def _bounded(score, low, high):
    if score is None:
        return "–"
    return display(score) if display(low) == display(high) else f"{display(score)} ({display(low)}–{display(high)})"


def test_each_section_shows_its_dont_know_bounds_and_rate_and_each_figure_what_held_it(form, tmp_path):
    from decimal import ROUND_HALF_UP, Decimal
    report = sample_report(form, 60, 11)
    _, page = _page(report, tmp_path)
    figures = countries(report)
    width = 2 + len(figures[0].agencies) + 1  # section, national and each agency, the national "don't know" rate
    want, held = [], []
    for c in figures:
        groups = [c.national, *c.agencies]
        for s in form.scored_sections:
            rate = c.national.dont_know_rate[s.id]
            shown = "–" if rate is None else \
                f"{(Decimal(repr(rate)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"
            want.append([form.section(s.id).label["en"],
                         *(_bounded(g.sections[s.id], g.low[s.id], g.high[s.id]) for g in groups), shown])
        held += [_level(form, g.held_by) for g in groups]
    got = [row for row in page.rows["countries"] if row[0] in {s.label["en"] for s in form.scored_sections}]
    assert [row for row in got if len(row) == width] == [w for w in want if len(w) == width]
    assert any("(" in cell for row in got for cell in row), "some section has bounds apart"
    groups = [row for row in page.rows["countries"] if len(row) == 7]
    assert [row[4] for row in groups] == held
    assert [row[4] for row in page.rows["overview"]] == \
        [_level(form, c.national.held_by) for c in figures]


def _level(form, code):
    return next(lv.label["en"] for lv in form.levels if lv.code == code) if code else ""


def test_the_page_lists_the_first_problems_and_counts_them_all(form, tmp_path, monkeypatch):
    from cpc_forms.report import html
    monkeypatch.setattr(html, "MAX_LISTED", 1)
    report = sample_report(form)
    errors = [i for i in report.issues if i.severity == "error"]
    assert len(errors) > 1
    _, page = _page(report, tmp_path)
    text = "".join(page.texts)
    assert len(page.rows["rejected"][0]) == 4 and f"{len(errors) - 1} more rejected inputs" in text
    by_code = [row for row in page.rows["rejected"] if len(row) == 3]
    assert sum(int(row[2]) for row in by_code) == len(report.issues)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_labels_in_language(form, tmp_path, language):
    _, page = _page(sample_report(form), tmp_path, language=language)
    assert page.attrs[page.tags.index("html")]["lang"] == language
    text = "".join(page.texts)
    assert all(s.label[language] in text for s in form.scored_sections)


def test_opens_in_chromium_without_error_or_request(any_form, tmp_path, browser, artifacts):
    report = sample_report(any_form)
    path, _ = _page(report, tmp_path)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()
    page.route("**/*", route)
    try:
        page.goto(path.as_uri())
        page.screenshot(path=str(artifacts / f"report-{any_form.id}.png"), full_page=True)
        facts = page.evaluate("""() => ({scripts: document.scripts.length, planted: 'planted' in window,
            charts: document.querySelectorAll('#countries figure svg[role=img]').length,
            flagged: document.querySelectorAll('#gaps tr.flagged').length})""")
    finally:
        page.close()
    assert (problems, requests) == ([], [])
    figures = countries(report)
    assert facts == {"scripts": 0, "planted": False, "charts": len(figures),
                     "flagged": sum(g.flagged for c in figures for g in c.gaps)}
