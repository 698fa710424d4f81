"""progress.json: two rounds compared, as plain data (format cpc-forms/progress): the rounds, the sections and
countries of one round only, and per country the change of each section and of the index (with the bounds of each
round), the level move, the gaps closed or opened and the first round's recommendations with their section's
change. Scores at full precision; null means no figure."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from .changes import STEADY, Change, CountryProgress, Progress
from .sides import Side

FORMAT = "cpc-forms/progress"
FORMAT_VERSION = 1


def _side(side: Side) -> Dict[str, Any]:
    return dict(round=side.round or None, source=side.source, form_version=side.form_version,
                generated=side.generated or None, countries=len(side.countries))


def _change(ch: Change) -> Dict[str, Any]:
    return dict(section=ch.section, old=ch.old, new=ch.new, change=ch.change, trend=ch.trend or None,
                old_low=ch.old_low, old_high=ch.old_high, new_low=ch.new_low, new_high=ch.new_high)


def _country(c: CountryProgress) -> Dict[str, Any]:
    lv = c.level
    return dict(country=c.country, old_returns=c.old_returns, new_returns=c.new_returns, index=_change(c.index),
                sections=[_change(ch) for ch in c.sections],
                level=dict(old=lv.old, new=lv.new, old_band=lv.old_band, new_band=lv.new_band,
                           old_held_by=lv.old_held_by, new_held_by=lv.new_held_by, move=lv.move or None),
                gaps=[dict(section=g.section, old=g.old, new=g.new, status=g.status or None) for g in c.gaps],
                recommendations=[dict(section=f.section, level=f.level, handbook_ref=f.handbook_ref,
                                      text=dict(f.text), change=f.change.change, improved=f.improved)
                                 for f in c.followed])


def document(p: Progress) -> Dict[str, Any]:
    """progress.json as plain data."""
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "form": p.form_id, "old": _side(p.old),
            "new": _side(p.new), "steady": STEADY, "gap_flag": p.gap_flag, "sections": list(p.sections),
            "only_old_sections": list(p.only_old_sections), "only_new_sections": list(p.only_new_sections),
            "only_old_countries": list(p.only_old_countries), "only_new_countries": list(p.only_new_countries),
            "countries": [_country(c) for c in p.countries]}


def write(p: Progress, path: Path) -> Path:
    """Write progress.json (UTF-8, indented, no NaN)."""
    Path(path).write_text(json.dumps(document(p), ensure_ascii=False, indent=1, allow_nan=False) + "\n",
                          encoding="utf-8")
    return Path(path)
