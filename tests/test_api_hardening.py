"""The API against the reproductions of the hardening review: a client-named source that points at the
server's disk, lone surrogates in every text field, and bodies that are not UTF-8, nest too deeply or
come compressed. Each answers in the one envelope, with a code and the field or cause named.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from test_api import assert_envelope
from test_api_routes import INSULT, Api, ingest_example, open_api
from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import FAILURE_BURST, create_key

ANALYZE = "/v1alpha1/comments:analyze"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from open_api(f"sqlite:///{tmp_path_factory.mktemp('hardening') / 'api.db'}")


def post_raw(api: Api, path: str, raw: bytes, role: str = "admin", **headers: str) -> object:
    return api.client.post(path, content=raw, headers={**api.as_(role), "Content-Type": "application/json", **headers})


# --- fault 1: the server's disk is not the client's ----------------------------------------------------


def test_an_upload_naming_a_server_path_never_reads_the_file_there(api: Api, tmp_path: Path) -> None:
    (tmp_path / "internal.article.json").write_text(json.dumps({"title": "Internal memo", "text": "secret plans"}))
    for source in (str(tmp_path / "internal.csv"), f"{tmp_path}/../{tmp_path.name}/internal.csv"):
        body = {"content": "id,text\n1,probe\n", "source": source}
        made = api.client.post("/v1/threads", json=body, headers=api.as_("ingest"))
        assert made.status_code == 201, made.text
        thread = api.client.get(f"/v1/threads/{made.json()['thread_id']}", headers=api.as_("read-only")).text
        assert "Internal memo" not in thread and "secret plans" not in thread


# --- fault 5: lone surrogates --------------------------------------------------------------------------

LONE = "a\\ud800b"  # as the JSON escape travels on the wire


def surrogate_bodies(api: Api) -> list[tuple[str, str, str]]:
    thread = ingest_example(api)
    comment = api.client.get("/v1/queue", headers=api.as_("read-only")).json()["items"][0]["comment"]["id"]
    analyze = '{"comment": {"text": "%s"}, "requestedAttributes": {"TOXICITY": {}}%s}'
    return [  # (route, raw JSON body, the field the answer must name)
        (ANALYZE, analyze % (LONE, ""), "comment.text"),
        (ANALYZE, analyze % ("hello", f', "clientToken": "{LONE}"'), "clientToken"),
        (ANALYZE, analyze % ("hello", f', "requestedAttributes": {{"{LONE}": {{}}}}'), "requestedAttributes"),
        (f"/v1/threads/{thread}/comments", f'{{"text": "{INSULT}", "author": "{LONE}"}}', "author"),
        (f"/v1/threads/{thread}/comments", f'{{"text": "{LONE}"}}', "text"),
        ("/v1/threads", f'{{"content": "{LONE}", "source": "x.txt"}}', "content"),
        (f"/v1/comments/{comment}/decision", f'{{"action": "reject", "reason": "{LONE}"}}', "reason"),
        ("/v1/decisions/bulk", f'{{"action": "reject", "reason": "spam", "author": "{LONE}"}}', "author"),
    ]


def test_a_lone_surrogate_in_any_text_field_is_a_422_naming_the_field(api: Api) -> None:
    for route, raw, field in surrogate_bodies(api):
        answer = post_raw(api, route, raw.encode())
        assert_envelope(answer, 422, "TW-E060")  # type: ignore[arg-type]
        assert answer.json()["error"]["message"].startswith(field), (route, answer.text)  # type: ignore[attr-defined]


def test_a_surrogate_pair_is_ordinary_text(api: Api) -> None:
    raw = b'{"comment": {"text": "nice \\ud83d\\ude00"}, "requestedAttributes": {"TOXICITY": {}}, "clientToken": "t"}'
    answer = post_raw(api, ANALYZE, raw, role="read-only")
    assert answer.status_code == 200 and answer.json()["clientToken"] == "t"  # type: ignore[attr-defined]


# --- fault 10: a body that cannot be read says why -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "headers", "status", "code", "words"),
    [
        (b'{"comment": {"text": "\xff\xfe"}}', {}, 400, "TW-E061", "not UTF-8: byte 0xff at position 22"),
        (b"[" * 100_000 + b"]" * 100_000, {}, 400, "TW-E061", "nests arrays or objects too deeply"),
        (gzip.compress(b'{"comment": {"text": "hi"}}'), {"Content-Encoding": "gzip"}, 415, "TW-E066",
         "Content-Encoding: gzip"),
    ],
)  # fmt: skip
def test_an_unreadable_body_names_its_cause(
    api: Api, raw: bytes, headers: dict[str, str], status: int, code: str, words: str
) -> None:
    answer = post_raw(api, ANALYZE, raw, role="read-only", **headers)
    assert_envelope(answer, status, code)  # type: ignore[arg-type]
    assert words in answer.json()["error"]["message"]  # type: ignore[attr-defined]


# --- fault 10: refused keys are rate-limited per address -----------------------------------------------


def test_a_client_whose_keys_keep_failing_is_slowed_down(tmp_path: Path) -> None:
    # The default burst; a refill slow enough that a loaded test machine cannot refill it meanwhile.
    app = create_app(ApiSettings(db=f"sqlite:///{tmp_path / 'limits.db'}", refused_per_minute=0.01))
    with TestClient(app) as client:
        good = {"X-API-Key": create_key(app.state.store, "read-only")[0]}
        wrong = {"X-API-Key": "tw_00000000_guess"}
        for _ in range(FAILURE_BURST):
            assert_envelope(client.get("/v1/threads", headers=wrong), 401, "TW-E091")
        limited = client.get("/v1/threads", headers=wrong)
        assert_envelope(limited, 429, "TW-E093")
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/v1/threads", headers=good).status_code == 429  # no oracle while the bucket is empty
        login = client.post("/ui/login", data={"key": "tw_00000000_guess"})
        assert login.status_code == 401 and "too many refused keys" in login.text
