"""How fast cpc-forms builds and scores, against the targets of this machine size.

    python tests/benchmarks/run.py            # full sizes (a few minutes)
    python tests/benchmarks/run.py --quick    # smaller sizes, same figures and ratios, under a minute
    python tests/benchmarks/run.py --only campaign --rows 100000   # one campaign size

One line per figure (median of several runs) and a JSON file of them. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaign import bench_campaign  # noqa: E402
from campaign import report as campaign_report  # noqa: E402

from cpc_forms.channels import excel, html, xlsform  # noqa: E402
from cpc_forms.demo import build_all  # noqa: E402
from cpc_forms.spec import load_form  # noqa: E402
from cpc_forms.synth import random_answers  # noqa: E402

FULL = {"runs": 3, "excel": 200, "csv": (10_000, 100_000), "xml": 10_000, "json": 10_000, "mixed": 10_000,
        "campaign": (10_000, 100_000, 1_000_000)}
QUICK = {"runs": 3, "excel": 30, "csv": (1_000, 10_000), "xml": 1_000, "json": 1_000, "mixed": 1_000,
         "campaign": (1_000, 10_000)}
WARM_ROWS = 200  # a small export read first in each timed process, so the figure is the rate, not the start
TARGETS = {"excel_ratio": 1.5, "csv_rows_per_s": 50_000, "csv_memory_ratio": 2.0, "mixed_seconds": 15.0,
           "help_seconds": 0.3}


def median_time(fn, runs: int) -> float:
    """Median wall time of fn over runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


PEAK = """
def _peak_mib():
    # VmHWM: this process's own peak RSS. (A child's ru_maxrss would also count the parent's size at fork.)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""


def child(code: str, *args: str) -> dict:
    """Run Python code in a fresh process; its JSON line on stdout, with its peak RSS in MiB."""
    proc = subprocess.run([sys.executable, "-c", PEAK + code, *args], stdout=subprocess.PIPE, cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if proc.returncode:
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {code[:80]}")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def answer_sets(form, n: int, seed: int = 1):
    """n realistic answer sets (a pool of distinct ones, reused with fresh ids for large n)."""
    rng = random.Random(seed)
    pool = [random_answers(form, rng) for _ in range(min(n, 2000))]
    return (pool[i % len(pool)] for i in range(n))


def records(form, n: int, seed: int = 1):
    return ((a, {"instance_id": f"uuid:{seed:02d}-{i:08d}", "submitted": "2026-05-02T09:13:44.123Z"})
            for i, a in enumerate(answer_sets(form, n, seed)))


READ_AND_SCORE = """
import json, sys, time
from pathlib import Path
from cpc_forms.cli import batch_memory
from cpc_forms.spec import load_form
from cpc_forms.channels import channel
from cpc_forms.model import Response
from cpc_forms.scoring import score_return
form = load_form(); forms = {form.version: form}
reader = channel(sys.argv[1]).read
batch_memory()  # as cpc-forms score does

def read(path):
    start, rows = time.perf_counter(), 0
    for item in reader(Path(path), forms):
        if isinstance(item, Response):
            item.scores or score_return(form, item.answers)  # a batch reader scores as it reads
            rows += 1
    return rows, time.perf_counter() - start

