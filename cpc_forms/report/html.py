"""report.html: one self-contained page (no script, no network) with a summary, per-country section
charts as inline SVG, the perception-gap table and every rejected input with its reason.

The page is generators/report/report.html.j2 rendered with autoescape: every text from a return, a
file name or a spec goes through Jinja2's escaping; this module only hands it plain data."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from jinja2 import Environment, StrictUndefined, select_autoescape

from .. import resources
from ..model import TEXT, CountryScore, Report
from ..scoring import display
from . import rows
from .labels import Labels

TEMPLATES = resources.files("generators/report")
BAR, GAP, LABEL_W, PLOT_W = 9, 6, 230, 360  # chart geometry in px: bar height, gap between sections
MAX_COMMENTS = 100  # per country; the rest are in scores.xlsx and scores.csv, and the page says so


def _env() -> Environment:
    env = Environment(loader=resources.template_loader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["score"] = lambda v, none="–": display(v) or none
    env.filters["number"] = lambda v: f"{v:g}"
    return env


def _colour(form, group) -> str:
    """The colour class of a group: one colour per agency code across every country's chart."""
    agency = form.role("agency")
    codes = [c.code for c in agency.choices] if agency else []
    return f"g{codes.index(group.agency) % 6}" if group.agency in codes else "g5"


def chart(country: CountryScore, L: Labels) -> Dict[str, Any]:
    """Geometry of one country's bar chart: per section, one bar per agency (the country mean if one)."""
    groups = list(country.agencies) if len(country.agencies) > 1 else [country.total]
    names = [L.agency(g.agency, g is country.total) for g in groups]
    sections = L.form.scored_sections
    step = BAR * len(groups) + GAP
    items: List[Dict[str, Any]] = []
    for n, s in enumerate(sections):
        top = 20 + n * step
        bars = [dict(y=top + k * BAR, w=round(PLOT_W * (g.sections.get(s.id) or 0) / 100, 1),
                     value=display(g.sections.get(s.id)) or "–", cls=_colour(L.form, g), name=names[k])
                for k, g in enumerate(groups)]
        items.append(dict(label=L.section(s.id), y=top + BAR * len(groups) / 2 + 4, bars=bars))
    ticks = [dict(x=LABEL_W + PLOT_W * t / 100, text=str(t)) for t in range(0, 101, 20)]
    legend = [dict(cls=_colour(L.form, g), name=name) for g, name in zip(groups, names)]
    return dict(width=LABEL_W + PLOT_W + 50, height=24 + len(sections) * step, items=items, ticks=ticks,
                left=LABEL_W, bar=BAR - 1, legend=legend)


def comments(report: Report, L: Labels) -> Dict[str, Dict[str, Any]]:
    """Country -> free-text evidence (text answers in scored sections), each with who wrote it: the
    agency and the text answers of unscored sections (an organisational unit, a site). Never personal data."""
    texts = [q for q in report.form.questions if q.kind == TEXT and not q.personal and not q.format]
    scored = {s.id for s in report.form.scored_sections}
    out: Dict[str, Dict[str, Any]] = {}
    for r in report.returns:
        answers = r.response.answers
        by = [L.agency(rows.role_answer(r, "agency"))] if r.form.role("agency") else []
        by += [answers[q.id] for q in texts if q.section not in scored and answers.get(q.id)]
        found = [dict(section=L.section(q.section), text=answers[q.id], by=" · ".join(by))
                 for q in texts if q.section in scored and answers.get(q.id)]
        country = out.setdefault(rows.role_answer(r, "country"), {"shown": [], "more": 0})
        room = MAX_COMMENTS - len(country["shown"])
        country["shown"] += found[:max(room, 0)]
        country["more"] += max(len(found) - max(room, 0), 0)
    return out


def view(report: Report, language: Optional[str] = None) -> Dict[str, Any]:
    """Everything the template shows, as plain data."""
    L = Labels(report.form, language)
    form = report.form
    said = comments(report, L)
    countries = [dict(code=c.country, name=L.country(c.country), chart=chart(c, L),
                      comments=said.get(c.country, {"shown": [], "more": 0}),
                      groups=[dict(name=L.agency(g.agency, g is c.total), returns=g.returns, index=g.index,
                                   level=L.level(g.level), perceived=L.level(g.perceived_mode))
                              for g in ((c.total, *c.agencies) if form.role("agency") else (c.total,))])
                 for c in report.countries]
    gaps = [dict(country=L.country(c.country), section=L.section(g.section), first=g.first, second=g.second,
                 gap=g.gap, flagged=g.flagged) for c in report.countries for g in c.gaps]
    pair = [L.agency(code) for code in form.gap_groups]
    return dict(
        L=L, lang=L.lang, title=L.text(form.title), form=form, generated=report.generated,
        counts=[dict(channel=k, **{n: int(v.get(n, 0)) for n in ("read", "accepted", "rejected", "duplicates")})
                for k, v in report.counts.items()],
        totals=rows.totals(report), countries=countries, gaps=gaps,
        gap_note=(L["gap_note"].format(first=pair[0], second=pair[1], flag=f"{form.gap_flag:g}")
                  if len(pair) == 2 else ""),
        rejected=[i for i in report.issues if i.severity == "error"],
        warnings=[i for i in report.issues if i.severity != "error"],
        levels=[dict(name=L.text(lv.label), description=L.text(lv.description), low=lv.low, high=lv.high)
                for lv in form.levels],
        returns=len(report.returns))


def render(report: Report, language: Optional[str] = None) -> str:
    """The page as text."""
    return _env().get_template("report.html.j2").render(**view(report, language))


def write(report: Report, path, *, language: Optional[str] = None) -> Path:
    """Write report.html, labelled in language (default: the form's default language)."""
    path = Path(path)
    path.write_text(render(report, language), encoding="utf-8")
    return path
