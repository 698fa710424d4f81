"""report.html: one self-contained page (no script, no network): a summary with the methods, every country in a table
and then on a section of its own (its national figure, each agency, what held its level back, each section's score
with its "don't know" bounds and rate, a chart as inline SVG, its gaps, a sample of its comments), and the problems:
every kind of problem counted, the first ones listed. Its size follows the countries, never
the returns: the returns and every issue are in scores.xlsx and scores.json.

The page is generators/report/report.html.j2 rendered with autoescape: every text from a return, a file name or a
spec goes through Jinja2's escaping; this module only hands it plain data."""
from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, StrictUndefined, select_autoescape

from .. import resources
from ..aggregate import BALANCED, MIN_GAP_RETURNS, Country, Group
from ..model import TEXT, Form, Issue, Report
from ..scoring import display
from . import Writer as Base
from . import cells, feed, rows, table
from .labels import Labels
from .run import Run, as_issues

TEMPLATES = resources.files("generators/report")
BAR, GAP, LABEL_W, PLOT_W = 9, 6, 230, 360  # chart geometry in px: bar height, gap between sections
MAX_COMMENTS = 20  # per country; the rest are in scores.xlsx and scores.csv, and the page says so
MAX_LISTED = 100  # rejected inputs, and warnings, listed; every one is counted by code


