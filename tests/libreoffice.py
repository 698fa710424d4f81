"""LibreOffice for tests: convert many files in one soffice call, with recalculation forced in a throwaway profile."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Iterable, List

RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode"
      oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode"
      oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def convert(soffice: str, files: Iterable[Path], out_dir: Path, to: str = "xlsx", timeout: int = 300) -> List[Path]:
    """Convert files with one soffice call (formulas recalculated on load); the outputs, each checked to exist."""
    files = [Path(f) for f in files]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo_profile_") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(RECALC, encoding="utf-8")
        done = subprocess.run([soffice, "--headless", "--norestore", "--nolockcheck",
                               f"-env:UserInstallation={Path(profile).as_uri()}", "--convert-to", to,
                               "--outdir", str(out_dir), *map(str, files)],
                              capture_output=True, text=True, timeout=timeout)
    outputs = [out_dir / f"{f.stem}.{to.split(':')[0]}" for f in files]
    missing = [str(p) for p in outputs if not p.exists()]
    if missing:  # soffice exits 0 on failure: the outputs are the only proof
        raise RuntimeError(f"soffice did not write {missing}: {done.stdout[-500:]} {done.stderr[-500:]}")
    return outputs
