"""`cpc-forms score` as users run it on a campaign's KoboToolbox export: 10,000, 100,000 and 1,000,000 rows in the
real export shape, each with all four reports (and csv + json alone), time and peak memory of the command, and
the ratio to a raw pyarrow parse of the same file (the floor: reading the bytes, no meaning); for a million rows,
also the peak memory of reading the export in full without writing a report (issue 17).

A large export is made fast: write_kobo_csv writes a few thousand distinct returns, then those rows are repeated
with fresh _id, _uuid and _index, as distinct submissions."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

DISTINCT = 4000  # distinct returns repeated to make a large export
TAIL = 9  # Kobo's own columns after __version__: _id, _uuid, _submission_time, ... _index

# A child that runs one command and reports its wall time and peak memory: the largest sum of the resident memory
# of the command and its own children (score writes its reports in a second process), sampled every 50 ms, and
# ru_maxrss, the largest of any one of them.
MEASURE = """
import json, os, resource, subprocess, sys, time

def tree(root):
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += [p for p, up in parent.items() if up == pid]
    return found

def resident(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = 0.0
while child.poll() is None:
    peak = max(peak, resident(tree(child.pid)))
    time.sleep(0.05)
seconds = time.perf_counter() - start
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mib": max(peak, largest), "largest_mib": largest,
                  "exit": child.returncode}))
"""

READ = """
import sys, tempfile
from cpc_forms.cli import batch_memory
from cpc_forms.spec import form_versions, load_form
from cpc_forms.stream import stream
form = load_form()
batch_memory()  # as cpc-forms score does
with tempfile.TemporaryDirectory() as work:
    run = stream([sys.argv[1]], form, form_versions(form), work)
    assert run.accepted, "nothing read"
"""

RAW = """
import json, sys, time
from pyarrow import csv
start = time.perf_counter()
table = csv.read_csv(sys.argv[1], parse_options=csv.ParseOptions(delimiter=";", newlines_in_values=True))
print(json.dumps({"seconds": time.perf_counter() - start, "rows": table.num_rows}))
"""


def kobo_export(form, path: Path, rows: int, records) -> Path:
    """A Kobo CSV export of rows returns: DISTINCT of them written by write_kobo_csv, repeated with fresh ids."""
    from cpc_forms.channels import xlsform
    seed = path.with_name(path.stem + "-seed.csv")
    xlsform.write_kobo_csv(form, records(form, min(rows, DISTINCT), 1), seed)
    with seed.open(encoding="utf-8", newline="") as f:
        header, *lines = f.read().split("\r\n")
    templates = []
    for line in filter(None, lines):
        head, *tail = line.rsplit(";", TAIL)
        templates.append((head + ";", ";".join(tail[2:-1])))
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + "\r\n")
        for start in range(0, rows, 50_000):
            out.write("".join(f'{head}"{10 ** 9 + n}";"{n:08x}-0000-4000-8000-{n:012x}";{rest};"{n + 1}"\r\n'
                              for n, (head, rest) in ((n, templates[n % len(templates)])
                                                      for n in range(start, min(rows, start + 50_000)))))
    seed.unlink()
    return path


def _child(code: str, *args: str, root: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, cwd=root,
                          env=dict(os.environ, PYTHONPATH=str(root)))
    if proc.returncode:
        raise SystemExit(f"benchmark child failed ({proc.returncode})")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def score(path: Path, out: Path, formats: List[str], root: Path, runs: int) -> dict:
    """Median wall time and largest peak memory of `cpc-forms score path` writing formats (all four: [])."""
    command = [sys.executable, "-m", "cpc_forms", "score", str(path), "--out", str(out)]
    command += [arg for f in formats for arg in ("--format", f)]
    results = [_child(MEASURE, *command, root=root) for _ in range(runs)]
    if any(r["exit"] for r in results):
        raise SystemExit(f"cpc-forms score failed on {path}")
    return {"seconds": statistics.median(r["seconds"] for r in results),
            "peak_mib": max(r["peak_mib"] for r in results), "largest_mib": max(r["largest_mib"] for r in results),
            "runs": runs}


def bench_campaign(form, folder: Path, sizes, runs: int, root: Path, records) -> Dict[str, dict]:
    """Per size: the raw parse, all four reports, csv + json; and each one's ratio to the raw parse."""
    out: Dict[str, dict] = {}
    for n in sizes:
        path = kobo_export(form, folder / f"kobo-{n}.csv", n, records)
        raw = statistics.median(_child(RAW, str(path), root=root)["seconds"] for _ in range(runs))
        repeat = 1 if n >= 1_000_000 else runs
        every = score(path, folder / f"scores-{n}", [], root, repeat)
        figures = {"rows": n, "megabytes": path.stat().st_size / 1e6, "raw_parse_s": raw, "all_reports": every,
                   "all_ratio": every["seconds"] / raw}
        if n < 1_000_000:
            two = score(path, folder / f"csvjson-{n}", ["csv", "json"], root, repeat)
            figures.update(csv_json=two, csv_json_ratio=two["seconds"] / raw)
        else:  # issue 17: the whole export read (validated, scored, de-duplicated, spilled), no report written
            read = _child(MEASURE, sys.executable, "-c", READ, str(path), root=root)
            if read["exit"]:
                raise SystemExit(f"reading {path} failed")
            figures.update(read_only=read)
        out[str(n)] = figures
        path.unlink()
    return out


TARGETS = {100_000: {"csv_json": 5.0, "all_reports": 15.0, "peak_mib": 1024},
           1_000_000: {"peak_mib": 1536, "read_mib": 1024}}


def report(figures: Dict[str, dict], line, verdict) -> None:
    """One line per figure, with its target where the issue set one."""
    for size, f in figures.items():
        n, want = int(size), TARGETS.get(int(size), {})
        every = f["all_reports"]
        peak = every["peak_mib"]
        line(f"campaign {n:,} Kobo rows ({f['megabytes']:.0f} MB): raw pyarrow parse", f"{f['raw_parse_s']:.2f} s")
        target = " ".join(filter(None, [
            verdict(every["seconds"] <= want["all_reports"], "<= 15 s") if "all_reports" in want else "",
            verdict(peak <= want["peak_mib"], f"<= {want['peak_mib']} MiB") if "peak_mib" in want else ""]))
        line(f"campaign {n:,}: score, all four reports",
             f"{every['seconds']:.2f} s ({f['all_ratio']:.1f}x raw), {peak:.0f} MiB", target)
        if "csv_json" in f:
            two = f["csv_json"]
            line(f"campaign {n:,}: score --format csv --format json",
                 f"{two['seconds']:.2f} s ({f['csv_json_ratio']:.1f}x raw), {two['peak_mib']:.0f} MiB",
                 verdict(two["seconds"] <= want["csv_json"], "<= 5 s") if "csv_json" in want else "")
        if "read_only" in f:
            read = f["read_only"]
            line(f"campaign {n:,}: the export read in full, no report", f"{read['seconds']:.2f} s, "
                 f"{read['peak_mib']:.0f} MiB", verdict(read["peak_mib"] < want["read_mib"], "< 1 GiB")
                 if "read_mib" in want else "")
