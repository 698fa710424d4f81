"""scores.json: rows, country aggregates, issues and counts; its shape is scores.schema.json."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from .. import resources
from ..model import Report
from . import rows

SCHEMA = resources.files("cpc_forms/report/scores.schema.json")
FORMAT = "cpc-forms/scores"
FORMAT_VERSION = 2


def document(report: Report, *, personal: bool = False) -> Dict[str, Any]:
    """The scores.json document of a Report, as plain data."""
    form = report.form
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated": report.generated,
        "form": {"id": form.id, "version": form.version, "default_language": form.default_language,
                 "sections": [{"id": s.id, "weight": s.weight} for s in form.scored_sections],
                 "levels": [{"code": lv.code, "low": lv.low, "high": lv.high} for lv in form.levels],
                 "gap_groups": list(form.gap_groups), "gap_flag": form.gap_flag},
        "personal_data": personal,
        "counts": {channel: dict(c) for channel, c in report.counts.items()},
        "totals": rows.totals(report),
        "returns": [dict(rows.return_row(report, r, personal), review=r.response.review) for r in report.returns],
        "countries": [rows.country(c) for c in report.countries],
        "issues": [{"code": i.code, "severity": i.severity, "message": i.message, "source": i.source,
                    "location": i.location} for i in report.issues],
    }


def write(report: Report, path, *, personal: bool = False) -> Path:
    """Write scores.json (UTF-8, keys in a fixed order, no NaN)."""
    path = Path(path)
    text = json.dumps(document(report, personal=personal), ensure_ascii=False, indent=1, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def schema() -> Dict[str, Any]:
    """The JSON Schema of scores.json."""
    return json.loads(SCHEMA.read_text(encoding="utf-8"))
