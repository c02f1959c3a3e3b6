"""Our own synthetic training pairs for the genre no staged dataset covers: a reader's comment judging the
article it answers ("This is propaganda", "I agree with most of this"), a quoted article sentence answered,
and a question put to the article. Composed from parts, so no sentence of an evaluation set is copied; the
article side is a generic op-ed passage written here.

A larger set (750 pairs: corrections, whataboutism, attacks on the author made to reject the piece) was tried
once and lost on the dev pairs (macro-F1 0.584 vs 0.632), so this smaller set is the one trained.
"""

from __future__ import annotations

import itertools
import random

from threadwise.train import SEED
from threadwise.train.stance_data import Pair

PASSAGES = (
    "A ceasefire now would save thousands of lives and give diplomats time to negotiate a lasting settlement.",
    "The city should build more housing near the train lines, even if some neighbours object to taller buildings.",
    "Raising the minimum wage will lift families out of poverty without costing jobs, the evidence shows.",
    "Schools should ban phones in classrooms: attention and grades improved wherever it was tried.",
    "The new vaccine is safe and effective, and the regulator's decision to approve it was the right one.",
    "Nuclear power is the fastest way to cut emissions while keeping the lights on.",
    "The government's plan to cut the deficit by raising taxes on the richest households is fair and overdue.",
    "Sanctions are working: the economy they target has shrunk and its army is short of parts.",
    "Remote work is here to stay, and companies that force staff back to the office will lose their best people.",
    "The election was free and fair, and the claims of widespread fraud have been rejected by every court.",
)
ARTICLE = ("this article", "this piece", "this op-ed", "the author", "this column", "the writer", "this", "the article")
DENY = (
    "{a} is propaganda dressed up as analysis.", "{a} is nonsense from start to finish.",
    "Sorry, but {a} gets it completely wrong.",
    "What a one-sided piece of spin.", "{a} is pure fantasy, nothing in it holds up.", "I disagree with {a} entirely.",
    "{a} ignores every fact that does not suit it.", "Rubbish. The opposite is true.",
    "This is simply false, and {a} knows it.", "Nothing about {a} survives contact with reality.",
    "Biased, misleading and lazy.", "{a} is a string of talking points, not an argument.",
    "No, that is not how any of this works.", "The premise of {a} is wrong.",
)
SUPPORT = (
    "I mostly go along with {a}.", "Well said, {a} is spot on.", "Exactly right.", "{a} is the voice of reason.",
    "Finally someone says it. Thank you for {a}.", "Couldn't agree more with {a}.", "Great piece, and long overdue.",
    "{a} makes the case better than anyone has.", "Yes, this is correct, and the numbers back it up.",
    "Agreed. It is the sensible thing to do.", "Good article. I hope the people in charge read it.",
)
QUERY = (
    "Is there any evidence for that?", "Where are the sources for {a}?", "Can {a} say where these numbers come from?",
    "Who actually paid for {a}?", "How would that work in practice?", "Has anyone checked these figures?",
    "Is this really true?", "What does {a} propose we do instead?",
)
REBUT = ("Yes it is.", "No it isn't.", "Not true.", "Says who?", "Nonsense.", "Wrong.", "Really?", "Exactly.")
REBUT_LABEL = {"Yes it is.": "deny", "No it isn't.": "deny", "Not true.": "deny", "Says who?": "query",
               "Nonsense.": "deny", "Wrong.": "deny", "Really?": "query", "Exactly.": "support"}
COMMENT = (
    "I read this on the train this morning.", "My uncle lived there for years.", "The photo is from last winter.",
    "Interesting, I had not heard about this before.", "Comments on the last article were much longer.",
    "Does anyone know when the next debate is?", "I remember the same thing happening in the nineties.",
)


def pairs(per_kind: int = 90) -> list[Pair]:
    """Synthetic training pairs (split "train"; grouped by passage so a dev carve keeps passages apart)."""
    rng = random.Random(SEED)
    out: list[Pair] = []
    for label, templates in (("deny", DENY), ("support", SUPPORT), ("query", QUERY), ("comment", COMMENT)):
        combos = list(itertools.product(templates, ARTICLE, range(len(PASSAGES))))
        for template, article, p in rng.sample(combos, min(per_kind, len(combos))):
            text = template.format(a=article)
            out.append(Pair(text[0].upper() + text[1:], (PASSAGES[p],), label, "train", f"synthetic-{p}"))
    for p, passage in enumerate(PASSAGES):  # a quoted sentence of the article, answered
        sentence = passage.split(":")[0].split(",")[0].rstrip(".")
        for reply in rng.sample(REBUT, 4):
            out.append(Pair(f'"{sentence}." {reply}', (passage,), REBUT_LABEL[reply], "train", f"synthetic-{p}"))
    return out
