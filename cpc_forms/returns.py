"""What every reader shares: match a return to its form version, coerce raw values, build the Response."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache, partial
from typing import Any, Iterable, List, Mapping, Optional, Tuple, Union

from .catalogue import Code, issue
from .model import DATE, DECIMAL, INTEGER, SELECT_MULTIPLE, SELECT_ONE, TEXT, Form, Issue, Question, Response, bare_id
from .report.neutral import TRIGGERS
from .validation import validate_return

EXCEL_EPOCH = dt.date(1899, 12, 30)


def pick_form(forms: Mapping[str, Form], form_id: str, version: str, source="",
              location="") -> Tuple[Optional[Form], List[Issue]]:
    """The Form of this id and version among the known versions, or the Issue saying why not.

    An empty version means the reader found none: the newest known version is used."""
    any_form = next(iter(forms.values()))
    if form_id and form_id != any_form.id:
        return None, [issue(Code.OTHER_FORM, source, location, found=form_id, expected=any_form.id)]
    if not version:
        return forms[max(forms, key=version_key)], []
    if version not in forms:
        return None, [issue(Code.UNKNOWN_VERSION, source, location, found=version, known=", ".join(sorted(forms)))]
    return forms[version], []


def version_key(version: str):
    """A sort key of version texts: numeric parts compared as numbers (1.10 after 1.9)."""
    return [int(p) if p.isdigit() else p for p in re.split(r"[._-]", version)]


# The one rule by which typed text is compared with labels, also rendered to the workbook's formulas
# (channels/excel/formulas.py): every space (no-break ones too: French AutoCorrect puts one before ':') and
# the typographic apostrophes and quotes AutoCorrect types become plain, runs of spaces one, outer ones go.
FOLD = {**{c: " " for c in map(chr, range(0x3001)) if c.isspace()},
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u02bc\u2032\u00b4", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"')}
_FOLD = str.maketrans(FOLD)


def fold(text: str) -> str:
    """A text with FOLD applied and its spaces collapsed (Unicode NFC): a label as compared, case aside."""
    return " ".join(part for part in unicodedata.normalize("NFC", str(text)).translate(_FOLD).split(" ") if part)


def normalise(text: str) -> str:
    """A label as compared: folded (see fold), then case-folded; accents kept."""
    return fold(text).casefold()


@lru_cache(maxsize=4096)
def _label_index(q: Question) -> dict:
    index: dict = {}
    for c in q.choices:
        for text in {c.code, *c.label.values()}:
            index.setdefault(normalise(text), set()).add(c.code)
    return index


def unquote_defensive(raw: str) -> str:
    """Strip the apostrophe that Ona and others put before = + - @ tab CR against formula injection."""
    if raw.startswith("'") and raw[1:].startswith(TRIGGERS):
        return raw[1:]
    return raw


def choice_code(q: Question, raw: str) -> Tuple[Any, Optional[str]]:
    """(code, None), or (raw, 'ambiguous') when a label names several choices, or (raw, None) if unknown."""
    if q.choice(raw):
        return raw, None
    codes = _label_index(q).get(normalise(raw), set())
    if len(codes) == 1:
        return next(iter(codes)), None
    return raw, ("ambiguous" if codes else None)


def _number(raw: Any, integer: bool) -> Any:
    if isinstance(raw, bool):
        return raw
    number: Union[int, float, None]
    if isinstance(raw, (int, float)):
        number = raw
    else:
        text = str(raw).strip()
        if len(text) > 40:  # no answer is that long a number (and Python refuses ints past 4,300 digits)
            return raw
        try:
            number = float(text.replace(",", ".")) if text.count(",") <= 1 else None
        except ValueError:
            return raw
    if number is None:
        return raw
    if integer:
        return int(number) if float(number).is_integer() else raw
    return int(number) if float(number).is_integer() and not isinstance(raw, float) else float(number)


def _date(raw: Any) -> Any:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        return (EXCEL_EPOCH + dt.timedelta(days=int(raw))).isoformat()
    text = str(raw).strip()
    match = re.match(r"^(\d{4}-\d{2}-\d{2})([T ].*)?$", text)
    return match.group(1) if match else text


def coerce(q: Question, raw: Any, written: bool = False) -> Tuple[Any, Optional[str]]:
    """Canonical value of a raw answer (text from a CSV cell, a label, an Excel number...), or the raw
    value unchanged for validation to refuse; second item 'ambiguous' when a label matched several codes.

    written: the source keeps text exactly as typed (ODK and Kobo exports): a text answer stays as written,
    spaces, line breaks, 'n/a' and a leading apostrophe included; otherwise text is trimmed, 'n/a' is no
    answer and the defensive apostrophe goes."""
    if type(raw) is str and q.kind == SELECT_ONE and q.choice(raw) is not None:
        return raw, None  # the common case, an exact code: nothing to normalise
    if written and type(raw) is str and q.kind == TEXT:
        return (raw or None), None
    if raw is None or (isinstance(raw, str) and raw.strip() in (("",) if written else ("", "n/a"))):
        return None, None
    if isinstance(raw, str):
        raw = raw.strip() if written else unquote_defensive(raw.strip())
    if isinstance(raw, (dict, list)) and q.kind != SELECT_MULTIPLE:
        return raw, None  # a structure where one value belongs (JSON input): left for validation to refuse
    if q.kind == SELECT_ONE:
        return choice_code(q, str(raw) if not isinstance(raw, float) or not raw.is_integer() else str(int(raw)))
    if q.kind == SELECT_MULTIPLE:
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split()
        codes = []
        for item in items:
            code, problem = choice_code(q, str(item))
            if problem:
                return raw, problem
            codes.append(code)
        return tuple(dict.fromkeys(codes)), None
    if q.kind in (INTEGER, DECIMAL):
        return _number(raw, q.kind == INTEGER), None
    if q.kind == DATE:
        return _date(raw), None
    return (str(raw) if not isinstance(raw, float) or not raw.is_integer() else str(int(raw))), None


@lru_cache(maxsize=4096)
def _exact_labels(q: Question) -> dict:
    """A choice's code and each label, exactly as written, -> the code (labels several choices share left out)."""
    exact = {c.code: c.code for c in q.choices}
    index = _label_index(q)
    for c in q.choices:
        for t in c.label.values():
            found = index.get(normalise(t), ())
            if len(found) == 1 and t not in exact:
                exact[t] = next(iter(found))
    return exact


