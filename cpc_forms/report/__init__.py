"""Report writers: one scoring run -> scores.csv, scores.json, scores.xlsx, report.html (and scores.jsonl on request).

Every writer takes the accepted returns a batch at a time (Arrow batches of table.py's columns), the issues a
batch at a time, then closes with the run's counts and the country figures: memory holds a batch, not the
campaign. A Report in memory or a Run replayed from disk is fed to them by write_all; `cpc-forms score` feeds
them while it reads, in a process of their own (live.py) or a thread (Live). Options: personal=True puts answers
to personal-data questions into csv, json, jsonl and xlsx and the units of comments into html and pdf (left out
by default); language='fr' labels xlsx, html and pdf in that language (default: the form's). report.pdf needs
WeasyPrint (pip install "cpc-forms[pdf]")."""
from __future__ import annotations

import contextlib
import errno
import os
import queue
import shutil
import threading
from importlib import import_module
from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

import pyarrow as pa

from ..aggregate import Country, Tally
from ..model import Form, Report
from . import table
from .run import Run

FILES = {"csv": "scores.csv", "json": "scores.json", "xlsx": "scores.xlsx", "html": "report.html",
         "jsonl": "scores.jsonl", "pdf": "report.pdf"}
DEFAULT = ("csv", "json", "xlsx", "html")
OPTIONS = {"csv": ("personal",), "json": ("personal",), "jsonl": ("personal",), "xlsx": ("personal", "language"),
           "html": ("language", "personal"), "pdf": ("language", "personal")}


class Writer:
    """What every writer is given, in this order: each batch of returns and of issues (issues may come between
    batches of returns, in the order they were met), then the run and the country figures to close with."""

    def __init__(self, form: Form, path: Path):
        self.form, self.path = form, Path(path)
        self.handles: List[Any] = []  # what it keeps open until it closes (files, a zip)


    def returns(self, batch: pa.RecordBatch) -> None:
        """A batch of accepted returns, in read order."""

    def issues(self, batch: pa.RecordBatch) -> None:
        """A batch of issues, in order."""

    def close(self, run: Run, countries: Sequence[Country]) -> Path:
        """Finish the file; its path."""
        return self.path

    def parts(self) -> List[Path]:
        """The files it writes before it closes."""
        return [self.path]

    def abort(self) -> None:
        """Close and remove what it wrote (a run written again from the start)."""
        for handle in reversed(self.handles):
            with contextlib.suppress(Exception):
                handle.close()
        for part in self.parts():
            part.unlink(missing_ok=True)


def writer(fmt: str):
    """The writer module of one format."""
    if fmt not in FILES:
        raise KeyError(f"unknown report format {fmt!r} (known: {', '.join(FILES)})")
    return import_module(f"{__name__}.{fmt}")


def writers(form: Form, targets: Iterable[Tuple[str, Path]], *, personal: bool = False,
            language: Optional[str] = None) -> List[Writer]:
    """A writer per (format, path)."""
    options = {"personal": personal, "language": language}
    return [writer(fmt).Writer(form, Path(path), **{k: options[k] for k in OPTIONS[fmt]}) for fmt, path in targets]


def tally(batch: pa.RecordBatch, into: Tally) -> None:
    """Add a batch of returns to the country figures."""
    values = {m: batch.column(m if "." in m else f"{m}.score" if m else "index") for m in into.measures}
    into.add(batch.column("country"), batch.column("agency"), values, batch.column("perceived_level"),
             batch.column(table.MISSING))


def feed(run: Run, every: Sequence[Writer]) -> Tuple[Country, ...]:
    """Give the writers every batch of the run's returns, then of its issues; the country figures."""
    figures = Tally(run.form)
    for batch in run.returns():
        batch = table.encode(run.form, batch)
        tally(batch, figures)
        for w in every:
            w.returns(batch)
    for batch in run.issues():
        for w in every:
            w.issues(batch)
    return figures.countries()


def write_each(report: Union[Report, Run], targets, *, personal: bool = False,
               language: Optional[str] = None) -> List[Path]:
    """Write each (format, path) of targets in one pass over the run (when one fails, none is left behind)."""
    run = report if isinstance(report, Run) else Run.of(report)
    made = writers(run.form, targets, personal=personal, language=language)
    try:
        countries = feed(run, made)
        return [w.close(run, countries) for w in made]
    except BaseException:
        for w in made:
            w.abort()
            w.path.unlink(missing_ok=True)  # a file finished before another failed
        raise


