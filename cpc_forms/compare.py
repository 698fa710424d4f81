"""`cpc-forms compare OLD NEW`: read two rounds (scores.json files, or sets of returns scored first), refuse what
cannot be compared, and write the progress report (progress.html, progress.json, progress.xlsx) in the language
asked."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import List, Optional, Sequence, Union

from .model import Form
from .progress import html, json, xlsx
from .progress.changes import Progress, compare
from .progress.sides import Refusal, Side, read, refusals
from .report import publish, temporary
from .report.labels import Labels

FILES = ("progress.html", "progress.json", "progress.xlsx")


def progress(old: Union[str, Path], new: Union[str, Path], form: Form) -> Union[Progress, List[Refusal]]:
    """Two rounds compared, or every reason they cannot be."""
    sides = [read(old, form), read(new, form)]
    found = [s for s in sides if isinstance(s, Refusal)]
    if found:
        return found
    a, b = (s for s in sides if isinstance(s, Side))
    return refusals(a, b, form) or compare(form, a, b)


def write(p: Progress, form: Form, out: Union[str, Path], language: Optional[str] = None) -> Sequence[Path]:
    """progress.html, progress.json and progress.xlsx in out (created if needed), all complete before any is in
    place."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    made = [out / temporary(name, token) for name in FILES]
    try:
        labels = Labels(form, language)
        html.write(p, labels, made[0])
        json.write(p, made[1])
        xlsx.write(p, labels, made[2])
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        raise
    return publish(made, out, FILES)
