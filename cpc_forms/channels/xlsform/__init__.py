"""XLSForm channel: the XLSForm and XForm for ODK Collect / KoboToolbox, and readers of what they export."""
from __future__ import annotations

from pathlib import Path
from typing import List

from openpyxl import Workbook

from ...model import Form
from .build import sheets
from .exports import write_central_csv_zip, write_instance, write_kobo_csv
from .readers import read, sniff

__all__ = ["generate", "sniff", "read", "write_xlsform", "to_xform",
           "write_instance", "write_central_csv_zip", "write_kobo_csv"]

FALLBACK_FIRST_BYTES = (b"<",)  # XML nobody claims: this reader says what is wrong with it


def write_xlsform(form: Form, path: Path) -> Path:
    """The XLSForm workbook (survey, choices, settings) of a form."""
    wb = Workbook()
    wb.remove(wb.active)
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
