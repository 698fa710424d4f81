"""Read a whole campaign as ingest.run does, keeping no Response: each batch of scored returns becomes the reports'
columns (report.table) and goes to a spill file, each issue to another; the Run replays the accepted ones.

The batch reader of exports hands its clean rows over as columns already (report.table.Block, asked for with
report.table.Versions): they go to the spill and the writers as they are, their warnings as a batch of issues; only
the returns of the other readers (and an export's rows that are not clean) are Responses, made into columns here.

Report writers can be fed while the inputs are read (report.Live): each batch goes to them as it is made, but for
the returns a reviewer rejected. Whether they saw exactly the returns kept is only known once every input is read
(a later input may hold a newer version of a return already written): Run.complete says so; when it does not,
the reports are written again from the spill."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .ingest import PARTIAL, expand, now, read_all, score_all
from .ledger import Ledger
from .model import Form, Issue, Response
from .report import table
from .report.run import Run, Spill, as_issues, issue_batches, kept
from .returns import rejected_by_review

BATCH = 4096  # returns in one batch of the reports' columns: a few MB


class Sink(Protocol):
    """Report writers fed as the run is read (report.Live, report.live.Apart)."""

    def returns(self, batch: pa.RecordBatch) -> None:
        """A batch of the returns the run keeps."""

    def issues(self, batch: pa.RecordBatch) -> None:
        """A batch of issues."""


class Reading:
    """The returns and issues of a run as they are read, spilled a batch at a time."""

    def __init__(self, form: Form, forms: Mapping[str, Form], folder, include_rejected: bool = False,
                 live: Optional[Sink] = None):
        self.form, self.forms, self.live, self.include_rejected = form, forms, live, include_rejected
        self.ledger = Ledger(include_rejected)
        self.returns, self.issues = Spill(Path(folder) / "returns"), Spill(Path(folder) / "issues")
        self.pending: List[Response] = []
        self.pending_names: List[str] = []
        self.said: List[Issue] = []
        self.said_names: List[str] = []
        self.issued = 0
        self.countries: Dict[str, int] = {}
        self.country_of: List[np.ndarray] = []
        self.written: List[np.ndarray] = []  # per batch, the rows given to the live writers
        self.partial: set = set()
        self.blocks: List[tuple] = []  # (channel, returns, identities) of the blocks not yet taken
        self.block_rows = 0

    def take_issues(self) -> None:
        """Count, spill and pass on the issues read since the last time (the lists are emptied in place)."""
        self.ledger.issues(self.said_names, self.said)
        self.partial.update(i.source for i in self.said if i.code in PARTIAL)
        self._write_issues(self.said)
        del self.said[:], self.said_names[:]

    def _write_issues(self, issues: List[Issue]) -> None:
        for batch in issue_batches(issues):
            self._write_issues_batch(batch)

    def _write_issues_batch(self, batch: pa.RecordBatch) -> None:
        self.issues.write(batch)
        if self.live is not None:
            self.live.issues(batch)
        self.issued += batch.num_rows

    def take_returns(self) -> None:
        """Count, score, spill and pass on the returns read since the last time (the lists are emptied in
        place): the Responses are forgotten."""
        self.take_blocks()
        self.ledger.responses(self.pending_names, self.pending)
        batch = table.build(self.form, score_all(self.form, self.forms, self.pending))
        del self.pending[:], self.pending_names[:]
        self._put(batch)

    def block(self, name: str, block: table.Block) -> None:
        """Returns a batch reader read as columns: its issues said at once, its returns taken with the next ones
        (blocks are a batch of a file each: a few together make a batch of the reports)."""
        if self.pending:
            self.take_returns()
        self.take_issues()
        returns, issues = block.sourced()
        if issues.num_rows:
            severity = issues.column("severity")
            if pc.any(pc.equal(severity, pa.scalar("error", pa.string()))).as_py():
                self.ledger.issues([name] * issues.num_rows, list(as_issues(issues)))
            partial = pc.is_in(issues.column("code"), value_set=pa.array([c.value for c in PARTIAL], pa.string()))
            self.partial.update(i.source for i in as_issues(issues.filter(partial)))
            self._write_issues_batch(issues)
        self.blocks.append((name, returns, block.identities))
        self.block_rows += returns.num_rows
        if self.block_rows >= BATCH:
            self.take_blocks()

    def take_blocks(self) -> None:
        """Count, spill and pass on the blocks taken since the last time."""
        if not self.blocks:
            return
        for name, returns, identities in self.blocks:
            self.ledger.block(name, identities, returns.column("review"))
        batch = pa.concat_batches([returns for _, returns, _ in self.blocks])
        self.blocks, self.block_rows = [], 0
        self._put(batch)

    def _put(self, batch: pa.RecordBatch) -> None:
        """Spill and pass on a batch of the reports' columns."""
        if batch.num_rows:
            self.returns.write(batch)
        self.country_of.append(_codes(batch.column("country"), self.countries))
        if self.live is not None:
            shown = np.ones(batch.num_rows, dtype=bool)
            if not self.include_rejected:
                review = pc.dictionary_encode(batch.column("review"))
                verdicts = [rejected_by_review(v) if v else False for v in review.dictionary.to_pylist()]
                where = pc.fill_null(review.indices, pa.scalar(-1, review.indices.type)).to_numpy(False)
                shown = ~np.array(verdicts + [False], dtype=bool)[where]
            self.written.append(shown)
            if batch.num_rows:
                self.live.returns(batch if shown.all() else batch.filter(pa.array(shown)))

    def finish(self) -> Run:
        """Every input read: the run."""
        self.take_returns()
        self.returns.close()
        self.take_issues()
        keep, found, counts = self.ledger.close(self._fetch)
        self._write_issues(found)
        self.issues.close()
        every = np.concatenate(self.country_of)[keep] if len(keep) else np.zeros(0, np.uint32)
        complete = self.live is not None and np.array_equal(keep, np.concatenate(self.written))
        returns = self.returns
        return Run(self.form, counts, now(), int(keep.sum()), lambda: kept(returns.read(), keep), self.issues.read,
                   self.issued, len(np.unique(every)), tuple(sorted(self.partial)), complete)

    def _fetch(self, rows: np.ndarray) -> List[Response]:
        """The returns at these read positions, from the spill, with what de-duplication and review look at."""
        identities = self.ledger.identities_at(rows)
        out: List[Response] = []
        start = 0
        names = ("source", "location", "channel", "instance_id", "form_version", "submitted", "review", "edits")
        for batch in self.returns.read():
            mine = rows[(rows >= start) & (rows < start + batch.num_rows)] - start
            start += batch.num_rows
            if len(mine):
                part = batch.take(pa.array(mine))
                for values in zip(*(part.column(n).to_pylist() for n in names)):
                    out.append(Response(self.form.id, answers={}, root_id="uuid:" + identities[len(out)],
                                        **dict(zip(names, values, strict=True))))
        return out


