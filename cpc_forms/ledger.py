"""What reading keeps of every return, a few bytes each, until every input is read: its channel, its submission's
identity and whether a reviewer rejected it. Enough to count each channel, to keep the newest version of each
submission across every input (returns.dedupe, on just the submissions met more than once) and to leave out
what a reviewer rejected; the returns themselves are kept elsewhere (in memory, or spilled to disk)."""
from __future__ import annotations

from array import array
from collections import Counter
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .catalogue import Code, issue
from .model import Issue, Response
from .report.cells import strings
from .returns import dedupe, rejected_by_review

Fetch = Callable[[np.ndarray], Sequence[Response]]  # the returns at these read positions, in order
CHUNK = 65536  # identities kept as Python text before they are packed into an Arrow array


class Ledger:
    """Counts per channel and the few facts per return that de-duplication and review need."""

    def __init__(self, include_rejected: bool = False):
        self.include_rejected = include_rejected
        self.counts: Dict[str, Dict[str, int]] = {}
        self.rejected: set = set()  # (source, record) of every rejected return
        self.names: Dict[str, int] = {}  # channel name -> its code in self.channel
        self.channel = array("H")
        self.reviewed = array("b")  # 1: a reviewer rejected it on the server
        self.packed: List[pa.Array] = []
        self.identities: List[str] = []

    def _tally(self, name: str) -> Dict[str, int]:
        name = name or "unrecognised"
        if name not in self.counts:
            self.counts[name] = {"read": 0, "accepted": 0, "rejected": 0, "duplicates": 0}
            self.names[name] = len(self.names)
        return self.counts[name]

    def seen(self, name: str) -> None:
        """A channel met: the counts keep the channels in the order they were first met."""
        self._tally(name)

    def responses(self, names: Sequence[str], returns: Sequence[Response]) -> None:
        """Returns read, each through its channel."""
        for name, n in Counter(names).items():
            self._tally(name)["read"] += n
        codes = self.names
        self.channel.extend([codes[name or "unrecognised"] for name in names])
        reviews = [r.review for r in returns]
        verdicts = {} if self.include_rejected else {v: rejected_by_review(v) for v in set(reviews) if v}
        self.reviewed.extend([verdicts.get(v, False) for v in reviews])
        self.identities += [r.identity for r in returns]
        if len(self.identities) >= CHUNK:
            self.packed.append(strings(self.identities))
            self.identities = []

    def block(self, name: str, identities: pa.Array, reviews: pa.Array) -> None:
        """Returns a batch reader read as columns (report.table.Block): per return its identity and review state."""
        self._tally(name)["read"] += len(identities)
        self.channel.extend([self.names[name or "unrecognised"]] * len(identities))
        encoded = pc.dictionary_encode(reviews)
        verdicts = [False] + [bool(v) and not self.include_rejected and rejected_by_review(v)
                              for v in encoded.dictionary.to_pylist()]
        where = pc.fill_null(encoded.indices, pa.scalar(-1, encoded.indices.type)).to_numpy(False) + 1
        self.reviewed.extend(np.array(verdicts, dtype=np.int8)[where].tolist())
        if self.identities:  # the identities met before, in their order
            self.packed.append(strings(self.identities))
            self.identities = []
        self.packed.append(identities)

    def issues(self, names: Sequence[str], items: Sequence[Issue]) -> None:
        """Issues met, each through its channel."""
        for name, item in zip(names, items, strict=True):
            if item.severity != "error" and item.code != Code.DUPLICATE:
                continue
            tally = self._tally(name)
            if item.code == Code.DUPLICATE:  # an edit a reader already replaced inside its own file
                tally["read"] += 1
                tally["duplicates"] += 1
            # One rejected return may carry several errors: they share its source and record.
            if item.severity == "error" and (item.source, item.record or item.location) not in self.rejected:
                self.rejected.add((item.source, item.record or item.location))
                tally["read"] += 1
                tally["rejected"] += 1

    def identities_at(self, rows: np.ndarray) -> List[str]:
        """The submission identities of the returns at these read positions."""
        every = pa.chunked_array(self.packed + [strings(self.identities)], pa.string())
        return every.take(pa.array(rows, pa.int64())).to_pylist()

    def close(self, fetch: Fetch) -> Tuple[np.ndarray, List[Issue], Dict[str, Dict[str, int]]]:
        """Per return read, whether it is kept; the issues of de-duplication and review; the counts per channel."""
        identities = pa.chunked_array(self.packed + [strings(self.identities)], pa.string())
        keep = np.ones(len(identities), dtype=bool)
        found: List[Issue] = []
        seen = pc.value_counts(identities)
        several = pc.greater(seen.field("counts"), pa.scalar(1, pa.int64()))
        repeated = seen.filter(pc.and_(several, pc.not_equal(seen.field("values"), pa.scalar("", pa.string()))))
        if len(repeated):
            rows = np.flatnonzero(pc.is_in(identities, value_set=repeated.field("values")).to_numpy(False))
            versions = fetch(rows)
            newest, found = dedupe(versions)
            kept = {id(r) for r in newest}
            keep[rows] = [id(r) in kept for r in versions]
        channel = np.frombuffer(self.channel, dtype=np.uint16) if len(self.channel) else np.zeros(0, np.uint16)
        excluded = np.flatnonzero(keep & np.frombuffer(self.reviewed, dtype=np.int8).astype(bool)) \
            if len(self.reviewed) else np.zeros(0, np.intp)
        names = list(self.names)
        for code, name in enumerate(names):
            mine = channel == code
            self.counts[name]["accepted"] += int((keep & mine).sum())
            self.counts[name]["duplicates"] += int((~keep & mine).sum())
        for n in excluded.tolist():
            tally = self.counts[names[channel[n]]]
            tally["accepted"] -= 1
            tally["excluded"] = tally.get("excluded", 0) + 1  # only where there are some: the keys stay as they were
        if len(excluded):
            found += [issue(Code.REVIEW_REJECTED, r.source, r.location, state=r.review) for r in fetch(excluded)]
            keep[excluded] = False
        return keep, found, self.counts
