"""progress.html: two rounds compared, on one self-contained page (no script, no network), in the reader's language:
a summary, the change of every country and section at a glance, then per country its level, its sections' scores
in each round with their "don't know" bounds, its Customs-Police gaps and the first round's recommendations.

The page is generators/compare/progress.html.j2 rendered with autoescape; its words are
generators/compare/strings.json, the form's own labels come from the spec (report.labels.Labels)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

from jinja2 import Environment, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from .. import resources, strings
from ..report.labels import Labels
from ..scoring import display
from .changes import CLOSED, DOWN, NEVER, OPENED, STEADY, STILL, UP, Change, CountryProgress, Progress

TEMPLATES = resources.files("generators/compare")
STRINGS = strings.COMPARE
ARROWS = {UP: "▲", DOWN: "▼"}
TRENDS = {UP: "trend_up", DOWN: "trend_down", "same": "trend_same", "": "trend_unknown"}
MOVES = {UP: "move_up", DOWN: "move_down", "same": "move_same", "": "move_unknown"}
GAPS = {CLOSED: "gap_closed", OPENED: "gap_opened", STILL: "gap_still", NEVER: "gap_never"}


def words(language: str) -> Dict[str, str]:
    """The page's own words in a language (its base language's for a regional variant)."""
    return dict(strings.texts(STRINGS, language))


def signed(value: Optional[float], none: str = "–") -> str:
    """A change as people read it: +12.3, −4.0 (a true minus sign), 0.0; none for no value."""
    if value is None:
        return none
    shown = display(abs(value))
    return f"+{shown}" if shown != display(0.0) and value > 0 else f"−{shown}" if shown != display(0.0) else shown


def bounded(score: Optional[float], low: Optional[float], high: Optional[float]) -> str:
    """A score with its "don't know" bounds: '62.3 (55.0–71.2)', the score alone when they are the same, '–'."""
    if score is None:
        return "–"
    if low is None or high is None or display(low) == display(high):
        return display(score)
    return f"{display(score)} ({display(low)}–{display(high)})"


def section_name(L: Labels, sid: str) -> str:
    """A section's name in the spec's language; its id when the spec no longer has it; the index for ''."""
    return L.section(sid) if not sid or L.form.section(sid) else sid


def _change(ch: Change, L: Labels, S: Dict[str, str]) -> Dict[str, Any]:
    return dict(name=section_name(L, ch.section), old=bounded(ch.old, ch.old_low, ch.old_high),
                new=bounded(ch.new, ch.new_low, ch.new_high), change=signed(ch.change), cls=ch.trend or "unknown",
                trend=S[TRENDS[ch.trend]], arrow=ARROWS.get(ch.trend, ""))


def _level(code: Optional[str], L: Labels, S: Dict[str, str]) -> str:
    return L.level(code) if code else S["no_value"]


def _country(c: CountryProgress, L: Labels, S: Dict[str, str]) -> Dict[str, Any]:
    lv = c.level
    level = dict(old=_level(lv.old, L, S), new=_level(lv.new, L, S), old_band=_level(lv.old_band, L, S),
                 new_band=_level(lv.new_band, L, S), old_held_by=_level(lv.old_held_by, L, S),
                 new_held_by=_level(lv.new_held_by, L, S), move=S[MOVES[lv.move]], cls=lv.move or "unknown")
    gaps = [dict(name=section_name(L, g.section), old=signed(g.old), new=signed(g.new), status=S[GAPS[g.status]],
                 cls=g.status or "same") for g in c.gaps if g.status != NEVER]
    followed = [dict(name=section_name(L, f.section),
                     text=f.text.get(L.lang) or f.text.get(L.form.default_language, ""),
                     ref=f.handbook_ref, change=signed(f.change.change),
                     outcome=S["followed_yes" if f.improved else "followed_no"], cls=UP if f.improved else "same")
                for f in c.followed]
    return dict(code=c.country, name=L.country(c.country), index={**_change(c.index, L, S), "name": L["index"]},
                sections=[_change(ch, L, S) for ch in c.sections], level=level, gaps=gaps, followed=followed,
                old_returns=c.old_returns, new_returns=c.new_returns)


def _summary(p: Progress, S: Dict[str, str]) -> List[Dict[str, Any]]:
    changes = [ch for c in p.countries for ch in c.sections]
    counts = {
        "countries_compared": len(p.countries),
        "sections_up": sum(ch.trend == UP for ch in changes),
        "sections_down": sum(ch.trend == DOWN for ch in changes),
        "sections_same": sum(ch.trend == "same" for ch in changes),
        "levels_up": sum(c.level.move == UP for c in p.countries),
        "levels_down": sum(c.level.move == DOWN for c in p.countries),
        "gaps_closed": sum(g.status == CLOSED for c in p.countries for g in c.gaps),
        "gaps_opened": sum(g.status == OPENED for c in p.countries for g in c.gaps),
        "followed_improved": sum(f.improved for c in p.countries for f in c.followed),
    }
    return [dict(label=S[key], value=value) for key, value in counts.items()]


def view(p: Progress, L: Labels) -> Dict[str, Any]:
    """Everything the template shows, as plain data."""
    S = words(L.lang)
    old, new = (dict(round=side.round or S["unnamed_round"], source=side.source, generated=side.generated)
                for side in (p.old, p.new))
    heading = Markup(escape(S["heading"])).format(old=Markup("<bdi>%s</bdi>") % old["round"],
                                                  new=Markup("<bdi>%s</bdi>") % new["round"])
    groups = [L.agency(a) for a in L.form.gap_groups] or ["", ""]
    return dict(
        lang=L.lang, dir=L.dir, S=S, L=L, form_id=p.form_id, old=old, new=new, heading=heading,
        versions=S["versions"].format(old=p.old.form_version, new=p.new.form_version),
        steady_note=S["steady_note"].format(steady=f"{STEADY:g}"),
        gap_note=S["gap_note"].format(first=groups[0], second=groups[-1], flag=f"{p.gap_flag:g}"),
        first_head=f"{S['first_round']} ({old['round']})", second_head=f"{S['second_round']} ({new['round']})",
        summary=_summary(p, S), sections=[dict(name=section_name(L, s)) for s in p.sections],
        countries=[_country(c, L, S) for c in p.countries],
        only=[("only_old_countries", [L.country(c) for c in p.only_old_countries]),
              ("only_new_countries", [L.country(c) for c in p.only_new_countries]),
              ("only_old_sections", [section_name(L, s) for s in p.only_old_sections]),
              ("only_new_sections", [section_name(L, s) for s in p.only_new_sections])])


def _env() -> Environment:
    return Environment(loader=resources.template_loader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(default=True, default_for_string=True),
                       trim_blocks=True, lstrip_blocks=True)


def render(p: Progress, labels: Labels) -> str:
    """progress.html's text."""
    return _env().get_template("progress.html.j2").render(**view(p, labels))


def write(p: Progress, labels: Labels, path: Path) -> Path:
    """Write progress.html."""
    Path(path).write_text(render(p, labels), encoding="utf-8")
    return Path(path)
