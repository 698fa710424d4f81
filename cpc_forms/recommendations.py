"""Recommendations as spec data (x-recommendations): checked with the spec, built once into the Form, and chosen
for one scored return or for a country's figures.

A scored section lists what to do next when its score falls in given level bands; a scored item lists what to
do when its score is low, or when it is a key element (a level's requires) that the return misses for the level
just above the one it reached. Which band a section score falls in is the same rule as the overall index's
(scoring.level_for): the recommendations add no rule of scoring.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from . import conditions
from .catalogue import Code, issue
from .model import Condition, Form, Issue, ItemScore, ReturnScore, SectionScore, Text
from .nodes import section_and_question_nodes

if TYPE_CHECKING:
    from .aggregate import Country

KEY = "x-recommendations"
SECTION, LOW, GATE = "section", "low", "gate"  # why a recommendation applies: its section's band, a low item, a gate
LOW_SHARE = 0.5  # an item is low when it scores under half its best (0 or 1 of 4; "no" on a yes / partly / no item)
CHAPTER = re.compile(r"^[IVXLC]+(\.[a-z])?(, [IVXLC]+(\.[a-z])?)*$")  # "IV.b", "II.a, II.b"


@dataclass(frozen=True)
class Recommendation:
    """One recommendation of the spec: the section or item it belongs to, when it applies, its text per language."""
    section: str
    question: Optional[str]  # None: the section's own, by level band
    when: str  # SECTION (in the bands of levels), LOW or GATE (an item's)
    levels: Tuple[str, ...]  # SECTION: the level codes whose band the section's score falls in
    text: Text = field(compare=False)
    handbook_ref: str = ""
    pointer: str = ""  # where the spec holds it

    def __post_init__(self):
        object.__setattr__(self, "text", MappingProxyType(dict(self.text)))

    def in_language(self, language: str, default: str) -> str:
        """The text in a language, or in the default language when it has none."""
        return self.text.get(language) or self.text[default]


class Advice(NamedTuple):
    """A recommendation that applies, and why: the section score's band, or the item's score or missing gate."""
    recommendation: Recommendation
    reason: str  # SECTION, LOW or GATE
    level: Optional[str]  # SECTION: the band of the section's score; GATE: the level whose key element is missing
    score: Optional[float]  # SECTION: the section's score; LOW: the item's points; GATE: None


# --- building ---------------------------------------------------------------------------------------------------

def _text(rec: dict, languages: Sequence[str], default: str) -> Dict[str, str]:
    out = {default: rec["text"]}
    for lang in languages:
        value = rec.get("x-i18n", {}).get(lang, {}).get("text")
        if value:
            out[lang] = value
    return out


def build(doc: dict, languages: Sequence[str], default: str) -> Tuple[Recommendation, ...]:
    """Every recommendation of a spec document that passed the checks, in the spec's order."""
    return tuple(
        Recommendation(sid, qid, rec.get("when", SECTION), tuple(rec.get("levels", ())),
                       _text(rec, languages, default), rec.get("x-handbook-ref", ""), f"{ptr}/{KEY}/{n}")
        for sid, qid, node, ptr in section_and_question_nodes(doc) for n, rec in enumerate(node.get(KEY, ())))


def without(doc: dict) -> dict:
    """The document without its recommendations: they change no form, so they are no part of its schema or hash."""
    if not any(KEY in node for _, _, node, _ in section_and_question_nodes(doc)):
        return doc
    bare = copy.deepcopy(doc)
    for _, _, node, _ in section_and_question_nodes(bare):
        node.pop(KEY, None)
    return bare


# --- checking ---------------------------------------------------------------------------------------------------

def _read(node: Any) -> Iterator[str]:
    """The question ids a condition's JSON reads, as far as it can be read (the meta-schema names what is wrong)."""
    if isinstance(node, dict):
        if isinstance(node.get("question"), str):
            yield node["question"]
        for op in ("all", "any"):
            terms = node.get(op)
            for term in terms if isinstance(terms, list) else ():
                yield from _read(term)
        yield from _read(node.get("not"))


