"""Fetch a page by URL, politely: identify ourselves, honour robots.txt, time out, cap the size."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from threadwise.errors import FetchError, InputTooLarge


@dataclass(frozen=True)
class Fetched:
    url: str
    data: bytes
    content_type: str


def is_url(ref: str) -> bool:
    return urlsplit(ref).scheme in ("http", "https")


def fetch(url: str, *, timeout: float, max_bytes: int, user_agent: str) -> Fetched:
    """GET one page; refuses what robots.txt disallows and stops reading past ``max_bytes``."""
    headers = {"User-Agent": user_agent, "Accept": "text/html,application/json,text/plain;q=0.9,*/*;q=0.5"}
    try:
        with httpx.Client(headers=headers, timeout=timeout, follow_redirects=True, max_redirects=5) as client:
            _check_robots(client, url, user_agent)
            return _download(client, url, max_bytes)
    except httpx.HTTPError as error:
        raise FetchError(f"could not fetch: {error}", source=url) from error


def _check_robots(client: httpx.Client, url: str, user_agent: str) -> None:
    response = client.get(urljoin(url, "/robots.txt"))
    if response.status_code != 200:
        return  # no robots.txt (or not readable): nothing is disallowed
    robots = RobotFileParser()
    robots.parse(response.text.splitlines())
    if not robots.can_fetch(user_agent, url):
        raise FetchError("the site's robots.txt disallows fetching this page", source=url,
                         fix="save the page in a browser and ingest the file")


def _download(client: httpx.Client, url: str, max_bytes: int) -> Fetched:
    with client.stream("GET", url) as response:
        if response.status_code >= 400:
            raise FetchError(f"server answered HTTP {response.status_code}", source=url)
        declared = int(response.headers.get("content-length") or 0)
        if declared > max_bytes:
            raise InputTooLarge(f"page is {declared:,} bytes, over the limit of {max_bytes:,}", source=url)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise InputTooLarge(f"page is over the limit of {max_bytes:,} bytes", source=url)
            chunks.append(chunk)
        return Fetched(str(response.url), b"".join(chunks), response.headers.get("content-type", ""))
