"""The web UI over HTTP, on SQLite and PostgreSQL: sign-in, sessions, CSRF, escaping, decisions, refusals.

The real app (``create_app``) serves a database seeded through pre-moderation; the browser tests
(test_web_browser.py) drive the same pages in Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_web_fixtures import HOSTILE_AUTHOR, XSS, Web, web_app
from threadwise.analysers.toxicity import ToxicityAnalyser
from threadwise.api.auth import actor_of, revoke_key
from threadwise.model import Article, Comment, Thread
from threadwise.moderation import audit_log
from threadwise.store import DecisionRequest
from threadwise.web.highlight import Mark, marks_from_evidence, segments
from threadwise.web.routes import FOCUS_CLAIM_SECONDS, safe_next


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def web_module(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    with web_app(request, tmp_path_factory.mktemp("web")) as web:
        yield web


@pytest.fixture
def web(web_module: Web) -> Web:
    web_module.client.cookies.clear()  # every test starts signed out
    return web_module


def sign_in(web: Web, name: str = "ann") -> str:
    """Sign in as ``name``; returns the session's CSRF token, as the queue page carries it."""
    answer = web.client.post("/ui/login", data={"key": web.keys[name], "next": "/ui/queue"})
    assert answer.status_code == 303, answer.text
    queue = web.client.get("/ui/queue")
    assert queue.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', queue.text)
    assert found
    return found.group(1)


def actor(web: Web, name: str) -> str:
    """How the audit log names the person holding the seeded key ``name``."""
    return actor_of(web.keys[name].split("_")[1], name)


def decisions_of(web: Web, comment_id: str) -> list[tuple[str, str, str]]:
    return [(d.actor, d.action, d.reason) for d in audit_log(web.store, comment_id)]


# --- highlighting (no server) ------------------------------------------------------------------------


def test_segments_cut_at_every_span_boundary_and_merge_shared_marks() -> None:
    insult = Mark("insult", "toxicity.insult", "insult", 0.9, 0.6)
    toxic = Mark("toxic", "toxicity.toxicity", "insult", 0.95, 0.8)
    cut = segments("you stupid moron!", [(4, 10, insult), (4, 16, toxic), (4, 10, toxic)])
    assert [(s.text, [m.rule for m in s.marks]) for s in cut] == [
        ("you ", []), ("stupid", ["insult", "toxic"]), (" moron", ["toxic"]), ("!", []),
    ]  # fmt: skip
    assert cut[1].rules == "insult toxic" and cut[1].score == "0.95"
    assert "insult: score 0.90, held from 0.60" in cut[1].title and "toxicity." not in cut[1].title
    assert cut[1].labels == "insult, rude or disrespectful"  # plain names, never toxicity.toxicity
    assert "".join(s.text for s in cut) == "you stupid moron!"


def test_segments_clip_spans_outside_the_text_and_keep_markup_as_text() -> None:
    mark = Mark("r", "toxicity.insult", "", None, None)
    cut = segments("<b>x</b>", [(3, 99, mark), (50, 60, mark), (-5, 0, mark)])
    assert [(s.text, bool(s.marks)) for s in cut] == [("<b>", False), ("x</b>", True)]
    evidence = [{"rule": "insult", "label": "toxicity.insult", "score": 0.7, "threshold": 0.6, "spans": [[0, 3, "x"]]},
                {"ref": "a moderator's note"}]  # fmt: skip
    assert [(s, e, m.rule) for s, e, m in marks_from_evidence(evidence)] == [(0, 3, "insult")]


def test_next_only_leads_to_this_ui() -> None:
    assert safe_next("/ui/queue?state=review") == "/ui/queue?state=review"
    for outside in ("https://evil.example/", "//evil.example/ui/", "/ui/\\evil", "javascript:alert(1)", ""):
        assert safe_next(outside) == "/ui/queue"


# --- signing in ----------------------------------------------------------------------------------------


