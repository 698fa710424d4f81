"""How to read the rows under one header: which column holds which answer or metadata, which platform
wrote the export, and what the header alone says is wrong with it."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple, Union

from ....catalogue import Code, issue
from ....model import SELECT_MULTIPLE, SELECT_ONE, Form, Issue
from ....returns import normalise, unquote_defensive
from .. import build
from . import labels
from .columns import Column, Found, by_position, describe, language_of, lookup, question, separator, split_labels

CHOSEN = {"1", "1.0", "true", "yes"}
ENCRYPTED = {"not decrypted": Code.NOT_DECRYPTED, "missing encrypted form data": Code.ENCRYPTED_MISSING}
ONA_ONLY = {"_version", "_date_modified", "_duration", "_media_count", "_total_media", "_media_all_received",
            "_bamboo_dataset_id", "_xform_id"}
KOBO_ONLY = {"_validation_status", "_index", "__version__", "_status"}
# Platforms that write a missing value as 'n/a' and put an apostrophe before = + - @ (text kept otherwise)
CLEANED = ("ona", "surveycto")


def platform(header: Sequence[str]) -> str:
    """Which server wrote an export, told by its metadata columns: central, kobo, ona, surveycto or ''."""
    names = {str(h).strip().casefold() for h in header if h}
    if "formdef_version" in names:
        return "surveycto"
    if "submissiondate" in names and "key" in names:
        return "central"
    if names & {"_uuid", "_submission_time", "_id"}:
        return "ona" if names & ONA_ONLY and not names & KOBO_ONLY else "kobo"
    return ""


class Layout(NamedTuple):
    """What a header holds, independent of the file it heads (cached: many XML files share one)."""
    answers: Tuple[Tuple[int, str], ...]
    splits: Dict[str, Tuple[Tuple[int, str], ...]]
    meta: Dict[str, int]
    language: str
    separator: str
    platform: str
    problems: Tuple[Tuple[Code, int, dict], ...]  # (code, column index, params)
    unread: Tuple[str, ...]  # headers that could not be read


@lru_cache(maxsize=256)
def layout(form: Form, header: Tuple[str, ...]) -> Layout:
    """The Layout of a header (texts stripped)."""
    sep = separator(form, (h for h in header if h))
    found = [lookup(form, h, sep) if h else Found("ignore") for h in header]
    picks = by_position(form, [f.targets if f.kind == "targets" else None for f in found])
    answers: List[Tuple[int, str]] = []
    splits: Dict[str, List[Tuple[int, str]]] = {}
    meta: Dict[str, int] = {}
    problems: List[Tuple[Code, int, dict]] = []
    unread: List[str] = []
    columns: List[Optional[Column]] = []
    for n, (f, pick) in enumerate(zip(found, picks, strict=True)):
        col = None
        if f.kind == "targets" and pick is None:
            problems.append((Code.AMBIGUOUS_COLUMN, n, {"column": header[n], "targets": describe(f.targets)}))
            unread.append(header[n])
        elif pick is not None:
            langs = f.targets[pick]
            col = Column(question=pick[0], code=pick[1], languages=frozenset() if "" in langs else langs)
            if pick[1] is not None:
                splits.setdefault(pick[0], []).append((n, pick[1]))
            else:
                answers.append((n, pick[0]))
        elif f.kind == "meta":
            meta.setdefault(f.meta, n)
        elif f.kind == "unknown":
            problems.append((Code.UNKNOWN_COLUMN, n, {"column": header[n], "form": form.id}))
            unread.append(header[n])
        columns.append(col)
    return Layout(tuple(answers), {q: tuple(s) for q, s in splits.items()}, meta, language_of(columns), sep,
                  platform(header), tuple(problems), tuple(unread))


class Plan:
    """How to read the rows under one header: which column holds what."""

    def __init__(self, form: Form, header: Sequence[Any], source: str, where: str = "row 1, ",
                 versions: FrozenSet[str] = frozenset(), table: bool = False):
        """where: how the header's place is named in Issues (row 1 of a table, or a record of a document);
        versions: the form versions known; table: a table export, which has a column for every field."""
        texts = tuple("" if cell is None else str(cell).strip() for cell in header)
        found = layout(form, texts)
        self.form, self.versions = form, versions or frozenset({form.version})
        self.answers: List[Tuple[int, str]] = list(found.answers)
        self.splits: Dict[str, List[Tuple[int, str]]] = {q: list(s) for q, s in found.splits.items()}
        self.meta, self.language, self.platform = found.meta, found.language, found.platform
        self.cleaned = found.platform in CLEANED
        self.width = max((n + 1 for n, t in enumerate(texts) if t), default=0)
        self.problems: List[Issue] = [issue(code, source, f"{where}column {n + 1}", **params)
                                      for code, n, params in found.problems]
        if table:
            self.problems += _missing(form, self, found.unread, source, where.rstrip(", "))
            self.problems += self._version_problems(source, where.rstrip(", "))
        self.multi = {qid for _, qid in self.answers if question(form, qid).kind == SELECT_MULTIPLE}
        self.single = {qid for _, qid in self.answers if question(form, qid).kind == SELECT_ONE}
        self.details_only = set(self.splits) - self.multi

    def _version_problems(self, source: str, where: str) -> List[Issue]:
        if "stamp" in self.meta or "version" in self.meta or self.platform != "kobo":
            return []
        reason = f"this export has no '{build.VERSION_STAMP}' column, the form's own version"
        if "deployment" in self.meta:
            reason += ", and its '__version__' is KoboToolbox's deployment id, not a form version"
        return [issue(Code.VERSION_FALLBACK, source, where, reason=reason, version=self.form.version)]

    def get(self, row: Sequence[Any], key: str) -> str:
        """The text of a metadata column in a row ('' when the export has no such column)."""
        n = self.meta.get(key)
        value = row[n] if n is not None and n < len(row) else None
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # an id or a count typed as a number in a workbook
        return str(value).strip()

    def version(self, row: Sequence[Any]) -> str:
        """The form version a row names: the form's own stamp, else the server's version column, else
        Kobo's __version__ when it happens to be a known version ('' when none: the newest is read)."""
        found = self.get(row, "stamp") or self.get(row, "version")
        if found:
            return found
        deployment = self.get(row, "deployment")
        return deployment if deployment in self.versions else ""

    def edits(self, row: Sequence[Any]) -> int:
        """How many times the server says the submission was edited (0 when it does not say)."""
        text = self.get(row, "edits")
        return int(text) if text.isdigit() else 0

    def cell(self, value: Any) -> Any:
        """A cell as the platform meant it: Ona's and SurveyCTO's 'n/a' is no value and their apostrophe
        before = + - @ goes; every other export's text is kept as written."""
        if self.cleaned and isinstance(value, str):
            return "" if value == "n/a" else unquote_defensive(value)
        return value

    def raw(self, row: Sequence[Any]) -> Union[Dict[str, Any], Issue]:
        """Raw answers by question id (multi-selects decoded to codes), or the Issue that refuses the row."""
        raw: Dict[str, Any] = {}
        width = len(row)
        for n, qid in self.answers:
            if n < width and row[n] is not None and row[n] != "":
                value = self.cell(row[n])
                if qid in self.single:
                    value = self.choice(qid, value)
                    if isinstance(value, Issue):
                        return value
                if value != "":
                    raw[qid] = value
        for qid in self.multi | set(self.splits):
            value = self._multi(qid, raw.get(qid), row)
            if isinstance(value, Issue):
                return value
            if value is None:
                raw.pop(qid, None)
            else:
                raw[qid] = value
        return raw

    def choice(self, qid: str, value: Any):
        """A single-choice cell as its code when it is a label (labels.choice: in the export's language first,
        however its marks and letters are written); the Issue of a label several choices share; any other value
        unchanged, for the converter to judge."""
        q = question(self.form, qid)
        if value.__class__ is not str or q.choice(value) is not None or not value.strip():
            return value
        found = labels.choice(q, value, self.language)
        if isinstance(found, tuple):
            return issue(Code.AMBIGUOUS_LABEL, "", "", question=qid, value=value, codes=", ".join(found))
        return value if found is None else found

    def _multi(self, qid: str, summary: Any, row: Sequence[Any]):
        decoded = self.summary(qid, summary)
        if decoded is not None and not (isinstance(decoded, Issue) and qid in self.splits):
            return decoded  # a summary of labels several ways readable yields to the choice columns
        chosen = tuple(code for n, code in self.splits.get(qid, ())
                       if n < len(row) and normalise(str(row[n] or "")) in CHOSEN)
        return chosen or None

    def summary(self, qid: str, summary: Any):
        """A multi-select's summary cell decoded: a tuple of codes, its text when it names no choices (for
        validation to refuse), the Issue of an ambiguous label, or None when blank (the split columns say)."""
        if summary is None or not str(summary).strip():
            return None
        q, text = question(self.form, qid), str(summary)
        if all(q.choice(w) for w in text.split()):
            return tuple(text.split())
        ways = split_labels(q, text)
        if len(ways) == 1:
            return ways[0]
        if len(ways) > 1:
            return issue(Code.AMBIGUOUS_LABEL, "", "", question=qid, value=text,
                         codes=" | ".join(" ".join(w) for w in ways))
        return text


def _missing(form: Form, plan: Plan, unread: Sequence[str], source: str, where: str) -> List[Issue]:
    """The questions no column of a table export holds: an error for scored ones (their answers would be
    lost from the scores), a warning for the others."""
    mapped = {qid for _, qid in plan.answers} | set(plan.splits)
    scored = {q.id for s in form.scored_sections for q in s.scored_questions}
    lost = [q.id for q in form.questions if q.id not in mapped and q.id in scored]
    quiet = [q.id for q in form.questions if q.id not in mapped and q.id not in scored]
    out = []
    if lost:
        hint = f" (columns not read: {', '.join(repr(u) for u in unread[:5])})" if unread else ""
        out.append(issue(Code.SCORED_COLUMN_MISSING, source, where, questions=", ".join(lost), unread=hint))
    if quiet:
        out.append(issue(Code.COLUMN_MISSING, source, where, questions=", ".join(quiet)))
    return out
