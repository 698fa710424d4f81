"""`cpc-forms compare OLD NEW`: read two rounds (scores.json files, or sets of returns scored first), refuse what
cannot be compared, and write the progress report (progress.html, progress.json) in the language asked."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import List, Optional, Sequence, Union

from .model import Form
from .progress import html, json
from .progress.changes import Progress, compare
from .progress.sides import Refusal, Side, read, refusals
from .report import publish, temporary
from .report.labels import Labels

FILES = ("progress.html", "progress.json")


def progress(old: Union[str, Path], new: Union[str, Path], form: Form) -> Union[Progress, List[Refusal]]:
    """Two rounds compared, or every reason they cannot be."""
    sides = [read(old, form), read(new, form)]
    found = [s for s in sides if isinstance(s, Refusal)]
    if found:
        return found
    a, b = (s for s in sides if isinstance(s, Side))
    return refusals(a, b, form) or compare(form, a, b)


def write(p: Progress, form: Form, out: Union[str, Path], language: Optional[str] = None) -> Sequence[Path]:
    """progress.html and progress.json in out (created if needed), both complete before either is in place."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    made = [out / temporary(name, token) for name in FILES]
    try:
        html.write(p, Labels(form, language), made[0])
        json.write(p, made[1])
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        raise
    return publish(made, out, FILES)