def test_pages_need_a_session(web: Web) -> None:
    for path in ("/ui/queue", "/ui/audit", "/ui/policy"):
        answer = web.client.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login?next=%2Fui%2F")
    assert web.client.get("/ui/login").status_code == 200
    back = web.client.get("/ui/queue?state=review").headers["location"]
    assert back == "/ui/login?next=%2Fui%2Fqueue%3Fstate%3Dreview"  # back to the same tab after signing in
    web.client.cookies.set("tw_session", "eyJraWQiOiJmb3JnZWQifQ.forged.signature", path="/ui")
    assert web.client.get("/ui/queue").status_code == 303  # a forged cookie is no session
    from_htmx = web.client.post("/ui/items/c-fine/decision", headers={"hx-request": "true"}, data={"action": "approve"})
    assert from_htmx.status_code == 401 and from_htmx.headers["hx-redirect"] == "/ui/login"


def test_sign_in_sets_a_hardened_cookie_holding_no_key(web: Web) -> None:
    answer = web.client.post("/ui/login", data={"key": web.keys["ann"], "next": "/ui/audit"})
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/audit"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/ui" in cookie
    assert web.keys["ann"] not in cookie and web.keys["ann"].split("_", 2)[2] not in cookie  # the secret may hold "_"
    page = web.client.get("/ui/queue")
    assert page.status_code == 200 and "ann (moderator)" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_sign_in_refuses_wrong_keys_and_roles(web: Web) -> None:
    wrong = web.client.post("/ui/login", data={"key": "tw_00000000_nope"})
    assert wrong.status_code == 401 and "TW-E141" in wrong.text and "set-cookie" not in wrong.headers
    reader = web.client.post("/ui/login", data={"key": web.keys["reader"]})
    assert reader.status_code == 403 and "TW-E142" in reader.text and "set-cookie" not in reader.headers


def test_revoking_the_key_ends_its_sessions(web: Web) -> None:
    key_id = web.keys["bob"].split("_")[1]
    sign_in(web, "bob")
    revoke_key(web.store, key_id)
    assert web.client.get("/ui/queue").status_code == 303
    assert web.client.post("/ui/login", data={"key": web.keys["bob"]}).status_code == 401


def test_sign_out_needs_the_token_and_ends_the_session(web: Web) -> None:
    csrf = sign_in(web)
    assert web.client.post("/ui/logout", data={}).status_code == 403
    answer = web.client.post("/ui/logout", data={"csrf": csrf})
    assert answer.status_code == 303 and 'tw_session=""' in answer.headers["set-cookie"]


# --- decisions -----------------------------------------------------------------------------------------


def test_a_post_without_the_token_or_from_another_site_stores_nothing(web: Web) -> None:
    csrf = sign_in(web)
    before = decisions_of(web, "c-quote")
    no_token = web.client.post("/ui/items/c-quote/decision", data={"action": "approve"})
    assert no_token.status_code == 403 and "TW-E143" in no_token.text
    other_site = web.client.post("/ui/items/c-quote/decision", data={"action": "approve", "csrf": csrf},
                                 headers={"origin": "https://evil.example"})  # fmt: skip
    assert other_site.status_code == 403
    opaque = web.client.post("/ui/items/c-quote/decision", data={"action": "approve", "csrf": csrf},
                             headers={"origin": "null"})  # a sandboxed frame or data: page  # fmt: skip
    assert opaque.status_code == 403
    assert decisions_of(web, "c-quote") == before


