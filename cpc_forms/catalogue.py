"""The catalogue of problems: every code cpc-forms reports, with its severity, message template and meaning."""
from __future__ import annotations

from enum import Enum
from os import PathLike
from typing import Any, Dict, Tuple, Union

from . import wording
from .limits import SHOWN, shown
from .model import Issue

ERROR, WARNING = "error", "warning"  # error: the thing is rejected; warning: it is read, but look


class Code(str, Enum):
    """A problem's code: a str, so it compares (and serialises) as the plain code, with its catalogue entry."""

    _value_: str
    severity: str  # ERROR or WARNING
    template: str  # the message, filled in by issue() from its params
    description: str  # what it means for the user, in one line (the README's table)

    def __new__(cls, value: str, severity: str, template: str, description: str) -> Code:
        member = str.__new__(cls, value)
        member._value_ = value
        member.severity, member.template, member.description = severity, template, description
        return member

    def __str__(self) -> str:
        return self._value_

    def __format__(self, spec: str) -> str:
        return format(self._value_, spec)

    # the spec
    INVALID_JSON = ("invalid-json", ERROR,
                    "not valid JSON: {reason} (line {line}, column {column})",
                    "A spec, a file of returns or a posted submission is not JSON (a missing comma, quote or "
                    "bracket); the line and column show where.")
    DUPLICATE_KEY = ("duplicate-key", ERROR,
                     "key '{key}' appears twice in one object",
                     "A JSON object names one key twice, so one of the two values would be lost silently.")
    META_SCHEMA = ("meta-schema", ERROR,
                   "the spec does not follow JSON Schema 2020-12 or the schema of the x- keywords: {reason}",
                   "The spec breaks JSON Schema or the rules of the x- keywords (spec/meta/) at the pointer given.")
    UNKNOWN_KEYWORD = ("unknown-keyword", ERROR,
                       "unknown keyword '{key}' (known x- keywords: {known})",
                       "An x- keyword cpc-forms does not know, often a misspelling; it would be ignored silently.")
    DUPLICATE_ID = ("duplicate-id", ERROR,
                    "id '{id}' is used twice (also at {other}); ids must be unique in the whole form",
                    "Two sections or questions share an id; ids are unique in the whole form so every channel's "
                    "answers map back to one question.")
    BAD_ID = ("bad-id", ERROR,
              "id '{id}' is not a valid name: use a letter or _ first, then letters, digits or _",
              "A section or question id that is not a valid name (a letter or _ first), as XLSForm and the XForm "
              "require.")
    BAD_CHOICE_CODE = ("bad-choice-code", ERROR,
                       "choice code '{code}' is not XML-safe: use letters, digits, _ . or - and no spaces",
                       "A choice code with spaces or characters XML forbids; ODK writes a multiple choice as codes "
                       "separated by spaces.")
    DUPLICATE_CHOICE = ("duplicate-choice", ERROR,
                        "choice code '{code}' appears twice in one list",
                        "One code twice in a choice list, so an answer with it could mean either choice.")
    UNKNOWN_REF = ("unknown-ref", ERROR,
                   "$ref '{ref}' points at nothing in this spec",
                   "A $ref that points at nothing, usually a misspelt choice list name under $defs.")
    UNKNOWN_QUESTION = ("unknown-question", ERROR,
                        "condition names question '{question}', which the form does not have",
                        "A condition reads a question the form does not have.")
    UNKNOWN_CHOICE = ("unknown-choice", ERROR,
                      "condition compares '{question}' with '{code}', which is not one of its choices",
                      "A condition compares a question with a code that is not one of its choices, so it never holds.")
    BAD_COMPARISON = ("bad-comparison", ERROR,
                      "'{op}' needs a numeric question, and '{question}' is {kind}",
                      "A condition compares a question that is not a number with gt, gte, lt or lte.")
    CONDITION_CYCLE = ("condition-cycle", ERROR,
                       "relevance of '{question}' depends on itself: {path}",
                       "Relevance conditions that depend on each other in a circle, so no order can decide them.")
    MISSING_TRANSLATION = ("missing-translation", ERROR,
                           "no {language} text for '{what}'",
                           "A text lacks one of the form's languages; every channel shows every text in every "
                           "language.")
    MISSING_STRING = ("missing-string", ERROR,
                      "no {language} text for '{key}'; a strings file needs every key in each of its languages",
                      "A channel's strings file (under generators/) lacks a key in one of the spec's languages or in "
                      "another language the file has: no channel shows a word of another language instead.")
    BAD_STRINGS = ("bad-strings", ERROR,
                   "this strings file cannot be used: {reason}",
                   "A channel's strings file is not JSON of language, key and text, or a text's {places} differ "
                   "from the same key's in another language.")
    UNKNOWN_LANGUAGE = ("unknown-language", ERROR,
                        "text in language '{language}', which x-form.languages does not list",
                        "A text in a language that x-form.languages does not list: add the language or remove the "
                        "text.")
    LEVEL_BANDS = ("level-bands", ERROR,
                   "partnership levels must cover 0 to 100 without gap or overlap: {reason}",
                   "The partnership levels leave a gap or overlap between 0 and 100, so an index would have no level "
                   "or two.")
    SCORE_BANDS = ("score-bands", ERROR,
                   "score bands must run on without gap or overlap: {reason}",
                   "A question's score bands leave a gap or overlap, so an answer would score nothing or twice.")
    UNSCORED_CHOICE = ("unscored-choice", ERROR,
                       "choice '{code}' of a scored question has no x-score and is neither dk nor na",
                       "A choice of a scored question has no x-score and is neither don't know nor not applicable, "
                       "so answering it could not be scored.")
    UNSCORABLE = ("unscorable", ERROR,
                  "scored question '{question}' has neither scored choices nor bands",
                  "A question marked for scoring has neither scored choices nor bands.")
    LEVEL_REQUIREMENT = ("level-requirement", ERROR,
                         "level '{code}': {reason}",
                         "A partnership level's key elements (requires) are not usable: the lowest level can have "
                         "none, and each needs its requirement in words for the report.")
    BAD_RECOMMENDATION = ("bad-recommendation", ERROR,
                          "recommendation: {reason}",
                          "A recommendation (x-recommendations) names a level that does not exist, a gate no level "
                          "has, a section or item that is not scored, or a malformed Handbook chapter.")
    BAD_ROLE = ("bad-role", ERROR,
                "a question's x-role does not fit the form: {reason}",
                "A question's x-role (country, agency, perceived level) is taken twice, or its choices do not fit "
                "what the scoring expects of that role.")
    BAD_QUESTION = ("bad-question", ERROR,
                    "this question cannot work as written: {reason}",
                    "A question uses a feature its kind does not allow, such as bands on a text question or 'none of "
                    "these' in a single choice.")
    # returns
    UNREADABLE = ("unreadable", ERROR,
                  "cannot be read: {reason}",
                  "A file, or a part of it, cannot be opened or decoded (broken, truncated, not the format its name "
                  "says); nothing in it is scored.")
    NOT_A_RETURN = ("not-a-return", ERROR,
                    "not a return: {reason}",
                    "A file no channel reads as a return (an XML without a form id such as a pom.xml, a document of "
                    "another program); nothing in it is scored.")
    OWN_FILE = ("own-file", WARNING,
                "{what}: skipped, not a return",
                "A file cpc-forms wrote itself (a blank questionnaire, the XLSForm, a previous run's scores or "
                "report), or a form definition, found among the inputs; it is skipped, so scoring a folder again "
                "adds nothing.")
    NOT_A_FILE = ("not-a-file", WARNING,
                  "{kind}, not a regular file: skipped, only regular files are read",
                  "A named pipe, device or socket among the inputs; it is skipped without being opened, so the run "
                  "never waits on it.")
    DANGLING_LINK = ("dangling-link", WARNING,
                     "{reason}: skipped",
                     "A symbolic link whose target does not exist (moved or deleted); nothing is read through it.")
    UNREADABLE_FOLDER = ("unreadable-folder", ERROR,
                         "cannot list the folder ({reason}): the files in it are not read",
                         "A folder among the inputs that cannot be listed (no permission); none of its files is "
                         "read.")
    NO_RETURNS = ("no-returns", WARNING,
                  "holds no return: {reason}",
                  "A file of the right kind that holds no return at all (a CSV export with a header only, an empty "
                  "list); nothing is counted.")
    UTF16_TEXT = ("utf-16-text", ERROR,
                  "a text file saved as UTF-16 ('Unicode text'): save it again as UTF-8 (in Excel: CSV UTF-8) and "
                  "send it again",
                  "A CSV, JSON or XML file saved as UTF-16, which no export writes; save it as UTF-8.")
    NOT_UTF8 = ("not-utf-8", ERROR,
                "{where} is not UTF-8 text (saved as {guess}?): in Excel use 'Save as CSV UTF-8', in LibreOffice "
                "choose the character set Unicode (UTF-8), and send it again{read}",
                "A CSV saved in a legacy encoding (Windows-1252, Latin-1) rather than UTF-8, as exports are; the "
                "first bad row is named, with how to save it as UTF-8.")
    NOT_A_ZIP = ("not-a-zip", ERROR,
                 "named {suffix} but not a zip file (an {suffix} file is one): {guess}",
                 "A file named .xlsx or .zip that is no zip archive inside (renamed, or another kind of file).")
    ZIP_MEMBER = ("zip-member", ERROR,
                  "member {member!r} is not read: {reason}",
                  "A member of a zip archive that cannot be unpacked safely (a password, a packing method such as "
                  "Deflate64, a damaged member, a name such as '..', a zip bomb); the other members are read.")
    OVER_LIMIT = ("over-limit", ERROR,
                  "{what} is past the limit of {limit}{consequence} (see the Limits in the README)",
                  "A file past one of the limits that keep a run's memory and time bounded (README: Limits): a "
                  "zip bomb, a header of a million columns, a file of millions of blank lines.")
    TOO_DEEP = ("too-deep", ERROR,
                "{what} is nested more than {limit} levels deep; it is not read",
                "A JSON or XML document nested far deeper than any return, as an attack would be; it is refused.")
    INTERNAL_ERROR = ("internal-error", ERROR,
                      "cpc-forms failed while reading this file ({error}); the other inputs were read. Please "
                      "report it, with the traceback that 'cpc-forms --debug score ...' prints",
                      "A file that made cpc-forms itself fail: that file is not read, every other input is; "
                      "please report it.")
    OTHER_FORM = ("other-form", ERROR,
                  "a return of form '{found}', not of '{expected}'",
                  "A return of another form than the one being scored: score it with that form's --spec.")
    UNKNOWN_VERSION = ("unknown-version", ERROR,
                       "form version '{found}' is not known (known: {known})",
                       "A return of a form version that is neither the current one nor one kept under "
                       "spec/versions/; it is not scored.")
    BAD_VALUE = ("bad-value", ERROR,
                 "'{question}': {value!r} is not valid; expected {expected}",
                 "An answer its question does not allow (not one of the choices, out of range, not a date); the "
                 "return is rejected.")
    UNKNOWN_FIELD = ("unknown-field", ERROR,
                     "'{field}' is not a question of this form",
                     "An answer to a question the form does not have; the return is rejected.")
    BAD_SHAPE = ("bad-shape", ERROR,
                 "not shaped as a return of this form: {reason}",
                 "Something that is not shaped as a return of this form (not an object of answers, wrong nesting, a "
                 "wrong type); it is rejected.")
    NO_ANSWERS = ("no-answers", ERROR,
                  "the return answers no question of the form; nothing is stored or counted",
                  "A return that answers no question of the form (an empty submission); it is neither stored nor "
                  "counted.")
    NOT_RELEVANT_ANSWER = ("not-relevant-answer", WARNING,
                           "'{question}' was answered but is not relevant here; the answer is ignored",
                           "An answer to a question that the skip logic hides for this return; it is kept out of the "
                           "scores.")
    REQUIRED_MISSING = ("required-missing", WARNING,
                        "required question '{question}' has no answer",
                        "A required question has no answer; the return is scored without it.")
    DUPLICATE = ("duplicate", WARNING,
                 "replaced by a newer edit of the same submission ({newer})",
                 "An earlier copy or edit of a return that was read again; only the newest one is scored.")
    AMBIGUOUS_LABEL = ("ambiguous-label", ERROR,
                       "'{question}': label {value!r} matches several choices ({codes})",
                       "An answer written as a label that matches several choices, so it cannot be read as one code.")
    # xlsform channel
    UNKNOWN_COLUMN = ("unknown-column", WARNING,
                      "column '{column}' is not a question of form '{form}'; its values are ignored",
                      "An export column that is no question of the form (added or renamed on the server); its values "
                      "are ignored.")
    AMBIGUOUS_COLUMN = ("ambiguous-column", ERROR,
                        "column '{column}' matches several questions or choices ({targets}); ignored",
                        "An export column that could be more than one question or choice; it is ignored.")
    UNSAFE_XML = ("unsafe-xml", ERROR,
                  "refused XML: {reason}, which a return never does and an attack on the reader would",
                  "An XML file with a DTD, an entity or an external reference, refused because such XML can attack "
                  "the machine that reads it.")
    NOT_DECRYPTED = ("not-decrypted", ERROR,
                     "an encrypted submission that the server did not decrypt; nothing to score",
                     "An encrypted submission that the server exported without decrypting; export again with the "
                     "form's private key.")
    ENCRYPTED_MISSING = ("encrypted-missing", ERROR,
                         "an encrypted submission whose encrypted data the server does not have ('missing encrypted "
                         "form data'); nothing to score",
                         "An encrypted submission whose data never reached the server, so there is nothing to score.")
    SCORED_COLUMN_MISSING = ("scored-column-missing", ERROR,
                             "no column holds the answers to scored question(s) {questions}: this file's returns are "
                             "scored without them{unread}",
                             "An export without the column of a scored question (left out in the export settings); "
                             "its returns are scored without that question.")
    COLUMN_MISSING = ("column-missing", WARNING,
                      "no column holds the answers to question(s) {questions}; they read as unanswered",
                      "An export without the column of an unscored question; those answers read as unanswered.")
    VERSION_FALLBACK = ("version-fallback", WARNING,
                        "{reason}: rows that name no known form version are read as version {version}",
                        "Returns that name no known form version, read as the version given; check that it is the "
                        "one they answered.")
    RAGGED_ROWS = ("ragged-rows", WARNING,
                   "from {first} on, rows hold cells past the header's last column; those cells are ignored (a "
                   "KoboToolbox export adds one for a multiple-choice code the form does not have, and repeats it on "
                   "every later row){detail}",
                   "Rows with more cells than the header has columns; the extra cells are ignored.")
    LOST_CHOICE = ("lost-choice", ERROR,
                   "a multiple-choice answer holds a code the form does not have, which this export (multiple choice "
                   "as separate columns only) wrote past the header: the answer cannot be read whole",
                   "A multiple-choice answer with a code the form does not have, which an export of separate columns "
                   "only cannot place; the return cannot be read whole.")
    REVIEW_REJECTED = ("review-rejected", WARNING,
                       "a reviewer on the server marked this return {state!r}: it is left out of the scores "
                       "(--include-rejected keeps it)",
                       "A return that a reviewer on the server rejected; it is left out of the scores unless "
                       "--include-rejected is given.")
    EDIT_ORDER_UNKNOWN = ("edit-order-unknown", WARNING,
                          "versions of one submission that nothing orders (the same edit count and submission "
                          "time): {kept} is kept, {other} replaced; check that {kept} is the latest",
                          "Two versions of one submission that their exports do not order (the same edit count and "
                          "time); one is kept by its id: check it is the latest.")
    # excel channel
    EXCEL_FORMAT = ("excel-format", ERROR,
                    "a {found} file: save the workbook as .xlsx (Excel Workbook) and send it again",
                    "An .ods that cannot be read: save it as .xlsx and send it again (an .ods or .xls that "
                    "LibreOffice or Excel saved is read like the .xlsx).")
    EXCEL_SHEET_MISSING = ("excel-sheet-missing", ERROR,
                           "sheet '{sheet}' is missing ({what}); sheets found: {found}",
                           "A sheet the workbook needs was deleted or renamed, so its answers cannot be found.")
    EXCEL_LISTS_MISSING = ("excel-lists-missing", WARNING,
                           "hidden sheet '{sheet}' was deleted: the answers are read, but the workbook's own "
                           "drop-downs and scores no longer work",
                           "The workbook's hidden lists sheet was deleted: its answers are read, but its drop-downs "
                           "and live scores no longer work.")
    EXCEL_FORMULA = ("excel-formula", ERROR,
                     "a formula ({formula}) in the answer to '{question}' is never evaluated; type the answer itself",
                     "An answer cell holds a formula, which is never evaluated; type the answer itself.")
    EXCEL_BAD_ANSWER = ("excel-bad-answer", ERROR,
                        "{value!r} is not an answer to '{question}'; allowed: {allowed}",
                        "An answer cell holds something that is not one of the question's answers.")
    EXCEL_DUPLICATE_ROW = ("excel-duplicate-row", ERROR,
                           "question '{question}' appears a second time (first in row {first}); rows must not be "
                           "copied",
                           "A question's row appears twice (a copied row); the second one is not read.")
    EXCEL_SPEC_CHANGED = ("excel-spec-changed", WARNING,
                          "the workbook was built from another text of this form version (spec hash {found}, expected "
                          "{expected}); answers are read by question id",
                          "A workbook built from another text of the same form version; answers are read by question "
                          "id, but the questions its users saw may differ.")
    EXCEL_IDS_MISSING = ("excel-ids-missing", ERROR,
                         "{count} answers on sheet '{sheet}' ({cells}) lost the hidden question id beside them and "
                         "their rows no longer match the template, so they cannot be placed: send the workbook as "
                         "it was filled, or copy the answers into a fresh copy of the questionnaire",
                         "Answers whose hidden question ids were emptied or deleted, in rows that no longer match the "
                         "template: they cannot be placed, so the return is refused rather than read blank.")
    EXCEL_IDS_RESTORED = ("excel-ids-restored", WARNING,
                          "the hidden question ids beside {count} answers on sheet '{sheet}' were emptied or "
                          "deleted: the answers were placed by question number and row position (the template is "
                          "unchanged)",
                          "Hidden question ids were emptied or deleted; the answers were placed by their question "
                          "number and row position in the unchanged template.")
    EXCEL_ENCRYPTED = ("excel-encrypted", ERROR,
                       "the workbook is encrypted with a password, so it cannot be read: ask for a copy saved "
                       "without a password (File > Save As, password removed)",
                       "A workbook saved with a password to open it; nothing in it can be read without the "
                       "password: ask for a copy saved without one.")
    EXCEL_SHEET_TOO_LARGE = ("excel-sheet-too-large", ERROR,
                             "'{sheet}' is far larger than a questionnaire can be: {what}; it is not read (ask for "
                             "the workbook as it was filled)",
                             "A workbook whose sheet (or part) is absurdly large for a questionnaire, such as a cell "
                             "at XFD1048576 or a gigabyte of XML; it is refused before it is parsed.")
    EXCEL_LOCKED_ANSWER = ("excel-locked-answer", WARNING,
                           "{count} answer cells on sheet '{sheet}' are locked ({cells}), as after a paste from "
                           "another sheet: the respondent could not change them, so check those answers with them",
                           "Answer cells that lost their unlocked style (a full paste from another sheet): they "
                           "are read, but the respondent could no longer correct them.")
    EXCEL_SAVED_CSV = ("excel-saved-csv", ERROR,
                       "a CSV saved from the questionnaire workbook's sheet '{sheet}': it loses the hidden form "
                       "version and question ids; send the workbook itself (.xlsx) instead",
                       "The questionnaire sheet saved as CSV (File > Save As > CSV): it lacks what scoring needs; "
                       "send the .xlsx workbook instead.")
    # html channel
    TOO_LARGE = ("too-large", ERROR,
                 "it is {size} MB; a file of returns, or one stored submission, may hold at most {limit} MB",
                 "A JSON file of returns (web form, Central OData, Kobo API), or a submission stored in a server's "
                 "database, larger than the limit (it is not loaded); split the file, or use the server's CSV export.")
    # server channel
    BODY_TOO_LARGE = ("body-too-large", ERROR,
                      "the request body is larger than the {limit} bytes a submission may have",
                      "A submission to the server larger than any return can be; it is refused.")
    WRONG_TYPE = ("wrong-type", ERROR,
                  "content type {found!r} is not accepted; send application/json",
                  "A submission to the server that is not sent as application/json; it is refused.")
    RATE_LIMITED = ("rate-limited", ERROR,
                    "too many requests from this address; try again in {seconds} s",
                    "Too many requests from one address within a minute; the server asks it to wait.")
    BAD_ENVELOPE = ("bad-envelope", ERROR,
                    "'{field}': {reason}",
                    "A submission to the server whose envelope (form_id, form_version, instance_id, submitted, "
                    "answers) lacks a field or holds a wrong one.")
    EDIT_REFUSED = ("edit-refused", ERROR,
                    "this return was already received, and only the browser that sent it can change it: an edit "
                    "must carry the edit token its first submission was given ({reason}); nothing was changed",
                    "An edit of a stored submission without the edit token its first submission was given (sent "
                    "from another browser, or by someone else); it is refused and the stored answers stay.")
    FUTURE_TIME = ("future-time", WARNING,
                   "'{field}' {found} is later than the server's clock; {now} is stored instead",
                   "A submission whose time is later than the server's clock (a device with a wrong clock); the "
                   "server's time is stored, so that a later real edit still replaces it.")
    BAD_PARAMETER = ("bad-parameter", ERROR,
                     "query parameter '{name}': {reason}",
                     "A request to the server with a query parameter it cannot use (?limit=, ?offset= that are "
                     "not whole numbers in range); it is refused.")


