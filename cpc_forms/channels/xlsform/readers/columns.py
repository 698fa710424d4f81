"""Map export headers (Central, Kobo, Ona, SurveyCTO; codes or labels; any group separator) to questions."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Dict, FrozenSet, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from ....limits import MULTI_WORDS
from ....model import SELECT_MULTIPLE, Form, Question
from .. import build
from .labels import comparable as normalise  # every header and label compared as labels.comparable spells it
from .labels import multi_labels, words

# A column's last path component (or its whole name) -> what it carries (None: known, not needed).
META = {
    "submissiondate": "submitted", "_submission_time": "submitted", "key": "root", "instanceid": "instance",
    "__id": "instance", "_uuid": "uuid", "rootuuid": "root", "deprecatedid": "deprecated", "_id": "kobo_id",
    "formversion": "version", "formdef_version": "version", "__version__": "deployment", "_version": "version",
    "status": "status", "reviewstate": "review", "_validation_status": "review", "review_status": "review",
    "edits": "edits", build.VERSION_STAMP: "stamp",
}
KNOWN = {
    "start", "end", "today", "deviceid", "instancename", "submitterid", "submittername", "attachmentspresent",
    "attachmentsexpected", "_notes", "_status", "_submitted_by", "_tags", "_index", "uuid", "review_comments",
    "review_corrections", "_attachments", "_geolocation", "_xform_id_string", "_media_count", "_total_media",
    "_duration", "_edited", "_last_edited", "_media_all_received", "_date_modified", "_bamboo_dataset_id",
    "updatedat", "deletedat", "formhub", "meta", "__system", "_parent_index", "_parent_table_name",
    "@odata.context", "@odata.navigationlink", "audit", "phonenumber", "username", "email", "simserial",
    "subscriberid", "_xform_id", "_review_status", "_review_comment", "_review_date",
}
ODK_SEPARATORS = ("/", "-")  # Central and the API paths join groups so, whatever the export's own separator
Target = Tuple[str, Optional[str]]  # (question id, choice code of a split multi-select column, or None)


@dataclass(frozen=True)
class Column:
    """What one column holds: an answer, one choice of a split multi-select, or a metadata field."""
    question: Optional[str] = None
    code: Optional[str] = None
    meta: Optional[str] = None
    languages: FrozenSet[str] = frozenset()


@lru_cache(maxsize=32)
def _vocabulary(form: Form):
    """Normalised names: of each section, of each question, of each multi-select's choices."""
    sections = [(s, _spellings(s.id, s.label)) for s in form.sections]
    questions = {q.id: _spellings(q.id, q.label) for q in form.questions}
    choices = {q.id: frozenset(n for c in q.choices for n in _spellings(c.code, c.label))
               for q in form.questions if q.kind == SELECT_MULTIPLE}
    return sections, questions, choices


def _spellings(name: str, labels) -> FrozenSet[str]:
    return frozenset(normalise(t) for t in (name, *labels.values()) if t)


def _core(sep: str) -> str:
    """A separator without the spaces around it (labels may end or start with spaces the export keeps)."""
    return sep.strip() or sep


def path_key(text: str, sep: str) -> str:
    """A header as compared: each part between separators comparable (labels.comparable), the spaces and
    invisible marks a label carries next to a separator gone."""
    core = _core(sep)
    return core.join(normalise(part) for part in str(text).split(core)) if core else normalise(text)


def separator(form: Form, headers: Iterable[str]) -> str:
    """The group separator an export joins paths with ('/' unless its headers show another): the text
    between a section's name and a question's, or between a question's and a choice's."""
    sections, questions, choices = _vocabulary(form)
    votes: Counter = Counter()
    for text in headers:
        h = normalise(text)
        for section, names in sections:
            for g in names:
                if len(h) > len(g) and h.startswith(g):
                    votes.update(map(_core, _after_group(h[len(g):], section, questions, choices)))
        for qid, codes in choices.items():
            for qn in questions[qid]:
                if len(h) > len(qn) and h.startswith(qn):
                    rest = h[len(qn):]
                    votes.update(_core(rest[:-len(c)]) for c in codes if len(rest) > len(c) and rest.endswith(c))
    return max(votes, key=lambda sep: (votes[sep], sep == "/")) if votes else "/"


