"""The cpc-forms command: a thin shell over the library."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import click

EXIT_CODES = """Exit codes: 0 every input was read; 1 some inputs or returns were rejected (the reports are still
written; with --strict nothing is), a spec has problems, or a folder cannot be written; 2 the command was used
wrongly (an unknown option, an input that does not exist); 3 cpc-forms itself failed: one line says how, and
--debug shows the traceback."""


class _Main(click.Group):
    """The command group: a failure of cpc-forms itself is one line and exit 3, not a traceback (--debug shows it)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            from .catalogue import cut
            first = next(iter(str(exc).strip().splitlines()), "")  # one line, whatever the message holds
            click.echo(f"cpc-forms: internal error ({type(exc).__name__}: {cut(first)}); run the same command "
                       "as 'cpc-forms --debug ...' for the traceback, and please report it", err=True)
            ctx.exit(3)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.version_option(package_name="cpc-forms")
@click.option("--debug", is_flag=True, help="Show the traceback when cpc-forms itself fails (exit 3).")
def main(debug):
    """Build Excel, XLSForm and web forms from one assessment spec, and score every return."""


@main.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
def check(spec):
    """Check SPEC (default: the embedded Customs-Police assessment) and list every problem."""
    from .spec import check_spec

    problems = [p for p in check_spec(spec) if p.severity == "error"]
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    form = _load(spec)
    scored = [q for s in form.scored_sections for q in s.scored_questions]
    click.echo(f"{form.id} version {form.version}: OK; {len(form.sections)} sections, "
               f"{len(form.scored_sections)} scored sections, {len(scored)} scored items, "
               f"{len(form.questions)} questions, languages {', '.join(form.languages)}")


@main.command()
@click.option("--spec", "spec", type=click.Path(dir_okay=False), help="Spec to build (default: the embedded one).")
@click.option("--out", "out", type=click.Path(file_okay=False), default="outputs", show_default=True,
              help="Folder to write into.")
def build(spec, out):
    """Build every channel's artefacts (workbooks, XLSForm, XForm, web form) for a spec."""
    from pathlib import Path

    from .demo import build_all

    form = _load(spec)
    with _writing(out):
        for path in build_all(form, Path(out)):
            click.echo(str(path))


def _formats():
    """The report formats score can write: every format the report package knows (pdf once it has it)."""
    from .report import FILES
    return tuple(FILES)


FORMATS = _formats()
DEFAULT_FORMATS = ("csv", "json", "xlsx", "html")


def _language(form, lang):
    """The spec's language that serves the language asked for (None when none is asked); else exit 2."""
    from .strings import block_for

    if lang is None:
        return None
    found = block_for({language: {} for language in form.languages}, lang)  # "fr-CA" is served by "fr"
    if found is None:
        raise click.BadParameter(f"the spec has no texts in {lang!r}; its languages: {', '.join(form.languages)}",
                                 param_hint="'--lang'")
    return found


LANG_HELP = "Language of the {} (one of the spec's languages; default: the spec's default language)."


@main.command(epilog=EXIT_CODES)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--spec", "spec", type=click.Path(dir_okay=False),
              help="Spec the returns answer (default: the embedded one).")
@click.option("--out", "out", type=click.Path(file_okay=False), default="scores", show_default=True,
              help="Folder the reports are written into.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMATS),
              help="Report to write (repeat for several; default: csv, json, xlsx and html; jsonl: one return a "
                   "line, for very large campaigns).")
@click.option("--strict", is_flag=True, help="With any rejected input, write nothing and exit 1.")
@click.option("--include-personal", is_flag=True, help="Keep personal-data answers (e-mail) in the reports.")
@click.option("--include-rejected", is_flag=True,
              help="Score returns a reviewer rejected on the server (Central 'rejected', Kobo 'not approved').")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(0, 64),
              help="Processes reading the inputs (0: one per core).")
@click.option("--round", "round_name", metavar="NAME",
              help="The assessment round every return of the run belongs to (default: the year of the assessment "
                   "dates; returns of several years are refused without it).")