def _converter(q: Question, written: bool):
    """coerce() for one question, with a fast path for the shape nearly every answer has."""
    slow = partial(coerce, q, written=written)
    if q.kind == SELECT_ONE:
        exact = _exact_labels(q)
        return lambda raw: (exact[raw], None) if raw.__class__ is str and raw in exact else slow(raw)
    if q.kind == INTEGER:
        return lambda raw: ((int(raw), None) if raw.__class__ is str and raw.isdigit() and raw.isascii()
                            and len(raw) < 19 else slow(raw))
    if q.kind == TEXT and written:
        return lambda raw: (raw or None, None) if raw.__class__ is str else slow(raw)
    if q.kind == TEXT or q.kind == DATE:
        # \Z, not $: $ also matches before a final line break, which coerce() trims
        plain = re.compile(r"^[^\s'=+\-@][\s\S]*(?<!\s)\Z") if q.kind == TEXT else re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
        return lambda raw: (raw, None) if raw.__class__ is str and plain.match(raw) and raw != "n/a" else slow(raw)
    return slow


@lru_cache(maxsize=64)
def converters(form: Form, written: bool = False) -> dict:
    """question id -> its converter, for every question of a form (written: see coerce)."""
    return {q.id: _converter(q, written) for q in form.questions}


def make_response(forms: Mapping[str, Form], raw_answers: Mapping[str, Any], *, form_id: str = "",
                  version: str = "", source="", location="", written: bool = False,
                  **meta) -> Tuple[Optional[Response], List[Issue]]:
    """Build a Response from raw answers keyed by question id: match the form version, coerce, validate.

    Returns (None, issues) when the return must be rejected; warnings ride along with a Response.
    written: text is kept exactly as the source wrote it (see coerce)."""
    record = str(location) or "return"
    form, problems = pick_form(forms, form_id, version, source, location)
    if form is None:
        return None, [p._replace(record=record) for p in problems]
    answers, found, convert = {}, [], converters(form, written)
    for key, raw in raw_answers.items():
        to_value = convert.get(key)
        if to_value is None:
            found.append(issue(Code.UNKNOWN_FIELD, source, location, field=key))
            continue
        value, problem = to_value(raw)
        if problem == "ambiguous":
            codes = ", ".join(sorted(_label_index(form.question(key)).get(normalise(raw), ())))
            found.append(issue(Code.AMBIGUOUS_LABEL, source, location, question=key, value=raw, codes=codes))
        elif value is not None:
            answers[key] = value
    for problem in validate_return(form, answers, str(source)):
        found.append(problem._replace(location=":".join(p for p in (str(location), problem.location) if p)))
    found = [p._replace(record=record) for p in found]
    if any(p.severity == "error" for p in found):
        return None, found
    return Response(form.id, form.version, answers, source=str(source), location=str(location), **meta), found