def _after_group(rest: str, section, questions, choices) -> List[str]:
    """Separators that make rest (a header after its group's name) a question of the section, or a choice."""
    found = []
    for q in section.questions:
        for qn in questions[q.id]:
            at = rest.find(qn, 1)
            while at > 0:
                sep, tail = rest[:at], rest[at + len(qn):]
                if not tail.strip() or (tail.startswith(sep) and tail[len(sep):] in choices.get(q.id, ())):
                    found.append(sep)
                    break
                at = rest.find(qn, at + 1)
    return found


def question(form: Form, qid: str) -> Question:
    """A question of the form by its id (a header or a record already named it)."""
    q = form.question(qid)
    if q is None:
        raise KeyError(qid)
    return q


def _prefixes(form: Form, q: Question, sep: str) -> List[Tuple[str, str]]:
    """(group path before a question's name, its language): none, the section's id, the section's label."""
    out = [("", "")] + [(q.section + s, "") for s in dict.fromkeys((sep, *ODK_SEPARATORS))]
    section = form.section(q.section)
    return out + [(text + sep, lang) for lang, text in (section.label.items() if section else ())]


@lru_cache(maxsize=64)
def header_table(form: Form, sep: str = "/") -> Dict[str, Dict[Target, FrozenSet[str]]]:
    """normalised header -> {(question, choice code or None): languages that spelling is in}."""
    table: Dict[str, Dict[Target, set]] = {}

    def add(key, target, lang):
        table.setdefault(path_key(key, sep), {}).setdefault(target, set()).add(lang)

    for q in form.questions:
        for prefix, plang in _prefixes(form, q, sep):
            for name, nlang in [(q.id, "")] + [(text, lang) for lang, text in q.label.items()]:
                if plang and nlang and plang != nlang:
                    continue
                lang = plang or nlang
                add(prefix + name, (q.id, None), lang)
                if q.kind != SELECT_MULTIPLE:
                    continue
                for c in q.choices:
                    for csep in dict.fromkeys((sep, "/") if not lang else (sep,)):
                        add(f"{prefix}{name}{csep}{c.code}", (q.id, c.code), lang)
                        for clang, label in c.label.items():
                            if not lang or clang == lang:
                                add(f"{prefix}{name}{csep}{label}", (q.id, c.code), clang)
    return {k: {t: frozenset(v) for t, v in targets.items()} for k, targets in table.items()}


@lru_cache(maxsize=32)
def _own_fields(form: Form) -> Tuple[Tuple[Tuple[Tuple[str, dict], ...], str, dict], ...]:
    """The XLSForm's fields that are no question (calculates, the score notes): (their groups as (name,
    labels), name, labels by language), read from the survey sheet the form was built with."""
    questions = {q.id for q in form.questions}
    labels = {lang: build.column("label", form, lang) for lang in form.languages}
    groups: List[Tuple[str, dict]] = []
    out = []
    for row in build.survey(form):
        texts = {lang: row[col] for lang, col in labels.items() if row.get(col)}
        if row["type"] == "begin_group":
            groups.append((row["name"], texts))
        elif row["type"] == "end_group":
            groups.pop()
        elif row["name"] not in questions:
            out.append((tuple(groups), row["name"], texts))
    return tuple(out)


@lru_cache(maxsize=64)
def ignored(form: Form, sep: str = "/") -> FrozenSet[str]:
    """Normalised headers of the form's own fields that are no question, in every spelling an export has."""
    keys = set()
    for groups, name, texts in _own_fields(form):
        for gsep in dict.fromkeys((sep, *ODK_SEPARATORS)):
            keys |= {name, gsep.join([g for g, _ in groups] + [name])}
        for lang, text in texts.items():
            keys |= {text, sep.join([t.get(lang) or g for g, t in groups] + [text])}
    return frozenset(path_key(k, sep) for k in keys)


