"""The queue's tools over HTTP, on SQLite and PostgreSQL: per-story filter and text search, live arrivals, one
comment's own page, and the commenter drawer (ban, suspend, premoderate, lift, notes: appended, never changed).

test_web_browser_tools.py drives the same pages in Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from test_web import actor, item_html, sign_in
from test_web_fixtures import HOSTILE_THREAD, Web, hostile_thread, web_app
from threadwise.model import Article, Comment, Thread
from threadwise.moderation import premoderate, submit_comment
from threadwise.policy import load_policy
from threadwise.standing import standing_of
from threadwise.store import DecisionRequest, Store


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def web_module(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    with web_app(request, tmp_path_factory.mktemp("tools")) as web:
        yield web


@pytest.fixture
def web(web_module: Web) -> Web:
    web_module.client.cookies.clear()
    return web_module


def listed(page: str) -> list[str]:
    return re.findall(r'<article class="item[^"]*" id="item-([^"]+)"', page)


def store_held_comment(store: Store, thread_id: str, comment_id: str, text: str) -> None:
    """A new comment held by the policy, as pre-moderation stores one (without running the models)."""
    store.save_thread(Thread(Article(id=thread_id, title=f"Story {thread_id}"),
                             (Comment(id=comment_id, thread_id=thread_id, text=text, position=0),)))  # fmt: skip
    evidence = json.dumps({"rule": "insult", "action": "review", "label": "toxicity.insult", "score": 0.5,
                           "threshold": 0.45, "analyser": "toxicity", "analyser_version": "2.0.0", "spans": []})
    store.append_decisions([DecisionRequest(comment_id, "review", "policy:default@2", "insult", (evidence,))])


# --- filter and search --------------------------------------------------------------------------------------


def test_the_queue_filters_by_story_and_searches_the_text(web: Web) -> None:
    sign_in(web)
    everything = listed(web.client.get("/ui/queue", params={"state": "review"}).text)
    story = web.client.get("/ui/queue", params={"state": "review", "thread": HOSTILE_THREAD}).text
    in_story = listed(story)
    assert in_story and set(in_story) < set(everything)  # the example's held comments are left out
    assert all(web.store.queue_item(i).thread_id == HOSTILE_THREAD for i in in_story)
    assert f'<option value="{HOSTILE_THREAD}" selected>Council approves bike lanes</option>' in story
    counts = re.search(r'data-queue="review">review <span class="n">(\d+)</span>', story)
    assert counts and int(counts.group(1)) == web.store.queue_counts(HOSTILE_THREAD)["review"]
    assert f"state=review&amp;thread={HOSTILE_THREAD}" in story  # the queue tabs keep the story
    found = listed(web.client.get("/ui/queue", params={"state": "review", "q": "MORON"}).text)
    assert found and all("moron" in web.store.queue_item(i).comment.text.lower() for i in found)
    assert "c-reject" not in found  # "Shut up, you pathetic clown."
    # The search is for the words as typed: % and _ are characters, not patterns.
    assert listed(web.client.get("/ui/queue", params={"state": "review", "q": "%"}).text) == []
    assert listed(web.client.get("/ui/queue", params={"state": "review", "q": "_"}).text) == []
    assert "Nothing in this queue." in web.client.get("/ui/queue", params={"thread": "no-such-story"}).text


# --- live arrivals --------------------------------------------------------------------------------------


def test_comments_stored_after_the_page_arrive_by_polling_and_only_once(web: Web) -> None:
    sign_in(web)
    page = web.client.get("/ui/queue", params={"state": "review"}).text
    poll = re.search(r'<div id="arrivals" hx-get="([^"]+)" hx-trigger="every 5s"', page)
    assert poll, "the queue polls for new comments"
    url = poll.group(1).replace("&amp;", "&")
    nothing = web.client.get(url).text
    assert listed(nothing) == [] and 'data-arrived="0"' in nothing
    store_held_comment(web.store, "t-live", "c-live", "You are all clowns.")
    arrived = web.client.get(url).text
    assert listed(arrived) == ["c-live"]
    assert '<div hx-swap-oob="beforeend:#queue">' in arrived and "1 new comment arrived below." in arrived
    assert 'id="queue-counts" aria-label="queues" hx-swap-oob="true"' in arrived  # fresh counts too
    again = re.search(r'<div id="arrivals" hx-get="([^"]+)"', arrived)
    assert again and listed(web.client.get(again.group(1).replace("&amp;", "&")).text) == []  # asked from then on
    elsewhere = url.replace("state=review", "state=review&thread=bike-lanes")
    assert listed(web.client.get(elsewhere).text) == []  # another story's arrival is not this filter's
    assert web.client.get("/ui/queue/arrivals", params={"after": "yesterday"}).status_code == 422


# --- one comment's own page ----------------------------------------------------------------------------


def test_a_comment_has_its_own_page_with_a_link_into_its_thread(web: Web) -> None:
    sign_in(web)
    queue = web.client.get("/ui/queue", params={"state": "review"}).text
    assert '<a class="permalink" href="/ui/comments/c-reject"' in item_html(queue, "c-reject")
    page = web.client.get("/ui/comments/c-reject")
    assert page.status_code == 200 and listed(page.text) == ["c-reject"]
    assert f'href="/ui/threads/{HOSTILE_THREAD}/report#c-c-reject"' in page.text
    report = web.client.get(f"/ui/threads/{HOSTILE_THREAD}/report")
    assert report.status_code == 200 and 'id="c-c-reject"' in report.text  # the link lands on the comment
    # the report's own policy (only its inline script runs) with the UI's other security headers
    assert report.headers["content-security-policy"].startswith("default-src 'none'; script-src 'sha256-")
    assert report.headers["x-content-type-options"] == "nosniff" and report.headers["cache-control"] == "no-store"
    assert 'name="next" value="/ui/comments/c-reject"' in page.text  # deciding here comes back here
    missing = web.client.get("/ui/comments/nope")
    assert missing.status_code == 422 and "no stored comment has id" in missing.text


# --- the commenter drawer -------------------------------------------------------------------------------------


def test_the_drawer_is_the_commenter_page_as_a_fragment(web: Web) -> None:
    sign_in(web)
    queue = web.client.get("/ui/queue", params={"state": "review"}).text
    assert 'hx-get="/ui/commenter?key=id%3Asite%3Arepeater" hx-target="#drawer"' in queue
    assert '<aside id="drawer"' in queue and '<dialog id="keys-help"' in queue
    drawer = web.client.get("/ui/commenter", params={"key": "id:site:repeater"},
                            headers={"hx-request": "true", "hx-current-url": "http://x/ui/queue"}).text  # fmt: skip
    assert drawer.startswith('<section class="commenter"') and "<html" not in drawer
    assert "close-drawer" in drawer and "In good standing." in drawer


def test_ban_suspend_lift_and_notes_are_kept_in_order_and_refusals_store_nothing(web: Web) -> None:
    csrf = sign_in(web)
    key = "name:bike-lanes:counter"

    def act(**form: str) -> tuple[int, str]:
        answer = web.client.post("/ui/commenter/act", data={"csrf": csrf, "key": key, **form},
                                 headers={"hx-request": "true"})  # fmt: skip
        return answer.status_code, answer.text

    for refused, why in (({"action": "ban"}, "needs a note"), ({"action": "suspend", "note": "x"}, "1 to 365 days"),
                         ({"action": "suspend", "note": "x", "days": "400"}, "1 to 365 days"),
                         ({"action": "shadowban", "note": "x"}, "no action on a commenter")):  # fmt: skip
        status, text = act(**refused)
        assert status == 409 and why in text, refused
    assert web.store.author_actions(key) == []
    assert act(action="note", note="argues in good faith, rough tone")[0] == 200
    status, text = act(action="suspend", note="insults after a warning", days="7")
    assert status == 200 and "suspended until" in text and f"by {actor(web, 'ann')}: insults after a warning" in text
    until = standing_of(web.store, key).by.until  # type: ignore[union-attr]
    assert until is not None and timedelta(days=6.99) < until - datetime.now(UTC) <= timedelta(days=7)
    assert act(action="lift", note="")[1].count("In good standing.") == 1
    status, text = act(action="ban", note="threats")
    assert status == 200 and "<strong>banned by" in text
    kept = web.store.author_actions(key)
    assert [a.action for a in kept] == ["note", "suspend", "lift", "ban"]  # appended, none changed
    assert all(a.actor == actor(web, "ann") for a in kept)
    record = text[text.index('<ol class="record"'):]
    assert record.index("ban") < record.index("lift") < record.index("suspend")  # newest first
    without_js = web.client.post("/ui/commenter/act", data={"csrf": csrf, "key": key, "action": "lift"})
    assert without_js.status_code == 303
    assert without_js.headers["location"] == "/ui/commenter?key=name%3Abike-lanes%3Acounter"
    no_token = web.client.post("/ui/commenter/act", data={"key": key, "action": "ban", "note": "x"})
    assert no_token.status_code == 403 and len(web.store.author_actions(key)) == 5
    anonymous = web.client.post("/ui/commenter/act", data={"csrf": csrf, "key": " ", "action": "note", "note": "x"})
    assert anonymous.status_code == 422 and "anonymous" in anonymous.text


def test_a_banned_commenters_new_comment_is_held_naming_the_ban(web: Web) -> None:
    web.store.add_author_action("id:site:repeater", "ban", "spam links", "ann")
    policy = load_policy(None)
    comment, suggestion = submit_comment(web.store, policy, HOSTILE_THREAD, "Thanks, a fair piece.", "repeater",
                                         author_id="site:repeater")  # fmt: skip
    assert suggestion.action == "review" and suggestion.reason == "the commenter is banned by ann: spam links"
    assert web.store.queue_item(comment.id).state == "review"
    web.store.add_author_action("id:site:repeater", "lift", "", "ann")
    comment, suggestion = submit_comment(web.store, policy, HOSTILE_THREAD, "Thanks again, a fair piece.", "repeater",
                                         author_id="site:repeater")  # fmt: skip
    assert suggestion.action == "approve"  # lifted: published as anyone's would be
    web.store.add_author_action("id:site:repeater", "premoderate", "", "ann")
    result = premoderate(web.store, policy, hostile_thread(), comment_ids=["c-repeat3"])  # a thread ingested again
    assert [s.reason for s in result.suggestions] == ["the commenter is premoderated by ann"]
    assert web.store.queue_item("c-repeat3").state == "review"


# --- why it is held ------------------------------------------------------------------------------------------


def test_a_group_name_among_the_words_is_said_to_name_a_group_not_to_be_abuse(web: Web) -> None:
    text = "Typical Muslims, always whining."  # the model's own reading: no span, "Muslims" carries 0.48
    web.store.save_thread(Thread(Article(id="t-group", title="Group"),
                                 (Comment(id="c-group", thread_id="t-group", text=text, position=0),)))  # fmt: skip
    evidence = json.dumps({"rule": "toxic", "action": "review", "label": "toxicity.toxicity", "score": 0.81,
                           "threshold": 0.8, "analyser": "toxicity", "analyser_version": "2.0.0", "spans": [],
                           "carried_by": [[8, 15, 0.48], [24, 31, 0.36]]})  # fmt: skip
    web.store.append_decisions([DecisionRequest("c-group", "review", "policy:default@2", "toxic", (evidence,))])
    sign_in(web)
    item = item_html(web.client.get("/ui/queue", params={"thread": "t-group"}).text, "c-group")
    assert re.search(r'<mark class="carried"[^>]*>Muslims</mark>', item)
    assert ("“Muslims” 0.48 <em class=\"group\">(names a group: the score rests on who is named, the name is not "
            "itself abuse)</em>, “whining” 0.36.") in item  # fmt: skip