def test_sign_in_refuses_an_opaque_origin(web: Web) -> None:
    answer = web.client.post("/ui/login", data={"key": web.keys["ann"]}, headers={"origin": "null"})
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_escalate_by_form_and_by_htmx(web: Web) -> None:
    csrf = sign_in(web)
    plain = web.client.post("/ui/items/c-quote/decision",
                            data={"action": "escalate", "csrf": csrf, "next": "/ui/queue?state=review"})  # fmt: skip
    assert plain.status_code == 303 and plain.headers["location"] == "/ui/queue?state=review"
    assert decisions_of(web, "c-quote")[-1] == (actor(web, "ann"), "escalate", "")
    fragment = web.client.post("/ui/items/c-quote/decision", headers={"hx-request": "true"},
                               data={"action": "escalate", "reason": "needs an editor", "csrf": csrf})  # fmt: skip
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("<article")
    assert f"escalate by {actor(web, 'ann')}: needs an editor" in fragment.text
    assert 'data-action="approve"' in fragment.text and "data-just-decided" in fragment.text  # escalated: still open
    assert decisions_of(web, "c-quote")[-1] == (actor(web, "ann"), "escalate", "needs an editor")


def test_a_settled_item_leaves_the_queue_and_can_be_overturned(web: Web) -> None:
    csrf = sign_in(web)
    rejected = web.client.post("/ui/items/c-author1/decision", headers={"hx-request": "true"},
                               data={"action": "reject", "reason": "spam or repeated posting", "csrf": csrf})
    assert 'class="item state-rejected decided"' in rejected.text and 'class="decide' not in rejected.text
    listed = web.client.get("/ui/queue?state=rejected").text
    item = listed[listed.index('id="item-c-author1"'):]
    item = item[: item.index("</article>")]
    assert f"reject by {actor(web, 'ann')}: spam or repeated posting" in item and 'data-action="approve"' in item
    web.client.post("/ui/items/c-author1/decision", data={"action": "approve", "csrf": csrf})
    first, second = audit_log(web.store, "c-author1")[-2:]
    assert (first.action, second.action, second.supersedes) == ("reject", "approve", first.id)


def test_refusals_come_back_beside_the_item_and_store_nothing(web: Web) -> None:
    csrf = sign_in(web)
    before = decisions_of(web, "c-fine")
    no_reason = web.client.post("/ui/items/c-fine/decision", headers={"hx-request": "true"},
                                data={"action": "reject", "reason": " ", "csrf": csrf})  # fmt: skip
    assert no_reason.status_code == 409 and "TW-E082" in no_reason.text and 'id="item-c-fine"' in no_reason.text
    unknown = web.client.post("/ui/items/c-fine/decision", data={"action": "delete", "csrf": csrf})
    assert unknown.status_code == 409 and "TW-E081" in unknown.text
    missing = web.client.post("/ui/items/no-such-comment/decision", data={"action": "approve", "csrf": csrf})
    assert missing.status_code == 422 and "TW-E144" in missing.text
    nothing = web.client.post("/ui/bulk", data={"action": "approve", "csrf": csrf})
    assert nothing.status_code == 422 and "TW-E144" in nothing.text
    no_action = web.client.post("/ui/bulk", data={"ids": "c-fine", "csrf": csrf})
    assert no_action.status_code == 422 and "choose in the bulk bar" in no_action.text
    no_reason = web.client.post("/ui/bulk", data={"ids": ["c-fine", "c-quote"], "action": "reject", "csrf": csrf})
    assert no_reason.status_code == 409 and "TW-E082" in no_reason.text
    assert decisions_of(web, "c-fine") == before