_, first = read(sys.argv[3])  # the one-off start: lazy imports, validators compiled
rows, seconds = read(sys.argv[2])
print(json.dumps({"rows": rows, "seconds": seconds, "start_s": first, "peak_mib": _peak_mib()}))
"""


def read_and_score(channel_name: str, path: Path, warm: Path, runs: int) -> dict:
    """Median rows per second of a reader plus scoring, each run in a fresh process that first reads a small
    file of the same kind (its time is the one-off start, reported apart), and the peak memory."""
    results = [child(READ_AND_SCORE, channel_name, str(path), str(warm)) for _ in range(runs)]
    seconds = statistics.median(r["seconds"] for r in results)
    return {"rows": results[0]["rows"], "seconds": seconds, "rows_per_s": results[0]["rows"] / seconds,
            "start_s": statistics.median(r["start_s"] for r in results),
            "peak_mib": max(r["peak_mib"] for r in results)}


def bench_build(form, folder: Path, runs: int) -> dict:
    plain = median_time(lambda: build_all(form, folder / "build"), runs)
    validated = median_time(lambda: xlsform.to_xform(folder / "build" / f"{form.id}.xlsform.xlsx", validate=True), runs)
    return {"build_s": plain, "odk_validate_s": validated, "build_with_validate_s": plain + validated}


EXCEL = """
import json, statistics, sys, time
from pathlib import Path
from python_calamine import CalamineWorkbook
from cpc_forms.channels import excel
from cpc_forms.cli import batch_memory
from cpc_forms.scoring import score_return
from cpc_forms.spec import load_form
form = load_form(); forms = {form.version: form}
files = sorted(Path(sys.argv[1]).glob("*.xlsx"))
batch_memory()  # as cpc-forms score does

def ours():
    for path in files:
        for item in excel.read(path, forms):
            if not hasattr(item, "severity"):
                score_return(form, item.answers)

def raw():
    for path in files:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Questionnaire").to_python()
        [row[2] for row in rows if len(row) > 2]

