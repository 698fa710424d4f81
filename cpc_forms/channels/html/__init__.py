"""The HTML channel: one self-contained, offline, accessible web form, and a reader of its JSON returns."""
from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

from ...model import Form
from .. import Record, record_name
from .page import generate, inline_hashes, render
from .returns import envelope, read, sniff, write_return

__all__ = ["generate", "render", "inline_hashes", "envelope", "write_return", "write_returns", "sniff", "read"]

FALLBACK_FIRST_BYTES = (b"{", b"[")  # JSON nobody claims: this reader says what is wrong with it


def write_returns(form: Form, records: Sequence[Record], folder: Path) -> List[Path]:
    """One <name>.json per record, as the web form's "Download my answers" saves it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_return(form, answers, folder / f"{record_name(meta, n)}.json", meta.get("language"),
                         meta.get("instance_id"), meta.get("submitted"))
            for n, (answers, meta) in enumerate(records)]
