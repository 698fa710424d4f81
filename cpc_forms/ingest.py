"""Find every input, detect its channel by content, read it, de-duplicate across channels, score."""
from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
import zlib
from dataclasses import replace
from itertools import repeat
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import inputs, limits, unpacked
from .aggregate import figures
from .catalogue import Code, issue
from .channels import CHANNELS, channel
from .ledger import Ledger
from .limits import kind, shown, status
from .model import Form, Issue, Report, Response, ScoredReturn
from .outcome import PARTIAL, summary  # noqa: F401 - part of this module's surface
from .scoring import score_return

HEAD_BYTES = 4096
DAMAGED = (zlib.error, zipfile.BadZipFile, EOFError)  # what a damaged zip (a workbook, an archive) raises
Item = Union[Response, Issue]


# SQLite keeps these beside a database (a server's, or one a reader opened): they are read through it
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def sidecar(path: Path) -> bool:
    """Whether a file is one SQLite keeps beside a database that is there too."""
    return any(path.name.endswith(end) and path.with_name(path.name[:-len(end)]).is_file() for end in SQLITE_SIDECARS)


def expand(inputs: Iterable) -> List[Path]:
    """Every file named or found (recursively, in name order) under the inputs; hidden files and a database's
    SQLite side files skipped. Whatever is not a regular file (a pipe, a dangling link, a folder that cannot be
    listed) is kept, for read_file to report without opening it."""
    files: List[Path] = []
    for item in map(Path, inputs):
        files += sorted(_walk(item)) if item.is_dir() else [item]
    return [f for f in files if not sidecar(f)]


def _walk(top: Path) -> Iterator[Path]:
    """Every entry under top but folders that can be listed (and hidden ones), without recursion or following
    links to folders; a folder that cannot be listed is itself given."""
    folders = [top]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            yield folder
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(Path(entry.path))
            else:
                yield Path(entry.path)


def detect(path: Path, head: bytes) -> Optional[str]:
    """The channel whose reader claims this file, judged by its content."""
    for name in CHANNELS:
        if channel(name).sniff(path, head):
            return name
    # Text no channel claims outright still goes to the reader of its kind (the channel that declares its first
    # byte), which says what is wrong with it (a 50 MB JSON file, a JSON of another shape, an XML of another
    # form) better than "unrecognised".
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return next((name for name in CHANNELS if first in channel(name).FALLBACK_FIRST_BYTES), None)


def read_file(path: Path, forms: Mapping[str, Form], depth: int = 0) -> Iterator[Tuple[str, Item]]:
    """(channel, Response or Issue) for every return in one file; a file nobody claims is an Issue, and so is
    one that makes a reader fail: whatever one file holds, the other inputs are still read."""
    name, told = shown(str(path)), False
    renamed = name != str(path)
    try:
        for channel_name, item in _read_file(path, forms, depth):
            if isinstance(item, Response) and not item.answers:
                item = issue(Code.NO_ANSWERS, item.source, item.location)._replace(record=item.location or "return")
            if renamed:
                item = _renamed(item, str(path), name)
            told = True
            yield channel_name, item
    except DAMAGED as exc:  # a reader that met a damaged archive without saying so itself
        yield "", issue(Code.UNREADABLE, name, reason=f"a damaged file ({type(exc).__name__}: {exc}): ask for it "
                        "again")
        return
    except Exception as exc:  # noqa: BLE001 - the last resort: one file's failure is that file's Issue
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        yield "", issue(Code.INTERNAL_ERROR, name, error=error)
        return
    if not told:
        yield "", issue(Code.NO_RETURNS, name, reason="nothing in it is a return (a header only, blank rows, an "
                        "empty database)")


def _renamed(item: Item, old: str, new: str) -> Item:
    """An item whose source names the file as messages show it."""
    source = item.source.replace(old, new) if item.source.startswith(old) else shown(item.source)
    return item._replace(source=source) if isinstance(item, Issue) else replace(item, source=source)


def _one(found: Issue) -> Iterator[Tuple[str, Item]]:
    return iter([("", found)])


