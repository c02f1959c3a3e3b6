"""Talk to the server `make demo` leaves running, as a Perspective client and as Coral would.

    .venv/bin/python examples/try_demo_server.py [--base URL] [--key-file var/demo-key.txt]

The base URL defaults to the one `make demo` wrote to var/demo-url.txt (so `make demo DEMO_PORT=9000` needs
nothing more), else http://127.0.0.1:$DEMO_PORT (8080).

The Coral request is signed with the demo's secret (THREADWISE_CORAL_SECRETS in the Makefile), the way
Coral signs its external moderation requests (X-Coral-Signature, HMAC-SHA256 of the body).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import httpx

from threadwise.api.coral import SIGNATURE_HEADER, coral_signature

COMMENT = "The author is a paid propagandist and an idiot. Go back to Moscow."


URL_FILE = Path("var/demo-url.txt")


def default_base() -> str:
    if URL_FILE.is_file() and URL_FILE.read_text().strip():
        return URL_FILE.read_text().strip()
    return f"http://127.0.0.1:{os.environ.get('DEMO_PORT', '8080')}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default=default_base())
    parser.add_argument("--key-file", type=Path, default=Path("var/demo-key.txt"))
    parser.add_argument("--coral-secret", default=os.environ.get("DEMO_CORAL_SECRET", "demo-coral-secret"))
    args = parser.parse_args()
    if not args.key_file.is_file():
        sys.exit(f"no key at {args.key_file}: run `make demo` first (it writes the admin key there)")
    try:
        talk(args.base, args.key_file.read_text().strip(), args.coral_secret)
    except httpx.TransportError as error:
        sys.exit(f"no threadwise server answers at {args.base} ({error.__class__.__name__}): start it with "
                 "`make demo`, or pass --base (or DEMO_PORT) for the port it serves on")


def talk(base: str, key: str, coral_secret: str) -> None:
    """Send one Perspective request and one signed Coral request, and print both answers."""
    perspective = httpx.post(
        f"{base}/v1alpha1/comments:analyze", params={"key": key},
        json={"comment": {"text": COMMENT}, "requestedAttributes": {"TOXICITY": {}, "INSULT": {}},
              "spanAnnotations": True},
    )
    print(f"Perspective-compatible comments:analyze → {perspective.status_code}")
    print(json.dumps(perspective.json(), indent=2))

    body = json.dumps({
        "action": "NEW", "comment": {"body": COMMENT, "parentID": None},
        "author": {"id": "reader-1", "role": "COMMENTER"}, "story": {"id": "demo-story", "url": "https://example.org/op-ed"},
        "site": {"id": "demo-site"}, "tenantID": "demo-tenant", "tenantDomain": "example.org",
    }).encode()
    coral = httpx.post(f"{base}/coral/moderate", content=body, headers={
        "Content-Type": "application/json", SIGNATURE_HEADER: coral_signature(body, [coral_secret])})
    print(f"Coral external moderation phase → {coral.status_code}")
    print(json.dumps(coral.json(), indent=2) if coral.content else "(no body: no decision; Coral's settings apply)")


if __name__ == "__main__":
    main()