def _codes(column: pa.Array, codes: Dict[str, int]) -> np.ndarray:
    """Per row, the code of its value (codes grows with the values met)."""
    found = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
    known = [codes.setdefault(c, len(codes)) for c in found.dictionary.to_pylist()]
    return np.array(known, dtype=np.uint32)[found.indices.to_numpy(False)] if known else np.zeros(0, np.uint32)


def stream(inputs: Iterable, form: Form, forms: Mapping[str, Form], folder,
           progress: Callable = lambda items, total: items, jobs: int = 1, include_rejected: bool = False,
           live: Optional[Sink] = None) -> Run:
    """Read, de-duplicate and score every input as ingest.run does, with the returns spilled into folder (and given
    to live writers as they come, when there are some)."""
    reading = Reading(form, forms, folder, include_rejected, live)
    known: set = set()
    pending, pending_names, said, said_names = reading.pending, reading.pending_names, reading.said, reading.said_names
    for name, item in read_all(expand(inputs), table.Versions(forms, form), jobs, progress):
        if name not in known:
            known.add(name)
            reading.ledger.seen(name)
        if isinstance(item, Response):
            if reading.blocks:
                reading.take_blocks()
            pending.append(item)
            pending_names.append(name)
            if len(pending) == BATCH:
                reading.take_returns()
        elif isinstance(item, table.Block):
            reading.block(name, item)
        else:
            said.append(item)
            said_names.append(name)
            if len(said) == BATCH:
                reading.take_issues()
    return reading.finish()
