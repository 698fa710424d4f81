"""report.html: one self-contained page (no script, no network) a head of service reads first: the overview heatmap
of countries × sections; then per country a profile on a page of its own (its levels, how far its figures can be
trusted, its section scores with their "don't know" bounds and a chart, its Customs–Police gaps, the
recommendations for its weakest sections with their Handbook chapters, a sample of its comments per section); then
the methods, and an annex with the read statistics and the problems (every kind counted, the first ones listed).
Printed (or laid out as report.pdf, pdf.py) it is A4, one country per page, numbered. Its size follows the
countries, never the returns: the returns, every comment and every issue are in scores.xlsx and scores.json.

The page is generators/report/report.html.j2 rendered with autoescape: every text from a return, a file name or a
spec goes through Jinja2's escaping; this module only hands it plain data."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup

from .. import resources
from ..aggregate import BALANCED, MIN_GAP_RETURNS, Country, Group
from ..model import TEXT, Form, Issue, Report
from ..scoring import display
from . import Writer as Base
from . import feed, profile, rows, table
from .labels import Labels
from .profile import percent
from .run import Run, as_issues

TEMPLATES = resources.files("generators/report")
MAX_COMMENTS = 2  # per country and section; the rest are in scores.xlsx and scores.csv, and the page says so
MAX_LISTED = 100  # rejected inputs, and warnings, listed; every one is counted by code


def _ltr(value: Any) -> Markup:
    """A number or a code kept left to right inside text of either direction."""
    return Markup('<bdi dir="ltr">{}</bdi>').format(value)


def _env() -> Environment:
    env = Environment(loader=resources.template_loader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["score"] = lambda v, none="–": display(v) or none
    env.filters["number"] = lambda v: f"{v:g}"
    env.filters["ltr"] = _ltr
    return env


class Page(Base):
    """What the page shows, gathered as the run goes by: per country and section a bounded sample of comments
    (attributed by agency, and by unit only when personal), each country's completeness, the figures, and the
    problems counted by code with the first ones kept."""
    wants_issues = True

    def __init__(self, form: Form, path: Optional[Path] = None, language: Optional[str] = None,
                 personal: bool = False):
        super().__init__(form, path or Path("report.html"))
        self.L, self.personal = Labels(form, language), personal
        texts = [q for q in self.form.questions if q.kind == TEXT and not q.personal and not q.format]
        scored = {s.id for s in self.form.scored_sections}
        self.said = [q for q in texts if q.section in scored]  # evidence: free text in scored sections
        self.units = [q for q in texts if q.section not in scored]  # who wrote it: an organisational unit, a site
        self.comments: Dict[Tuple[str, str], List[Dict[str, str]]] = {}  # (country, section) -> the sample
        self.comment_counts: Counter = Counter()  # (country, section) -> comments
        self.items: Dict[Tuple[str, str], List[int]] = {}  # (country, agency) -> [answered, applicable] items
        self.problems: Counter = Counter()
        self.listed: Dict[str, List[Issue]] = {"error": [], "warning": []}

    def returns(self, batch: pa.RecordBatch) -> None:
        """Count each country's answered items and comments; keep the first comments of a section still short of
        its sample."""
        if not batch.num_rows:
            return
        self._complete(batch)
        country = batch.column("country")
        for q in self.said:
            found = pc.fill_null(pc.greater(pc.utf8_length(batch.column(table.answer(q.id))),
                                            pa.scalar(0, pa.int32())), False)
            keys, counts = _sums(pc.filter(country, found), np.ones(pc.sum(found).as_py() or 0))
            self.comment_counts.update({(k, q.section): n for k, n in zip(keys, counts, strict=True)})
            full = [c for (c, sid), shown in self.comments.items() if sid == q.section and len(shown) >= MAX_COMMENTS]
            wanted = pc.and_(found, pc.invert(pc.fill_null(pc.is_in(country, pa.array(full, pa.string())), False)))
            if pc.any(wanted).as_py():
                self._keep(batch.filter(wanted), q)

    def _complete(self, batch: pa.RecordBatch) -> None:
        sums = []
        for what in ("answered", "applicable"):
            parts = [pc.fill_null(batch.column(f"{s.id}.{what}"), 0) for s in self.form.scored_sections]
            sums.append(np.sum([np.asarray(p.to_numpy(zero_copy_only=False), dtype=np.int64) for p in parts],
                               axis=0) if parts else np.zeros(batch.num_rows, np.int64))
        grouped = pa.table({"country": pc.cast(batch.column("country"), pa.string()),
                            "agency": pc.cast(batch.column("agency"), pa.string()),
                            "answered": sums[0], "applicable": sums[1]}).group_by(["country", "agency"]) \
            .aggregate([("answered", "sum"), ("applicable", "sum")])
        for c, a, n, of in zip(*(grouped.column(k).to_pylist() for k in
                                 ("country", "agency", "answered_sum", "applicable_sum")), strict=True):
            held = self.items.setdefault((c or "", a or ""), [0, 0])
            held[0], held[1] = held[0] + n, held[1] + of

    def _keep(self, part: pa.RecordBatch, q) -> None:
        L, with_agency = self.L, bool(self.form.role("agency"))
        texts = part.column(table.answer(q.id)).to_pylist()
        units = [part.column(table.answer(u.id)).to_pylist() for u in self.units] if self.personal else []
        for n, (country, agency) in enumerate(zip(part.column("country").to_pylist(),
                                                  part.column("agency").to_pylist(), strict=True)):
            shown = self.comments.setdefault((country, q.section), [])
            if len(shown) < MAX_COMMENTS:
                by = ([L.agency(agency)] if with_agency else []) + [u[n] for u in units if u[n]]
                shown.append(dict(text=texts[n], dir=profile.direction(texts[n]), by=" · ".join(by)))

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
            L=L, lang=L.lang, dir=L.dir, title=L.text(form.title), form=form, generated=run.generated,
            round=run.round, heatmap=profile.heatmap(L, countries), min_returns=MIN_GAP_RETURNS,
            counts=[dict(channel=k, **{n: int(v.get(n, 0)) for n in ("read", "accepted", "rejected", "duplicates")})
                    for k, v in run.counts.items()],
            totals=rows.totals(run.counts), countries=[self._country(n, c) for n, c in enumerate(countries, 1)],
            pair=pair if len(pair) == 2 else [],
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
                         requirement=L.text(lv.requirement) if lv.requirement else "", cls=profile.shade(L, lv.code))
                    for lv in form.levels],
            returns=run.accepted)

    def _completeness(self, c: Country) -> Dict[str, Optional[float]]:
        """Per agency of a country ('' for the country as a whole), the share of applicable items answered."""
        mine = {a: v for (k, a), v in self.items.items() if k == c.country}
        every = [sum(v[0] for v in mine.values()), sum(v[1] for v in mine.values())]
        return {a: (v[0] / v[1] if v[1] else None) for a, v in [*mine.items(), ("", every)]}

    def _country(self, n: int, c: Country) -> Dict[str, Any]:
        L = self.L
        _, names = profile.groups_of(L, c)
        national = c.national
        return dict(anchor=f"country-{n}", code=c.country, name=L.country(c.country), chart=profile.chart(c, L),
                    method=L[f"method_{c.method}"], basis=", ".join(L.agency(a) for a in c.basis),
                    few=profile.few(c, self.form), gate=self._gate(c, national), names=names,
                    measured=profile.level_cell(L, national.band_level), gated=profile.level_cell(L, national.level),
                    perceived=profile.level_cell(L, national.perceived_median), index=display(national.index),
                    held=L.level(national.held_by) if national.held_by else "",
                    confidence=profile.confidence(L, c, self._completeness(c)),
                    sections=profile.sections(L, c),
                    advice=profile.advice(L, c),
                    comments=[dict(section=L.section(s.id), shown=self.comments.get((c.country, s.id), []),
                                   more=self.comment_counts[(c.country, s.id)]
                                   - len(self.comments.get((c.country, s.id), [])))
                              for s in self.form.scored_sections if self.comment_counts[(c.country, s.id)]])

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


def render(report: Union[Report, Run], language: Optional[str] = None, personal: bool = False) -> str:
    """The page as text."""
    run = report if isinstance(report, Run) else Run.of(report)
    page = Page(run.form, language=language, personal=personal)
    return page.html(run, feed(run, [page]))


def write(report: Report, path, *, language: Optional[str] = None, personal: bool = False) -> Path:
    """Write report.html, labelled in language (default: the form's default language)."""
    from . import write_one
    return write_one("html", report, path, language=language, personal=personal)
