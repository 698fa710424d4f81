"""What changed between two rounds (progress.compare): per country and section the change in score with the "don't
know" bounds of each round, the level moves (the band of the index and the level its key elements allowed), the
Customs-Police gaps closed or opened, and the recommendations of the first round that were followed by
improvement in their section; the countries and sections present in one round only.

A change is only called a rise or a fall past STEADY points: a country's figure rests on a handful of returns,
and a few points either way is what another handful of respondents would give."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple

from .. import recommendations
from ..aggregate import Country, Gap, Group
from ..model import Form
from .sides import Side, ordered

STEADY = 5.0  # points either way within which a section, or the index, is steady
UP, DOWN, SAME, UNKNOWN = "up", "down", "same", ""
CLOSED, OPENED, STILL, NEVER = "closed", "opened", "still-open", ""


@dataclass(frozen=True)
class Change:
    """One section's figure ('' for the overall index) in each round, with its bounds, and the move between."""
    section: str
    old: Optional[float]
    new: Optional[float]
    old_low: Optional[float] = None
    old_high: Optional[float] = None
    new_low: Optional[float] = None
    new_high: Optional[float] = None

    @property
    def change(self) -> Optional[float]:
        """New minus old; None when a round has no figure."""
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def trend(self) -> str:
        """UP or DOWN past STEADY points, SAME within them, UNKNOWN without both figures."""
        d = self.change
        return UNKNOWN if d is None else UP if d > STEADY else DOWN if d < -STEADY else SAME


@dataclass(frozen=True)
class LevelMove:
    """A country's level in each round: reached (gated), its index's band, and the level that held it back."""
    old: Optional[str]
    new: Optional[str]
    old_band: Optional[str]
    new_band: Optional[str]
    old_held_by: Optional[str]
    new_held_by: Optional[str]
    move: str  # UP, DOWN, SAME or UNKNOWN: of the level reached, in the order of the form's levels


@dataclass(frozen=True)
class GapChange:
    """A Customs-Police gap on a section ('' for the index) in each round, and whether it closed or opened."""
    section: str
    old: Optional[float]
    new: Optional[float]
    status: str  # CLOSED, OPENED, STILL (flagged in both), NEVER


@dataclass(frozen=True)
class Followed:
    """A recommendation of the first round for a section, and whether that section improved past STEADY."""
    section: str
    text: Mapping[str, str]  # language -> text
    handbook_ref: str
    level: Optional[str]  # the band the section's first score fell in, which chose the recommendation
    change: Change

    @property
    def improved(self) -> bool:
        """Whether its section rose past STEADY points."""
        return self.change.trend == UP


@dataclass(frozen=True)
class CountryProgress:
    """One country present in both rounds."""
    country: str
    index: Change
    sections: Tuple[Change, ...]  # the sections of both rounds, in order
    level: LevelMove
    gaps: Tuple[GapChange, ...]
    followed: Tuple[Followed, ...]
    old_returns: int
    new_returns: int