def _components(header: str, sep: str) -> List[str]:
    text = header.casefold()
    for s in dict.fromkeys((sep, *ODK_SEPARATORS)):
        text = text.replace(s, "/") if s else text
    return text.split("/")


class Found(NamedTuple):
    """What a header names: kind 'targets' (the questions or choices it can be, with the languages of that
    spelling), 'meta' (the metadata key), 'ignore' or 'unknown'."""
    kind: str
    targets: Mapping[Target, FrozenSet[str]] = MappingProxyType({})
    meta: str = ""


def lookup(form: Form, header: str, sep: str = "/") -> Found:
    """What a header names."""
    key = path_key(header, sep)
    targets = header_table(form, sep).get(key)
    if targets:
        return Found("targets", targets)
    whole = header.strip().casefold()
    if whole in META:
        return Found("meta", meta=META[whole])
    if whole in KNOWN or key in ignored(form, sep):
        return Found("ignore")
    parts = _components(header.strip(), sep)
    if parts[-1] in META:
        return Found("meta", meta=META[parts[-1]])
    if parts[-1] in KNOWN or parts[0] in ("__system", "formhub") or "${" in header:
        return Found("ignore")  # ${...}: a note's label, with the reference it shows
    return Found("unknown")


def form_order(form: Form) -> Dict[Target, int]:
    """Each question, and each choice of a multi-select, numbered in the order the form asks them."""
    order: Dict[Target, int] = {}
    for q in form.questions:
        order[(q.id, None)] = len(order)
        for c in q.choices if q.kind == SELECT_MULTIPLE else ():
            order[(q.id, c.code)] = len(order)
    return order


def by_position(form: Form, found: Sequence[Optional[Mapping[Target, FrozenSet[str]]]]) -> List[Optional[Target]]:
    """One target per column: a header several questions share (a label) is the next of them in form order
    after the columns before it, since exports keep the form's order; None where nothing is left to pick."""
    order = form_order(form)
    taken = {next(iter(t)) for t in found if t and len(t) == 1}
    cursor, out = -1, []
    for targets in found:
        pick: Optional[Target] = None
        if targets and len(targets) == 1:
            pick = next(iter(targets))
        elif targets:
            free = sorted((t for t in targets if t not in taken), key=lambda t: order[t])
            pick = next((t for t in free if order[t] > cursor), free[0] if free else None)
            if pick is not None:
                taken.add(pick)
        cursor = order[pick] if pick is not None else cursor
        out.append(pick)
    return out


def describe(targets: Iterable[Target]) -> str:
    """The targets an ambiguous header could mean, for the Issue."""
    return ", ".join(sorted(q + (f"/{c}" if c else "") for q, c in targets))


_labels_by_words = multi_labels  # a multi-select's comparable labels -> codes, and the most words one has


def split_labels(q: Question, text: str) -> List[Tuple[str, ...]]:
    """Every way a label-mode multi-select summary (labels joined by spaces) splits into choices (a few suffice
    to show ambiguity). Linear in the cell's words: a label is at most as many words as the longest; a cell of
    more than MULTI_WORDS words splits no way."""
    if len(text.split()) > MULTI_WORDS:
        return []
    cell = words(text)
    labels, longest = _labels_by_words(q)
    empty: Tuple[str, ...] = ()
    ways: List[List[Tuple[str, ...]]] = [[empty]] + [[] for _ in cell]
    for end in range(1, len(cell) + 1):
        for start in range(max(0, end - longest), end):
            if not ways[start]:
                continue
            for code in labels.get(normalise(" ".join(cell[start:end])), ()):
                ways[end] += [w + (code,) for w in ways[start]][:8]
            ways[end] = ways[end][:8]
    return ways[len(cell)] if cell else []


def language_of(columns: Sequence[Optional[Column]]) -> str:
    """The language a label-mode header row is written in ('' for names and codes)."""
    votes: Dict[str, int] = {}
    for col in columns:
        if col is not None and col.question and len(col.languages) == 1:
            lang = next(iter(col.languages))
            votes[lang] = votes.get(lang, 0) + 1
    return max(votes, key=lambda lang: votes[lang]) if votes else ""