# The three functions below return iterators, not generators: each generator between a reader and the run costs
# every one of a large export's items.
def _read_file(path: Path, forms: Mapping[str, Form], depth: int) -> Iterator[Tuple[str, Item]]:
    found, why = status(path)
    if found is None:
        return _one(issue(Code.DANGLING_LINK if path.is_symlink() else Code.UNREADABLE, path, reason=why))
    if stat.S_ISDIR(found.st_mode):  # expand gives a folder found in another only when it cannot be listed
        return _one(issue(Code.NOT_A_FILE, path, kind="a link to a folder (not followed: give the folder itself)")
                    if path.is_symlink() else _unlisted(path))
    odd = kind(found.st_mode)
    if odd:
        return _one(issue(Code.NOT_A_FILE, path, kind=odd))
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        return _one(issue(Code.UNREADABLE, path, reason=exc.strerror or exc))
    if not head:
        return _one(issue(Code.UNREADABLE, path, reason="the file is empty"))
    return _read_content(path, head, forms, depth)


def _unlisted(path: Path) -> Issue:
    try:
        os.listdir(path)
    except OSError as exc:
        return issue(Code.UNREADABLE_FOLDER, path, reason=exc.strerror or exc)
    return issue(Code.UNREADABLE_FOLDER, path, reason="it changed while it was read")


def _read_content(path: Path, head: bytes, forms: Mapping[str, Form], depth: int) -> Iterator[Tuple[str, Item]]:
    """The items of a regular file, by what its first bytes show."""
    own = inputs.own_text(path, head)
    if own:
        return _one(issue(Code.OWN_FILE, path, what=own))
    if inputs.html(head):  # read as XML, a page would be refused for its DOCTYPE, which says nothing useful
        return _one(issue(Code.NOT_A_RETURN, path, reason="an HTML page (a web page or report of another program; "
                          "the web form's returns are the .json files it saves)"))
    crowded = limits.archive_problem(path) if head.startswith(b"PK") else None
    if crowded:  # before any reader lists its members: a million of them would cost a gigabyte
        return _one(issue(Code.OVER_LIMIT, path, what=crowded, limit=f"{limits.ZIP_MEMBERS:,} members listed in "
                          f"{limits.CENTRAL_BYTES // limits.MiB} MiB", consequence="; it is not opened"))
    if head.startswith(inputs.OLE2):  # an .xls, or an encrypted workbook
        return zip(repeat("excel"), channel("excel").read(path, forms))
    name = detect(path, head)
    if name == "excel":
        return _maybe_template(path, forms)
    if name is not None:
        return zip(repeat(name), channel(name).read(path, forms))
    return _unclaimed(path, head, forms, depth, path.suffix.lower())


def _maybe_template(path: Path, forms) -> Iterator[Tuple[str, Item]]:
    """A questionnaire workbook of this form: skipped as the blank template cpc-forms builds when it holds no
    answer, whatever it is named."""
    for item in channel("excel").read(path, forms):
        if isinstance(item, Response) and not item.answers:
            item = issue(Code.OWN_FILE, path, what=f"{shown(path.name)}, a blank questionnaire (the template "
                         "cpc-forms builds, with no answer in it)")
        yield "excel", item


