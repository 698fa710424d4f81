"""What each distinct cell text of an export column means, for the batch CSV reader (columnar.py)."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Tuple

from ....model import SELECT_MULTIPLE, SELECT_ONE, Form, Issue
from ....returns import converters, pick_form
from ....validation import answers_validator, flat_validator
from .columns import question
from .table import Plan


class Cells:
    """What each distinct cell text means, remembered per question: raw text -> (canonical value, clean)."""

    MEMO = 4096  # distinct texts remembered per question (choices repeat; free text mostly does not)

    def __init__(self, plan: Plan, forms: Mapping[str, Form], form_id: str):
        self.plan, self.form, self.forms, self.form_id = plan, plan.form, forms, form_id
        self.convert, self.validator = converters(plan.form, True), flat_validator(plan.form.schema_json)
        self.memo: Dict[str, dict] = {qid: {} for _, qid in plan.answers}
        self.versions: Dict[str, bool] = {}

    def meanings(self, qid: str, raws: List[str]) -> List[Tuple[Any, bool]]:
        """Per distinct cell text: (the value make_response would keep, whether the cell is clean);
        (None, True) for an empty cell."""
        memo = self.memo[qid]
        new = [raw for raw in raws if raw not in memo]
        if new:
            found = dict(zip(new, map(self._convert, [qid] * len(new), new)))
            values = [value for value, ok in found.values() if ok and value is not None]
            if values and not answers_validator(self.form.schema_json, qid).is_valid(values):
                found = {raw: (v, ok and (v is None or self.validator.is_valid({qid: v})))
                         for raw, (v, ok) in found.items()}
            if len(memo) < self.MEMO:
                memo.update(found)
            else:
                return [memo[raw] if raw in memo else found[raw] for raw in raws]
        return [memo[raw] for raw in raws]

    def _convert(self, qid: str, raw: str) -> Tuple[Any, bool]:
        raw = self.plan.cell(raw)
        if raw == "":
            return None, True
        kind = question(self.form, qid).kind
        if kind == SELECT_ONE:
            raw = self.plan.choice(qid, raw)
            if isinstance(raw, Issue):
                return None, False  # the row reader reports it
        elif kind == SELECT_MULTIPLE:
            raw = self.plan.summary(qid, raw)
            if raw is None or isinstance(raw, Issue):
                return None, raw is None
        value, problem = self.convert[qid](raw)
        return (None, not problem) if problem or value is None else (value, True)

    def version_ok(self, version: str) -> bool:
        """Whether rows of this version are read with the plan's own form."""
        if version not in self.versions:
            self.versions[version] = pick_form(self.forms, self.form_id, version)[0] is self.form
        return self.versions[version]

    def deployment_ok(self, deployment: str) -> bool:
        """version_ok of a row that names its version only in Kobo's __version__ (see Plan.version)."""
        return self.version_ok(deployment if deployment in self.plan.versions else "")