def _gate_questions(doc: dict) -> Set[str]:
    return {q for level in doc["x-scoring"]["levels"] if isinstance(level, dict) for q in _read(level.get("requires"))}


def check(doc: dict) -> Iterator[Issue]:
    """Every problem of the spec's recommendations: languages, level codes, gates, scored targets, chapter refs."""
    form = doc["x-form"]
    languages, default = form["languages"], form["default_language"]
    levels = {lv["code"] for lv in doc["x-scoring"]["levels"]}
    gates = _gate_questions(doc)
    for sid, qid, node, ptr in section_and_question_nodes(doc):
        recs = node.get(KEY, ())
        scored = "x-score" in node and (qid is None or "x-score" in doc["properties"][sid])
        if recs and not scored:
            yield issue(Code.BAD_RECOMMENDATION, location=f"{ptr}/{KEY}", reason=f"'{qid or sid}' is not scored, "
                        "so no score could ever call for these")
        for n, rec in enumerate(recs):
            at = f"{ptr}/{KEY}/{n}"
            yield from _check_one(rec, at, qid, levels, gates)
            yield from _check_languages(rec, at, languages, default)


def _check_one(rec: dict, at: str, qid: Optional[str], levels: set, gates: set) -> Iterator[Issue]:
    if qid is None and "when" in rec:
        yield issue(Code.BAD_RECOMMENDATION, location=f"{at}/when",
                    reason="a section's recommendation applies by 'levels'; 'when' belongs to an item's")
    if qid is not None and "levels" in rec:
        yield issue(Code.BAD_RECOMMENDATION, location=f"{at}/levels",
                    reason="an item's recommendation applies by 'when' (low or gate); 'levels' belongs to a section's")
    for k, code in enumerate(rec.get("levels", ()) if qid is None else ()):
        if code not in levels:
            yield issue(Code.BAD_RECOMMENDATION, location=f"{at}/levels/{k}",
                        reason=f"'{code}' is not a level code ({', '.join(sorted(levels))})")
    if rec.get("when") == GATE and qid not in gates:
        yield issue(Code.BAD_RECOMMENDATION, location=f"{at}/when", reason=f"no level's key elements (requires) "
                    f"read '{qid}', so no missing gate could call for this")
    ref = rec.get("x-handbook-ref")
    if ref is not None and not CHAPTER.match(str(ref)):
        yield issue(Code.BAD_RECOMMENDATION, location=f"{at}/x-handbook-ref",
                    reason=f"chapter '{ref}' is not a chapter reference such as 'IV' or 'IV.b' (several: 'II.a, II.b')")


def _check_languages(rec: dict, at: str, languages: Sequence[str], default: str) -> Iterator[Issue]:
    given = rec.get("x-i18n", {})
    for lang in given:
        if lang not in languages:
            yield issue(Code.UNKNOWN_LANGUAGE, location=f"{at}/x-i18n/{lang}", language=lang)
    for lang in languages:
        if lang != default and not given.get(lang, {}).get("text"):
            yield issue(Code.MISSING_TRANSLATION, location=f"{at}/text", language=lang,
                        what=f"recommendation '{str(rec.get('text', ''))[:60]}'")


# --- choosing ---------------------------------------------------------------------------------------------------

def _index(form: Form) -> Mapping[Tuple[str, str, str], Tuple[Recommendation, ...]]:
    """(section, question or '', level code or when) -> its recommendations, in the spec's order."""
    # recommendations are no part of a Form's equality (they change no form): the same form id and version with
    # other advice, a spec edited in a running process, must not find the old advice
    return _indexed(form, id(form.recommendations))


@lru_cache(maxsize=64)
def _indexed(form: Form, _recommendations: int) -> Mapping[Tuple[str, str, str], Tuple[Recommendation, ...]]:
    found: Dict[Tuple[str, str, str], List[Recommendation]] = {}
    for rec in form.recommendations:
        for key in rec.levels if rec.question is None else (rec.when,):
            found.setdefault((rec.section, rec.question or "", key), []).append(rec)
    return MappingProxyType({k: tuple(v) for k, v in found.items()})