# the plain code, severity and template per code, looked up by issue() for each of many thousand issues a run
_ENTRIES: Dict[str, Tuple[str, str, str]] = {code._value_: (code._value_, code.severity, code.template)
                                             for code in Code}


def issue(code: Code, /, source: Union[str, PathLike[str]] = "", location: str = "", **params: Any) -> Issue:
    """An Issue of that code (its plain string in Issue.code), its message filled in from params."""
    value, severity, template = _ENTRIES[code]
    if code in _WORDS and "reason" in params:
        params["reason"] = wording.plain(_WORDS[code], str(params["reason"]))
    for key, given in params.items():
        kind = given.__class__
        if not (kind is str and len(given) <= SHOWN // 4 or kind is int and -BIG < given < BIG or kind is float):
            # a short text (even escaped) or number is shown whole; a long one, or anything else, is cut
            params[key] = _Cut(given, SHOWN if key in ECHOED else 5 * SHOWN)
    # a name may hold control characters (a line break, a terminal's escape): shown escaped, as the bytes that
    # are not UTF-8 are, so no file can forge a line of what score prints or steer the terminal
    return Issue(value, shown(template.format(**params)), severity, shown(str(source)), shown(str(location)))


BIG = 10 ** 18
# the codes whose reason is a library's own words for the problem, turned into plain sentences
_WORDS = {Code.INVALID_JSON: wording.JSON, Code.UNSAFE_XML: wording.XML}
# the parameters that echo what an input holds (cut to SHOWN characters); the others are this tool's sentences
ECHOED = frozenset({"value", "found", "field", "formula", "key", "member", "column", "question", "codes", "kept",
                    "other", "newer", "id", "code"})


def cut(text: str, limit: int = SHOWN) -> str:
    """A text as messages echo it: at most limit characters, and then how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


class _Cut:
    """A message parameter as shown: str, repr and format of it cut (a rejected value may be 900,000 characters)."""

    __slots__ = ("value", "limit")

    def __init__(self, value: Any, limit: int):
        self.value, self.limit = value, limit

    def __str__(self) -> str:
        return cut(_text(str, self.value), self.limit)

    def __repr__(self) -> str:
        return cut(_text(repr, self.value), self.limit)

    def __format__(self, spec: str) -> str:
        return cut(_text(lambda v: format(v, spec), self.value), self.limit)


def _text(show, value: Any) -> str:
    """show(value), or for an integer too long for Python to write, how long it is."""
    try:
        return show(value)
    except ValueError:
        return f"a number of about {int(value.bit_length() * 0.30103):,} digits" if isinstance(value, int) else \
            f"a {type(value).__name__}"


def markdown_table() -> str:
    """The table of every code, its severity and what it means, as README.md shows it."""
    rows = ["| code | severity | what it means |", "| --- | --- | --- |"]
    rows += [f"| `{code._value_}` | {code.severity} | {code.description.replace('|', '&#124;')} |" for code in Code]
    return "\n".join(rows) + "\n"
