"""Shared fixtures: the two specs, the real clients (skipped where missing, failing under CPC_REQUIRE_CLIENTS=1)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from cpc_forms.spec import load_form

HERE = Path(__file__).parent
ROOT = HERE.parent
DEFAULT_SPEC = ROOT / "spec" / "cpc_assessment.json"
EXAMPLE_SPEC = ROOT / "spec" / "examples" / "fire_safety.json"
ARTIFACTS = HERE / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
CLIENT_FIXTURES = ("java", "soffice", "gnumeric", "browser")  # the fixtures below that start a real client


def pytest_configure(config):
    config.addinivalue_line("markers", "clients: drives a real client (LibreOffice, Java for ODK Validate and "
                                       "JavaRosa, Chromium); `-m 'not clients'` is the fast run")


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config, items):
    """Every test that uses a client fixture carries the clients marker (modules that reach a client some other
    way say so with pytestmark)."""
    for item in items:
        if set(getattr(item, "fixturenames", ())) & set(CLIENT_FIXTURES):
            item.add_marker(pytest.mark.clients)


def refuse_when_deselected(request, name: str) -> None:
    """Under -m "not clients" no client may start: a test that reaches one is missing its marker."""
    if "not clients" in (request.config.getoption("markexpr", "") or ""):
        pytest.fail(f"{name} was requested by a test without the clients marker (add pytestmark = pytest.mark.clients)")


def require_client(name: str, present: bool) -> None:
    """Skip a test whose real client is missing, or fail when CI demands every client."""
    if present:
        return
    if os.environ.get("CPC_REQUIRE_CLIENTS") == "1":
        pytest.fail(f"{name} is required (CPC_REQUIRE_CLIENTS=1) but is not installed")
    pytest.skip(f"{name} is not installed")


@pytest.fixture(scope="session")
def form():
    return load_form(DEFAULT_SPEC)


@pytest.fixture(scope="session")
def example_form():
    return load_form(EXAMPLE_SPEC)


@pytest.fixture(scope="session", params=["default", "example"])
def any_form(request):
    """Each spec in turn: what passes on one must pass on the other, with no code change."""
    return load_form(DEFAULT_SPEC if request.param == "default" else EXAMPLE_SPEC)


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def program(request, fixture: str, command: str, name: str) -> str:
    """The path of a real client's command, or the test skipped (failed under CPC_REQUIRE_CLIENTS=1)."""
    refuse_when_deselected(request, fixture)
    found = shutil.which(command)
    require_client(name, found is not None)
    return found


@pytest.fixture(scope="session")
def java(request):
    return program(request, "java", "java", "java")


@pytest.fixture(scope="session")
def soffice(request):
    return program(request, "soffice", "soffice", "LibreOffice (soffice)")


@pytest.fixture(scope="session")
def gnumeric(request):
    """Gnumeric's converter, ssconvert: `ssconvert --recalc in.xlsx out.xlsx` recalculates headless."""
    return program(request, "gnumeric", "ssconvert", "Gnumeric (ssconvert)")


@pytest.fixture(scope="session")
def browser(request):
    """A headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    refuse_when_deselected(request, "chromium")
    require_client("chromium", Path(CHROMIUM).exists())
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_client("playwright", False)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