def for_section(form: Form, section_id: str, level_code: str) -> Tuple[Recommendation, ...]:
    """A section's recommendations for a score in the band of that level."""
    return _index(form).get((section_id, "", level_code), ())


def for_item(form: Form, question_id: str, when: str) -> Tuple[Recommendation, ...]:
    """An item's recommendations when its score is low (LOW) or its key element is missing (GATE)."""
    q = form.question(question_id)
    return () if q is None else _index(form).get((q.section, question_id, when), ())


def _section_advice(form: Form, section_id: str, score: Optional[float]) -> List[Advice]:
    from .scoring import level_for

    level = level_for(form, score)
    return [] if level is None else [Advice(rec, SECTION, level, score) for rec in for_section(form, section_id, level)]


def for_sections(form: Form, sections: Mapping[str, Optional[float]]) -> Tuple[Advice, ...]:
    """The recommendations for section scores (a return's, or a country's figures), weakest section first; a
    section without a score has none."""
    weakest = sorted((score, n, sid) for n, (sid, score) in enumerate(sections.items()) if score is not None)
    return tuple(a for score, _, sid in weakest for a in _section_advice(form, sid, score))


def for_country(form: Form, country: "Country") -> Tuple[Advice, ...]:
    """The recommendations for a country's national section figures (aggregate.Country), weakest section first."""
    return for_sections(form, country.national.sections)


def _low(section: SectionScore) -> List[ItemScore]:
    """A section's items that score under LOW_SHARE of their best, lowest first (display order on a tie)."""
    found = [(i.score / i.max_score, n, i) for n, i in enumerate(section.items)
             if i.score is not None and i.max_score and i.score / i.max_score < LOW_SHARE]
    return [item for _, _, item in sorted(found)]


def recommend(form: Form, answers: Mapping[str, Any], score: Optional[ReturnScore] = None) -> Tuple[Advice, ...]:
    """The recommendations that apply to one return: the key elements it misses for the level above the one it
    reached first, then its sections weakest first (those without a score last), each followed by its low items."""
    from .answers import flatten
    from .scoring import score_return

    flat = flatten(form, answers)
    score = score if score is not None else score_return(form, flat)
    advice = list(_gates(form, flat, score))
    advised = {a.recommendation.question for a in advice}
    for section in sorted(score.sections, key=lambda s: (s.score is None, s.score or 0.0)):
        advice += _section_advice(form, section.section, section.score)
        advice += [Advice(rec, LOW, None, item.score) for item in _low(section) if item.question not in advised
                   for rec in for_item(form, item.question, LOW)]
    return tuple(advice)


def _gates(form: Form, flat: Mapping[str, Any], score: ReturnScore) -> Iterator[Advice]:
    """Gate recommendations of the items whose key element the level just above the one reached misses."""
    codes = [lv.code for lv in form.levels]
    if score.level is None or codes.index(score.level) + 1 >= len(codes):
        return
    above = form.levels[codes.index(score.level) + 1]
    if above.requires is None:
        return
    relevant = conditions.relevance(form, flat)

    def seen(qid: str) -> Any:
        return flat.get(qid) if relevant.get(qid, False) else None

    missing: List[str] = []
    for part in _parts(above.requires):
        if not conditions.evaluate(part, seen):
            missing += [q for q in part.questions() if q not in missing]
    for qid in missing:
        yield from (Advice(rec, GATE, above.code, None) for rec in for_item(form, qid, GATE))


def _parts(cond: Condition) -> Iterator[Condition]:
    """The smallest parts of a condition that can be judged alone: its comparisons, and each 'not' whole."""
    if cond.op in ("all", "any"):
        for term in cond.terms:
            yield from _parts(term)
    else:
        yield cond
