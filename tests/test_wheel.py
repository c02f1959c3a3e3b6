"""threadwise as a user installs it: build the sdist and the wheel, install the wheel into a fresh venv, and run
``analyze``, ``moderate``, ``report`` and ``serve`` on the bundled example from an empty working directory.

Kept cheap and offline on purpose (about a minute of CPU; no network):

* The build runs without isolation (``python -m build --no-isolation``, setuptools pinned in the dev extras), on a
  copy of the source tree, so nothing is fetched and the checkout gets no build/ or egg-info. ``python -m build``
  makes the sdist first and the wheel *from the sdist*, so a file missing from either fails here.
* The fresh venv is made ``--without-pip`` and the wheel goes in with the project venv's pip (``pip --python``,
  ``--no-deps --no-index``): seconds, not the minutes a full dependency install takes. The dependencies (torch,
  onnxruntime, …: gigabytes) are not installed again. A ``.pth`` file, written after pip ran so that pip saw an
  empty environment, appends the project venv's site-packages to the fresh venv's path: the pinned dependencies,
  exactly. ``--system-site-packages`` would not do: it exposes the system Python's packages, not this project's.
  A path appended by a ``.pth`` line is not itself a site directory, so the project venv's own ``.pth`` files (the
  editable install's pointer to src/) are not read: ``import threadwise`` finds the wheel, never the checkout,
  which the test asserts.
* The user's data folder is a temporary one (``XDG_DATA_HOME``): the default database and the default report
  location are the real defaults, only rooted elsewhere. The cache stays the user's real one, so the encoder's
  ONNX export (once per machine) is shared with every other run instead of being redone here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "threadwise"
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
                                    ".*_cache", ".hypothesis", "*.db")
SERVE_WAIT_S = 600  # generous: on a shared machine a cold start can be slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sdist and the wheel, built from a copy of this source tree."""
    root = tmp_path_factory.mktemp("build")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE, symlinks=True)
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(root / "dist"), str(source)],
                   check=True, capture_output=True, timeout=900)
    return {"sdist": next((root / "dist").glob("*.tar.gz")), "wheel": next((root / "dist").glob("*.whl"))}


@pytest.fixture(scope="module")
def venv(dist: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel, that sees the project venv's dependencies (see the module doc)."""
    home = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True, timeout=600)
    python = home / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(dist["wheel"])], check=True, capture_output=True, timeout=900)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return home


