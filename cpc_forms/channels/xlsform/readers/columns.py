"""Map export headers (Central, Kobo, Ona, SurveyCTO; codes or labels; any group separator) to questions."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from ....model import SELECT_MULTIPLE, Form, Question
from ....returns import normalise
from .. import build, scoring

# Last path component of a metadata column -> what it carries (None: known, not needed).
META = {
    "submissiondate": "submitted", "_submission_time": "submitted", "key": "root", "instanceid": "instance",
    "__id": "instance", "_uuid": "uuid", "rootuuid": "root", "deprecatedid": "deprecated",
    "formversion": "version", "formdef_version": "version", "__version__": "version", "_version": "version",
    "status": "status", build.VERSION_STAMP: "stamp",
}
KNOWN = {
    "start", "end", "today", "deviceid", "instancename", "submitterid", "submittername", "attachmentspresent",
    "attachmentsexpected", "reviewstate", "edits", "_id", "_validation_status", "_notes", "_status",
    "_submitted_by", "_tags", "_index", "uuid", "review_status", "review_comments", "review_corrections",
    "_attachments", "_geolocation", "_xform_id_string", "_media_count", "_total_media", "_duration", "_edited",
    "_last_edited", "_media_all_received", "_date_modified", "_bamboo_dataset_id", "updatedat", "deletedat",
    "submitterid", "attachmentspresent", "formhub", "meta", "__system", "_parent_index", "_parent_table_name",
    "@odata.context", "@odata.navigationlink", "audit", "phonenumber", "username", "email", "simserial",
    "subscriberid",
}


@dataclass(frozen=True)
class Column:
    """What one column holds: an answer, one choice of a split multi-select, or a metadata field."""
    question: Optional[str] = None
    code: Optional[str] = None
    meta: Optional[str] = None
    languages: FrozenSet[str] = frozenset()


def _last(header: str) -> str:
    return header.replace("-", "/").split("/")[-1].casefold()


def _names(form: Form, q: Question) -> List[Tuple[str, str]]:
    """(text, language) a question can be headed by: its id (language '') or its label in a language."""
    return [(q.id, "")] + [(text, lang) for lang, text in q.label.items()]


def _prefixes(form: Form, q: Question) -> List[Tuple[str, str]]:
    section = form.section(q.section)
    out = [("", ""), (section.id + "-", ""), (section.id + "/", "")]
    return out + [(text + "/", lang) for lang, text in section.label.items()]


@lru_cache(maxsize=32)
def header_table(form: Form) -> Dict[str, Dict[Tuple[str, Optional[str]], FrozenSet[str]]]:
    """normalised header -> {(question, choice code or None): languages that spelling is in}."""
    table: Dict[str, Dict[Tuple[str, Optional[str]], set]] = {}

    def add(key, target, lang):
        table.setdefault(normalise(key), {}).setdefault(target, set()).add(lang)

    for q in form.questions:
        for prefix, plang in _prefixes(form, q):
            for name, nlang in _names(form, q):
                if plang and nlang and plang != nlang:
                    continue
                lang = plang or nlang
                add(prefix + name, (q.id, None), lang)
                if q.kind != SELECT_MULTIPLE:
                    continue
                for c in q.choices:
                    add(f"{prefix}{name}/{c.code}", (q.id, c.code), lang)
                    for clang, label in c.label.items():
                        if not lang or clang == lang:
                            add(f"{prefix}{name}/{label}", (q.id, c.code), clang)
    return {k: {t: frozenset(v) for t, v in targets.items()} for k, targets in table.items()}


@lru_cache(maxsize=32)
def generated(form: Form) -> FrozenSet[str]:
    """Names our XLSForm adds (scoring calculates, notes, the result group), case-folded."""
    notes = [f"{scoring.PREFIX}{s.id}_note" for s in form.scored_sections]
    notes += [f"{scoring.PREFIX}index_note", build.RESULT_GROUP] + [f"{scoring.PREFIX}level_{lv.code}" for lv in form.levels]
    return frozenset(n.casefold() for n in scoring.names(form) + notes)


def resolve(form: Form, header: str) -> Tuple[Optional[Column], Optional[str]]:
    """(Column, None) for a header, (None, None) for one to ignore, or (None, problem) with the problem code."""
    targets = header_table(form).get(normalise(header))
    if targets:
        if len(targets) > 1:
            return None, "ambiguous-column"
        (qid, code), langs = next(iter(targets.items()))
        return Column(question=qid, code=code, languages=frozenset() if "" in langs else langs), None
    last = _last(header)
    if last in META:
        return Column(meta=META[last]), None
    lowered = header.casefold().replace("-", "/")
    if last in KNOWN or last in generated(form) or lowered.split("/")[0] in ("__system", "formhub"):
        return None, None
    return None, "unknown-column"


def describe(form: Form, header: str) -> str:
    """The targets an ambiguous header could mean, for the Issue."""
    targets = header_table(form).get(normalise(header), {})
    return ", ".join(sorted(q + (f"/{c}" if c else "") for q, c in targets))


def split_labels(q: Question, text: str) -> Optional[List[Tuple[str, ...]]]:
    """Every way a label-mode multi-select summary (labels joined by spaces) splits into choices."""
    words = text.split()
    labels: Dict[str, set] = {}
    for c in q.choices:
        for label in {c.code, *c.label.values()}:
            labels.setdefault(normalise(label), set()).add(c.code)
    ways: List[List[Tuple[str, ...]]] = [[()]] + [[] for _ in words]
    for end in range(1, len(words) + 1):
        for start in range(end):
            for code in labels.get(normalise(" ".join(words[start:end])), ()):
                ways[end] += [w + (code,) for w in ways[start]][:8]  # a few ways suffice to show ambiguity
    return ways[len(words)]


def language_of(columns: Sequence[Optional[Column]]) -> str:
    """The language a label-mode header row is written in ('' for names and codes)."""
    votes: Dict[str, int] = {}
    for col in columns:
        if col is not None and col.question and len(col.languages) == 1:
            lang = next(iter(col.languages))
            votes[lang] = votes.get(lang, 0) + 1
    return max(votes, key=votes.get) if votes else ""
