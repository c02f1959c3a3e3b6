"""The toxicity analyser: the conformance suite, then behaviour on hand-written comments."""

from __future__ import annotations

from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threadwise.analysers.base import CommentContext
from threadwise.analysers.checks import check_analyser
from threadwise.analysers.toxicity import ToxicityAnalyser
from threadwise.model import Comment, Finding


@lru_cache(maxsize=1)
def analyser() -> ToxicityAnalyser:
    return ToxicityAnalyser().setup()


def run(*texts: str) -> list[list[Finding]]:
    """Findings per text, as the pipeline would get them."""
    contexts = [CommentContext(Comment(id=f"c{i}", thread_id="t", text=t, position=i)) for i, t in enumerate(texts)]
    findings = list(analyser().analyse(contexts))
    return [[f for f in findings if f.comment_id == f"c{i}"] for i in range(len(texts))]


def by_label(findings: list[Finding], label: str) -> Finding | None:
    return next((f for f in findings if f.label == label), None)


def covered(text: str, finding: Finding) -> str:
    return " ".join(text[s.start : s.end] for s in finding.spans)


def test_conformance() -> None:
    findings = check_analyser(ToxicityAnalyser())
    by_comment = {f.comment_id: f for f in findings if f.label == "toxicity"}
    assert by_comment["c0"].score > by_comment["c3"].score  # "Marsh is an idiot" vs a polite agreement
    assert not [f for f in findings if f.comment_id in ("c4", "c5")]  # empty and whitespace: nothing
    assert by_label([f for f in findings if f.comment_id == "c7"], "language_unsupported")


def test_insult_is_scored_and_the_insulting_word_is_the_evidence() -> None:
    text = "You are an idiot and a moron, go away."
    (findings,) = run(text)
    toxicity = by_label(findings, "toxicity")
    assert toxicity is not None and toxicity.score >= 0.7
    assert "idiot" in covered(text, toxicity) and "moron" in covered(text, toxicity)
    assert "go away" not in covered(text, toxicity)
    insult = by_label(findings, "insult")
    assert insult is not None and insult.score >= 0.5 and "idiot" in covered(text, insult)
    assert toxicity.detail["threshold_hint"] > 0 and toxicity.detail["normalised"] is False


def test_polite_disagreement_is_not_toxic_and_has_no_spans() -> None:
    texts = (
        "I disagree with the author: a ceasefire now would only freeze the conflict.",
        "Thanks for the article, the figures on housing were really useful.",
    )
    for findings in run(*texts):
        toxicity = by_label(findings, "toxicity")
        assert toxicity is not None and toxicity.score < 0.3 and toxicity.spans == ()
        assert [f.label for f in findings] == ["toxicity"]  # no category reaches the reporting threshold


def test_categories() -> None:
    menace = "I know where you live and I will kill you and your family."
    swearing = "This is fucking bullshit, what a shitty fucking article."
    threat, identity, profane = run(
        menace, "Muslims are vermin and should all be deported, every last one of them.", swearing
    )
    found = by_label(threat, "threat") or pytest.fail("no threat reported")
    assert covered(menace, found) == "kill" and [s.label for s in found.spans] == ["threat"]
    assert by_label(identity, "identity_attack") is not None
    assert by_label(threat, "profanity") is None and by_label(identity, "profanity") is None
    found = by_label(profane, "profanity") or pytest.fail("no profanity reported")
    assert found.score >= 0.5 and any(w in covered(swearing, found) for w in ("fucking", "bullshit", "shitty"))


@pytest.mark.xfail(strict=True, reason="measured: the word head types 'fucking' and 'bullshit' as insult, not "
                   "profanity (Civil Comments' annotators default to Insult, and the type head learnt that)")
def test_swear_words_are_typed_as_profanity() -> None:
    swearing = "This is fucking bullshit, what a shitty fucking article."
    found = by_label(run(swearing)[0], "profanity") or pytest.fail("no profanity reported")
    assert found.spans and all(s.label == "profanity" for s in found.spans)


@pytest.mark.parametrize("written", ["y0u 1d10t", "you i d i o t", "you \u0456d\u0456ot", "you id\u200biot"])
def test_obfuscation_scores_like_the_plain_word(written: str) -> None:
    plain, evaded = run("you idiot", written)
    plain_score = (by_label(plain, "toxicity") or pytest.fail()).score
    found = by_label(evaded, "toxicity") or pytest.fail("no toxicity finding")
    assert abs(found.score - plain_score) <= 0.15
    assert found.detail["normalised"] is True
    word = written.split(" ", 1)[1]
    assert covered(written, found) in (word, written)  # the span covers the obfuscated word as written


def test_hostile_inputs() -> None:
    huge = "word " * 20_000 + "idiot"
    empty, blank, emoji, russian, long_insult, huge_findings = run(
        "", " \n\t", "😀😀😀 🔥🔥", "Это пропаганда. これは宣伝です", "idiot " * 3000, huge
    )
    assert empty == [] and blank == []
    assert [f.label for f in emoji] == ["language_unsupported"]
    assert [f.label for f in russian] == ["language_unsupported"]
    toxicity = by_label(long_insult, "toxicity") or pytest.fail()
    assert toxicity.detail["truncated"] is True and all(s.end <= 5000 for s in toxicity.spans)
    assert by_label(huge_findings, "toxicity") is not None