@pytest.fixture(scope="module")
def user(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An empty working directory and data folder, as a new user has."""
    return {"cwd": tmp_path_factory.mktemp("cwd"), "data": tmp_path_factory.mktemp("xdg-data")}


def run_cli(venv: Path, user: dict[str, Path], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """``threadwise ARGS`` from the installed console script, with no THREADWISE_* setting from this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADWISE_")}
    env |= {"XDG_DATA_HOME": str(user["data"]), "COLUMNS": "200"}
    done = subprocess.run([str(venv / "bin" / "threadwise"), *args], cwd=user["cwd"], env=env, capture_output=True,
                          text=True, timeout=900)  # generous: the machine may be shared
    if check:
        assert done.returncode == 0, f"threadwise {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def package_files(root: Path) -> dict[str, tuple[int, int]]:
    """Every file of an installed package (size, mtime), byte-code caches aside."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_sdist_and_wheel_carry_every_package_file_and_the_metadata(dist: dict[str, Path]) -> None:
    expected = {f"threadwise/{p.relative_to(PACKAGE).as_posix()}" for p in PACKAGE.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    wheel = zipfile.ZipFile(dist["wheel"])
    assert expected - set(wheel.namelist()) == set()
    assert {"threadwise/policy/default.toml", "threadwise/report/templates/report.html.j2",
            "threadwise/web/static/vendor/htmx.min.js", "threadwise/heads/claims/MODEL_CARD.md",
            "threadwise/store/migrations/versions/0001_initial.py",
            "threadwise/examples/op-ed-ceasefire.txt"} <= expected
    with tarfile.open(dist["sdist"]) as sdist:
        names = {n.split("/", 1)[1] for n in sdist.getnames() if "/" in n}
    assert {f"src/{name}" for name in expected} - names == set()
    assert {"LICENSE", "README.md", "CHANGELOG.md", "docs/ARCHITECTURE.md", "docs/DATA.md"} <= names
    meta = wheel.read(next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    for field in ("License-Expression: Apache-2.0", "License-File: LICENSE", "Author: threadwise maintainers",
                  "Classifier: Programming Language :: Python :: 3.11",
                  "Requires-Dist: platformdirs==", "Description-Content-Type: text/markdown"):
        assert field in meta, field
    assert "Project-URL" not in meta  # no public home yet: no invented address (see pyproject.toml)
    assert "../shared" not in meta  # the readme is the long description: no link out of the repository


def test_installed_wheel_analyses_moderates_reports_and_serves_the_bundled_example(
    venv: Path, user: dict[str, Path]
) -> None:
    installed = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    before = package_files(installed / "threadwise")
    example = run_cli(venv, user, "example").stdout.strip()
    assert Path(example).is_relative_to(installed / "threadwise"), "threadwise came from the checkout, not the wheel"

    analysed = run_cli(venv, user, "analyze", example)
    assert "toxicity" in analysed.stdout and "claims/check_worthy_claim" in analysed.stdout
    database = user["data"] / "threadwise" / "threadwise.db"
    assert database.is_file()  # the default database is in the user's data folder, not the working directory

    moderated = run_cli(venv, user, "moderate", example)
    assert re.search(r"recorded 10 suggestions", moderated.stdout), moderated.stdout

    reported = run_cli(venv, user, "report", example)
    report = user["data"] / "threadwise" / "exports" / "op-ed-ceasefire-report.html"
    assert str(report) in reported.stdout.replace("\n", "")
    page = report.read_text(encoding="utf-8")
    assert "The Ceasefire Nobody Wants to Talk About" in page and "<style>" in page and "<script>" in page

    key = run_cli(venv, user, "keys", "create", "--role", "admin", "--name", "wheel-test").stdout.strip()
    with serving(venv, user) as base:
        headers = {"Authorization": f"Bearer {key}"}
        queue = httpx.get(f"{base}/v1/queue", headers=headers, timeout=30).json()
        assert sum(queue["counts"].values()) == 10 and queue["counts"]["approved"] >= 1
        assert httpx.get(f"{base}/ui/login", timeout=30).status_code == 200  # web templates
        assert "htmx" in httpx.get(f"{base}/ui/static/vendor/htmx.min.js", timeout=30).text  # static files

    assert package_files(installed / "threadwise") == before  # nothing written next to the package's own files
    assert list(user["cwd"].iterdir()) == []  # nor into the working directory


@contextlib.contextmanager
def serving(venv: Path, user: dict[str, Path]) -> Iterator[str]:
    """``threadwise serve`` on a free port, once the API answers (its OpenAPI document; /health too, where the
    server declares one); stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("THREADWISE_")}
    env["XDG_DATA_HOME"] = str(user["data"])
    process = subprocess.Popen([str(venv / "bin" / "threadwise"), "serve", "--port", str(port)], cwd=user["cwd"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        spec = wait_for_api(process, base)
        assert "/v1/queue" in spec["paths"]
        if "/health" in spec["paths"]:
            assert httpx.get(f"{base}/health", timeout=30).status_code == 200
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_api(process: subprocess.Popen[str], base: str) -> dict:
    deadline = time.monotonic() + SERVE_WAIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"threadwise serve exited {process.returncode}:\n{output}")
        try:
            spec: dict = httpx.get(f"{base}/openapi.json", timeout=5).json()
            return spec
        except httpx.TransportError:
            time.sleep(0.5)
    pytest.fail(f"threadwise serve did not answer within {SERVE_WAIT_S} s")


def test_installed_package_refuses_to_retrain_into_its_own_files(venv: Path, user: dict[str, Path]) -> None:
    done = run_cli(venv, user, "train", "target", check=False)
    assert done.returncode == 2 and "TW-E043" in done.stderr and "THREADWISE_HEADS" in done.stderr


def test_installed_errors_give_fixes_that_need_no_checkout(venv: Path, user: dict[str, Path]) -> None:
    refused = run_cli(venv, user, "policy", "check", str(user["data"] / "no-such-policy.toml"), check=False)
    assert refused.returncode == 2 and "TW-E070" in refused.stderr
    assert "threadwise policy show" in refused.stderr and "src/" not in refused.stderr
    shown = run_cli(venv, user, "policy", "show").stdout
    assert 'name = "default"' in shown  # the fix's command works from the wheel
    data = json.loads(run_cli(venv, user, "data", "--json").stdout)
    assert data and all(Path(d["location"]).is_relative_to(user["data"] / "threadwise" / "datasets") for d in data)


@pytest.fixture(autouse=True, scope="module")
def _no_checkout_writes() -> Iterator[None]:
    """Building works on a copy: the checkout gets no build/, dist/ or egg-info from this module."""
    made = [REPO / "build", REPO / "dist", PACKAGE.parent / "threadwise.egg-info"]
    existed = {p for p in made if p.exists()}
    yield
    assert {p for p in made if p.exists()} == existed
