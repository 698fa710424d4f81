"""XLSForm channel: the XLSForm and XForm for ODK Collect / KoboToolbox, and readers of what they export."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import List, Sequence

from openpyxl import Workbook

from ...model import Form
from .. import Record, record_name
from .build import sheets
from .exports import write_central_csv_zip, write_instance, write_kobo_csv
from .readers import read, sniff

__all__ = ["generate", "sniff", "read", "write_xlsform", "to_xform", "write_returns",
           "write_instance", "write_central_csv_zip", "write_kobo_csv"]

FALLBACK_FIRST_BYTES = (b"<",)  # XML nobody claims: this reader says what is wrong with it


def write_xlsform(form: Form, path: Path) -> Path:
    """The XLSForm workbook (survey, choices, settings) of a form."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook starts with
    for name, rows in sheets(form).items():
        ws = wb.create_sheet(name)
        header = list(dict.fromkeys(k for row in rows for k in row))
        ws.append(header)
        for row in rows:
            ws.append([row.get(k) for k in header])
    wb.save(path)
    return path


def to_xform(xlsform: Path, validate: bool = False):
    """pyxform's ConvertResult for an XLSForm file (validate=True runs ODK Validate, which needs Java)."""
    from pyxform.xls2xform import convert
    return convert(xlsform=str(xlsform), validate=validate, pretty_print=True)


def generate(form: Form, out_dir: Path) -> List[Path]:
    """Write <form_id>.xlsform.xlsx and its XForm <form_id>.xml into out_dir."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    xlsx = write_xlsform(form, out_dir / f"{form.id}.xlsform.xlsx")
    xml = out_dir / f"{form.id}.xml"
    xml.write_text(to_xform(xlsx).xform, encoding="utf-8")
    return [xlsx, xml]


def write_returns(form: Form, records: Sequence[Record], folder: Path) -> List[Path]:
    """Returns as ODK hands them back, by each record's via: XML instances, a Central csv.zip, a Kobo CSV."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: List[Path] = []
    exports: dict = {"central": [], "kobo": []}
    for n, (answers, meta) in enumerate(records):
        via = meta.get("via") or "central"
        if via == "xml":
            path, instance = folder / f"{record_name(meta, n)}.xml", meta.get("instance_id") or f"uuid:{uuid.uuid4()}"
            written.append(write_instance(form, answers, path, instance, deprecated_id=meta.get("deprecated_id", ""),
                                          version=meta.get("version", "")))
        elif via in exports:
            exports[via].append((answers, meta))
        else:
            raise ValueError(f"an xlsform return travels via central, kobo or xml, not {via!r}")
    if exports["central"]:
        written.append(write_central_csv_zip(form, exports["central"], folder / f"{form.id}.csv.zip"))
    if exports["kobo"]:
        written.append(write_kobo_csv(form, exports["kobo"], folder / f"{form.id}-kobo.csv"))
    return written