def median(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter(); fn(); times.append(time.perf_counter() - start)
    return statistics.median(times)

ours(); raw()  # the one-off start: imports, validators, converters
print(json.dumps({"ours_s": median(ours, int(sys.argv[2])), "raw_s": median(raw, int(sys.argv[2]))}))
"""


def bench_excel(form, folder: Path, n: int, runs: int) -> dict:
    """Filled workbooks read and scored, against calamine's raw parse of the same files, in one process."""
    target = folder / "excel"
    target.mkdir()
    for i, a in enumerate(answer_sets(form, n, 3)):
        excel.fill(form, a, target / f"w{i:04d}.xlsx", form.languages[i % len(form.languages)])
    got = child(EXCEL, str(target), str(max(runs, 5)))
    return {"files": n, "files_per_s": n / got["ours_s"], "raw_files_per_s": n / got["raw_s"],
            "ratio": got["ours_s"] / got["raw_s"]}


def export(form, folder: Path, flavour: str, n: int, seed: int) -> Path:
    """A Central (zipped) or Kobo export of n returns."""
    path = folder / f"{flavour}-{n}" / (f"{form.id}.csv.zip" if flavour == "central" else f"{form.id}.csv")
    path.parent.mkdir()
    writer = xlsform.write_central_csv_zip if flavour == "central" else xlsform.write_kobo_csv
    return writer(form, records(form, n, seed), path)


def bench_csv(form, folder: Path, sizes, runs: int) -> dict:
    out = {}
    for flavour in ("central", "kobo"):
        warm = export(form, folder, flavour, WARM_ROWS, 2)
        for n in sizes:
            out[f"{flavour}_{n}"] = read_and_score("xlsform", export(form, folder, flavour, n, 1), warm, runs)
        small, large = (out[f"{flavour}_{n}"]["peak_mib"] for n in sizes)
        out[f"{flavour}_memory_ratio"] = large / small
    return out


def bench_files(form, folder: Path, n: int, runs: int) -> dict:
    xml, web = folder / "xml", folder / "web"
    xml.mkdir()
    web.mkdir()
    for i, a in enumerate(answer_sets(form, n, 5)):
        xlsform.write_instance(form, a, xml / f"i{i:05d}.xml", f"uuid:x-{i}")
        html.write_return(form, a, web / f"r{i:05d}.json", instance_id=f"uuid:w-{i}",
                          submitted="2026-05-02T09:13:44+00:00")
    xlsform.write_instance(form, {}, folder / "warm.xml", "uuid:warm")
    html.write_return(form, {}, folder / "warm.json", instance_id="uuid:warm")
    return {"xml": read_and_score("xlsform", xml, folder / "warm.xml", runs),
            "web_json": read_and_score("html", web, folder / "warm.json", runs)}


def mixed_folder(form, folder: Path, n: int) -> Path:
    """n returns across every channel: a tenth workbooks, the rest XML, web JSON, Central and Kobo exports."""
    root = folder / "mixed"
    for sub in ("excel", "xml", "web", "odk"):
        (root / sub).mkdir(parents=True)
    sets = list(answer_sets(form, n, 7))
    tenth, share = n // 10, (n - n // 10) // 4
    for i, a in enumerate(sets[:tenth]):
        excel.fill(form, a, root / "excel" / f"w{i:05d}.xlsx", form.languages[i % len(form.languages)])
    for i, a in enumerate(sets[tenth:tenth + share]):
        xlsform.write_instance(form, a, root / "xml" / f"i{i:05d}.xml", f"uuid:m-x-{i}")
    for i, a in enumerate(sets[tenth + share:tenth + 2 * share]):
        html.write_return(form, a, root / "web" / f"r{i:05d}.json", instance_id=f"uuid:m-w-{i}")
    rest = sets[tenth + 2 * share:]
    half = len(rest) // 2
    xlsform.write_central_csv_zip(form, [(a, {"instance_id": f"uuid:m-c-{i}"}) for i, a in enumerate(rest[:half])],
                                  root / "odk" / f"{form.id}.csv.zip")
    xlsform.write_kobo_csv(form, [(a, {"instance_id": f"m-k-{i}"}) for i, a in enumerate(rest[half:])],
                           root / "odk" / f"{form.id}-kobo.csv")
    return root


SCORE_COMMAND = """
import json, sys, time
from click.testing import CliRunner
from cpc_forms.cli import main
start = time.perf_counter()
result = CliRunner().invoke(main, ["score", sys.argv[1], "--out", sys.argv[2], "--jobs", sys.argv[3]])
print(json.dumps({"seconds": time.perf_counter() - start, "exit": result.exit_code, "peak_mib": _peak_mib(),
                  "summary": result.output.strip().splitlines()[-5:]}))
"""


def bench_mixed(form, folder: Path, n: int, runs: int) -> dict:
    root = mixed_folder(form, folder, n)
    out = {}
    for label, jobs in (("single", "1"), ("all_cores", "0")):
        results = [child(SCORE_COMMAND, str(root), str(folder / f"scores-{label}"), jobs) for _ in range(runs)]
        out[label] = {"seconds": statistics.median(r["seconds"] for r in results),
                      "peak_mib": max(r["peak_mib"] for r in results), "summary": results[0]["summary"]}
    return out


def bench_help(runs: int) -> dict:
    cli = [sys.executable, "-m", "cpc_forms", "--help"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    seconds = median_time(lambda: subprocess.run(cli, capture_output=True, check=True, env=env), max(runs, 5))
    bare = median_time(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), max(runs, 5))
    return {"seconds": seconds, "python_startup_s": bare}


GROUPS = {
    "build": lambda form, folder, sizes: bench_build(form, folder, sizes["runs"]),
    "excel": lambda form, folder, sizes: bench_excel(form, folder, sizes["excel"], sizes["runs"]),
    "csv": lambda form, folder, sizes: bench_csv(form, folder, sizes["csv"], sizes["runs"]),
    "files": lambda form, folder, sizes: bench_files(form, folder, sizes["xml"], sizes["runs"]),
    "mixed": lambda form, folder, sizes: bench_mixed(form, folder, sizes["mixed"], sizes["runs"]),
    "help": lambda form, folder, sizes: bench_help(sizes["runs"]),
    "campaign": lambda form, folder, sizes: bench_campaign(form, folder, sizes["campaign"], sizes["runs"], ROOT,
                                                           records),
}


def report(figures: dict, quick: bool = False) -> None:
    """Print one line per figure, with its target where there is one (only indicative at quick sizes)."""
    def line(name, value, target=""):
        print(f"{name:<46} {value:<34} {_indicative(target) if quick else target}")
    if "build" in figures:
        b = figures["build"]
        line("build: all outputs, default spec", f"{b['build_s']:.2f} s")
        line("build: with ODK Validate", f"{b['build_with_validate_s']:.2f} s")
    if "excel" in figures:
        e = figures["excel"]
        line(f"excel: {e['files']} workbooks read + scored", f"{e['files_per_s']:.0f} files/s")
        line("excel: raw calamine parse, answer column", f"{e['raw_files_per_s']:.0f} files/s")
        line("excel: ratio ours / raw", f"{e['ratio']:.2f}x", _verdict(e["ratio"] <= TARGETS["excel_ratio"], "<= 1.5x"))
    largest = max(figures.get("sizes", {}).get("csv", (0,)))
    for key, value in figures.get("csv", {}).items():
        if key.endswith("memory_ratio"):
            line(f"{key.replace('_', ' ')} (large / small)", f"{value:.2f}",
                 _verdict(value < TARGETS["csv_memory_ratio"], "< 2"))
            continue
        # the target is the rate on the large export; the small one is there for the memory ratio
        target = _verdict(value["rows_per_s"] >= TARGETS["csv_rows_per_s"], ">= 50,000 rows/s") \
            if int(key.rsplit("_", 1)[1]) == largest else "(for the memory ratio)"
        line(f"csv {key.replace('_', ' ')} rows read + scored",
             f"{value['rows_per_s']:,.0f} rows/s, {value['peak_mib']:.0f} MiB", target)
    starts = [v["start_s"] for k, v in figures.get("csv", {}).items() if not k.endswith("memory_ratio")]
    if starts:
        line("csv: one-off start of each process", f"{max(starts):.2f} s (imports, validators; not in the rates)")
    if "files" in figures:
        f = figures["files"]
        line(f"xml: {f['xml']['rows']} instances read + scored",
             f"{f['xml']['rows_per_s']:,.0f} returns/s, {f['xml']['peak_mib']:.0f} MiB")
        line(f"web json: {f['web_json']['rows']} returns read + scored",
             f"{f['web_json']['rows_per_s']:,.0f} returns/s, {f['web_json']['peak_mib']:.0f} MiB")
    for label, value in figures.get("mixed", {}).items():
        line(f"mixed folder, cpc-forms score ({label.replace('_', ' ')})",
             f"{value['seconds']:.2f} s, {value['peak_mib']:.0f} MiB",
             _verdict(value["seconds"] < TARGETS["mixed_seconds"], "< 15 s for 10,000"))
    if "campaign" in figures:
        campaign_report(figures["campaign"], line, _verdict)
    if "help" in figures:
        h = figures["help"]
        line("cpc-forms --help", f"{h['seconds']:.3f} s (python alone {h['python_startup_s']:.3f} s)",
             _verdict(h["seconds"] < TARGETS["help_seconds"], "< 0.3 s"))


def _verdict(ok: bool, target: str) -> str:
    return f"target {target}: {'met' if ok else 'MISSED'}"


def _indicative(line: str) -> str:
    """A verdict at quick sizes, where the targets (set for the full sizes) only indicate."""
    return line.replace(": met", ": met at this size").replace(": MISSED", ": not at this size (quick)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, the whole run under a minute")
    parser.add_argument("--only", choices=list(GROUPS), action="append", help="measure only these figures")
    parser.add_argument("--out", default=str(ROOT / "tests" / "benchmarks" / "results.json"),
                        help="JSON file of figures")
    parser.add_argument("--rows", type=int, action="append",
                        help="campaign sizes to measure instead of the default ones (repeat: --rows 100000)")
    args = parser.parse_args()
    sizes = dict(QUICK if args.quick else FULL)
    if args.rows:
        sizes["campaign"] = tuple(args.rows)
    form = load_form()
    figures = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                           "system": platform.platform()}, "sizes": sizes}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only or GROUPS:
            figures[name] = GROUPS[name](form, Path(tmp), sizes)
    report(figures, args.quick)
    Path(args.out).write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
