"""Find every input, detect its channel by content, read it, de-duplicate across channels, score."""
from __future__ import annotations

import datetime as dt
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from .aggregate import aggregate
from .catalogue import Code, issue
from .channels import CHANNELS, channel
from .ledger import Ledger
from .model import Form, Issue, Report, Response, ScoredReturn
from .report.run import Run
from .scoring import score_return

HEAD_BYTES = 4096
MAX_ZIP_TOTAL = 2 * 1024 ** 3  # uncompressed bytes a generic zip may expand to (zip bombs)
Item = Union[Response, Issue]


# SQLite keeps these beside a database (a server's, or one a reader opened): they are read through it
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def sidecar(path: Path) -> bool:
    """Whether a file is one SQLite keeps beside a database that is there too."""
    return any(path.name.endswith(end) and path.with_name(path.name[:-len(end)]).is_file() for end in SQLITE_SIDECARS)


def expand(inputs: Iterable) -> List[Path]:
    """Every file named or found (recursively, in name order) under the inputs; hidden files and a database's
    SQLite side files skipped."""
    files = []
    for item in map(Path, inputs):
        if item.is_dir():
            files += sorted(p for p in item.rglob("*") if p.is_file()
                            and not any(part.startswith(".") for part in p.relative_to(item).parts))
        else:
            files.append(item)
    return [f for f in files if not sidecar(f)]


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


def read_file(path: Path, forms: Mapping[str, Form]) -> Iterator[Tuple[str, Item]]:
    """(channel, Response or Issue) for every return in one file; a file nobody claims is an Issue."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        yield "", issue(Code.UNREADABLE, path, reason=exc.strerror or exc)
        return
    if not head:
        yield "", issue(Code.UNREADABLE, path, reason="the file is empty")
        return
    name = detect(path, head)
    if name is None and head.startswith(b"PK"):
        if zipfile.is_zipfile(path):
            yield from _read_zip(path, forms)
        else:
            yield "", issue(Code.UNREADABLE, path, reason="a damaged or truncated zip file (a workbook or an export "
                            "archive cut short in transfer?): ask for it again")
    elif name is None:
        yield "", issue(Code.UNREADABLE, path, reason="not a return of any channel this tool reads "
                        "(Excel workbook, ODK/Kobo/Ona/SurveyCTO export, XML instance, web-form JSON)")
    else:
        for item in channel(name).read(path, forms):
            yield name, item


def _read_zip(path: Path, forms) -> Iterator[Tuple[str, Item]]:
    """A zip no channel claims as a whole: read each member as a file of its own."""
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_ZIP_TOTAL:
            yield "", issue(Code.UNREADABLE, path, reason="the zip expands to more than 2 GiB")
            return
        for member in members:
            target = Path(tmp) / Path(member.filename).name
            target.write_bytes(archive.read(member))
            for name, item in read_file(target, forms):
                source = f"{path}!{member.filename}"
                yield name, item._replace(source=source) if isinstance(item, Issue) else replace(item, source=source)


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
    countries = aggregate(form, [(s.response, s.score) for s in scored])
    return Report(form, tuple(scored), countries, tuple(issues), counts, now())


# Issues that say a file's columns were not all read: its returns may be scored from partial data.
PARTIAL = frozenset({Code.UNKNOWN_COLUMN, Code.AMBIGUOUS_COLUMN, Code.SCORED_COLUMN_MISSING, Code.COLUMN_MISSING,
                     Code.RAGGED_ROWS, Code.LOST_CHOICE})


def _counted(c: Mapping[str, int]) -> str:
    excluded = f", {c['excluded']} excluded by review" if c.get("excluded") else ""
    return (f"{c['read']} read, {c['accepted']} accepted, {c['rejected']} rejected, "
            f"{c['duplicates']} duplicates{excluded}")


def summary(report: Union[Report, Run]) -> List[str]:
    """The short summary printed after a run: returns per channel, accepted, rejected, duplicates, excluded by
    review, countries; and whether any file had columns that were not read."""
    lines = [f"{name:>12}: {_counted(report.counts[name])}" for name in sorted(report.counts)]
    keys = ("read", "accepted", "rejected", "duplicates", "excluded")
    total = {k: sum(c.get(k, 0) for c in report.counts.values()) for k in keys}
    if isinstance(report, Run):
        partial, countries = report.partial, report.countries
    else:
        partial, countries = tuple({i.source for i in report.issues if i.code in PARTIAL}), len(report.countries)
    unread = (f"; columns not read in {len(partial)} file(s), whose returns may be scored from partial data "
              "(see the issues)" if partial else "")
    lines.append(f"{'total':>12}: {_counted(total)}; {countries} countries{unread}")
    return lines
