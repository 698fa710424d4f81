"""Where the spec, the templates and the package's own data files are: the one module that knows.

A resource is named by its path in the repository, whatever the install: "spec/cpc_assessment.json",
"generators/html/form.html.j2", "cpc_forms/report/scores.schema.json". Found through importlib.resources:

- installed from a wheel (`pip install .`, a wheel file): pyproject.toml maps the top-level folders spec/ and
  generators/ into the package, so they are cpc_forms/_data/spec/ and cpc_forms/_data/generators/;
- a checkout (the editable install setup.sh makes, or the package run from the source tree): they are the
  repository's own folders beside cpc_forms/, read live, so an edit to generators/ shows without reinstalling.
"""
from __future__ import annotations

from functools import lru_cache
from importlib.resources import files as _package_files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.abc import Traversable

    from jinja2 import BaseLoader

PACKAGE = "cpc_forms"
FOLDERS = ("spec", "generators")  # the top-level folders shipped inside the package
INSTALLED = "_data"  # where pyproject.toml puts them in a wheel: cpc_forms/_data/<folder>


@lru_cache(maxsize=None)
def _root(top: str) -> "Traversable":
    package = _package_files(PACKAGE)
    if top == PACKAGE:
        return package
    if top not in FOLDERS:
        raise ValueError(f"not a resource folder: {top!r} (one of {PACKAGE}, {', '.join(FOLDERS)})")
    installed = package / INSTALLED / top
    if installed.is_dir() or not isinstance(package, Path):
        return installed
    checkout = package.parent / top
    # neither: a broken install, and what is missing is named where a wheel should have it
    return checkout if checkout.is_dir() else installed


def files(name: str) -> "Traversable":
    """The file or folder named by its repository path, e.g. "generators/html" or "spec/meta/x-keywords.schema.json"."""
    top, *parts = [p for p in name.split("/") if p]
    node = _root(top)
    for part in parts:
        node = node / part
    return node


def read_text(name: str) -> str:
    """The text (UTF-8) of the resource file named by its repository path."""
    return files(name).read_text(encoding="utf-8")


def path(name: str) -> Path:
    """The resource as a file-system path (a wheel installed by pip, or a checkout; not a zipped install)."""
    node = files(name)
    if not isinstance(node, Path):
        raise FileNotFoundError(f"{name}: cpc_forms is installed where its files have no path ({node})")
    return node


def spec_path() -> Path:
    """The embedded default spec (the Customs-Police assessment); older versions are kept beside it in versions/."""
    return path("spec/cpc_assessment.json")


def template_loader(folder: "str | Traversable") -> "BaseLoader":
    """A Jinja2 loader of the templates (and what they include) in a resource folder: its name, e.g.
    "generators/report", or what files() gave for it.

    Reads through importlib.resources; on a file system it reloads a template that changed, as
    FileSystemLoader does."""
    from jinja2 import FunctionLoader
    from jinja2.loaders import split_template_path

    base = files(folder) if isinstance(folder, str) else folder

    def load(name: str):
        node = base
        for part in split_template_path(name):
            node = node / part
        if not node.is_file():
            return None
        text = node.read_text(encoding="utf-8")
        if not isinstance(node, Path):
            return text, None, lambda: True
        mtime = node.stat().st_mtime
        return text, str(node), lambda: node.is_file() and node.stat().st_mtime == mtime

    return FunctionLoader(load)
