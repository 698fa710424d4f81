"""The values channels, readers and scoring make of returns: Response, Issue, the scores and the run's Report.

Frozen like the form's model (model.py), which re-exports them; they know the Form by type only."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping, NamedTuple, Optional, Tuple

if TYPE_CHECKING:
    from .model import Form


def freeze(obj, name: str, value) -> None:
    """Set a frozen dataclass's mapping field to a read-only view."""
    # a mappingproxy is kept as given: a reader wraps the fresh dict it built, saving a copy a return
    object.__setattr__(obj, name, value if type(value) is MappingProxyType else MappingProxyType(dict(value)))


def bare_id(text: str) -> str:
    """An instance id as compared across sources: without the 'uuid:' prefix servers write or leave out."""
    return text[5:] if text[:5].lower() == "uuid:" else text


def _rebuild(cls, fields):
    return cls(**fields)


@dataclass(frozen=True)
class Response:
    """One return, from any channel: answers keyed by question id, as canonical codes."""
    form_id: str
    form_version: str
    answers: Mapping[str, Any]
    channel: str = ""
    source: str = ""
    location: str = ""
    instance_id: str = ""
    root_id: str = ""  # stays the same across edits (Central KEY, Kobo _id or rootUuid); defaults to instance_id
    submitted: str = ""
    language: str = ""
    # set by a reader that scores whole batches at once (bulk.py); the same as score_return would give
    scores: Optional["ReturnScore"] = field(default=None, compare=False, repr=False)
    review: str = ""  # the server's review state as it wrote it (Central ReviewState, Kobo _validation_status)
    edits: int = 0  # edits before this version (Central Edits, the XML deprecatedID chain): orders the versions

    def __post_init__(self):
        freeze(self, "answers", self.answers)

    def __reduce__(self):
        # mappingproxy does not pickle; worker processes send Responses back to the parent
        fields = {f: getattr(self, f) for f in self.__dataclass_fields__}
        fields["answers"] = dict(self.answers)
        return (_rebuild, (Response, fields))

    @property
    def identity(self) -> str:
        """The id that groups the edits of one submission (servers write it with or without 'uuid:')."""
        return bare_id(self.root_id or self.instance_id)


class Issue(NamedTuple):
    """A problem found in a spec or an input: data, gathered into a report, never a traceback (a tuple:
    a large export can carry hundreds of thousands of warnings). Change one with issue._replace()."""
    code: str
    message: str
    severity: str = "error"  # error: the thing is rejected; warning: read, but look
    source: str = ""
    location: str = ""
    record: str = ""  # the return it belongs to (row, record, workbook), so several problems count one return

    def __str__(self) -> str:
        where = ":".join(p for p in (self.source, self.location) if p)
        return f"{where}: {self.message}" if where else self.message


class ItemScore(NamedTuple):
    """One item's score (a tuple: scoring makes tens of thousands of them a second)."""
    question: str
    status: str  # scored, not_applicable, not_relevant, dont_know, missing
    score: Optional[float] = None
    max_score: float = 0.0
    weight: float = 1.0


class SectionScore(NamedTuple):
    """One section's score (None when insufficient) and completeness in one return (a tuple, as ItemScore)."""
    section: str
    score: Optional[float]  # None: insufficient
    completeness: Optional[float]
    answered: int
    applicable: int
    items: Tuple[ItemScore, ...] = ()
    dont_know: int = 0  # items answered "don't know"
    low: Optional[float] = None  # the score had every "don't know" been the worst answer (None: no score)
    high: Optional[float] = None  # ... and had it been the best

    @property
    def sufficient(self) -> bool:
        """Whether enough was answered for the section to have a score."""
        return self.score is not None


class ReturnScore(NamedTuple):
    """Every score of one return: sections, overall index, level and the level perceived (a tuple)."""
    sections: Tuple[SectionScore, ...]
    # the field shadows tuple.index(), which nothing calls on a score: the name is the public one since the start
    index: Optional[float]  # type: ignore[assignment]
    level: Optional[str]  # the level reached: the index's band, or below it where key elements are missing
    perceived_level: Optional[str] = None
    band_level: Optional[str] = None  # the level whose band the index falls in
    held_by: Optional[str] = None  # the level whose required key elements are missing, when that held it back
    # every level whose key elements (requires) the return lacks, whatever its index: what a country's rule counts
    missing: Tuple[str, ...] = ()

    def section(self, sid: str) -> Optional[SectionScore]:
        """The score of one section, or None."""
        return next((s for s in self.sections if s.section == sid), None)


@dataclass(frozen=True)
class ScoredReturn:
    """An accepted return with its scores (and the form version it was scored against)."""
    response: Response
    score: ReturnScore
    form: Form


@dataclass(frozen=True)
class Report:
    """Everything one scoring run produced: what every report writer renders."""
    form: Form
    returns: Tuple[ScoredReturn, ...]
    countries: Tuple[Any, ...]  # aggregate.Country: each country's figures
    issues: Tuple[Issue, ...]
    counts: Mapping[str, Mapping[str, int]]  # channel -> {read, accepted, rejected, duplicates}
    generated: str = ""  # ISO timestamp of the run

    def __post_init__(self):
        freeze(self, "counts", {k: MappingProxyType(dict(v)) for k, v in self.counts.items()})