@dataclass(frozen=True)
class Progress:
    """Two rounds compared."""
    form_id: str
    old: Side
    new: Side
    sections: Tuple[str, ...]  # in both rounds, compared
    only_old_sections: Tuple[str, ...]
    only_new_sections: Tuple[str, ...]
    countries: Tuple[CountryProgress, ...]
    only_old_countries: Tuple[str, ...]
    only_new_countries: Tuple[str, ...]
    gap_flag: float


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def section_change(sid: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Change:
    """One section's change between two national figures of scores.json ('' : the index)."""
    if not sid:
        return Change("", _number(old.get("index")), _number(new.get("index")))
    pick = [_number(_map(g.get(k)).get(sid)) for g in (old, new) for k in ("sections", "low", "high")]
    return Change(sid, pick[0], pick[3], pick[1], pick[2], pick[4], pick[5])


def level_move(form: Form, old: Mapping[str, Any], new: Mapping[str, Any]) -> LevelMove:
    """How a country's level moved, in the order of the form's levels."""
    order = [lv.code for lv in form.levels]
    a, b = old.get("level"), new.get("level")
    move = UNKNOWN
    if a in order and b in order:
        move = UP if order.index(b) > order.index(a) else DOWN if order.index(b) < order.index(a) else SAME
    return LevelMove(a, b, old.get("band_level"), new.get("band_level"), old.get("held_by"), new.get("held_by"), move)


def _flagged(gap: Mapping[str, Any], flag: float) -> bool:
    value = _number(gap.get("gap"))
    return value is not None and not gap.get("reason") and abs(value) >= flag


def gap_changes(old: Mapping[str, Any], new: Mapping[str, Any], flag: float) -> Tuple[GapChange, ...]:
    """Each gap of either round (by section) and whether it closed, opened or stayed open, flagged at flag."""
    before = {g.get("section"): g for g in old.get("gaps") or [] if isinstance(g, dict)}
    after = {g.get("section"): g for g in new.get("gaps") or [] if isinstance(g, dict)}
    found = []
    for sid in dict.fromkeys([*after, *before]):
        a, b = before.get(sid, {}), after.get(sid, {})
        was, now = _flagged(a, flag), _flagged(b, flag)
        compared = _number(b.get("gap")) is not None and not b.get("reason")
        status = STILL if was and now else CLOSED if was and compared else OPENED if now else NEVER
        found.append(GapChange(str(sid or ""), _number(a.get("gap")), _number(b.get("gap")), status))
    return tuple(found)


def as_group(figure: Mapping[str, Any]) -> Group:
    """A figure of scores.json as aggregate.Group (what recommendations choose from)."""
    return Group(str(figure.get("agency", "")), int(figure.get("returns") or 0), _map(figure.get("sections")),
                 _number(figure.get("index")), figure.get("level"), _map(figure.get("perceived")),
                 figure.get("perceived_median"), _map(figure.get("scored")), _map(figure.get("low")),
                 _map(figure.get("high")), _map(figure.get("dont_know_rate")), figure.get("band_level"),
                 figure.get("held_by"), _map(figure.get("key_elements")))


def as_country(c: Mapping[str, Any]) -> Country:
    """A country of scores.json as aggregate.Country (its national figure, the rest as far as recommendations need)."""
    national = _map(c.get("national"))
    gaps: Tuple[Gap, ...] = ()
    return Country(str(c.get("country", "")), as_group(national), str(national.get("method", "")),
                   tuple(national.get("basis") or ()), tuple(as_group(a) for a in c.get("agencies") or []), gaps)


def followed(form: Form, old: Mapping[str, Any], changes: Mapping[str, Change]) -> Tuple[Followed, ...]:
    """The first round's recommendations for a country (recommendations.for_country) and its sections' changes."""
    found = []
    for a in recommendations.for_country(form, as_country(old)):
        rec = a.recommendation
        if rec.section in changes:
            found.append(Followed(rec.section, dict(rec.text), rec.handbook_ref, a.level, changes[rec.section]))
    return tuple(found)


def country(form: Form, code: str, old: Mapping[str, Any], new: Mapping[str, Any],
            sections: Tuple[str, ...]) -> CountryProgress:
    """One country's progress between two rounds."""
    a, b = _map(old.get("national")), _map(new.get("national"))
    changes = {sid: section_change(sid, a, b) for sid in sections}
    return CountryProgress(code, section_change("", a, b), tuple(changes.values()), level_move(form, a, b),
                           gap_changes(old, new, form.gap_flag), followed(form, old, changes),
                           int(a.get("returns") or 0), int(b.get("returns") or 0))


def compare(form: Form, old: Side, new: Side) -> Progress:
    """Two rounds of one form compared, country by country and section by section (by section id)."""
    where = ordered(old, new)
    both = tuple(sid for sid, (a, b) in where.items() if a and b)
    codes = [c for c in new.countries if c in old.countries]
    return Progress(
        old.form_id, old, new, both,
        tuple(sid for sid, (a, b) in where.items() if a and not b),
        tuple(sid for sid, (a, b) in where.items() if b and not a),
        tuple(country(form, c, old.countries[c], new.countries[c], both) for c in sorted(codes)),
        tuple(sorted(c for c in old.countries if c not in new.countries)),
        tuple(sorted(c for c in new.countries if c not in old.countries)),
        form.gap_flag)
