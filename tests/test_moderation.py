"""The moderation queue on SQLite and on PostgreSQL: claims, states, decisions, bulk, history, pre-moderation.

Everything is real: the ``store`` fixture (conftest.py) opens each database, and pre-moderation runs the
shipped analysers and the default policy.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import EXAMPLE
from threadwise.errors import (
    ClaimedByOther,
    CommentNotFound,
    InvalidAction,
    ModerationError,
    OrphanComment,
    ReasonRequired,
)
from threadwise.ingest import read_thread
from threadwise.model import Article, Comment, Decision, Thread, make_id
from threadwise.moderation import (
    audit_log,
    author_open_items,
    bulk_decide,
    decide,
    draft_reasons,
    evidence_items,
    open_page,
    premoderate,
    report_comment,
    submit_comment,
)
from threadwise.policy import load_policy
from threadwise.statements import draft_statement, save_statement
from threadwise.store import Store

NOW = datetime.now(UTC)


def authored_thread(thread_id: str, *authors: str, accounts: bool = True) -> Thread:
    """A thread whose i-th comment is by ``authors[i]``, written a minute apart, ending now; ``accounts``: each
    author has the account id ``site:NAME`` at the source (else the source gives names only)."""
    comments = tuple(
        Comment(id=make_id(thread_id, i), thread_id=thread_id, text=f"comment {i} by {author}", position=i,
                author=author, created_at=NOW - timedelta(minutes=len(authors) - i),
                author_id=f"site:{author}" if accounts else None)
        for i, author in enumerate(authors)
    )  # fmt: skip
    return Thread(Article(id=thread_id, title="A title"), comments)


def ids_in(store: Store, state: str, thread_id: str | None = None) -> list[str]:
    return [item.comment.id for item in store.queue(state, thread_id=thread_id, limit=None)]


@pytest.fixture
def thread(store: Store) -> Thread:
    saved = authored_thread("t1", "ann", "bob", "ann")
    store.save_thread(saved)
    return saved


# --- claims ------------------------------------------------------------------------------------------


def test_claim_is_exclusive_until_it_expires(store: Store, thread: Thread) -> None:
    first = thread.comments[0].id
    assert store.claim(first, "ann", ttl_seconds=1)
    assert not store.claim(first, "bob")
    assert store.claim(first, "ann", ttl_seconds=1)  # her own claim: refreshed
    assert store.queue_item(first).claim.moderator == "ann"  # type: ignore[union-attr]
    with pytest.raises(ClaimedByOther, match=f"comment {first} is claimed by ann"):
        decide(store, first, "bob", "approve")
    time.sleep(1.3)
    assert store.queue_item(first).claim is None  # expired: no longer shown as held
    assert store.claim(first, "bob", ttl_seconds=60)  # and taken over
    assert not store.claim(first, "ann")
    assert not store.release(first, "ann")  # only the holder releases
    assert store.release(first, "bob")
    assert store.claim(first, "ann")


def test_claim_race_has_exactly_one_winner(store: Store, thread: Thread) -> None:
    target = thread.comments[1].id
    moderators = [f"mod{i}" for i in range(8)]
    start = threading.Barrier(len(moderators))

    def race(moderator: str) -> bool:
        start.wait()
        return store.claim(target, moderator, ttl_seconds=60)

    with ThreadPoolExecutor(len(moderators)) as pool:
        won = list(pool.map(race, moderators))
    assert won.count(True) == 1
    assert store.queue_item(target).claim.moderator == moderators[won.index(True)]  # type: ignore[union-attr]


def test_deciding_ends_the_deciders_claim(store: Store, thread: Thread) -> None:
    first = thread.comments[0].id
    assert store.claim(first, "ann")
    decide(store, first, "ann", "approve")
    assert store.queue_item(first).claim is None
    assert store.claim(first, "bob")


def test_claim_of_unknown_comment_is_refused(store: Store, thread: Thread) -> None:
    with pytest.raises(CommentNotFound, match="nope") as caught:
        store.claim("nope", "ann")
    assert caught.value.code == "TW-E022"


# --- states and decisions --------------------------------------------------------------------------------


def test_queue_states_follow_decisions(store: Store, thread: Thread) -> None:
    first, second, third = (c.id for c in thread.comments)
    assert ids_in(store, "pending") == [first, second, third]
    decide(store, first, "ann", "escalate", "needs a second look")
    decide(store, second, "ann", "reject", "personal attack")
    store.add_report(third, "spam", reporter="reader9")
    states = (ids_in(store, "escalated"), ids_in(store, "rejected"), ids_in(store, "reported"), ids_in(store, "review"))
    assert states == ([first], [second], [third], [])  # escalated is a queue of its own, not "review"
    decide(store, third, "bob", "approve")  # deciding closes the report
    store.add_report(first, "insult")  # a report after the latest decision reopens it
    assert ids_in(store, "approved") == [third]
    assert ids_in(store, "reported") == [first]
    assert store.queue_counts("t1") == {"pending": 0, "review": 0, "escalated": 0, "reported": 1, "approved": 1,
                                        "rejected": 1}  # fmt: skip
    decide(store, first, "bob", "approve")
    assert ids_in(store, "approved") == [first, third]
    assert [r.reason for r in store.reports(first)] == ["insult"]


def test_queue_pages_and_filters_by_thread(store: Store, thread: Thread) -> None:
    store.save_thread(authored_thread("t2", "cat"))
    assert len(ids_in(store, "pending")) == 4
    assert ids_in(store, "pending", "t2") == [make_id("t2", 0)]
    page = store.queue("pending", limit=2, offset=1)
    assert [i.comment.id for i in page] == ids_in(store, "pending")[1:3]
    assert page[0].thread_id and page[0].comment.text.startswith("comment")


def test_decisions_are_appended_with_a_supersedes_chain(store: Store, thread: Thread) -> None:
    first = thread.comments[0].id
    made = [
        decide(store, first, "ann", "escalate", "unsure"),
        decide(store, first, "bob", "reject", "insults another reader", ["toxicity.insult"]),
        decide(store, first, "cat", "approve", "on appeal: sarcasm, not an insult"),
    ]
    log = audit_log(store, first)
    assert log == made
    assert [d.supersedes for d in log] == [None, made[0].id, made[1].id]
    assert [d.actor for d in log] == ["ann", "bob", "cat"]
    assert log[1].evidence == ("toxicity.insult",)
    assert store.queue_item(first).decision == made[2]
    assert audit_log(store) == made  # nothing else was decided


def test_reject_without_reason_is_refused_naming_the_comment(store: Store, thread: Thread) -> None:
    first = thread.comments[0].id
    with pytest.raises(ReasonRequired, match=first) as caught:
        decide(store, first, "ann", "reject", "   ")
    assert (caught.value.code, caught.value.source) == ("TW-E082", first)
    with pytest.raises(InvalidAction, match="'delete'"):
        decide(store, first, "ann", "delete", "gone")
    with pytest.raises(CommentNotFound):
        decide(store, "no-such-comment", "ann", "approve")
    assert audit_log(store) == []


def test_bulk_decide_by_author_decides_only_their_open_comments_across_threads(store: Store, thread: Thread) -> None:
    store.save_thread(authored_thread("t2", "bob", "ann", "ann"))
    ann = thread.comments[0].author_key
    assert ann == "id:site:ann"
    published, rejected = make_id("t2", 1), make_id("t2", 2)
    decide(store, published, "mod", "approve")
    decide(store, rejected, "mod", "reject", "insult")
    waiting = [i.comment.id for i in author_open_items(store, ann)]
    assert waiting == [thread.comments[0].id, thread.comments[2].id]  # oldest first; decided ones left out
    with pytest.raises(ReasonRequired):
        bulk_decide(store, "mod", "reject", author_key=ann, expected=2)
    with pytest.raises(ModerationError, match="now has 2 open comments, not the 3 confirmed"):
        bulk_decide(store, "mod", "reject", "spam run", author_key=ann, expected=3)
    assert store.queue_item(published).state == "approved"
    made = bulk_decide(store, "mod", "reject", "spam run", author_key=ann, expected=2)
    assert [d.comment_id for d in made] == waiting
    assert store.queue_item(published).state == "approved"  # a published comment is not re-decided
    assert audit_log(store, rejected)[-1].reason == "insult"  # nor an already rejected one
    assert sorted(ids_in(store, "pending")) == sorted([thread.comments[1].id, make_id("t2", 0)])


def test_identity_comes_from_the_account_id_never_from_a_shared_name(store: Store) -> None:
    """Two readers called "chris" on different pages without account ids are two people; "anonymous" is nobody."""
    store.save_thread(authored_thread("t1", "chris", "anonymous", "chris", accounts=False))
    store.save_thread(authored_thread("t2", "chris", "anonymous", accounts=False))
    store.save_thread(authored_thread("t3", "chris"))  # an account: the same person wherever they write
    store.save_thread(authored_thread("t4", "chris"))
    here = store.load_thread("t1").comments
    assert here[0].author_key == here[2].author_key == "name:t1:chris"  # the same name on one page
    assert here[1].author_key is None
    assert [i.comment.id for i in store.author_items("name:t1:chris")] == [make_id("t1", 0), make_id("t1", 2)]
    assert store.author_history("name:t1:chris", 30, excluding=make_id("t1", 2)).comments == 1
    assert [i.thread_id for i in store.author_items("id:site:chris")] == ["t3", "t4"]
    with pytest.raises(ModerationError, match="anonymous"):
        author_open_items(store, "")


def test_bulk_decide_is_all_or_nothing(store: Store, thread: Thread) -> None:
    first, second, third = (c.id for c in thread.comments)
    assert store.claim(second, "other")
    with pytest.raises(ClaimedByOther, match=second):
        bulk_decide(store, "mod", "approve", comment_ids=[first, second, third, first])
    assert audit_log(store) == []
    store.release(second, "other")
    made = bulk_decide(store, "mod", "approve", comment_ids=[first, second, third, first])
    assert [d.comment_id for d in made] == [first, second, third]  # each comment once


def test_author_history_counts_within_the_window(store: Store, thread: Thread) -> None:
    first, second, third = (c.id for c in thread.comments)
    old = Comment(id="old", thread_id="t0", text="years ago", position=0, author="ann", author_id="site:ann",
                  created_at=NOW - timedelta(days=400))  # fmt: skip
    store.save_thread(Thread(Article(id="t0"), (old,)))
    store.add_decision(Decision("d-old", "old", "reject", "mod", NOW - timedelta(days=399), "abuse"))
    decide(store, first, "mod", "reject", "abuse")
    decide(store, third, "mod", "approve")
    decide(store, second, "mod", "reject", "abuse")  # bob's: not counted for ann
    history = store.author_history("id:site:ann", window_days=30)
    assert (history.comments, history.approved, history.rejected) == (2, 1, 1)
    assert store.author_history("id:site:ann", window_days=1000).rejected == 2
    assert store.author_history("id:site:ann", 30, excluding=third).comments == 1
    assert store.author_history("id:nobody", 30).comments == 0


# --- pre-moderation with the real analysers and the default policy ------------------------------------------


@pytest.fixture(scope="module")
def example() -> Thread:
    return read_thread(EXAMPLE.read_bytes(), str(EXAMPLE))


@pytest.mark.xfail(strict=True, reason=(
    "measured with model 2.3.0: comment 10 is held (toxicity 0.86 >= 0.80; insult 0.37) but no word-piece of it "
    "reaches the span threshold or the 0.3 fallback: the hold shows no highlighted words, only the words that "
    "carried the score"))
def test_premoderate_the_example_holds_conduct_never_stance(store: Store, example: Thread) -> None:
    policy = load_policy()
    result = premoderate(store, policy, example)
    by_number = {c.number: store.queue_item(c.id) for c in example.comments}
    assert by_number["10"].state == "review"  # "no better than a Nazi collaborator … shut up"
    # Civil comments for the article (9), against it (3, 4, 13) and beside it (15) alike: approved.
    assert {n: by_number[n].state for n in ("3", "4", "9", "13", "15")} == dict.fromkeys(("3", "4", "9", "13", "15"),
                                                                                           "approved")
    held = by_number["10"].suggestion
    assert held is not None and held.actor == "policy:default@4" and held.action == "review"
    evidence = evidence_items(held)
    assert evidence and all(e["label"].startswith("toxicity.") for e in evidence)
    assert any(e["spans"] for e in evidence) and "insult" in {e["rule"] for e in evidence}
    for item in by_number.values():  # no decision may rest on an opinion-bearing analyser
        assert {e.get("analyser") for e in evidence_items(item.suggestion)} <= {"toxicity", "words", None}  # type: ignore[arg-type]
    assert len(result.recorded) == len(example.comments) and result.kept == []
    assert "never the opinion" in draft_reasons(store, by_number["10"].comment.id)
    assert any(f.analyser == "stance" for f in store.iter_findings(example.id))  # analysed, shown, not used


def test_premoderate_again_keeps_what_is_settled(store: Store, example: Thread) -> None:
    policy = load_policy()
    held = next(c.id for c in example.comments if c.number == "10")
    premoderate(store, policy, example, comment_ids=[held])
    decide(store, held, "ann", "approve", "heated but within the rules")
    again = premoderate(store, policy, example, comment_ids=[held])
    assert (again.recorded, again.kept) == ([], [held])  # the moderator's decision stands
    assert store.queue_item(held).state == "approved"
    assert draft_reasons(store, held) == "Your comment was published."


def test_submit_comment_is_stored_with_its_suggestion(store: Store, example: Thread) -> None:
    policy = load_policy()
    store.save_thread(example)
    parent = example.comments[2]
    rude, suggestion = submit_comment(store, policy, example.id, "You are a pathetic idiot and a liar.", "zed",
                                      parent_id=parent.id)  # fmt: skip
    assert suggestion.action == "review" and suggestion.evidence
    stored = store.load_thread(example.id)
    assert stored.comments[-1] == rude and rude.parent_id == parent.id and rude.position == len(example.comments)
    item = store.queue_item(rude.id)
    assert (item.state, item.suggestion.actor) == ("review", "policy:default@4")  # type: ignore[union-attr]
    kind, _ = submit_comment(store, policy, example.id, "Thank you for a thoughtful piece.", "zed")
    assert store.queue_item(kind.id).state == "approved"
    with pytest.raises(OrphanComment):
        submit_comment(store, policy, example.id, "a reply to nothing", "zed", parent_id="missing")


def test_reject_reason_leads_the_statement_of_reasons(store: Store, example: Thread) -> None:
    policy = load_policy()
    held = next(c for c in example.comments if c.number == "10")
    premoderate(store, policy, example, comment_ids=[held.id])
    decide(store, held.id, "ann", "reject", "comparing other readers to Nazi collaborators")
    statement = draft_reasons(store, held.id)
    assert "was removed" in statement and "Ground: comparing other readers to Nazi collaborators." in statement
    assert "a moderator made this decision" in statement and "decided by automated means" not in statement
    assert json.loads(store.queue_item(held.id).suggestion.evidence[0])["rule"]  # type: ignore[union-attr]


@pytest.mark.xfail(strict=True, reason=(
    "measured with model 2.3.0: comment 10 is held by the 'toxic' rule (0.86), insult 0.37 < 0.45, and no word of it "
    "reaches the span threshold, so the 'held as an insult, quoting the words' premise of this test does not hold"))
def test_statement_of_reasons_states_the_moderators_ground_not_the_policys_rule(store: Store, example: Thread) -> None:
    """Held as an insult, rejected as spam: the statement says spam, and quotes no "insult" words as its facts."""
    policy = load_policy()
    held = next(c for c in example.comments if c.number == "10")
    premoderate(store, policy, example, comment_ids=[held.id])
    assert "insult" in {e["rule"] for e in evidence_items(store.queue_item(held.id).suggestion)}  # type: ignore[arg-type]
    decide(store, held.id, "ann", "reject", "spam or repeated posting")
    spam = draft_statement(store, held.id, policy)
    assert "Ground: spam or repeated posting." in spam.text
    assert "insult" not in spam.text and "The words concerned" not in spam.text
    assert (spam.automated_detection, spam.automated_decision) == (True, False)
    insult = next(r for r in policy.rules if r.name == "insult")
    decide(store, held.id, "ann", "reject", insult.description or insult.name)  # the picker's "insult" choice
    assert "The words concerned: “" in draft_statement(store, held.id, policy).text


def test_statement_of_reasons_is_saved_then_sent_append_only(store: Store, thread: Thread) -> None:
    first = thread.comments[0].id
    decision = decide(store, first, "ann", "reject", "personal attack")
    draft = draft_statement(store, first)
    assert "No automated means were used" in draft.text and draft.decision_id == decision.id
    saved = save_statement(store, first, decision.id, "Removed: a personal attack.", "ann", send=False)
    sent = save_statement(store, first, decision.id, "Removed: a personal attack on another reader.", "ann",
                          send=True)  # fmt: skip
    kept = store.statements(first)
    assert [(s.status, s.text) for s in kept] == [("saved", "Removed: a personal attack."),
                                                  ("sent", "Removed: a personal attack on another reader.")]
    assert kept == [saved, sent] and sent.ground == "personal attack" and not sent.automated_decision
    with pytest.raises(ModerationError, match="empty"):
        save_statement(store, first, decision.id, "  ", "ann", send=True)
    decide(store, first, "bob", "approve", "on appeal")
    with pytest.raises(ModerationError, match="decided again"):  # the statement explained a superseded decision
        save_statement(store, first, decision.id, "Removed.", "ann", send=True)
    assert len(store.statements(first)) == 2


def test_reader_reports_fill_the_reported_queue_with_reasons_and_count(store: Store, thread: Thread) -> None:
    first = thread.comments[0].id
    report_comment(store, first, "personal attack", "reader-1")
    report_comment(store, first, " harassment ", None)
    item = store.queue_item(first)
    assert (item.state, item.report_count) == ("reported", 2)
    assert [(r.reason, r.reporter) for r in store.reports(first)] == [("personal attack", "reader-1"),
                                                                      ("harassment", None)]
    with pytest.raises(ModerationError, match="reason"):
        report_comment(store, first, "  ")
    with pytest.raises(CommentNotFound):
        report_comment(store, "nope", "spam")
    decide(store, first, "ann", "approve")
    assert (store.queue_item(first).state, store.queue_item(first).report_count) == ("approved", 0)


def test_listing_the_queue_claims_nothing(store: Store, thread: Thread) -> None:
    first, second, third = (c.id for c in thread.comments)
    mine, held = open_page(store, "ann", ("pending",), 10)
    assert [i.comment.id for i in mine] == [first, second, third] and held == 0
    assert all(store.queue_item(i).claim is None for i in (first, second, third))
    assert store.claim(second, "bob", ttl_seconds=60)  # bob moved to it
    mine, held = open_page(store, "ann", ("pending",), 10)
    assert [i.comment.id for i in mine] == [first, third] and held == 1


@pytest.mark.parametrize("threat", ["I know where you live and I will kill you.", "I will find you and kill you.",
                                    "k i l l  y o u, author"])
def test_premoderate_holds_a_plain_threat(tmp_path: Path, threat: str) -> None:
    """The default policy's threat phrases hold what the threat model misses, the phrase as evidence."""
    with Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        store.save_thread(authored_thread("t1", "ann"))
        _, suggestion = submit_comment(store, load_policy(), "t1", threat, "x")
    assert suggestion.action in ("review", "reject")
    evidence = [threat[s.start : s.end] for m in suggestion.matches for s in m.spans]
    assert any("kill" in e.lower().replace(" ", "") for e in evidence), suggestion


def test_threat_model_scores_a_plain_threat_above_the_reject_rule() -> None:
    from threadwise.api.scoring import CommentScorer

    scores = CommentScorer().setup().score("I know where you live and I will kill you.").scores
    (rule,) = [r for r in load_policy().rules if r.name == "threat"]
    assert rule.action == "reject" and scores["threat"] >= rule.min_score


def test_pre_moderation_runs_the_pipeline_it_is_given(store: Store, example: Thread) -> None:
    """A server passes its one loaded pipeline; exactly its analysers run, none is loaded anew."""
    from threadwise.pipeline import Pipeline

    only_toxicity = Pipeline.from_names(["toxicity"])
    result = premoderate(store, load_policy(), example, pipeline=only_toxicity)
    assert result.run.config["analysers"] == ["toxicity"]
    assert {f.analyser for f in store.iter_findings(example.id)} == {"toxicity"}
    _, suggestion = submit_comment(store, load_policy(), example.id, "You are a pathetic idiot.", "zed",
                                   pipeline=only_toxicity)
    assert suggestion.action == "review"
    assert {f.analyser for f in store.iter_findings(example.id)} == {"toxicity"}