def test_bulk_by_commenter_decides_only_their_open_comments_after_the_count_is_confirmed(web: Web) -> None:
    csrf = sign_in(web)
    assert [web.store.queue_item(c).state for c in ("c-repeat1", "c-repeat2", "c-repeat3")] == [
        "review", "review", "approved"]  # fmt: skip
    queue = web.client.get("/ui/queue").text
    assert 'href="/ui/commenter?key=id%3Asite%3Arepeater"' in queue and 'name="author"' not in queue
    page = web.client.get("/ui/commenter", params={"key": "id:site:repeater"}).text
    assert "Apply to the 2 open comments" in page and 'name="expected" value="2"' in page
    assert "Account site:repeater at the source" in page and page.count('<tr class="state-') == 3
    form = {"author_key": "id:site:repeater", "action": "reject", "reason": "spam or repeated posting", "csrf": csrf,
            "next": "/ui/queue"}  # fmt: skip
    unconfirmed = web.client.post("/ui/bulk", data=form)
    assert unconfirmed.status_code == 422 and "count confirmed" in unconfirmed.text
    stale = web.client.post("/ui/bulk", data={**form, "expected": "3"})
    assert stale.status_code == 409 and "not the 3 confirmed" in stale.text
    assert web.store.queue_item("c-repeat1").state == "review"  # nothing was decided
    answer = web.client.post("/ui/bulk", data={**form, "expected": "2"})
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/queue"
    for comment_id in ("c-repeat1", "c-repeat2"):
        assert decisions_of(web, comment_id)[-1] == (actor(web, "ann"), "reject", "spam or repeated posting")
    assert web.store.queue_item("c-repeat3").state == "approved"  # the published one stays published
    assert decisions_of(web, "c-repeat3")[-1][0].startswith("policy:")


def test_a_name_without_an_account_is_one_commenter_on_its_page_only(web: Web) -> None:
    sign_in(web)
    page = web.client.get("/ui/commenter", params={"key": "name:bike-lanes:heckler"}).text
    assert "Known by name on one page only" in page and page.count('<tr class="state-') == 2
    anonymous = web.client.get("/ui/commenter", params={"key": " "})
    assert anonymous.status_code == 422 and "anonymous" in anonymous.text


def test_a_comment_held_by_another_moderator_is_not_listed_or_decided(web: Web) -> None:
    assert web.store.claim("c-bulk2", "carol", ttl_seconds=600)
    try:
        csrf = sign_in(web)
        page = web.client.get("/ui/queue").text
        assert 'id="item-c-bulk1"' in page and 'id="item-c-bulk2"' not in page
        assert "being reviewed by other moderators" in page
        refused = web.client.post("/ui/items/c-bulk2/decision", data={"action": "approve", "csrf": csrf})
        assert refused.status_code == 409 and "TW-E083" in refused.text and "claimed by carol" in refused.text
        assert web.store.queue_item("c-bulk1").claim is None  # listing the queue claimed nothing for ann
    finally:
        web.store.release("c-bulk2", "carol")


def test_moving_to_a_comment_claims_it_briefly_for_that_moderator(web: Web) -> None:
    csrf = sign_in(web)
    assert web.client.post("/ui/items/c-fine/claim", data={"csrf": csrf}).status_code == 204
    claim = web.store.queue_item("c-fine").claim
    assert claim is not None and claim.moderator == actor(web, "ann")
    assert (claim.expires_at - claim.claimed_at).total_seconds() == FOCUS_CLAIM_SECONDS
    assert not web.store.claim("c-fine", "carol")
    web.store.release("c-fine", actor(web, "ann"))
    assert web.store.claim("c-fine", "carol", ttl_seconds=60)
    try:
        assert web.client.post("/ui/items/c-fine/claim", data={"csrf": csrf}).status_code == 409
        assert web.client.post("/ui/items/c-fine/claim", data={"csrf": "forged"}).status_code == 403
    finally:
        web.store.release("c-fine", "carol")


def test_a_decision_swaps_in_fresh_queue_counts(web: Web) -> None:
    csrf = sign_in(web)
    before = web.store.queue_counts()
    fragment = web.client.post("/ui/items/c-count/decision", headers={"hx-request": "true"},
                               data={"action": "escalate", "reason": "", "csrf": csrf})  # fmt: skip
    after = web.store.queue_counts()
    assert after["escalated"] == before["escalated"] + 1
    nav = fragment.text[fragment.text.index('id="queue-counts"'):]
    assert 'hx-swap-oob="true"' in nav and f'escalated <span class="n">{after["escalated"]}</span>' in nav


