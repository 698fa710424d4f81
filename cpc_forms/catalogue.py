"""The catalogue of problems: one code, one severity and one message template each."""
from __future__ import annotations

from .model import Issue

ERROR, WARNING = "error", "warning"

CATALOGUE = {
    # the spec
    "invalid-json": (ERROR, "not valid JSON: {reason} (line {line}, column {column})"),
    "duplicate-key": (ERROR, "key '{key}' appears twice in one object"),
    "meta-schema": (ERROR, "{reason}"),
    "unknown-keyword": (ERROR, "unknown keyword '{key}' (known x- keywords: {known})"),
    "duplicate-id": (ERROR, "id '{id}' is used twice (also at {other}); ids must be unique in the whole form"),
    "bad-id": (ERROR, "id '{id}' is not a valid name: use a letter or _ first, then letters, digits or _"),
    "bad-choice-code": (ERROR, "choice code '{code}' is not XML-safe: use letters, digits, _ . or - and no spaces"),
    "duplicate-choice": (ERROR, "choice code '{code}' appears twice in one list"),
    "unknown-ref": (ERROR, "$ref '{ref}' points at nothing in this spec"),
    "unknown-question": (ERROR, "condition names question '{question}', which the form does not have"),
    "unknown-choice": (ERROR, "condition compares '{question}' with '{code}', which is not one of its choices"),
    "bad-comparison": (ERROR, "'{op}' needs a numeric question, and '{question}' is {kind}"),
    "condition-cycle": (ERROR, "relevance of '{question}' depends on itself: {path}"),
    "missing-translation": (ERROR, "no {language} text for '{what}'"),
    "unknown-language": (ERROR, "text in language '{language}', which x-form.languages does not list"),
    "level-bands": (ERROR, "partnership levels must cover 0 to 100 without gap or overlap: {reason}"),
    "score-bands": (ERROR, "score bands must run on without gap or overlap: {reason}"),
    "unscored-choice": (ERROR, "choice '{code}' of a scored question has no x-score and is neither dk nor na"),
    "unscorable": (ERROR, "scored question '{question}' has neither scored choices nor bands"),
    "bad-role": (ERROR, "{reason}"),
    "bad-question": (ERROR, "{reason}"),
    # returns
    "unreadable": (ERROR, "cannot be read: {reason}"),
    "other-form": (ERROR, "a return of form '{found}', not of '{expected}'"),
    "unknown-version": (ERROR, "form version '{found}' is not known (known: {known})"),
    "bad-value": (ERROR, "'{question}': {value!r} is not valid; expected {expected}"),
    "unknown-field": (ERROR, "'{field}' is not a question of this form"),
    "bad-shape": (ERROR, "{reason}"),
    "not-relevant-answer": (WARNING, "'{question}' was answered but is not relevant here; the answer is ignored"),
    "required-missing": (WARNING, "required question '{question}' has no answer"),
    "duplicate": (WARNING, "replaced by a newer edit of the same submission ({newer})"),
    "ambiguous-label": (ERROR, "'{question}': label {value!r} matches several choices ({codes})"),
    "rejected-row": (ERROR, "{reason}"),
    # xlsform channel
    "unknown-column": (WARNING, "column '{column}' is not a question of form '{form}'; its values are ignored"),
    "ambiguous-column": (ERROR, "column '{column}' matches several questions or choices ({targets}); ignored"),
    "unsafe-xml": (ERROR, "refused XML with a DTD, entity or external reference: {reason}"),
    "not-decrypted": (ERROR, "an encrypted submission that the server did not decrypt; nothing to score"),
    # excel channel
    "excel-format": (ERROR, "a {found} file: save the workbook as .xlsx (Excel Workbook) and send it again"),
    "excel-sheet-missing": (ERROR, "sheet '{sheet}' is missing ({what}); sheets found: {found}"),
    "excel-lists-missing": (WARNING, "hidden sheet '{sheet}' was deleted: the answers are read, but the workbook's "
                                     "own drop-downs and scores no longer work"),
    "excel-formula": (ERROR, "a formula ({formula}) in the answer to '{question}' is never evaluated; "
                             "type the answer itself"),
    "excel-bad-answer": (ERROR, "{value!r} is not an answer to '{question}'; allowed: {allowed}"),
    "excel-duplicate-row": (ERROR, "question '{question}' appears a second time (first in row {first}); "
                                   "rows must not be copied"),
    "excel-spec-changed": (WARNING, "the workbook was built from another text of this form version (spec hash "
                                    "{found}, expected {expected}); answers are read by question id"),
    # html channel
    "too-large": (ERROR, "the file is {size} MB; a file of returns may hold at most {limit} MB"),
    # server channel
    "body-too-large": (ERROR, "the request body is larger than the {limit} bytes a submission may have"),
    "wrong-type": (ERROR, "content type {found!r} is not accepted; send application/json"),
    "rate-limited": (ERROR, "too many requests from this address; try again in {seconds} s"),
    "bad-envelope": (ERROR, "'{field}': {reason}"),
}


def issue(kind: str, /, source: str = "", location: str = "", **params) -> Issue:
    """An Issue from the catalogue, its message filled in from params."""
    severity, template = CATALOGUE[kind]
    return Issue(code=kind, message=template.format(**params), severity=severity,
                 source=str(source), location=str(location))