@click.option("--lang", "lang", metavar="LANG", help=LANG_HELP.format("reports' labels: html, xlsx, pdf"))
def score(inputs, spec, out, formats, strict, include_personal, include_rejected, jobs, round_name, lang):
    """Score every return in INPUTS (files, folders, zips: workbooks, ODK/Kobo exports, XML, JSON, databases)."""
    import tempfile
    from pathlib import Path

    from .ingest import expand, summary
    from .outcome import by_input
    from .report import FILES, publish, write_all
    from .report.live import start
    from .spec import form_versions
    from .stream import stream

    form = _load(spec)
    lang = _language(form, lang)
    batch_memory()
    jobs = jobs or os.cpu_count() or 1
    formats = formats or DEFAULT_FORMATS
    _can_write(formats)
    # the reports take shape beside the output folder (on its disk), while the returns are read; the returns
    # themselves wait there too, spilled, until every input is read and de-duplicated
    with tempfile.TemporaryDirectory(prefix=".cpc-forms-", dir=_near(Path(out))) as work:
        live = start(form, [(f, Path(work) / FILES[f]) for f in formats], personal=include_personal, language=lang)
        try:
            run = stream(inputs, form, form_versions(form), work, progress=_progress, jobs=jobs,
                         include_rejected=include_rejected, live=live)
        except BaseException:
            live.discard()
            raise
        errors = _rejected(run)
        for line in summary(run) + by_input(inputs, expand, _issue_fields(run)):
            click.echo(line)
        run = _in_round(run, round_name, live)
        if strict and errors:
            live.discard()
            click.echo("--strict: nothing written.", err=True)
            sys.exit(1)
        with _writing(out):
            if run.complete:
                made = live.close(run)
            else:  # a later input held a newer version of a return already written: again, from the spill
                live.discard()
                made = write_all(run, Path(work) / "again", formats, personal=include_personal, language=lang)
            # every report is whole before any replaces its older copy, and all are renamed into place together
            # (report.publish): a failed run leaves the last run's
            paths = publish(made, Path(out))
            for path in paths:
                click.echo(f"wrote {path}")
    sys.exit(1 if errors else 0)


def _in_round(run, name, live):
    """The run named after its round; when its returns span several rounds and none is named, nothing is written
    and the command exits 1 saying which rounds it found."""
    from . import rounds

    found = rounds.of_run(run, name)
    if found.mixed:
        live.discard()
        click.echo(rounds.mixed_message(found), err=True)
        click.echo("Nothing written.", err=True)
        sys.exit(1)
    if found.name:
        click.echo(f"Round {found.name}" + ("" if name else " (the year of the assessment dates)"))
    return rounds.named(run, found)


def _can_write(formats) -> None:
    """Stop, before anything is read, when a report asked for cannot be written here (report.pdf without
    WeasyPrint): one line saying what to install."""
    if "pdf" in formats:
        from .report.pdf import unavailable
        if why := unavailable():
            raise click.ClickException(why)


def _rejected(run) -> int:
    """Print every rejected input (one line each); how many there are."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .report.run import as_issues
    errors = 0
    for batch in run.issues():
        for problem in as_issues(batch.filter(pc.equal(batch.column("severity"), pa.scalar("error", pa.string())))):
            click.echo(f"rejected: {problem}", err=True)
            errors += 1
    return errors


def _issue_fields(run):
    """(code, message, severity, source) of every issue of a run."""
    for batch in run.issues():
        yield from zip(*(batch.column(n).to_pylist() for n in ("code", "message", "severity", "source")))


def _near(folder):
    """An existing folder on the same disk as folder (where it will be), for files to be moved into it."""
    for place in (folder, *folder.absolute().parents):
        if place.is_dir():
            return str(place)
        if place.exists():
            break
    return None


@main.command(epilog="Exit codes: 0 the progress report was written; 1 the two rounds cannot be compared (different "
                    "forms, the same round, a file that is not a scores.json) or a folder cannot be written; 2 the "
                    "command was used wrongly.")
@click.argument("old", type=click.Path(exists=True))
@click.argument("new", type=click.Path(exists=True))
@click.option("--out", "out", type=click.Path(file_okay=False), default="progress", show_default=True,
              help="Folder the progress report (progress.html, .json, .xlsx) is written into.")
@click.option("--lang", "lang", metavar="LANG", help=LANG_HELP.format("progress report"))
@click.option("--spec", "spec", type=click.Path(dir_okay=False),
              help="Spec the scores are of (default: the embedded one): its labels and recommendations.")
def compare(old, new, out, lang, spec):
    """Compare two rounds: OLD and NEW are each a scores.json (or a folder holding one), or returns to score first;
    writes progress.html, .json and .xlsx: per country and section the change, level moves, gaps closed or opened,
    and which of the first round's recommendations were followed by improvement."""
    from .compare import progress, write
    from .progress.sides import Refusal

    form = _load(spec)
    lang = _language(form, lang)
    found = progress(old, new, form)
    if isinstance(found, list):
        for refusal in found:
            click.echo(f"cpc-forms compare: {refusal}", err=True)
        click.echo("Nothing written.", err=True)
        sys.exit(1)
    assert not isinstance(found, Refusal)
    click.echo(f"{len(found.countries)} countries in both rounds ({found.old.round or '?'} and "
               f"{found.new.round or '?'}); {len(found.only_old_countries)} in the first only, "
               f"{len(found.only_new_countries)} in the second only.")
    with _writing(out):
        for path in write(found, form, out, lang):
            click.echo(f"wrote {path}")


