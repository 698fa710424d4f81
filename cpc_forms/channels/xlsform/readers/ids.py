"""Which rows of an export CSV are the newest edit of their submission: ids read with pyarrow, a batch at a
time, exactly as table.py names them row by row."""
from __future__ import annotations

from typing import Callable, Dict, Iterator, List, Optional, Tuple

from ....model import bare_id
from ....returns import EPOCH, instant
from .table import Plan


def meta_texts(plan: Plan, batch, key: str, rows: int, columns: Optional[Dict[str, int]] = None) -> List[str]:
    """One metadata column of a batch as stripped text per row ('' where the export has none)."""
    n = plan.meta.get(key)
    if n is None:
        return [""] * rows
    column = batch.column(columns[key] if columns else n)
    return [v.strip() for v in column.to_pylist()]


_PLAIN = "^[!-~]*$"  # printable ASCII without spaces: text that str.strip() leaves as it is
_UUID = "^[Uu][Uu][Ii][Dd]:"


def _without_uuid(texts: List[str]) -> List[str]:
    """table.strip_uuid of texts already stripped."""
    return list(map(bare_id, texts))


IDS = ("kobo_id", "root", "instance", "uuid")


def identity_columns(plan: Plan, batch, rows: int, columns=None):
    """Per row, as pyarrow arrays: (the submission's identity, the instance id), as table.identity and
    table.respond name them.

    Computed by pyarrow when every id is plain ASCII (the usual uuid), else row by row in Python."""
    import pyarrow as pa
    import pyarrow.compute as pc
    found = {k: batch.column(columns[k] if columns else plan.meta[k]) for k in IDS if k in plan.meta}
    if not all(pc.all(pc.match_substring_regex(c, _PLAIN)).as_py() is not False for c in found.values()):
        numbers, roots, instances, uuids = (meta_texts(plan, batch, k, rows, columns) for k in IDS)
        own = _without_uuid([i or u for i, u in zip(instances, uuids)])
        roots = ["_id:" + n if n else r for n, r in zip(numbers, _without_uuid(roots))]
        return pa.array([r or i for r, i in zip(roots, own)], pa.string()), pa.array(own, pa.string())
    blank = pa.array([""] * rows, pa.string())
    number, root, instance, uuid = (found.get(k, blank) for k in IDS)
    own = pc.replace_substring_regex(pc.if_else(pc.not_equal(instance, ""), instance, uuid), _UUID, "")
    root = pc.replace_substring_regex(root, _UUID, "")
    root = pc.if_else(pc.not_equal(number, ""), pc.binary_join_element_wise("_id:", number, ""), root)
    return pc.if_else(pc.not_equal(root, ""), root, own), own


def edit_counts(plan: Plan, batch, rows: int, columns: Optional[Dict[str, int]] = None) -> List[int]:
    """Per row, Plan.edits: the edit count the server wrote (0 where it writes none)."""
    if "edits" not in plan.meta:
        return [0] * rows
    return [int(t) if t.isdigit() else 0 for t in meta_texts(plan, batch, "edits", rows, columns)]


def newest_rows(batches: Callable[[List[int]], Iterator], plan: Plan) -> Dict[str, int]:
    """table.newest_rows for the submissions that have several rows (the others keep their only row);
    batches(columns) reads the export's batches with only those columns.

    Most exports hold one row a submission: a pass over the ids finds the few that have several, and only
    then a second pass compares their submission times."""
    import pyarrow as pa
    import pyarrow.compute as pc
    names = [k for k in (*IDS, "submitted", "edits") if k in plan.meta]
    columns = {k: n for n, k in enumerate(names)}
    include = [plan.meta[k] for k in names]
    keys = [identity_columns(plan, batch, batch.num_rows, columns)[0] for batch in batches(include)]
    counts = pc.value_counts(pa.chunked_array(keys, pa.string()))
    repeated = counts.filter(pc.greater(pc.struct_field(counts, "counts"), 1))
    several = {key for key in pc.struct_field(repeated, "values").to_pylist() if key}
    if not several:
        return {}
    best: Dict[str, Tuple[tuple, int]] = {}
    number = 1
    for batch in batches(include):
        rows = batch.num_rows
        identities = identity_columns(plan, batch, rows, columns)[0].to_pylist()
        for key, when, edits in zip(identities, meta_texts(plan, batch, "submitted", rows, columns),
                                    edit_counts(plan, batch, rows, columns)):
            number += 1
            if key not in several:
                continue
            rank = (edits, instant(when) or EPOCH)
            if key not in best or rank >= best[key][0]:
                best[key] = (rank, number)
    return {key: number for key, (_, number) in best.items()}