@settings(max_examples=40, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_random_text_never_breaks_the_contract(text: str) -> None:
    (findings,) = run(text)
    for item in findings:
        assert item.label in ToxicityAnalyser.labels and 0.0 <= item.score <= 1.0
        assert all(0 <= s.start <= s.end <= len(text) for s in item.spans)


def test_mild_comment_gets_no_guessed_evidence() -> None:
    """A comment the span model barely suspects shows no span rather than a misleading guess."""
    text = (
        "This is propaganda, plain and simple. "
        "Marsh is a typical Western apologist who has never set foot near the front."
    )
    [overall] = [f for f in run(text)[0] if f.label == "toxicity"]
    assert overall.score > 0.35  # judged toxic enough for evidence, yet no word is clearly toxic
    assert "foot" not in [text[s.start : s.end] for s in overall.spans]


def test_one_pass_gives_the_same_scores_to_analyse_and_category_scores() -> None:
    """The Perspective route asks for every score, moderators see findings: one reading serves both."""
    text = "You are a pathetic idiot and a liar."
    (findings,) = run(text)
    (scores,) = analyser().category_scores([text])
    assert {f.label: f.score for f in findings} == {k: v for k, v in scores.items() if k == "toxicity" or v >= 0.2}
    assert not ToxicityAnalyser.needs_embedding


def test_the_version_and_model_card_come_with_the_artefact() -> None:
    from threadwise.analysers.heads import heads_dir

    folder = heads_dir() / "conduct"
    assert analyser().meta_["version"] == ToxicityAnalyser.version
    card = (folder / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "CC BY-NC-SA" in card and "threadwise train toxicity" in card
    assert (folder / "model.onnx").stat().st_size < 30 * 2**20


def test_a_comments_scores_do_not_depend_on_the_comments_read_with_it() -> None:
    """Batch runners split comments differently from one run to the next; each score must be the comment's own."""
    texts = ["You are a pathetic idiot and a liar.", "Thanks for the article.", "I will find you and hurt you."]
    from threadwise.analysers.conduct import ConductModel

    model = ConductModel(workers=2)  # two workers whatever THREADWISE_THREADS says: the path under test
    model.shared_bottom = None  # its own full graph (the shared bottom's path: tests/test_shared_bottom.py)
    alone = [model.read([t])[0] for t in texts]
    together = model.read([*texts, "word " * 120, "Another rather long comment " * 12])[:3]  # the workers' path
    assert model.runs_ is not None and model.runs_._pool is not None
    assert [r.scores for r in together] == [r.scores for r in alone]
    assert all((a.toxic == b.toxic).all() and a.kinds == b.kinds for a, b in zip(alone, together, strict=True))


def test_a_batch_job_reads_single_comments_on_the_pool_it_already_loaded() -> None:
    """A batch job's odd single comment (the last of a thread) must not load a second copy of the model."""
    from threadwise.analysers.conduct import ConductModel

    model = ConductModel(workers=2)
    model.shared_bottom = None  # its own full graph: the sessions under test are its own
    texts = ["You are a pathetic idiot and a liar.", "Thanks for the article."]
    together = model.read(texts)
    single = model.read(texts[:1])[0]
    assert model.runs_ is not None and model.runs_._pool is not None and model.runs_._alone is None
    assert single.scores == together[0].scores
    fresh = ConductModel(workers=2)
    fresh.shared_bottom = None
    assert fresh.read(texts[:1])[0].scores == single.scores  # nothing loaded yet: the one-input session serves
    assert fresh.runs_ is not None and fresh.runs_._alone is not None and fresh.runs_._pool is None


def test_a_score_without_a_span_names_the_words_that_carried_it() -> None:
    # The example's comment 10: rude overall (the default policy holds it), yet no word-piece is marked toxic.
    text = ("Anyone who supports this is no better than a Nazi collaborator. "
            "These people should be ashamed and shut up.")  # fmt: skip
    (findings,) = run(text)
    toxicity = by_label(findings, "toxicity")
    assert toxicity is not None and toxicity.score >= 0.8 and toxicity.spans == ()
    assert all("carried_by" not in f.detail for f in findings)  # asked for holds only: one pass per word
    carried = analyser().carried_by(text, ["toxicity", "insult"])
    words = [text[a:b] for a, b, _ in carried["toxicity"]]
    assert 1 <= len(words) <= 3 and all(w.strip() and w in text for w in words)  # whole words of the comment
    assert all(drop >= 0.1 for _, _, drop in carried["toxicity"])
    # Blanking a named word really lowers the score by the drop recorded (the model read again, not a list).
    a, b, drop = carried["toxicity"][0]
    (blanked,) = run(text[:a] + " " * (b - a) + text[b:])
    after = by_label(blanked, "toxicity")
    assert after is not None and toxicity.score - after.score == pytest.approx(drop, abs=0.002)


def test_carried_words_are_in_the_offsets_of_what_the_reader_wrote() -> None:
    text = "Anyone who supports this is no better than a N4zi collaborator. These people should shut up."
    carried = analyser().carried_by(text, ["toxicity"])
    assert all(0 <= a < b <= len(text) for a, b, _ in carried.get("toxicity", []))
    assert analyser().carried_by("Thanks, a fair piece.", ["toxicity"]) == {}  # nothing to carry
