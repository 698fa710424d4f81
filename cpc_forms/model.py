"""The frozen model every channel, reader and report works on; built once from the spec by spec.py."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping, Optional, Tuple

# the values of returns and scores live in values.py; dozens of modules import them from here, with the form's
from .values import (  # noqa: F401
    Issue,
    ItemScore,
    Report,
    Response,
    ReturnScore,
    ScoredReturn,
    SectionScore,
    bare_id,
    freeze,
)

if TYPE_CHECKING:
    from .recommendations import Recommendation

Text = Mapping[str, str]  # language code -> text

SELECT_ONE, SELECT_MULTIPLE = "select_one", "select_multiple"
INTEGER, DECIMAL, DATE, TEXT = "integer", "decimal", "date", "text"
NUMERIC_KINDS = (INTEGER, DECIMAL)
DONT_KNOW, NOT_APPLICABLE, NONE_OF_THESE = "dk", "na", "none"
# off: a blind assessment, no channel shows scores to respondents; after-submit: once the return is finished
# (the perceived level answered, the return sent or saved); live: while answering
LIVE_SCORES = ("off", "after-submit", "live")


@dataclass(frozen=True)
class Choice:
    """One answer of a choice list: its code, label per language, score, and special meaning."""
    code: str
    label: Text
    score: Optional[float] = None
    special: Optional[str] = None  # DONT_KNOW, NOT_APPLICABLE, NONE_OF_THESE (multiple choice only) or None


@dataclass(frozen=True)
class Band:
    """Scores a number x with low <= x < high (high None: no upper bound)."""
    low: float
    high: Optional[float]
    score: float

    def contains(self, x: float) -> bool:
        """Whether x falls in this band."""
        return x >= self.low and (self.high is None or x < self.high)


@dataclass(frozen=True)
class Condition:
    """One node of a condition tree: op is all/any/not or a comparison on one question."""
    op: str
    question: Optional[str] = None
    value: Any = None
    terms: Tuple["Condition", ...] = ()

    def questions(self) -> Tuple[str, ...]:
        """Every question id the tree reads."""
        own = (self.question,) if self.question else ()
        return own + tuple(q for t in self.terms for q in t.questions())


@dataclass(frozen=True)
class Question:
    """One question, the same id in every channel: kind, texts, choices, rules and scoring."""
    id: str
    section: str
    kind: str
    label: Text
    hint: Text = field(default_factory=dict)
    choices: Tuple[Choice, ...] = ()
    choice_list: Optional[str] = None
    required: bool = False
    relevant: Optional[Condition] = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    max_length: Optional[int] = None
    format: Optional[str] = None  # 'email' for an e-mail text
    scored: bool = False
    weight: float = 1.0
    bands: Tuple[Band, ...] = ()
    role: Optional[str] = None
    personal: bool = False
    appearance: Optional[str] = None
    messages: Mapping[str, Text] = field(default_factory=dict)

    def __post_init__(self):
        for name in ("label", "hint", "messages"):
            freeze(self, name, getattr(self, name))

    def __hash__(self):
        return hash((self.section, self.id, self.kind))

    def choice(self, code: str) -> Optional[Choice]:
        """The choice with this code, or None."""
        return self._choices_by_code.get(code)

    @cached_property
    def _choices_by_code(self) -> Mapping[str, Choice]:
        return {c.code: c for c in self.choices}

    @cached_property
    def max_score(self) -> float:
        """The best score this item can get."""
        scores = [c.score for c in self.choices if c.score is not None]
        return max(scores + [b.score for b in self.bands], default=0.0)


@dataclass(frozen=True)
class Section:
    """A group of questions (a section of the spec), scored or not."""
    id: str
    label: Text
    hint: Text
    questions: Tuple[Question, ...]
    handbook_ref: Optional[str] = None
    scored: bool = False
    weight: float = 1.0
    relevant: Optional[Condition] = None

    @cached_property
    def scored_questions(self) -> Tuple[Question, ...]:
        """The questions of this section that are scored."""
        return tuple(q for q in self.questions if q.scored)


@dataclass(frozen=True)
class Level:
    """A partnership level: index in [low, high), the last band closed at its top, and the key elements it
    requires besides (a condition on the answers, with the same in words)."""
    code: str
    low: float
    high: float
    label: Text
    description: Text
    requires: Optional[Condition] = None
    requirement: Text = field(default_factory=dict)


@dataclass(frozen=True)
class Form:
    """A whole spec, built once by spec.py; everything downstream works on it."""
    id: str
    version: str
    title: Text
    description: Text
    languages: Tuple[str, ...]
    default_language: str
    sections: Tuple[Section, ...]
    levels: Tuple[Level, ...]
    completeness_threshold: float
    min_sections: int
    gap_groups: Tuple[str, ...] = ()   # agency codes compared: first minus second
    gap_flag: float = 15.0
    live_scores: str = "off"  # LIVE_SCORES: when respondents see scores
    messages: Mapping[str, Text] = field(default_factory=dict)
    language_names: Mapping[str, str] = field(default_factory=dict)
    # the spec itself, canonical JSON: the schema every return is validated against
    schema_json: str = field(default="{}", repr=False)
    spec_hash: str = ""
    source: str = ""
    # what to do next, by section band, low item or missing key element (recommendations.py builds and chooses)
    recommendations: Tuple["Recommendation", ...] = field(default=(), repr=False, compare=False)
    # computed once by __post_init__: questions and sections by id, and the hash every per-form cache looks up
    _index: Mapping[str, Question] = field(init=False, repr=False, compare=False)
    _sections: Mapping[str, Section] = field(init=False, repr=False, compare=False)
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        for name in ("title", "description", "messages", "language_names"):
            freeze(self, name, getattr(self, name))
        index = {q.id: q for s in self.sections for q in s.questions}
        object.__setattr__(self, "_index", MappingProxyType(index))
        object.__setattr__(self, "_sections", MappingProxyType({s.id: s for s in self.sections}))
        # every per-form cache looks the form up by hash, many times a return: compute it once
        object.__setattr__(self, "_hash", hash((self.id, self.version, self.spec_hash)))

    def __hash__(self):
        return self._hash

    @property
    def questions(self) -> Tuple[Question, ...]:
        """Every question, in display order."""
        return tuple(self._index.values())

    def question(self, qid: str) -> Optional[Question]:
        """The question with this id, or None."""
        return self._index.get(qid)

    def section(self, sid: str) -> Optional[Section]:
        """The section with this id, or None."""
        return self._sections.get(sid)

    def role(self, role: str) -> Optional[Question]:
        """The question that plays a role (country, agency, perceived_level...), if any."""
        return self._roles.get(role)

    def conditions_of(self, qid: str) -> Tuple[Condition, ...]:
        """The conditions a question is relevant under: its section's, then its own (none: always relevant)."""
        return self._conditions.get(qid, ())

    @cached_property
    def _conditions(self) -> Mapping[str, Tuple[Condition, ...]]:
        found = {q.id: tuple(c for c in (s.relevant, q.relevant) if c is not None)
                 for s in self.sections for q in s.questions}
        return MappingProxyType({qid: conds for qid, conds in found.items() if conds})

    @cached_property
    def _roles(self) -> Mapping[str, Question]:
        roles: dict = {}
        for q in self.questions:
            if q.role:
                roles.setdefault(q.role, q)
        return roles

    def number(self, qid: str) -> str:
        """A question's number as people know it: A1, A2 ... in a section whose label starts with its letter
        ('A. Mandates'), else 1.1, 1.2 ... by the section's place in the form."""
        return self._numbers.get(qid, qid)

    @cached_property
    def _numbers(self) -> Mapping[str, str]:
        numbers, used = {}, set()
        for place, s in enumerate(self.sections, start=1):
            letter = re.match(r"([A-Z])[.)]\s", s.label.get(self.default_language, ""))
            prefix = letter.group(1) if letter and letter.group(1) not in used else f"{place}."
            used.add(prefix)
            numbers.update({q.id: f"{prefix}{n}" for n, q in enumerate(s.questions, start=1)})
        return MappingProxyType(numbers)

    @property
    def shows_scores(self) -> bool:
        """Whether respondents see scores at all (after finishing, or while answering)."""
        return self.live_scores != "off"

    @cached_property
    def scored_sections(self) -> Tuple[Section, ...]:
        """The sections that are scored, in display order."""
        return tuple(s for s in self.sections if s.scored)