def _unclaimed(path: Path, head: bytes, forms, depth: int, suffix: str) -> Iterator[Tuple[str, Item]]:
    """What a file no channel claims is."""
    if inputs.utf16(head):
        return unpacked.utf16_xml(path, forms, depth, read_file) if inputs.utf16_xml(head) else _one(
            issue(Code.UTF16_TEXT, path))
    if suffix in inputs.ZIP_SUFFIXES and not head.startswith(b"PK"):
        return _one(issue(Code.NOT_A_ZIP, path, suffix=suffix, guess=f"it is {inputs.guess(head)}; send the file "
                          "itself, not renamed"))
    if head.startswith(b"PK") and not zipfile.is_zipfile(path):
        return _one(issue(Code.UNREADABLE, path, reason="a damaged or truncated zip file (a workbook or an export "
                          "archive cut short in transfer?): ask for it again"))
    unsafe = inputs.unsafe_member(path) if head.startswith(b"PK") and suffix in inputs.WORKBOOK_SUFFIXES else None
    if unsafe:
        return _one(issue(Code.ZIP_MEMBER, path, member=unsafe[0], reason=unsafe[1]))
    if head.startswith(b"PK") and suffix in inputs.WORKBOOK_SUFFIXES:
        own = inputs.own_workbook(path)
        return _one(issue(Code.OWN_FILE, path, what=own) if own else issue(
            Code.NOT_A_RETURN, path, reason="a workbook that is neither a questionnaire of this form (no hidden "
            "form sheet) nor an export of submissions (no _uuid or KEY column)"))
    if head.startswith(b"PK"):
        return unpacked.zip_members(path, forms, depth, read_file)
    return _one(issue(Code.NOT_A_RETURN, path, reason=f"{inputs.guess(head)} (this tool reads Excel "
                      "questionnaires, ODK/Kobo/Ona/SurveyCTO exports, XML instances and web-form JSON)"))


_FORMS: Mapping[str, Form] = {}


def _init_worker(forms):
    global _FORMS
    _FORMS = forms


def _read_in_worker(path: Path) -> List[Tuple[str, Item]]:
    return list(read_file(path, _FORMS))


def read_all(files: List[Path], forms: Mapping[str, Form], jobs: int = 1,
             progress: Callable = lambda items, total: items) -> Iterator[Tuple[str, Item]]:
    """(channel, item) for every file, in file order; with jobs > 1, files are read in that many processes."""
    if jobs <= 1 or len(files) < 2:
        for path in progress(files, len(files)):
            yield from read_file(path, forms)
        return
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(forms,)) as pool:
        results = pool.map(_read_in_worker, files, chunksize=max(1, len(files) // (jobs * 8)))
        for items in progress(results, len(files)):
            yield from items


def collect(inputs: Iterable, forms: Mapping[str, Form], progress: Callable = lambda items, total: items,
            jobs: int = 1, include_rejected: bool = False) -> Tuple[List[Response], List[Issue], dict]:
    """Read every input: accepted Responses (newest edit of each), every Issue, and counts per channel.

    A return a reviewer rejected on its server is left out (counted as excluded, with a warning) unless
    include_rejected."""
    ledger = Ledger(include_rejected)
    responses: List[Response] = []
    issues: List[Issue] = []
    through: Tuple[List[str], List[str]] = ([], [])  # the channel of each return, of each issue
    for name, item in read_all(expand(inputs), forms, jobs, progress):
        ledger.seen(name)
        if isinstance(item, Response):
            responses.append(item)
            through[0].append(name)
        else:
            issues.append(item)
            through[1].append(name)
    ledger.responses(through[0], responses)
    ledger.issues(through[1], issues)
    keep, found, counts = ledger.close(lambda rows: [responses[n] for n in rows.tolist()])
    return [r for r, k in zip(responses, keep.tolist(), strict=True) if k], issues + found, counts


def score_all(form: Form, forms: Mapping[str, Form], responses: Iterable[Response]) -> List[ScoredReturn]:
    """Each Response scored against its own form version (or with the scores its reader gave it)."""
    out = []
    for r in responses:
        version = forms.get(r.form_version, form)
        out.append(ScoredReturn(r, r.scores or score_return(version, r.answers), version))
    return out


def now() -> str:
    """The time of a run, as reports give it."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def run(inputs: Iterable, form: Form, forms: Mapping[str, Form], progress: Callable = lambda items, total: items,
        jobs: int = 1, include_rejected: bool = False) -> Report:
    """Read, de-duplicate, score and aggregate every input: one Report (include_rejected: see collect)."""
    responses, issues, counts = collect(inputs, forms, progress, jobs, include_rejected)
    scored = score_all(form, forms, responses)
    countries = figures(form, [(s.response, s.score) for s in scored])
    return Report(form, tuple(scored), countries, tuple(issues), counts, now())