def instant(text: str) -> Optional[dt.datetime]:
    """An ISO 8601 date-time as an aware datetime (UTC when it names no offset, as Kobo writes), or None."""
    text = str(text or "").strip()
    try:
        when = dt.datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


EPOCH = dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc)  # the time of a return that names none


def _when(r: Response) -> dt.datetime:
    return instant(r.submitted) or EPOCH


def edit_rank(r: Response) -> tuple:
    """How new a version of a submission is: its edit count, then its submitted time, then (two versions the
    platform does not tell apart) its instance id, so the choice never depends on the order files are read."""
    return r.edits, _when(r), bare_id(r.instance_id)


def dedupe(responses: Iterable[Response]) -> Tuple[List[Response], List[Issue]]:
    """Keep the newest edit of each submission (edit_rank; read order between identical ranks); report the
    others."""
    newest: dict = {}
    order: List[Response] = []
    tied = set()
    for r in responses:
        order.append(r)
        key = r.identity
        if key in newest and edit_rank(r)[:2] == edit_rank(newest[key])[:2] \
                and bare_id(r.instance_id) != bare_id(newest[key].instance_id):
            tied.add(key)
        if not key or key not in newest or edit_rank(r) >= edit_rank(newest[key]):
            newest[key or id(r)] = r
    kept = [r for r in order if newest.get(r.identity or id(r)) is r]
    dropped = [r for r in order if newest.get(r.identity or id(r)) is not r]
    issues = [issue(Code.DUPLICATE, r.source, r.location,
                    newer=newest[r.identity].instance_id or newest[r.identity].source) for r in dropped]
    issues += [issue(Code.EDIT_ORDER_UNKNOWN, r.source, r.location, kept=newest[r.identity].instance_id,
                     other=r.instance_id) for r in dropped if r.identity in tied
               and bare_id(r.instance_id) != bare_id(newest[r.identity].instance_id)]
    return kept, issues


# Review states with which a coordinator refuses a return on the server: Central's ReviewState, Kobo's
# _validation_status (its uid, or its label in a labels export), SurveyCTO's review_status.
REVIEW_REJECTED = frozenset({"rejected", "validation_status_not_approved", "not approved"})


def rejected_by_review(review: str) -> bool:
    """Whether a server's review state says a coordinator refused the return."""
    return " ".join(str(review).split()).casefold() in REVIEW_REJECTED
