"""A wheel carries its own spec and templates: built from the sources, installed into a fresh environment
outside the checkout, and run from there (check, build, demo), it needs nothing of the checkout."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "cpc_forms", "spec", "generators")
# where each folder of the repository is in the wheel (pyproject.toml maps spec/ and generators/ into the package)
SHIPPED = {"cpc_forms": "cpc_forms", "spec": "cpc_forms/_data/spec", "generators": "cpc_forms/_data/generators"}
OLD_VERSION = "0.9-kept"
BUILT = ("cpc_assessment.en.xlsx", "cpc_assessment.fr.xlsx", "cpc_assessment.xlsform.xlsx", "cpc_assessment.xml",
         "cpc_assessment.html")


def _copy_sources(src: Path) -> None:
    """What the build needs, copied, so that building leaves nothing (build/, egg-info) in the checkout."""
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*", "*~")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=junk)
        else:
            shutil.copy2(ROOT / name, src / name)
    # an older version of the assessment kept under spec/versions/: it must ship and be found from the wheel
    spec = json.loads((src / "spec" / "cpc_assessment.json").read_text(encoding="utf-8"))
    spec["x-form"]["version"] = OLD_VERSION
    (src / "spec" / "versions").mkdir(exist_ok=True)
    (src / "spec" / "versions" / f"cpc_assessment-{OLD_VERSION}.json").write_text(json.dumps(spec), encoding="utf-8")


def _site_packages(python: Path) -> Path:
    out = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory):
    """(the wheel, the fresh environment's bin folder, a working folder outside the checkout, its env vars)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src, dist, venv, work = tmp / "src", tmp / "dist", tmp / "venv", tmp / "work"
    src.mkdir()
    work.mkdir()
    _copy_sources(src)
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(dist)],
                   check=True, cwd=tmp)
    wheel = next(dist.glob("cpc_forms-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, cwd=tmp)
    # The dependencies come from this environment: its site-packages as plain path entries. A path entry's own
    # .pth files are not run, so the editable install of cpc_forms there (a .pth and a finder) stays inactive,
    # and the fresh environment's site-packages, earlier on sys.path, wins over any other cpc_forms.
    ours = dict.fromkeys(sysconfig.get_paths()[k] for k in ("purelib", "platlib"))
    (_site_packages(python) / "cpc_forms_test_deps.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return wheel, bin_dir, work, env


def _run(wheel_env, *args, program="cpc-forms"):
    _, bin_dir, work, env = wheel_env
    return subprocess.run([str(bin_dir / program), *args], capture_output=True, text=True, cwd=work, env=env,
                          timeout=120)


def test_the_wheel_holds_every_module_and_data_file_of_the_repository(wheel_env, tmp_path):
    wheel = wheel_env[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    src = wheel.parent.parent / "src"
    expected = {f"{SHIPPED[top]}/{path.relative_to(src / top).as_posix()}"
                for top in SHIPPED for path in (src / top).rglob("*") if path.is_file()}
    assert sorted(expected - names) == []


def test_the_installed_package_reads_its_own_files(wheel_env):
    _, bin_dir, _, _ = wheel_env
    code = ("import json, cpc_forms, cpc_forms.resources as r, cpc_forms.spec as s; f = s.load_form(); "
            "print(json.dumps([cpc_forms.__file__, str(r.spec_path()), str(r.files('generators/html')), "
            "sorted(s.form_versions(f))]))")
    result = _run(wheel_env, "-c", code, program="python")
    assert result.returncode == 0, result.stderr
    package, spec, templates, versions = json.loads(result.stdout)
    venv = bin_dir.parent.resolve()
    for path in (package, spec, templates):
        assert Path(path).resolve().is_relative_to(venv), f"{path} is not inside the fresh environment {venv}"
        assert not Path(path).resolve().is_relative_to(ROOT)
    kept = {json.loads(p.read_text(encoding="utf-8"))["x-form"]["version"]
            for p in (ROOT / "spec" / "versions").glob("*.json")}
    current = json.loads((ROOT / "spec" / "cpc_assessment.json").read_text(encoding="utf-8"))["x-form"]["version"]
    assert set(versions) == {OLD_VERSION, current, *kept} and "2026112901" in kept


def test_check_runs_from_the_wheel(wheel_env):
    result = _run(wheel_env, "check")
    assert result.returncode == 0, result.stderr
    assert ": OK;" in result.stdout


def test_build_runs_from_the_wheel(wheel_env):
    out = wheel_env[2] / "built"
    result = _run(wheel_env, "build", "--out", str(out))
    assert result.returncode == 0, result.stderr
    for name in BUILT:
        assert (out / name).stat().st_size > 1000, name
    page = (out / "cpc_assessment.html").read_text(encoding="utf-8")
    # the page's CSS and JavaScript come from generators/html/, inlined
    assert (ROOT / "generators" / "html" / "form.css").read_text(encoding="utf-8").strip()[:200] in page


def test_demo_runs_from_the_wheel(wheel_env):
    out = wheel_env[2] / "demo"
    result = _run(wheel_env, "demo", "--out", str(out), "--countries", "2")
    assert result.returncode == 0, result.stderr
    for name in ("report.html", "scores.csv", "scores.json", "scores.xlsx"):
        assert (out / "scores" / name).stat().st_size > 500, name
    assert "Report:" in result.stdout
    report = (out / "scores" / "report.html").read_text(encoding="utf-8")
    assert (ROOT / "generators" / "report" / "report.css").read_text(encoding="utf-8").strip()[:100] in report