def test_escalated_comments_have_a_queue_of_their_own(web: Web) -> None:
    csrf = sign_in(web)
    assert 'id="item-c-escalate"' in web.client.get("/ui/queue").text
    web.client.post("/ui/items/c-escalate/decision", data={"action": "escalate", "csrf": csrf})
    escalated = web.client.get("/ui/queue?state=escalated").text
    assert 'id="item-c-escalate"' in escalated and "a senior moderator approves or rejects them" in escalated
    assert 'id="item-c-escalate"' not in web.client.get("/ui/queue?state=review").text
    assert 'id="item-c-escalate"' not in web.client.get("/ui/queue").text  # out of the everyday queue


def test_reported_items_show_each_readers_reason_and_the_count(web: Web) -> None:
    sign_in(web)
    reported = web.client.get("/ui/queue?state=reported").text
    item = reported[reported.index('id="item-c-flagged"'):]
    item = item[: item.index("</article>")]
    assert "Reported 2 times" in item and "<li>personal attack" in item and "(reader-2)" in item
    assert "<li>harassment</li>" in item


def test_statement_of_reasons_is_saved_then_sent_from_the_item(web: Web) -> None:
    csrf = sign_in(web)
    web.client.post("/ui/items/c-statement/decision", data={"action": "reject", "reason": "spam or repeated posting",
                                                         "csrf": csrf})  # fmt: skip
    listed = web.client.get("/ui/queue?state=rejected").text
    item = listed[listed.index('id="item-c-statement"'):]
    item = item[: item.index("</article>")]
    assert "Ground: spam or repeated posting." in item and "under our rule" not in item
    decision_id = audit_log(web.store, "c-statement")[-1].id
    base = {"csrf": csrf, "decision_id": decision_id, "next": "/ui/queue?state=rejected"}
    saved = web.client.post("/ui/items/c-statement/statement", headers={"hx-request": "true"},
                            data={**base, "text": "Removed: repeated posting.", "send": "0"})  # fmt: skip
    assert saved.status_code == 200 and "Saved by ann" in saved.text and "Removed: repeated posting." in saved.text
    sent = web.client.post("/ui/items/c-statement/statement", data={**base, "text": "Removed as spam.", "send": "1"})
    assert sent.status_code == 303
    assert [(s.status, s.text) for s in web.store.statements("c-statement")] == [
        ("saved", "Removed: repeated posting."), ("sent", "Removed as spam.")]  # fmt: skip
    stale = web.client.post("/ui/items/c-statement/statement", data={**base, "decision_id": "old", "text": "x",
                                                                   "send": "1"})  # fmt: skip
    assert stale.status_code == 409 and "decided again" in stale.text


# --- pages -----------------------------------------------------------------------------------------------


def test_hostile_text_is_escaped_everywhere(web: Web) -> None:
    csrf = sign_in(web)
    page = web.client.get("/ui/queue?state=reported").text
    assert "&lt;script&gt;window.__pwned" in page and "&lt;i onmouseover=" in page
    assert "<script>window" not in page and 'href="javascript:' not in page and "<img src=x" not in page
    assert XSS not in page and HOSTILE_AUTHOR not in page
    # A moderator's own words are text too.
    reason = '<img src=x onerror="alert(1)"> off topic'
    decided = web.client.post("/ui/items/c-xss/decision", headers={"hx-request": "true"},
                              data={"action": "reject", "reason_other": reason, "reason": "spam", "csrf": csrf})
    assert decided.status_code == 200 and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; off topic" in decided.text
    statement = decided.text[decided.text.index('<textarea name="text" aria-label="statement of reasons"'):]
    assert statement.startswith('<textarea name="text" aria-label="statement of reasons" rows="5">Your comment was '
                                "removed")  # fmt: skip
    assert "&lt;img" in statement[: statement.index("</textarea>")]  # the draft quotes the reason, escaped
    assert decisions_of(web, "c-xss")[-1] == (actor(web, "ann"), "reject", reason)  # the written reason wins
    audit = web.client.get("/ui/audit?comment=c-xss").text
    assert "&lt;img src=x" in audit and "<img src=x" not in audit


