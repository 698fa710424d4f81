"""The two sides of a comparison: each a scores.json (a file, or a folder holding one) or a set of returns scored
here first, read into a Side: its round, its form and version, its sections and its countries' figures.

Only the keys a reader needs are read, and new keys are tolerated: a scores.json of format 4 (no round) or later
(recommendations, round) serves alike. A side that cannot be used is a Refusal, said in words, never a traceback."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Tuple, Union

from .. import rounds
from ..model import Form

SCORES = "scores.json"
FORMAT = "cpc-forms/scores"


class Refusal(NamedTuple):
    """Why a comparison cannot be made: what is refused (a file, or both), and the reason in words."""
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


@dataclass(frozen=True)
class Side:
    """One round's scores as a comparison reads them: the country figures of scores.json, by country code."""
    source: str
    round: str  # '' when neither the file nor its returns' dates say
    form_id: str
    form_version: str
    sections: Tuple[str, ...]  # the scored sections' ids, in display order
    countries: Mapping[str, Mapping[str, Any]] = field(repr=False)  # code -> its figures as scores.json holds them
    generated: str = ""


def _scores_file(path: Path) -> Optional[Path]:
    """The scores.json a path names (the file itself, or the one in a folder), None when it is a set of returns."""
    if path.is_dir():
        return path / SCORES if (path / SCORES).is_file() else None
    if path.suffix.lower() != ".json":
        return None
    try:
        with path.open("rb") as f:
            start = f.read(4096).decode("utf-8", "replace")
    except OSError:
        return None
    return path if f'"{FORMAT}"' in start else None


def read(path: Union[str, Path], form: Form) -> Union[Side, Refusal]:
    """One side: a scores.json read, or a set of returns (a file or folder of them) scored against form."""
    path = Path(path)
    if not path.exists():
        return Refusal(str(path), "does not exist")
    found = _scores_file(path)
    return from_scores(found, form) if found is not None else from_returns(path, form)


def from_scores(path: Path, form: Form) -> Union[Side, Refusal]:
    """The side a scores.json holds."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Refusal(str(path), f"cannot be read as JSON ({exc})")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("form"), dict):
        return Refusal(str(path), f"is not a scores.json written by cpc-forms score (its format is not {FORMAT})")
    return side(doc, str(path), form)


def side(doc: Mapping[str, Any], source: str, form: Form) -> Union[Side, Refusal]:
    """The side of a scores.json document (plain data)."""
    about = doc["form"]
    countries = [c for c in doc.get("countries") or [] if isinstance(c, dict) and isinstance(c.get("national"), dict)]
    sections = tuple(s["id"] for s in about.get("sections") or [] if isinstance(s, dict) and "id" in s)
    name = doc.get("round")
    if not isinstance(name, str) or not name:
        name = _round_of_returns(doc, form)
        if isinstance(name, Refusal):
            return Refusal(source, name.message)
    return Side(source, name, str(about.get("id", "")), str(about.get("version", "")), sections,
                {str(c.get("country", "")): c for c in countries}, str(doc.get("generated") or ""))


def _round_of_returns(doc: Mapping[str, Any], form: Form) -> Union[str, Refusal]:
    """The round of a scores.json that does not name one: the year its returns' assessment dates share."""
    answers = [r.get("answers") or {} for r in doc.get("returns") or [] if isinstance(r, dict)]
    found = rounds.of_answers(form, answers)
    if found.mixed:
        years = ", ".join(f"{f.name} ({f.returns} returns)" for f in found.found)
        return Refusal("", f"holds returns of several assessment rounds ({years}): score each round on its own")
    return found.name


def from_returns(path: Path, form: Form) -> Union[Side, Refusal]:
    """The side of a set of returns, scored here as `cpc-forms score` would (their round from their dates)."""
    from ..ingest import run
    from ..report import json as scores_json
    from ..report.run import Run
    from ..spec import form_versions

    report = run([path], form, form_versions(form))
    if not report.returns:
        problems = "; ".join(str(i) for i in report.issues[:3])
        return Refusal(str(path), "holds no return that could be scored" + (f" ({problems})" if problems else ""))
    found = rounds.of_run(Run.of(report))
    if found.mixed:
        return Refusal(str(path), rounds.mixed_message(found, "the returns there hold"))
    return side(scores_json.document(report, round=found.name), str(path), form)


def refusals(old: Side, new: Side, form: Form) -> List[Refusal]:
    """Why two sides cannot be compared: different forms, a form other than the spec's, or the same round."""
    found: List[Refusal] = []
    if old.form_id != new.form_id:
        found.append(Refusal("", f"{old.source} is of form {old.form_id!r} and {new.source} of form "
                                 f"{new.form_id!r}: only two rounds of one form can be compared"))
    elif old.form_id != form.id:
        found.append(Refusal("", f"the scores are of form {old.form_id!r} but the spec is of form {form.id!r}: "
                                 "give the spec of those scores with --spec"))
    if old.round and old.round == new.round:
        found.append(Refusal("", f"{old.source} and {new.source} are both of round {old.round!r}: compare two "
                                 "different rounds (score each with its own --round NAME)"))
    return found


def ordered(old: Side, new: Side) -> Dict[str, Tuple[bool, bool]]:
    """Every section id of either side, in the newer side's order then the older's: (in old, in new)."""
    every = list(dict.fromkeys([*new.sections, *old.sections]))
    return {sid: (sid in old.sections, sid in new.sections) for sid in every}
