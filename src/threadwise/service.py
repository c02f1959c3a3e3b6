"""The use-cases. Every shell (CLI, API, web, runners) calls these and only renders the result."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from threadwise.datasets import DatasetStatus
from threadwise.errors import InputError, RunNotResumable, ThreadwiseError
from threadwise.export import export_text as text_export
from threadwise.export import write_export
from threadwise.ingest import read_thread
from threadwise.ingest.fetch import fetch, is_url
from threadwise.model import Article, Comment, Finding, Run, Thread, make_id
from threadwise.owner import Owner
from threadwise.pipeline import AnalyserFailure, Pipeline
from threadwise.settings import get_setting
from threadwise.store import SaveResult, Store, ThreadSummary


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one input: saved (``result``) or refused (``error``); never both."""

    source: str
    result: SaveResult | None = None
    error: ThreadwiseError | None = None
    comments: int = 0
    notes: tuple[str, ...] = ()  # how the input was read, when the reader should know (Thread.notes)


def open_store(db: str | None = None) -> Store:
    return Store.open(get_setting("db", db))


def read_source(ref: str, *, format: str | None = None, encoding: str | None = None,
                max_bytes: int | None = None) -> Thread:
    """Read one path or URL into a thread, without storing it."""
    limit = get_setting("max_input_bytes", max_bytes)
    if is_url(ref):
        page = fetch(ref, timeout=get_setting("fetch_timeout"), max_bytes=limit,
                     user_agent=get_setting("user_agent"))
        return read_thread(page.data, page.url, format=format, encoding=encoding, max_bytes=limit)
    path = Path(ref)
    if not path.is_file():
        raise InputError("no such file", source=ref, fix="check the path")
    if path.stat().st_size > limit:
        return read_thread(b"x" * (limit + 1), ref, max_bytes=limit)  # refused by the size check, unread
    return read_thread(path.read_bytes(), ref, format=format, encoding=encoding, max_bytes=limit, local_file=True)


def ingest(refs: Sequence[str], *, db: str | None = None, format: str | None = None,
           encoding: str | None = None, max_bytes: int | None = None,
           on_each: Callable[[IngestOutcome], None] | None = None, resumes: str | None = None) -> list[IngestOutcome]:
    """Read and store each input in its own transaction; a bad input is reported, the rest go on. The run
    records its process, so a run killed before it finishes is later seen as interrupted, not running."""
    store = open_store(db)
    config = {"sources": list(refs), "format": format, **({"resumes": resumes} if resumes else {})}
    run = Run(id=make_id("run", datetime.now(UTC).isoformat(), *refs), kind="ingest",
              started_at=datetime.now(UTC), config=config, owner=Owner.current())
    outcomes = []
    with store:
        store.save_run(run)
        for ref in refs:
            outcome = _ingest_one(store, ref, run.id, format=format, encoding=encoding, max_bytes=max_bytes)
            outcomes.append(outcome)
            if on_each:
                on_each(outcome)
        store.save_run(replace(run, finished_at=datetime.now(UTC)))
    return outcomes


def resume_ingest(run_id: str, *, db: str | None = None,
                  on_each: Callable[[IngestOutcome], None] | None = None) -> list[IngestOutcome]:
    """Ingest an interrupted run's inputs again, as a new run naming it. Each input is stored whole or not at
    all, and storing an unchanged thread again changes nothing, so the inputs it did finish are not doubled."""
    with open_store(db) as store:
        store.mark_interrupted_runs()
        run = store.load_run(run_id)
    if run is None or run.kind != "ingest":
        raise RunNotResumable("no ingest run with this id", source=run_id)
    state = run.state()
    if state != "interrupted":
        where = f" (pid {run.owner.pid} on {run.owner.host})" if run.owner and state.startswith("running") else ""
        raise RunNotResumable(f"the run is {state}{where}; only an interrupted run is resumed", source=run_id)
    return ingest(run.config["sources"], db=db, format=run.config.get("format"), on_each=on_each, resumes=run_id)


def runs(db: str | None = None, limit: int = 20) -> list[Run]:
    """The latest runs, newest first, after marking this host's runs whose process is gone as interrupted."""
    with open_store(db) as store:
        store.mark_interrupted_runs()
        return store.recent_runs(limit)


def interrupted_runs(db: str | None = None) -> list[Run]:
    """This host's runs whose process died before finishing, found (and marked) now; each is reported once."""
    with open_store(db) as store:
        return store.mark_interrupted_runs()


def _ingest_one(store: Store, ref: str, run_id: str, **options: object) -> IngestOutcome:
    try:
        thread = read_source(ref, **options)  # type: ignore[arg-type]
        saved = store.save_thread(thread, run_id=run_id)
        return IngestOutcome(ref, result=saved, comments=len(thread.comments), notes=thread.notes)
    except ThreadwiseError as error:
        return IngestOutcome(ref, error=error)


def list_threads(db: str | None = None) -> list[ThreadSummary]:
    with open_store(db) as store:
        return store.list_threads()


def get_thread(ref: str, db: str | None = None) -> Thread:
    """A stored thread by id or id prefix. A file or URL names its page: the stored thread when that
    page was ingested (with every comment the store kept), else the page as read now."""
    page = read_source(ref) if is_url(ref) or Path(ref).is_file() else None
    with open_store(db) as store:
        if page is not None:
            return store.load_thread(page.id) if store.has_thread(page.id) else page
        return store.load_thread(store.resolve_thread_id(ref))