def test_queue_shows_evidence_context_and_history(web: Web) -> None:
    sign_in(web)
    page = web.client.get("/ui/queue?state=review").text
    item = page[page.index('id="item-c-reject"'):]
    item = item[: item.index("</article>")]
    assert re.search(r'<mark class="evidence" data-rule="[^"]*insult[^"]*"[^>]*>pathetic clown</mark>', item)
    assert "in reply to troll:</span> You stupid moron" in item  # the parent comment
    assert "troll: 1 other comment in 30 days" in item  # c-approve; the comment itself is not its history
    page += web.client.get("/ui/queue?state=escalated").text  # where c-quote is once an earlier test escalated it
    quote = page[page.index('id="item-c-quote"'):]
    assert "quotes the article (paragraph 1):</span> “approved the new bike lanes on Tuesday" in quote


def item_html(page: str, comment_id: str) -> str:
    item = page[page.index(f'id="item-{comment_id}"'):]
    return item[: item.index("</article>")]


def test_a_hold_without_a_marked_word_shows_the_words_that_carried_it(web: Web) -> None:
    sign_in(web)
    held = next(i for i in web.store.queue("review", limit=None) if "Nazi collaborator" in i.comment.text)
    item = item_html(web.client.get("/ui/queue?state=review").text, held.comment.id)
    assert '<mark class="evidence"' not in item  # the model marked no word of it ...
    carried = re.findall(r'<mark class="carried" data-rule="[\w-]+"[^>]*title="[^"]*without this word the score '
                         r'falls by 0\.\d\d \(from 0\.\d\d\)[^"]*">(\w+)</mark>', item)
    assert carried and all(word in held.comment.text for word in carried)  # ... but these carried it
    why = item[item.index('<ul class="why"'):]
    assert "<strong>toxic</strong> (review): rude or disrespectful 0.8" in why
    assert f"model toxicity {ToxicityAnalyser.version}" in why
    assert re.search(r"the words that carried the score .*“" + carried[0] + r"” 0\.\d\d", why)


def test_a_hold_on_a_score_with_no_word_at_all_says_so(web: Web) -> None:
    """Evidence stored before words were named (or a score no single word carries): the item says so plainly."""
    web.store.save_thread(Thread(Article(id="t-nospan", title="Quiet story"),
                                 (Comment(id="c-nospan", thread_id="t-nospan", text="Well, well, well.", position=0),)))
    evidence = json.dumps({"rule": "insult", "action": "review", "label": "toxicity.insult", "score": 0.5,
                           "threshold": 0.45, "analyser": "toxicity", "analyser_version": "2.0.0", "spans": []})
    web.store.append_decisions([DecisionRequest("c-nospan", "review", "policy:default@2", "insult", (evidence,))])
    sign_in(web)
    item = item_html(web.client.get("/ui/queue?state=review").text, "c-nospan")
    assert "<mark" not in item
    assert "<strong>insult</strong> (review): insult 0.50 ≥ 0.45, model toxicity 2.0.0." in item
    assert "No word was marked and no single word carried the score" in item


def test_audit_and_policy_pages(web: Web) -> None:
    sign_in(web)
    audit = web.client.get("/ui/audit?comment=c-approve").text
    assert "policy:default@4" in audit and "c-approve" in audit and "c-bulk1" not in audit
    policy = web.client.get("/ui/policy").text
    for rule in ("threat", "severe-toxicity", "identity-attack", "insult", "toxic"):
        assert f"<td>{rule}</td>" in policy
    assert "never stance" in policy
    assert web.client.get("/ui/queue?state=nonsense").status_code == 422


def test_static_files_ship_with_the_package() -> None:
    static = Path(__file__).resolve().parents[1] / "src" / "threadwise" / "web" / "static"
    assert (static / "vendor" / "htmx.min.js").read_text(encoding="utf-8").startswith("var htmx=function()")
    assert "2.0.11" in (static / "vendor" / "README.md").read_text(encoding="utf-8")
