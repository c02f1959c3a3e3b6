"""The /v1 routes over HTTP on SQLite and PostgreSQL: roles, pre-moderation, queue, decisions, audit,
and bad input answered in the one envelope with nothing stored half-way.

The real app runs with the real analysers and policy; the pipeline loads once per process.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from conftest import EXAMPLE
from test_api import assert_envelope
from threadwise.api import ApiSettings, create_app
from threadwise.api.auth import ROLES, actor_of, create_key
from threadwise.store import Store

INSULT = "You are a pathetic idiot and a moron, shut up."


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]  # role -> raw key; the moderator keys are named ana and ben
    store: Store

    def as_(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def open_api(url: str, **settings: object) -> Iterator[Api]:
    app = create_app(ApiSettings(db=url, rate_per_minute=0, **settings))  # type: ignore[arg-type]
    with TestClient(app) as client:
        store: Store = app.state.store
        keys = {role: create_key(store, role, f"{role}-key")[0] for role in ROLES}
        keys["moderator"] = create_key(store, "moderator", "ana")[0]
        keys["moderator2"] = create_key(store, "moderator", "ben")[0]
        yield Api(client, keys, store)


@pytest.fixture
def api(store_url: str) -> Iterator[Api]:
    yield from open_api(store_url)


def ingest_example(api: Api) -> str:
    body = {"content": EXAMPLE.read_text(encoding="utf-8"), "source": "op-ed-ceasefire.txt"}
    response = api.client.post("/v1/threads", json=body, headers=api.as_("ingest"))
    assert response.status_code == 201, response.text
    return str(response.json()["thread_id"])


# --- auth --------------------------------------------------------------------------------------------


def test_every_route_needs_a_valid_key_of_an_admitted_role(api: Api) -> None:
    assert_envelope(api.client.get("/v1/threads"), 401, "TW-E090")
    assert_envelope(api.client.get("/v1/threads", headers={"X-API-Key": "tw_00000000_nope"}), 401, "TW-E091")
    assert api.client.get("/v1/threads").headers["www-authenticate"] == "Bearer"
    for role in ROLES:  # every role reads, by either header
        assert api.client.get("/v1/threads", headers={"X-API-Key": api.keys[role]}).status_code == 200
    thread = ingest_example(api)
    submit = {"text": "A fair point, well made."}
    refused = api.client.post(f"/v1/threads/{thread}/comments", json=submit, headers=api.as_("read-only"))
    assert_envelope(refused, 403, "TW-E092")
    assert "read-only" in refused.json()["error"]["message"]
    decide = {"action": "approve"}
    comment = api.client.get("/v1/queue", headers=api.as_("read-only")).json()["items"][0]["comment"]["id"]
    assert_envelope(api.client.post(f"/v1/comments/{comment}/decision", json=decide, headers=api.as_("ingest")),
                    403, "TW-E092")
    assert api.client.post(f"/v1/comments/{comment}/decision", json=decide, headers=api.as_("admin")).status_code == 201
    assert_envelope(api.client.get("/v1/webhooks/deliveries", headers=api.as_("moderator")), 403, "TW-E092")
    assert api.client.get("/v1/webhooks/deliveries", headers=api.as_("admin")).json() == []


def test_a_revoked_key_is_refused_from_the_next_request(api: Api) -> None:
    headers = api.as_("read-only")
    assert api.client.get("/v1/queue", headers=headers).status_code == 200
    key_id = api.keys["read-only"].split("_")[1]
    api.store.revoke_api_key(key_id)
    response = api.client.get("/v1/queue", headers=headers)
    assert_envelope(response, 401, "TW-E091")
    assert "revoked" in response.json()["error"]["message"]


def test_rate_limit_answers_429_with_retry_after(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/rate.db"
    app = create_app(ApiSettings(db=url, rate_per_minute=1, rate_burst=2))
    with TestClient(app) as client:
        raw, _ = create_key(app.state.store, "read-only")
        other, _ = create_key(app.state.store, "read-only")
        headers = {"X-API-Key": raw}
        assert [client.get("/v1/queue", headers=headers).status_code for _ in range(2)] == [200, 200]
        limited = client.get("/v1/queue", headers=headers)
        assert_envelope(limited, 429, "TW-E093")
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/v1/queue", headers={"X-API-Key": other}).status_code == 200  # per key


# --- pre-moderation, queue, decisions ---------------------------------------------------------------------


def test_submit_queue_claim_decide_and_audit(api: Api) -> None:
    thread = ingest_example(api)
    listed = api.client.get("/v1/threads", headers=api.as_("read-only")).json()
    assert [t["id"] for t in listed] == [thread] and listed[0]["comment_count"] == 10

    submitted = api.client.post(f"/v1/threads/{thread}/comments", json={"text": INSULT, "author": "troll"},
                                headers=api.as_("ingest"))
    assert submitted.status_code == 201, submitted.text
    body = submitted.json()
    comment = body["comment"]["id"]
    assert body["suggestion"]["action"] == "review" and body["state"] == "review"
    spans = [s for m in body["suggestion"]["matches"] for s in m["spans"]]
    assert any("idiot" in INSULT[s["start"]:s["end"]] for s in spans)  # the evidence is the insult
    assert "held for review" in body["statement_of_reasons"]

    polite = api.client.post(f"/v1/threads/{thread}/comments", headers=api.as_("ingest"),
                             json={"text": "I see the point about the grain deal; thanks for the figures."})
    assert polite.json()["suggestion"]["action"] == "approve" and polite.json()["state"] == "approved"

    found = api.client.get(f"/v1/threads/{thread}/findings", headers=api.as_("read-only")).json()["findings"]
    assert any(f["analyser"] == "toxicity" for f in found[comment])

    ana, ben = api.as_("moderator"), api.as_("moderator2")
    as_ana = actor_of(api.keys["moderator"].split("_")[1], "ana")  # name and key id: two keys never blur
    claimed = api.client.post(f"/v1/comments/{comment}/claim", json={"ttl_seconds": 600}, headers=ana)
    assert claimed.status_code == 200 and claimed.json()["claim"]["moderator"] == as_ana
    assert_envelope(api.client.post(f"/v1/comments/{comment}/claim", json={}, headers=ben), 409, "TW-E083")
    assert_envelope(api.client.post(f"/v1/comments/{comment}/decision", json={"action": "approve"}, headers=ben),
                    409, "TW-E083")
    assert_envelope(api.client.post(f"/v1/comments/{comment}/decision", json={"action": "reject"}, headers=ana),
                    422, "TW-E082")
    decided = api.client.post(f"/v1/comments/{comment}/decision", headers=ana,
                              json={"action": "reject", "reason": "personal insult"})
    assert decided.status_code == 201 and decided.json()["state"] == "rejected"
    assert decided.json()["actor"] == as_ana

    audit = api.client.get("/v1/audit", params={"comment_id": comment}, headers=api.as_("read-only")).json()
    actors = [d["actor"] for d in audit["decisions"]]
    assert actors[0].startswith("policy:default@") and actors[-1] == as_ana and audit["total"] == 2
    assert audit["decisions"][0]["evidence"][0]["rule"] in ("insult", "toxic")

    queue = api.client.get("/v1/queue", params={"state": "rejected"}, headers=api.as_("read-only")).json()
    assert [i["comment"]["id"] for i in queue["items"]] == [comment] and queue["counts"]["rejected"] == 1
    item = api.client.get(f"/v1/comments/{comment}", headers=api.as_("read-only")).json()
    assert item["decision"]["reason"] == "personal insult" and item["claim"] is None


def test_ingest_with_premoderation_queues_and_bulk_decides(api: Api) -> None:
    body = {"content": EXAMPLE.read_text(encoding="utf-8"), "source": "op-ed.txt", "premoderate": True}
    done = api.client.post("/v1/threads", json=body, headers=api.as_("ingest")).json()
    assert done["premoderated"] == done["comments"] and sum(done["suggestions"].values()) == done["comments"]
    queue = api.client.get("/v1/queue", params={"state": "approved", "limit": 2}, headers=api.as_("moderator"))
    ids = [i["comment"]["id"] for i in queue.json()["items"]]
    assert len(ids) == 2
    bulk = api.client.post("/v1/decisions/bulk", headers=api.as_("moderator"),
                           json={"action": "escalate", "comment_ids": ids, "reason": "second look"})
    assert bulk.status_code == 201 and [d["state"] for d in bulk.json()["decisions"]] == ["escalated", "escalated"]
    neither = api.client.post("/v1/decisions/bulk", json={"action": "approve"}, headers=api.as_("moderator"))
    assert_envelope(neither, 422, "TW-E080")


def test_reader_reports_and_bulk_by_commenter_follow_the_account_id(api: Api) -> None:
    thread = ingest_example(api)
    ingest, moderator = api.as_("ingest"), api.as_("moderator")
    made = [api.client.post(f"/v1/threads/{thread}/comments", headers=ingest,
                            json={"text": text, "author": name, "author_id": "acct-9"}).json()["comment"]["id"]
            for text, name in ((INSULT, "zed"), ("You are a moron and a liar.", "zed (new name)"))]  # fmt: skip
    other = api.client.post(f"/v1/threads/{thread}/comments", headers=ingest,
                            json={"text": INSULT, "author": "zed"}).json()["comment"]["id"]  # no account: not zed
    item = api.client.get(f"/v1/comments/{made[0]}", headers=moderator).json()
    assert item["author_key"] == "id:acct-9" and item["author_id"] == "acct-9"
    reported = api.client.post(f"/v1/comments/{other}/reports", headers=ingest,
                               json={"reason": "insults another reader", "reporter": "r-1"})
    assert reported.status_code == 201 and reported.json()["state"] == "reported"
    assert api.client.get(f"/v1/comments/{other}", headers=moderator).json()["report_count"] == 1
    assert_envelope(api.client.post(f"/v1/comments/{other}/reports", headers=ingest, json={"reason": ""}),
                    422, "TW-E060")
    stale = {"action": "reject", "reason": "abuse", "author_key": "id:acct-9", "expected": 5}
    assert_envelope(api.client.post("/v1/decisions/bulk", headers=moderator, json=stale), 422, "TW-E080")
    bulk = api.client.post("/v1/decisions/bulk", headers=moderator, json={**stale, "expected": 2})
    assert bulk.status_code == 201 and sorted(d["comment_id"] for d in bulk.json()["decisions"]) == sorted(made)
    assert api.client.get(f"/v1/comments/{other}", headers=moderator).json()["state"] == "reported"


# --- bad input -----------------------------------------------------------------------------------------


def test_bad_input_is_refused_in_the_envelope_and_nothing_is_stored(api: Api) -> None:
    thread = ingest_example(api)
    before = api.client.get("/v1/queue", params={"limit": 500}, headers=api.as_("read-only")).json()["counts"]
    ingest, post = api.as_("ingest"), api.client.post
    url = f"/v1/threads/{thread}/comments"
    assert_envelope(post(url, content=b'{"text": "hi"', headers={**ingest, "content-type": "application/json"}),
                    400, "TW-E061")
    wrong_type = post(url, json={"text": ["not", "text"]}, headers=ingest)
    assert_envelope(wrong_type, 422, "TW-E060")
    assert "text" in wrong_type.json()["error"]["message"]
    unknown = post(url, json={"text": "hello", "colour": "red"}, headers=ingest)
    assert_envelope(unknown, 422, "TW-E060")
    assert "colour" in unknown.json()["error"]["message"]
    assert_envelope(post(url, json={"text": ""}, headers=ingest), 422, "TW-E060")
    assert_envelope(post(url, json={"text": "x" * 2_000_000}, headers=ingest), 413, "TW-E064")
    orphan = post(url, json={"text": "a reply", "parent_id": "no-such-comment"}, headers=ingest)
    assert_envelope(orphan, 422, "TW-E011")
    assert_envelope(post("/v1/threads/ffffffffffff/comments", json={"text": "hi"}, headers=ingest), 404, "TW-E021")
    assert_envelope(api.client.get("/v1/comments/nope", headers=ingest), 404, "TW-E022")
    assert_envelope(post("/v1/comments/nope/decision", json={"action": "approve"}, headers=api.as_("moderator")),
                    404, "TW-E022")
    assert_envelope(post("/v1/comments/nope/decision", json={"action": "delete"}, headers=api.as_("moderator")),
                    422, "TW-E060")
    assert_envelope(post("/v1/threads", json={"content": "\x00\x01\x02binary"}, headers=ingest), 422, "TW-E002")
    assert_envelope(api.client.get("/v1/queue", params={"state": "limbo"}, headers=ingest), 422, "TW-E080")
    after = api.client.get("/v1/queue", params={"limit": 500}, headers=api.as_("read-only")).json()["counts"]
    assert after == before  # not one comment or decision was stored by any of these
    assert len(api.client.get("/v1/threads", headers=ingest).json()) == 1
    ok = post(url, json={"text": "Still serving after all that."}, headers=ingest)
    assert ok.status_code == 201


def test_openapi_documents_the_routes_and_key_schemes(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    for path in ("/v1/threads", "/v1/threads/{thread_id}/comments", "/v1/queue", "/v1/audit",
                 "/v1/comments/{comment_id}/decision", "/coral/moderate", "/v1alpha1/comments:analyze"):
        assert path in schema["paths"], path
    assert {"HTTPBearer", "APIKeyHeader"} <= set(schema["components"]["securitySchemes"])
