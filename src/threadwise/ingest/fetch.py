"""Fetch a page by URL, politely: identify ourselves, honour robots.txt, time out, cap the size.

``timeout`` is a deadline for the whole fetch (robots.txt and the page together), not a limit per read:
a server that trickles a byte a second is cut off when the deadline passes (it is checked after every
read, and each request's reads may wait no longer than the time left when it started, so even a server
that stalls outright is cut off within twice the deadline). robots.txt is read up to
``ROBOTS_MAX_BYTES`` (Google's limit, 500 KiB); rules past that are ignored, as Google ignores them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from threadwise.errors import FetchError, InputTooLarge

ROBOTS_MAX_BYTES = 500 * 1024


@dataclass(frozen=True)
class Fetched:
    url: str
    data: bytes
    content_type: str


class _Deadline:
    """Seconds left of one fetch; raises FetchError once none are."""

    def __init__(self, seconds: float, url: str) -> None:
        self.seconds = seconds
        self.url = url
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.ends - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"the fetch took longer than its deadline of {self.seconds:g} s", source=self.url,
                             fix="raise fetch_timeout (THREADWISE_FETCH_TIMEOUT), or save the page and ingest the file")
        return remaining

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.left())


def is_url(ref: str) -> bool:
    return urlsplit(ref).scheme in ("http", "https")


def fetch(url: str, *, timeout: float, max_bytes: int, user_agent: str) -> Fetched:
    """GET one page within ``timeout`` seconds in all; refuses what robots.txt disallows and stops reading
    past ``max_bytes``."""
    headers = {"User-Agent": user_agent, "Accept": "text/html,application/json,text/plain;q=0.9,*/*;q=0.5"}
    deadline = _Deadline(timeout, url)
    try:
        with httpx.Client(headers=headers, timeout=timeout, follow_redirects=True, max_redirects=5) as client:
            _check_robots(client, url, user_agent, deadline)
            return _download(client, url, max_bytes, deadline)
    except httpx.TimeoutException as error:
        deadline.left()  # the deadline's own message when it is what ran out
        raise FetchError(f"could not fetch: {error}", source=url) from error
    except httpx.HTTPError as error:
        raise FetchError(f"could not fetch: {error}", source=url) from error


def _check_robots(client: httpx.Client, url: str, user_agent: str, deadline: _Deadline) -> None:
    robots_url = urljoin(url, "/robots.txt")
    with client.stream("GET", robots_url, timeout=deadline.timeout()) as response:
        if response.status_code != 200:
            return  # no robots.txt (or not readable): nothing is disallowed
        text = _read_capped(response, ROBOTS_MAX_BYTES, deadline).decode("utf-8", "replace")
    robots = RobotFileParser()
    robots.parse(text.splitlines())
    if not robots.can_fetch(user_agent, url):
        raise FetchError("the site's robots.txt disallows fetching this page", source=url,
                         fix="save the page in a browser and ingest the file")


def _read_capped(response: httpx.Response, cap: int, deadline: _Deadline) -> bytes:
    """At most ``cap`` bytes of the body; the rest is never read."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        deadline.left()
        chunks.append(chunk[: cap - size])
        size += len(chunks[-1])
        if size >= cap:
            break
    return b"".join(chunks)


def _download(client: httpx.Client, url: str, max_bytes: int, deadline: _Deadline) -> Fetched:
    with client.stream("GET", url, timeout=deadline.timeout()) as response:
        if response.status_code >= 400:
            raise FetchError(f"server answered HTTP {response.status_code}", source=url)
        declared = int(response.headers.get("content-length") or 0)
        if declared > max_bytes:
            raise InputTooLarge(f"page is {declared:,} bytes, over the limit of {max_bytes:,}", source=url)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            deadline.left()
            size += len(chunk)
            if size > max_bytes:
                raise InputTooLarge(f"page is over the limit of {max_bytes:,} bytes", source=url)
            chunks.append(chunk)
        return Fetched(str(response.url), b"".join(chunks), response.headers.get("content-type", ""))