def _env() -> Environment:
    env = Environment(loader=resources.template_loader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["score"] = lambda v, none="–": display(v) or none
    env.filters["number"] = lambda v: f"{v:g}"
    return env


def percent(value: Optional[float], L: Labels) -> str:
    """A fraction as a whole percentage (half away from zero, from its exact decimal digits), '–' for none."""
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


def _colour(form, agency: Optional[str]) -> str:
    """The colour class of a group: the national figure's, then one colour per agency code across every chart."""
    role = form.role("agency")
    codes = [c.code for c in role.choices] if role else []
    return "g0" if agency is None else f"g{codes.index(agency) % 5 + 1}" if agency in codes else "g5"


def _x(score: Optional[float]) -> Optional[float]:
    """Where a score falls on the chart's axis, from its left (None: no score)."""
    return None if score is None else round(LABEL_W + PLOT_W * score / 100, 1)


def chart(country: Country, L: Labels) -> Dict[str, Any]:
    """Geometry of one country's bar chart: per section, the national figure's bar and each agency's."""
    groups: List[Group] = [country.national, *country.agencies] if L.form.role("agency") else [country.national]
    names = [L["national"] if g is country.national else L.agency(g.agency) for g in groups]
    colours = [_colour(L.form, None if g is country.national else g.agency) for g in groups]
    sections = L.form.scored_sections
    step = BAR * len(groups) + GAP
    items: List[Dict[str, Any]] = []
    for n, s in enumerate(sections):
        top = 20 + n * step
        bars = []
        for k, g in enumerate(groups):
            width, high = round(PLOT_W * (g.sections.get(s.id) or 0) / 100, 1), _x(g.high.get(s.id))
            bars.append(dict(y=top + k * BAR, w=width, value=display(g.sections.get(s.id)) or "–", cls=colours[k],
                             name=names[k], shown=bounded(g.sections.get(s.id), g.low.get(s.id), g.high.get(s.id)),
                             low=_x(g.low.get(s.id)), high=high,
                             # the value after the bar, or after its bounds when they reach further
                             text_x=round(max(LABEL_W + width, high or 0.0) + 4, 1)))
        items.append(dict(label=L.section(s.id), y=top + BAR * len(groups) / 2 + 4, bars=bars))
    ticks = [dict(x=LABEL_W + PLOT_W * t / 100, text=str(t)) for t in range(0, 101, 20)]
    legend = [dict(cls=c, name=name) for c, name in zip(colours, names, strict=True)]
    return dict(width=LABEL_W + PLOT_W + 50, height=24 + len(sections) * step, items=items, ticks=ticks,
                left=LABEL_W, bar=BAR - 1, legend=legend)


class Page(Base):
    """What the page shows, gathered as the run goes by: a bounded sample of comments per country, the
    figures, and the problems counted by code with the first ones kept."""
    wants_issues = True

    def __init__(self, form: Form, path: Optional[Path] = None, language: Optional[str] = None):
        super().__init__(form, path or Path("report.html"))
        self.L = Labels(form, language)
        texts = [q for q in self.form.questions if q.kind == TEXT and not q.personal and not q.format]
        scored = {s.id for s in self.form.scored_sections}
        self.said = [q for q in texts if q.section in scored]  # evidence: free text in scored sections
        self.units = [q for q in texts if q.section not in scored]  # who wrote it: an organisational unit, a site
        self.comments: Dict[str, List[Dict[str, str]]] = {}
        self.comment_counts: Counter = Counter()
        self.problems: Counter = Counter()
        self.listed: Dict[str, List[Issue]] = {"error": [], "warning": []}

    def returns(self, batch: pa.RecordBatch) -> None:
        """Count each country's comments; keep the first ones of a country still short of its sample."""
        if not self.said or not batch.num_rows:
            return
        country = batch.column("country")
        found = [pc.fill_null(pc.greater(pc.utf8_length(batch.column(table.answer(q.id))), pa.scalar(0, pa.int32())),
                              cells.NO)
                 for q in self.said]
        counts = np.sum([f.to_numpy(zero_copy_only=False) for f in found], axis=0)
        self.comment_counts.update(dict(zip(*_sums(country, counts))))
        full = [c for c, shown in self.comments.items() if len(shown) >= MAX_COMMENTS]
        wanted = np.flatnonzero((counts > 0) & ~pc.is_in(country, pa.array(full, pa.string())).to_numpy(False))
        if len(wanted):
            self._keep(batch.take(pa.array(wanted)))

    def _keep(self, part: pa.RecordBatch) -> None:
        L, with_agency = self.L, bool(self.form.role("agency"))
        said = [part.column(table.answer(q.id)).to_pylist() for q in self.said]
        units = [part.column(table.answer(q.id)).to_pylist() for q in self.units]
        for n, (country, agency) in enumerate(zip(part.column("country").to_pylist(),
                                                  part.column("agency").to_pylist(), strict=True)):
            shown = self.comments.setdefault(country, [])
            by = ([L.agency(agency)] if with_agency else []) + [u[n] for u in units if u[n]]
            for q, texts in zip(self.said, said, strict=True):
                if texts[n] and len(shown) < MAX_COMMENTS:
                    shown.append(dict(section=L.section(q.section), text=texts[n], by=" · ".join(by)))

    def issues(self, batch: pa.RecordBatch) -> None:
        """Count the problems by severity and code; keep the first of each severity."""
        grouped = pa.table(batch).group_by(["severity", "code"]).aggregate([([], "count_all")])
        self.problems.update({(s, c): n for s, c, n in zip(*(grouped.column(k).to_pylist() for k in
                                                              ("severity", "code", "count_all")), strict=True)})
        for severity, kept in self.listed.items():
            room = MAX_LISTED - len(kept)
            if room > 0:
                error = pc.equal(batch.column("severity"), pa.scalar("error", pa.string()))
                mine = batch.filter(error if severity == "error" else pc.invert(error))
                kept += list(as_issues(mine.slice(0, room)))

    def view(self, run: Run, countries: Sequence[Country]) -> Dict[str, Any]:
        """Everything the template shows, as plain data."""
        L, form = self.L, self.form
        pair = [L.agency(code) for code in form.gap_groups]
        return dict(
            L=L, lang=L.lang, title=L.text(form.title), form=form, generated=run.generated,
            counts=[dict(channel=k, **{n: int(v.get(n, 0)) for n in ("read", "accepted", "rejected", "duplicates")})
                    for k, v in run.counts.items()],
            totals=rows.totals(run.counts), countries=[self._country(n, c) for n, c in enumerate(countries, 1)],
            gaps=[dict(country=L.country(c.country), section=L.section(g.section), first=g.first, second=g.second,
                       gap=g.gap, flagged=g.flagged, reason=L[f"reason_{g.reason}"] if g.reason else "")
                  for c in countries for g in c.gaps],
            gap_note=(L["gap_note"].format(first=pair[0], second=pair[1], flag=f"{form.gap_flag:g}") + " "
                      + L["gap_rule"].format(n=MIN_GAP_RETURNS) if len(pair) == 2 else ""),
            national_note=L["national_note"].format(first=pair[0], second=pair[1]) if len(pair) == 2 else "",
            dk_note=L["dk_note"],
            gate_note=(L["gate_note"].format(first=pair[0], second=pair[1]) if len(pair) == 2
                       else L["gate_note_pooled"]) if any(lv.requires is not None for lv in form.levels) else "",
            problems=[dict(severity=L[s] if s in ("error", "warning") else s, code=c, count=n)
                      for (s, c), n in sorted(self.problems.items(), key=lambda item: (item[0][0] != "error",
                                                                                      -item[1], item[0][1]))],
            rejected=self.listed["error"], warnings=self.listed["warning"],
            errors=sum(n for (s, _), n in self.problems.items() if s == "error"),
            warned=sum(n for (s, _), n in self.problems.items() if s != "error"),
            levels=[dict(name=L.text(lv.label), description=L.text(lv.description), low=lv.low, high=lv.high,
                         requirement=L.text(lv.requirement) if lv.requirement else "")
                    for lv in form.levels],
            returns=run.accepted)

    def _country(self, n: int, c: Country) -> Dict[str, Any]:
        L = self.L
        groups = [c.national, *c.agencies] if self.form.role("agency") else [c.national]
        names = [L["national"] if g is c.national else L.agency(g.agency) for g in groups]
        shown = self.comments.get(c.country, [])
        return dict(anchor=f"country-{n}", code=c.country, name=L.country(c.country), chart=chart(c, L),
                    method=L[f"method_{c.method}"], basis=", ".join(L.agency(a) for a in c.basis),
                    national=c.national, flagged=sum(g.flagged for g in c.gaps),
                    held=L.level(c.national.held_by) if c.national.held_by else "",
                    gate=self._gate(c, c.national), names=names,
                    sections=[dict(name=L.section(s.id),
                                   cells=[bounded(g.sections.get(s.id), g.low.get(s.id), g.high.get(s.id))
                                          for g in groups],
                                   dont_know=[percent(g.dont_know_rate.get(s.id), L) for g in groups])
                              for s in self.form.scored_sections],
                    comments=dict(shown=shown, more=self.comment_counts[c.country] - len(shown)),
                    groups=[dict(name=name, returns=g.returns, index=g.index, level=L.level(g.level),
                                 perceived=L.level(g.perceived_median), national=g is c.national,
                                 held=L.level(g.held_by) if g.held_by else "",
                                 where="" if g is c.national else L["yes"] if g.agency in c.basis else L["apart"])
                            for g, name in zip(groups, names, strict=True)])

    def _gate(self, c: Country, g: Group) -> str:
        """What held a figure's level back, in words, or that nothing did ('' without a level)."""
        L = self.L
        if g.level is None:
            return ""
        if g.held_by is None:
            return L["not_held"] if any(lv.requires is not None for lv in self.form.levels) else ""
        level = next(lv for lv in self.form.levels if lv.code == g.held_by)
        each = [f"{L.agency(a.agency)} {percent(a.key_elements.get(g.held_by), L)}" for a in c.agencies
                if a.agency in c.basis] if g is c.national and c.method == BALANCED else []
        return L["held_at"].format(level=L.level(g.level), band=L.level(g.band_level), held=L.level(g.held_by),
                                   requirement=L.text(level.requirement) if level.requirement else "",
                                   share=percent(g.key_elements.get(g.held_by), L),
                                   each=f" ({', '.join(each)})" if each else "")

    def html(self, run: Run, countries: Sequence[Country]) -> str:
        """The page as text."""
        return _env().get_template("report.html.j2").render(**self.view(run, countries))

    def close(self, run: Run, countries: Sequence[Country]) -> Path:
        """Write the page."""
        self.path.write_text(self.html(run, countries), encoding="utf-8")
        return self.path


Writer = Page


def _sums(keys: pa.Array, counts: np.ndarray):
    """(distinct keys, the sum of counts for each)."""
    encoded = pc.dictionary_encode(keys)
    sums = np.bincount(encoded.indices.to_numpy(zero_copy_only=False), weights=counts,
                       minlength=len(encoded.dictionary))
    return encoded.dictionary.to_pylist(), [int(s) for s in sums]


def render(report: Union[Report, Run], language: Optional[str] = None) -> str:
    """The page as text."""
    run = report if isinstance(report, Run) else Run.of(report)
    page = Page(run.form, language=language)
    return page.html(run, feed(run, [page]))


def write(report: Report, path, *, language: Optional[str] = None) -> Path:
    """Write report.html, labelled in language (default: the form's default language)."""
    from . import write_one
    return write_one("html", report, path, language=language)