@main.command()
@click.option("--out", "out", type=click.Path(file_okay=False), default="demo", show_default=True,
              help="Folder for the forms, the synthetic returns and the reports.")
@click.option("--countries", default=12, show_default=True, type=click.IntRange(1, 250),
              help="How many countries to synthesise returns for.")
@click.option("--spec", "spec", type=click.Path(dir_okay=False),
              help="Spec to demonstrate (default: the embedded one).")
@click.option("--rounds", default=1, show_default=True, type=click.IntRange(1, 2),
              help="2: a second round a year later, each country's two weakest sections improved on purpose; each "
                   "round scored into scores-<round>/, and compared into progress/.")
def demo(out, countries, spec, rounds):
    """Build every form, fill returns for N countries through every channel, score them, write the reports."""
    from pathlib import Path

    from .demo import build_all, synthesise
    from .ingest import run, summary
    from .report import write_all
    from .spec import form_versions

    form, out = _load(spec), Path(out)
    with _writing(out):
        build_all(form, out / "forms")
    if rounds > 1:
        _demo_rounds(form, out, countries, rounds)
        return
    with _writing(out):
        synthesise(form, out / "returns", countries)
    report = run([out / "returns"], form, form_versions(form))
    for line in summary(report):
        click.echo(line)
    with _writing(out):
        paths = write_all(report, out / "scores")
    click.echo(f"Forms in {out / 'forms'}, returns in {out / 'returns'}.")
    click.echo(f"Report: {next(p for p in paths if p.suffix == '.html')}")


def _demo_rounds(form, out, countries, rounds):
    """The demo's rounds: each written, scored into scores-<round>/, the last two compared into progress/."""
    from .demo import score_rounds, synthesise_rounds

    with _writing(out):
        made = synthesise_rounds(form, out, countries, rounds)
        page = score_rounds(form, out, made, echo=click.echo)
    click.echo(f"Forms in {out / 'forms'}, returns in {', '.join(str(r.folder) for r in made)}.")
    click.echo(f"Progress: {page}")


@main.command()
@click.option("--spec", "spec", type=click.Path(dir_okay=False),
              help="Spec of the form to host (default: the embedded one).")
@click.option("--db", "db", type=click.Path(dir_okay=False), default="submissions.sqlite", show_default=True,
              help="SQLite file the submissions are kept in (created when missing).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep loopback behind a proxy.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--admin-token", envvar="CPC_ADMIN_TOKEN",
              help="Coordinator token [env CPC_ADMIN_TOKEN]; when absent one is made and printed once.")
@click.option("--proxies", default=0, show_default=True, type=click.IntRange(0, 10),
              help="Reverse proxies in front whose X-Forwarded-* headers are trusted.")
@click.option("--lang", "lang", metavar="LANG", envvar="CPC_ADMIN_LANGUAGE",
              help=LANG_HELP.format("admin pages when a page asks for none (?lang= still wins)")
              + " [env CPC_ADMIN_LANGUAGE]")
def serve(spec, db, host, port, admin_token, proxies, lang):
    """Host the web form: store submissions in DB; list, export and live scores for the coordinator."""
    import sqlite3

    from .server import serve as run_server

    form = _load(spec)
    try:
        run_server(form, db, host, port, admin_token, proxies=proxies, echo=click.echo,
                   language=_language(form, lang))
    except (ValueError, OSError, sqlite3.DatabaseError) as exc:
        raise click.ClickException(f"{db}: {exc}" if isinstance(exc, sqlite3.DatabaseError) else str(exc)) from exc
    except KeyboardInterrupt:
        click.echo("cpc-forms: stopped")


@contextmanager
def _writing(folder):
    """A folder that cannot be written to is a message naming it, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise click.ClickException(f"cannot write into {folder}: {exc.strerror or exc}"
                                   + (f" ({exc.filename})" if exc.filename else "")) from exc


def batch_memory():
    """A scoring run makes millions of small objects, each living for a batch: collect garbage less often.

    A batch of a CSV export holds some 70,000 objects at once; a young generation larger than that lets
    most of them die before a collection looks at them (measured: 10% faster than 50,000)."""
    import gc
    gc.freeze()
    gc.set_threshold(200_000, 20, 20)


def _progress(items, total):
    """A progress bar on a terminal when there are many inputs; the plain items otherwise."""
    if total < 20 or not sys.stderr.isatty():
        return items
    return _bar(items, total)


def _bar(items, total):
    with click.progressbar(items, length=total, label="Reading", file=sys.stderr) as bar:
        yield from bar


def _load(spec):
    """The Form of a spec, or exit 1 with every problem listed (never a traceback)."""
    from .spec import SpecError, load_form

    try:
        return load_form(spec)
    except SpecError as exc:
        for problem in exc.issues:
            click.echo(str(problem), err=True)
        sys.exit(1)

