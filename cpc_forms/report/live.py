"""Report writers fed while a run is read, in a process of their own: reading a campaign is Python work that holds
one core, and encoding and compressing its reports can use another. Batches go to the writers' process through a
queue (Arrow batches pickle as their buffers); the writers' process loads the same spec, and closes the files
when told the run's counts. A form that is not a spec file (built in memory) is written in a thread instead."""
from __future__ import annotations

import multiprocessing
import queue
import traceback
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

import pyarrow as pa

from ..model import Form
from . import Live, writers
from .run import Run

PENDING = 6  # batches waiting for the writers before the reading waits for them
WAIT = 5.0  # seconds between two looks at whether the writers' process is still there


def start(form: Form, targets: Sequence[Tuple[str, Path]], *, personal: bool = False,
          language: Optional[str] = None):
    """Writers for targets (format, path), fed as the run is read: in their own process when the form is a spec
    file the process can load, else in a thread (Live)."""
    if form.source and Path(form.source).is_file():
        return Apart(form, targets, personal, language)
    return Live(form, writers(form, targets, personal=personal, language=language))


def _serve(source: str, spec_hash: str, targets, personal: bool, language: Optional[str], inbox, outbox) -> None:
    """The writers' process: every batch to the writers until told to close (or to stop), then what came of it."""
    made: List[Any] = []
    try:
        from ..spec import build_form, read_spec
        doc, problems = read_spec(source)
        # the reading process checked this very spec (the same hash): it is built without checking it again
        form = build_form(doc, source) if doc is not None and not problems else None
        if form is None or form.spec_hash != spec_hash:
            raise RuntimeError(f"{source} changed while it was read")
        live = Live(form, writers(form, targets, personal=personal, language=language))
        made = live.writers
        while True:
            kind, payload = inbox.get()
            if kind == "close":
                outbox.put(("done", [str(p) for p in live.close(_run(form, payload))]))
                return
            if kind == "abort":
                live.discard()
                outbox.put(("done", []))
                return
            getattr(live, kind)(payload)
    except BaseException:  # noqa: BLE001 - said to the reading process, which raises it
        for w in made:
            w.abort()
        outbox.put(("failed", traceback.format_exc()))
        while inbox.get()[0] not in ("close", "abort"):  # let the reading go on to its end, then say it
            pass


def _run(form: Form, fields: dict) -> Run:
    return Run(form, returns=lambda: iter(()), issues=lambda: iter(()), **fields)


class Apart:
    """The writers, in their own process."""

    def __init__(self, form: Form, targets: Sequence[Tuple[str, Path]], personal: bool, language: Optional[str]):
        context = multiprocessing.get_context("spawn")  # a fork would copy this process's threads' locks
        self.inbox, self.outbox = context.Queue(PENDING), context.Queue()
        self.process = context.Process(
            target=_serve, name="cpc-forms-reports", daemon=True,
            args=(form.source, form.spec_hash, [(f, str(p)) for f, p in targets], personal, language, self.inbox,
                  self.outbox))
        self.process.start()

    def _send(self, item) -> None:
        while True:
            try:
                self.inbox.put(item, timeout=WAIT)
                return
            except queue.Full:
                if not self.process.is_alive():
                    raise RuntimeError("the report writers' process stopped") from None

    def returns(self, batch: pa.RecordBatch) -> None:
        """A batch of returns the run keeps."""
        self._send(("returns", batch))

    def issues(self, batch: pa.RecordBatch) -> None:
        """A batch of issues."""
        self._send(("issues", batch))

    def _end(self, item) -> List[Path]:
        self._send(item)
        while True:
            try:
                kind, said = self.outbox.get(timeout=WAIT)
                break
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError("the report writers' process stopped") from None
        self.process.join()
        if kind == "failed":
            raise RuntimeError(f"writing the reports failed:\n{said}")
        return [Path(p) for p in said]

    def close(self, run: Run) -> List[Path]:
        """Every file, complete."""
        fields = dict(counts={k: dict(v) for k, v in run.counts.items()}, generated=run.generated,
                      accepted=run.accepted, issued=run.issued, countries=run.countries, partial=run.partial,
                      complete=run.complete, round=run.round)
        return self._end(("close", fields))

    def discard(self) -> None:
        """Stop, and remove what was written (what went wrong in the writers' process, if anything, with it)."""
        if self.process.is_alive():
            try:
                self._end(("abort", None))
            except RuntimeError:
                pass
