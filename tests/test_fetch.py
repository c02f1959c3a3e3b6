"""Fetching pages by URL against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from conftest import EXAMPLE
from threadwise.errors import FetchError, InputTooLarge
from threadwise.ingest.fetch import fetch

AGENT = "threadwise-test/1"


class _Handler(SimpleHTTPRequestHandler):
    seen_agents: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen_agents.append(self.headers.get("User-Agent", ""))
        super().do_GET()

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def site(tmp_path):
    (tmp_path / "story.txt").write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "big.txt").write_bytes(b"x" * 5000)
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "p.txt").write_text("secret page")
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def get(url: str, max_bytes: int = 1_000_000):
    return fetch(url, timeout=5, max_bytes=max_bytes, user_agent=AGENT)


def test_fetch_reads_page_and_identifies_itself(site):
    page = get(f"{site}/story.txt")
    assert page.data == EXAMPLE.read_bytes()
    assert page.url == f"{site}/story.txt"
    assert AGENT in _Handler.seen_agents


def test_fetch_honours_robots_txt(site):
    with pytest.raises(FetchError, match="robots.txt"):
        get(f"{site}/private/p.txt")


def test_fetch_stops_at_size_limit(site):
    with pytest.raises(InputTooLarge, match="big.txt"):
        get(f"{site}/big.txt", max_bytes=1000)


def test_fetch_reports_http_errors_with_the_url(site):
    with pytest.raises(FetchError, match="404") as error:
        get(f"{site}/missing.html")
    assert error.value.source == f"{site}/missing.html"


def test_fetch_times_out_on_unreachable_port():
    with pytest.raises(FetchError):
        fetch("http://127.0.0.1:9/x", timeout=1, max_bytes=100, user_agent=AGENT)


def test_ingest_by_url_stores_the_page(site, tmp_path):
    from threadwise import service

    db = f"sqlite:///{tmp_path / 'url.db'}"
    [outcome] = service.ingest([f"{site}/story.txt"], db=db)
    assert outcome.error is None and outcome.result.added == 10
    thread = service.get_thread(outcome.result.thread_id, db=db)
    assert thread.article.outlet == "The Northern Review"


# --- limits a hostile server cannot stretch ----------------------------------------------------------


class _Hostile(SimpleHTTPRequestHandler):
    """/slow trickles a byte every 0.2 s for a minute; /robots.txt is 50 MB whose only rule, disallowing
    /slow, comes after 600 KB (its bytes are counted as they are sent)."""

    robots_bytes_sent: ClassVar[int] = 0

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        try:
            if self.path == "/robots.txt":
                filler = b"# " + b"x" * 1000 + b"\n"
                for index in range(50_000):
                    line = b"User-agent: *\nDisallow: /slow\n" if index == 600 else filler
                    self.wfile.write(line)
                    type(self).robots_bytes_sent += len(line)
            else:
                for _ in range(300):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def hostile_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_timeout_is_a_deadline_for_the_whole_fetch_not_per_read(hostile_site):
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline of 2 s"):
        fetch(f"{hostile_site}/slow", timeout=2, max_bytes=1_000_000, user_agent=AGENT)
    assert time.monotonic() - started < 4  # each read came within the per-read timeout: only a deadline stops it


def test_robots_txt_is_read_up_to_its_cap_only(hostile_site):
    from threadwise.ingest.fetch import ROBOTS_MAX_BYTES

    # The rule past the cap is never read (as Google ignores it), so the page is fetched: and trickles.
    with pytest.raises(FetchError, match="deadline"):
        fetch(f"{hostile_site}/slow", timeout=2, max_bytes=1_000_000, user_agent=AGENT)
    time.sleep(0.5)  # let the server's writes block on the closed connection
    # What the kernel may buffer on loopback (send + receive maxima, autotuned under load) on top of the cap; the
    # server has 50 MB to send, so reading past the cap would show.
    buffers = sum(_tcp_buffer_max(name) for name in ("tcp_rmem", "tcp_wmem"))
    assert ROBOTS_MAX_BYTES + buffers < 50_000_000
    assert _Hostile.robots_bytes_sent < ROBOTS_MAX_BYTES + buffers


def _tcp_buffer_max(name: str) -> int:
    try:
        return int(Path(f"/proc/sys/net/ipv4/{name}").read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return 4 * 1024 * 1024
