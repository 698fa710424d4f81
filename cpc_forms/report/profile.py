"""What report.html shows of the countries, as plain data: the overview heatmap (countries × scored sections, each
cell coloured by the level band its score falls in), and per country its profile: its levels (measured, gated,
perceived), how far its figures can be trusted (returns per agency, completeness, "don't know"), its section scores
with their bounds and a chart, its Customs–Police gaps with the returns behind each side, and the recommendations
for its weakest sections with their Handbook chapters.

The chart is drawn left to right, or mirrored (its labels at the right, its bars growing leftwards) in a language
written right to left, as its table beside it is: the reader's eye goes from the section's name to its bar in the
same direction in both; the numbers themselves stay left to right."""
from __future__ import annotations

import unicodedata
from statistics import fmean
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .. import recommendations
from ..aggregate import MIN_GAP_RETURNS, Country, Group
from ..scoring import display, level_for
from .labels import Labels

BAR, GAP, LABEL_W, PLOT_W = 9, 6, 270, 330  # chart geometry in px: bar height, gap between sections
MAX_ADVICE, PER_SECTION = 5, 2  # recommendations per country, and per section of it (the weakest sections first)
SHADES = 5  # level colours lv0 (lowest) to lv4 (highest), whatever the number of levels


def percent(value: Optional[float], L: Labels) -> str:
    """A fraction as a whole percentage (half away from zero, from its exact decimal digits), '–' for none."""
    from decimal import ROUND_HALF_UP, Decimal

    if value is None:
        return L["no_value"]
    n = (Decimal(repr(value)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return L["percent"].format(n=n)


def bounded(score: Optional[float], low: Optional[float], high: Optional[float]) -> str:
    """A score with its "don't know" bounds: '62.3 (55.0–71.2)', the score alone when they are the same, '–'
    for none."""
    if score is None:
        return "–"
    if low is None or high is None or display(low) == display(high):
        return display(score)
    return f"{display(score)} ({display(low)}–{display(high)})"


def direction(words: str) -> str:
    """The direction a text is written in, by its first strong character ('ltr' without any): a comment in
    Arabic on an English page, or in French on an Arabic one, keeps its own."""
    for char in words:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def shade(L: Labels, code: Optional[str]) -> str:
    """The colour class of a level: lv0 to lv4 spread over the form's levels, 'lvn' for none."""
    codes = [lv.code for lv in L.form.levels]
    if code not in codes:
        return "lvn"
    n = codes.index(code)
    return f"lv{round(n * (SHADES - 1) / max(len(codes) - 1, 1))}"


def level_cell(L: Labels, code: Optional[str]) -> Dict[str, str]:
    """A level as the page shows it: its name and its colour class."""
    return dict(name=L.level(code) if code else L["no_value"], cls=shade(L, code))


def few(country: Country, form) -> bool:
    """Whether a country has too few returns to compare its agencies: a compared agency (or, without them, the
    country) with fewer than MIN_GAP_RETURNS returns."""
    compared = {g.agency: g.returns for g in country.agencies if g.agency in form.gap_groups}
    if len(form.gap_groups) == 2 and form.role("agency"):
        return any(compared.get(a, 0) < MIN_GAP_RETURNS for a in form.gap_groups)
    return country.national.returns < MIN_GAP_RETURNS


def heatmap(L: Labels, countries: Sequence[Country]) -> Dict[str, Any]:
    """The overview: per country, each scored section's national score in its level's colour, and its index."""
    form = L.form
    rows = []
    for n, c in enumerate(countries, 1):
        cells = [dict(value=display(c.national.sections.get(s.id)) or L["no_value"],
                      **level_cell(L, level_for(form, c.national.sections.get(s.id))))
                 for s in form.scored_sections]
        rows.append(dict(name=L.country(c.country), anchor=f"country-{n}", cells=cells, returns=c.national.returns,
                         index=dict(value=display(c.national.index) or L["no_value"],
                                    **level_cell(L, c.national.band_level)),
                         level=level_cell(L, c.national.level), few=few(c, form)))
    legend = [dict(name=L.text(lv.label), cls=shade(L, lv.code), low=f"{lv.low:g}", high=f"{lv.high:g}")
              for lv in form.levels]
    return dict(sections=[L.section(s.id) for s in form.scored_sections], rows=rows, legend=legend)


def advice(L: Labels, country: Country) -> List[Dict[str, str]]:
    """The first recommendations for a country's weakest sections (at most PER_SECTION each, MAX_ADVICE in all)."""
    chosen: List[Dict[str, str]] = []
    per: Dict[str, int] = {}
    for a in recommendations.for_country(L.form, country):
        rec = a.recommendation
        if len(chosen) == MAX_ADVICE:
            break
        if per.get(rec.section, 0) < PER_SECTION:
            per[rec.section] = per.get(rec.section, 0) + 1
            chosen.append(dict(section=L.section(rec.section), score=display(a.score) or L["no_value"],
                               level=L.level(a.level), cls=shade(L, a.level), chapter=rec.handbook_ref,
                               text=rec.in_language(L.lang, L.form.default_language)))
    return chosen


COLOURS = ("#2f6db3", "#d9822b", "#3d9a5b", "#8a5bb0", "#b84a4a", "#5f7f8f")  # the national figure's, agencies'


def _colour(form, agency: Optional[str]) -> str:
    """The colour of a group: the national figure's, then one colour per agency code across every chart (a fill
    given in the SVG itself, which every renderer of SVG applies)."""
    role = form.role("agency")
    codes = [c.code for c in role.choices] if role else []
    return COLOURS[0 if agency is None else codes.index(agency) % 5 + 1 if agency in codes else 5]


def groups_of(L: Labels, c: Country) -> Tuple[List[Group], List[str]]:
    """A country's figures as shown (its national figure, then each agency when the form has agencies), named."""
    groups = [c.national, *c.agencies] if L.form.role("agency") else [c.national]
    return groups, [L["national"] if g is c.national else L.agency(g.agency) for g in groups]


def chart(country: Country, L: Labels) -> Dict[str, Any]:
    """Geometry of one country's bar chart: per section, the national figure's bar and each agency's (mirrored
    right to left in a right-to-left language)."""
    groups, names = groups_of(L, country)
    colours = [_colour(L.form, None if g is country.national else g.agency) for g in groups]
    width, step, rtl = LABEL_W + PLOT_W + 50, BAR * len(groups) + GAP, L.dir == "rtl"

    def x(at: Optional[float]) -> Optional[float]:  # a place from the start of the line, from the left
        return None if at is None else round(width - at if rtl else at, 1)

    def on_axis(score: Optional[float]) -> Optional[float]:
        return None if score is None else LABEL_W + PLOT_W * score / 100

    items: List[Dict[str, Any]] = []
    for n, s in enumerate(L.form.scored_sections):
        top, bars = 20 + n * step, []
        for k, g in enumerate(groups):
            score, low, high = g.sections.get(s.id), on_axis(g.low.get(s.id)), on_axis(g.high.get(s.id))
            w = round(PLOT_W * (score or 0) / 100, 1)
            bars.append(dict(y=top + k * BAR, w=w, x=x(LABEL_W + w if rtl else LABEL_W), cls=colours[k],
                             value=display(score) or "–", name=names[k],
                             shown=bounded(score, g.low.get(s.id), g.high.get(s.id)),
                             low=x(low), high=x(high),
                             # the value after the bar, or after its bounds when they reach further
                             text_x=x(max(LABEL_W + w, high or 0.0) + 4)))
        items.append(dict(label=L.section(s.id), y=top + BAR * len(groups) / 2 + 4, bars=bars))
    return dict(width=width, height=24 + len(L.form.scored_sections) * step, items=items, bar=BAR - 1,
                ticks=[dict(x=x(LABEL_W + PLOT_W * t / 100), text=str(t)) for t in range(0, 101, 20)],
                label_x=x(LABEL_W - 6), start="end" if rtl else "start", end="start" if rtl else "end",
                legend=[dict(cls=c, name=name) for c, name in zip(colours, names, strict=True)])


def sections(L: Labels, c: Country) -> List[Dict[str, Any]]:
    """Per scored section, then the overall index: each figure's score with its bounds, the national level's
    colour, the national "don't know" rate, and the Customs–Police gap with the returns behind each side."""
    groups, _ = groups_of(L, c)
    national, gaps = c.national, {g.section: g for g in c.gaps}
    rows = []
    for sid in [s.id for s in L.form.scored_sections] + [""]:
        score = national.sections.get(sid) if sid else national.index
        gap = gaps.get(sid)
        rows.append(dict(name=L.section(sid), index=not sid, cls=shade(L, level_for(L.form, score)),
                         cells=[bounded(g.sections.get(sid), g.low.get(sid), g.high.get(sid)) if sid
                                else display(g.index) or L["no_value"] for g in groups],
                         dont_know=percent(national.dont_know_rate.get(sid), L) if sid else "",
                         gap=None if gap is None else dict(
                             value=display(gap.gap) or L["no_value"], n=f"{gap.first_returns} / {gap.second_returns}",
                             flagged=gap.flagged, reason=L[f"reason_{gap.reason}"] if gap.reason else "")))
    return rows


def confidence(L: Labels, c: Country, complete: Mapping[str, Optional[float]]) -> List[Dict[str, Any]]:
    """Per figure: its returns (marked when too few), its completeness and its mean "don't know" rate."""
    groups, names = groups_of(L, c)
    rows = []
    for g, name in zip(groups, names, strict=True):
        rates = [r for r in g.dont_know_rate.values() if r is not None]
        rows.append(dict(name=name, returns=g.returns, national=g is c.national,
                         few=g.returns < MIN_GAP_RETURNS and (g is c.national or g.agency in L.form.gap_groups),
                         completeness=percent(complete.get("" if g is c.national else g.agency), L),
                         dont_know=percent(fmean(rates) if rates else None, L),
                         where="" if g is c.national else L["yes"] if g.agency in c.basis else L["apart"]))
    return rows