def write_all(report: Union[Report, Run], out_dir, formats: Iterable[str] = DEFAULT, *, personal: bool = False,
              language: Optional[str] = None) -> List[Path]:
    """Write every asked format into out_dir (created if needed); the paths written, in order. Each file takes shape
    under a temporary name there and all are renamed into place once all are complete (publish)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    token = _token()
    made = write_each(report, [(fmt, out / temporary(FILES[fmt], token)) for fmt in formats], personal=personal,
                      language=language)
    return publish(made, out, [FILES[fmt] for fmt in formats])


def _token() -> str:
    import secrets
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def temporary(name: str, token: str) -> str:
    """The temporary name a report takes shape under, beside its final name (hidden, and never a report's own)."""
    return f".{name}.{token}.tmp"


def publish(made: Sequence[Path], out_dir, names: Optional[Sequence[str]] = None) -> List[Path]:
    """Put complete reports into out_dir under their names (default: their own): each first goes to a temporary
    name there (moved from another folder as a whole), then all are renamed into place, one after the other. A
    failure before that removes the temporaries and leaves the folder as it was; once the renaming has begun it
    is carried to the end, even when interrupted, so that no old report stays beside new ones."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = [Path(p).name for p in made] if names is None else list(names)
    token, staged = _token(), []
    final = [out / name for name in names]
    try:
        for path, name in zip(made, names, strict=True):
            if (out / name).is_dir():
                raise IsADirectoryError(errno.EISDIR, "a folder has the name of a report", str(out / name))
            path = Path(path)
            if path.parent.resolve() == out.resolve() and path.name.endswith(".tmp"):
                staged.append(path)
                continue
            there = out / temporary(name, token)
            staged.append(there)
            shutil.move(str(path), str(there))  # a rename on the same disk; a copy, then a removal, elsewhere
    except BaseException:
        for path in staged + [Path(p) for p in made]:
            path.unlink(missing_ok=True)
        raise
    failed: Optional[BaseException] = None
    for there, path in zip(staged, final, strict=True):
        while True:
            try:
                if there.exists():  # (not when an interruption came just after it was renamed)
                    os.replace(there, path)
                break
            except KeyboardInterrupt as exc:  # the renaming is carried to its end, then the interruption raised
                failed = exc
            except OSError as exc:  # not expected in a folder just written to: no old report stays in its place
                failed = failed or exc
                for gone in (there, path):
                    with contextlib.suppress(OSError):
                        gone.unlink(missing_ok=True)
                break
    if failed is not None:
        raise failed
    return final


def write_one(fmt: str, report: Union[Report, Run], path, **options) -> Path:
    """One format written to path."""
    (done,) = write_each(report, [(fmt, Path(path))], **options)
    return done


class Live:
    """Writers fed while a run is read, in a thread of their own: their Arrow work runs beside the reading, on
    another core. The returns given must be those the run keeps (the reader checks at the end: Run.complete)."""

    def __init__(self, form: Form, every: Sequence[Writer]):
        self.writers, self.figures = list(every), Tally(form)
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.failed: Optional[BaseException] = None
        self.thread = threading.Thread(target=self._work, name="cpc-forms-reports", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.failed is None:
                try:
                    kind, batch = item
                    if kind == "returns":
                        batch = table.encode(self.figures.form, batch)
                        tally(batch, self.figures)
                    for w in self.writers:
                        getattr(w, kind)(batch)
                except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, which raises it
                    self.failed = exc

    def returns(self, batch: pa.RecordBatch) -> None:
        """A batch of returns the run keeps."""
        self.queue.put(("returns", batch))

    def issues(self, batch: pa.RecordBatch) -> None:
        """A batch of issues."""
        self.queue.put(("issues", batch))

    def _done(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.failed is not None:
            raise self.failed

    def close(self, run: Run) -> List[Path]:
        """Every file, complete."""
        self._done()
        countries = self.figures.countries()
        return [w.close(run, countries) for w in self.writers]

    def discard(self) -> None:
        """Stop, and remove what was written."""
        try:
            self._done()
        finally:
            for w in self.writers:
                w.abort()