def export_thread(ref: str, fmt: str, out: Path, db: str | None = None) -> list[Path]:
    return write_export(get_thread(ref, db), fmt, out)


def export_text(ref: str, fmt: str, db: str | None = None) -> str:
    return text_export(get_thread(ref, db), fmt)


def count_failures(outcomes: Iterable[IngestOutcome]) -> int:
    return sum(1 for o in outcomes if o.error is not None)


# --- analysis ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """A thread with the findings of one analysis run (and any analyser failures)."""

    thread: Thread
    run: Run
    findings: list[Finding]
    failures: list[AnalyserFailure]

    def findings_for(self, comment_id: str) -> list[Finding]:
        return [f for f in self.findings if f.comment_id == comment_id]


def analyse_thread(
    thread: Thread, analysers: Sequence[str] | None = None, *, pipeline: Pipeline | None = None
) -> Analysis:
    """Run the pipeline over every comment of a thread; nothing is stored. A long-running caller (the
    API) passes its one loaded ``pipeline`` so that no request reloads the models."""
    pipeline = pipeline or Pipeline.from_names(analysers)
    run = Run(id=make_id("run", "analyse", thread.id, datetime.now(UTC).isoformat()), kind="analyse",
              started_at=datetime.now(UTC), config={"analysers": list(pipeline.names), "thread": thread.id})
    result = pipeline.run_thread(thread, run_id=run.id)
    failures = [asdict(f) for f in result.failures]
    run = replace(run, finished_at=datetime.now(UTC), config={**run.config, "failures": failures})
    return Analysis(thread, run, result.findings, result.failures)


def analyse(ref: str, *, db: str | None = None, analysers: Sequence[str] | None = None) -> Analysis:
    """Analyse a stored thread (id or prefix) or a page (path/URL, ingested first); findings are
    stored append-only under a new run, so earlier runs stay readable."""
    with open_store(db) as store:
        if is_url(ref) or Path(ref).is_file():
            page = read_source(ref)
            store.save_thread(page)
            thread_id = page.id
        else:
            thread_id = store.resolve_thread_id(ref)
        thread = store.load_thread(thread_id)
    analysis = analyse_thread(thread, analysers)
    with open_store(db) as store:
        store.save_run(analysis.run)
        store.add_findings(analysis.findings)
    return analysis


def analyse_text(text: str, article: Article | None = None, analysers: Sequence[str] | None = None) -> list[Finding]:
    """Findings for one comment, optionally against the article it answers."""
    article = article or Article(id="adhoc")
    comment = Comment(id=make_id("adhoc", text), thread_id=article.id, text=text, position=0)
    return analyse_thread(Thread(article, (comment,)), analysers).findings


# --- training and evaluation ------------------------------------------------------------------


def train(analyser: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Retrain one or every trainable analyser; yields (name, metrics) as each finishes. Every dataset the
    chosen trainers read is checked first, and a head folder that may be written, so nothing fails midway."""
    from threadwise.analysers.heads import writable_heads_dir
    from threadwise.train import TRAINERS, trainer

    names = _trainable(analyser, TRAINERS)
    writable_heads_dir()
    data = _require_datasets("train", names)
    for name in names:
        yield name, trainer(name).train(data)


def evaluate(analyser: str | None = None, fast: bool = False, language: str | None = None
             ) -> Iterator[tuple[str, dict[str, Any]]]:
    """Held-out metrics for one or every trainable analyser (its datasets checked first); ``language``:
    toxicity in that language."""
    from threadwise.train import TRAINERS, trainer

    if language and language != "en":  # the English model's figures are the plain `eval toxicity`
        data = _require_datasets("eval", ["toxicity-multilingual"])
        yield f"toxicity ({language})", trainer("toxicity-multilingual").evaluate(data, fast=fast, language=language)
        return
    names = _trainable(analyser, TRAINERS)
    data = _require_datasets("eval", names)
    for name in names:
        yield name, trainer(name).evaluate(data, fast=fast)


def _trainable(analyser: str | None, trainers: dict[str, str]) -> list[str]:
    from threadwise.train import trainer

    if analyser:
        trainer(analyser)  # an unknown name fails here, naming the trainable ones
    return [analyser] if analyser else list(trainers)


def _require_datasets(command: str, names: Sequence[str]) -> Path:
    """The datasets' folder, once every dataset ``command`` reads for ``names`` is there (else one coded error
    listing each missing dataset with its source, licence and expected place)."""
    from threadwise.datasets import MissingDataset, dataset_status, missing_message, needed_by
    from threadwise.locations import datasets_dir

    needed = {d.name: d for name in names for d in needed_by(f"{command} {name}")}
    message = missing_message(dataset_status(needed.values()))
    if message:
        what = f"{command} {' '.join(names)}" if len(names) == 1 else command
        raise MissingDataset(f"`threadwise {what}` needs datasets that are not in place:\n{message}\n")
    return datasets_dir()


def data_status() -> list[DatasetStatus]:
    """Every public dataset train, eval and audit read, with where it is expected and whether it is there."""
    from threadwise.datasets import dataset_status

    return dataset_status()
