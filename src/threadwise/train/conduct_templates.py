"""Synthetic training rows written for the conduct model, where the staged sets are thin.

The public sets hold few plain threats (Civil Comments' typed threat spans are the only real source), few
dehumanising statements, and almost no counter-speech or harmless mentions of groups, so a model trained on
them alone learns group names as toxic and threats as harmless. These templates are our own wording (none is
taken from HateCheck, the audit's templates or any evaluation set); groups come from
``conduct_rows.AUGMENTED_GROUPS`` only, so the audit's other groups measure what the model learnt beyond them.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import numpy as np

from threadwise.train import SEED
from threadwise.train.conduct_rows import AUGMENTED_GROUPS, Row, benign, targets

PEOPLE = ("you", "your family", "the author", "him", "her", "them", "that journalist", "the editor", "your kids",
          "every one of you", "the mayor", "this writer", "your wife", "the moderators")  # fmt: skip
THREAT_FRAMES = (
    "I will {verb} {target}.", "I'm going to {verb} {target}.", "I am going to {verb} {target} soon.",
    "We will find {target} and {verb} {target_again}.", "Someone should {verb} {target}.",
    "I swear I will {verb} {target} if I see {target_again}.", "Keep talking and I will {verb} {target}.",
    "I know where {target} live, and I will {verb} {target_again}.", "{Target} deserve to be {verbed}.",
    "{Target} should be {verbed}, all of them.", "I hope someone {verbs} {target}.",
    "Next time I see {target} I'll {verb} {target_again}.", "I want to {verb} {target} with my own hands.",
    "Watch out, I'm coming to {verb} {target}.", "Let's go {verb} {target} tonight.",
)  # fmt: skip
# Threats that name no weapon: idioms a moderator reads as menace.
IMPLIED_THREATS = (
    "Someone should teach {target} a lesson.", "{Target} will regret writing this, I promise.",
    "{Target} had better watch out, we know where to find {target_again}.", "{Target} won't be safe here much longer.",
    "{Target} will get what's coming, and soon.", "Somebody needs to shut {target} up for good.",
    "{Target} deserve a bullet.", "Put {target} against a wall.", "I hope {target} end up in a ditch.",
    "We are coming for {target}.", "Enjoy your last days, {target}.", "Sleep with one eye open, {target}.",
)  # fmt: skip
VIOLENCE = (("kill", "killed", "kills"), ("shoot", "shot", "shoots"), ("stab", "stabbed", "stabs"),
            ("hurt", "hurt", "hurts"), ("beat", "beaten", "beats"), ("hang", "hanged", "hangs"),
            ("strangle", "strangled", "strangles"), ("burn", "burned", "burns"), ("murder", "murdered", "murders"),
            ("slaughter", "slaughtered", "slaughters"), ("break the legs of", "crippled", "cripples"),
            ("bash the head of", "beaten", "bashes"), ("execute", "executed", "executes"))  # fmt: skip
DEHUMANISE = (
    "{Many} are {animals}.", "{Many} are nothing but {animals}.", "{Many} are {animals}, not human beings.",
    "All {many} are filthy {animals}.", "{Many} breed like {animals}.", "{Many} are a plague on this country.",
    "{Many} are subhuman.", "Get rid of the {many}, they are {animals}.", "{Many} are a disease that must be cured.",
    "{Many} are worthless {animals} and always will be.", "We need to exterminate {many}.",
    "{Many} are the scum of the earth.", "There is no such thing as a decent {one} person.",
    "{Many} should not be allowed to live among us.", "{Many} are too stupid to be trusted with anything.",
)  # fmt: skip
ANIMALS = ("animals", "vermin", "rats", "cockroaches", "parasites", "pigs", "savages", "apes", "insects")
DEHUMANISING = (*ANIMALS, "subhuman", "plague", "disease", "scum", "exterminate", "filthy", "breed")
BENIGN_GROUP = (
    "{Many} are part of our community.", "I work with a lot of {many} and they are great colleagues.",
    "My {one} neighbours invited us to dinner.", "Being {one} is nothing to be ashamed of.",
    "The article interviews three {many} about the housing crisis.", "{Many} face discrimination at work.",
    "I am {one} and I disagree with the author.", "As a {one} reader, I found this piece fair.",
    "The law protects {many} like everyone else.", "Violence against {many} has risen this year.",
    "My sister is {one}.", "There are {many} in every profession.", "The council hired two {many} this year.",
    "Saying {many} are {animals} is disgusting and wrong.", "Nobody should call {many} {animals}.",
    "I don't hate {many}; I have never hated anyone for who they are.", "{Many} are not {animals}, they are people.",
    "Whoever wrote that {many} should be {verbed} should be banned from this site.",
    "Threatening to {verb} {many} is a crime, and the police should act.",
    "It is wrong to say that {many} deserve to be {verbed}.",
)  # fmt: skip
BENIGN_VIOLENCE = (
    "The army says it {verbed} twenty soldiers near the border.", "Police {verbed} a suspect in the city centre.",
    "The report says militias {verb} civilians in the occupied villages.", "This joke killed me.",
    "That comedian absolutely killed it last night.", "I could kill for a coffee right now.",
    "The new tax will kill small businesses.", "Kill the bill before it passes the senate.",
    "My legs are killing me after that hike.", "The film shows how the regime {verbs} its critics.",
    "Historians estimate the famine {verbed} millions.", "The author argues that sanctions hurt ordinary people.",
    "He was {verbed} in the war, his mother told the reporter.", "The article describes how soldiers {verb} prisoners.",
    "Both sides {verb} civilians, and both should be investigated.", "We will beat them at the next election.",
)  # fmt: skip
PROFANE_CHEER = (
    "Holy shit, what a finish!", "Fuck yes, finally some good news.", "Damn, this is a great article.",
    "Shit, I didn't know that. Thanks for writing it.", "What the hell happened to the second half?",
    "Bloody brilliant piece of reporting.", "That was a fucking great match.", "Oh crap, I forgot to vote.",
    "Holy crap, the turnout numbers are amazing.", "Damn right, about time someone said it.",
    "Fuck me, that's a lot of money for a bridge.", "Shit happens, the council will fix it.",
    "Hell yes, I'll be at the meeting on Tuesday.", "What a fucking relief that the strike is over.",
    "I'm so damn proud of my daughter's team.", "Goddamn, this winter has been cold.",
    "Well shit, I was wrong about that.",
    "Bloody hell, the prices at the market went up again.", "This is the best damn pie recipe I've tried.",
    "Fucking finally, the road is open again.", "Oh hell, I left my umbrella on the train.",
    "Screw it, I'm buying the tickets now.", "That goal was fucking unbelievable.", "Damn, I miss that old bakery.",
    "Holy shit, my grandfather was in that photo!", "No shit, the bus was late again.",
    "I laughed my ass off at the last paragraph.", "Crap, I should have read this before voting.",
)  # fmt: skip
# Swearing that cheers rather than attacks: an interjection before an ordinary clause (their product).
INTERJECTIONS = ("Holy shit", "Fuck yeah", "Damn", "Hell yes", "Bloody hell", "Shit", "Holy crap", "Goddamn",
                 "Fucking hell", "Oh shit")  # fmt: skip
CHEERFUL_CLAUSES = ("what a game last night", "the library is finally open on Sundays", "I did not expect that ending",
                    "my team won the cup", "this is the best news all week", "the tram is running again",
                    "that is a lot of snow", "I passed my driving test", "the soup at that cafe is amazing",
                    "look at the size of that pumpkin", "we raised the money for the school roof",
                    "thanks for explaining the budget so clearly")  # fmt: skip
PROFANE = ("shit", "fuck", "damn", "hell", "bloody", "crap", "goddamn", "ass")
# Refusals of violence: the act is named and negated or condemned, so the comment threatens no one.
NEGATED_THREATS = (
    "I would never {verb} {target}, whatever {target_again} wrote.", "Nobody should {verb} {target} over an article.",
    "No one deserves to be {verbed} for their opinions.", "I disagree with {target}, but I would never want "
    "anyone to {verb} {target_again}.", "Wanting to {verb} {target} is sick; argue with the piece instead.",
    "People who threaten to {verb} {target} belong in court.", "It is never acceptable to {verb} {target}.",
)  # fmt: skip
# People described by who they are, in ordinary sentences: a group word is not an accusation.
NAMES = ("Maria", "Tomasz", "Aisha", "Daniel", "Olena", "Kenji", "Fatima", "Pedro", "Ingrid", "Samuel", "Leila",
         "Viktor")  # fmt: skip
PERSON_NOUNS = ("teacher", "nurse", "neighbour", "student", "engineer", "grandmother", "footballer", "doctor")
PERSON_FRAMES = (
    "{Name} is a {one} {noun} who lives down the road.", "{Name}, a {one} {noun}, wrote to the paper last week.",
    "My friend {Name} is {one}.", "{Name} is {one} and works as a {noun}.", "The {noun} in the story is {one}.",
    "{Name} said that being {one} shaped how they read the news.", "Our new {noun} is {one} and very good at it.",
)  # fmt: skip
# Harmless mentions of groups that are not about them at all: a name alone carries no conduct.
BENIGN_MENTIONS = (
    "{Many} deserve the same respect as anyone.", "I'm {one} and proud of it.", "{Many} are welcome in this town.",
    "My {one} coworker recommended this article.", "{Many} have lived here for generations.",
    "There are many {many} in our reading group.", "Respect to all the {many} who volunteered this weekend.",
    "Our new mayor is {one}.", "{Many} pay taxes and vote like everyone else.", "I love my {one} friends.",
    "Being {one} says nothing about whether someone is a good writer.", "What do {many} think about the new law?",
    "The survey asked {many} about public transport.", "{One} people are just people.",
    "Happy holidays to every {one} reader of this paper.", "My grandparents were {one}.",
)  # fmt: skip


def synthetic_rows() -> list[Row]:
    """Threats, dehumanisation, harmless group mentions, reports of violence and cheerful profanity."""
    rng = np.random.RandomState(SEED + 50)
    rows: list[Row] = []
    groups = [(adj, many) for adj, many in AUGMENTED_GROUPS]
    anyone = PEOPLE + tuple(m for _, m in groups)
    for frame, (verb, verbed, verbs) in itertools.product(THREAT_FRAMES, VIOLENCE):
        for target in rng.choice(anyone, 3, replace=False):
            text = _fill(frame, verb=verb, verbed=verbed, verbs=verbs, target=target, target_again=_again(target))
            threat = _span(text, verb, verbed, verbs)
            rows.append(Row(text, "synthetic_threat",
                            targets(toxicity=1.0, threat=1.0, severe_toxicity=1.0, profanity=0.0), spans=threat))
    for frame in IMPLIED_THREATS:
        for _ in range(4):  # idioms name no act: four draws of targets per frame
            for target in rng.choice(anyone, 2, replace=False):
                text = _fill(frame, target=target, target_again=_again(target))
                rows.append(Row(text, "synthetic_threat", targets(toxicity=1.0, threat=1.0, profanity=0.0)))
    for frame, (adj, many) in itertools.product(DEHUMANISE, groups):
        text = _fill(frame, many=many, one=adj, animals=str(rng.choice(ANIMALS)))
        rows.append(Row(text, "synthetic_dehumanise",
                        targets(toxicity=1.0, identity_attack=1.0, severe_toxicity=1.0, threat=0.0, profanity=0.0),
                        spans=_words(text, DEHUMANISING, "identity_attack")))
    for frame, (adj, many) in itertools.product(BENIGN_MENTIONS, groups):
        rows.append(benign("synthetic_benign_group", _fill(frame, many=many, one=adj), weight=2.0))
    for frame, (adj, many) in itertools.product(BENIGN_GROUP, groups):
        verb, verbed, _ = VIOLENCE[int(rng.randint(len(VIOLENCE)))]
        animals = str(rng.choice(ANIMALS))
        rows.append(benign("synthetic_benign_group",
                           _fill(frame, many=many, one=adj, animals=animals, verb=verb, verbed=verbed)))
    for frame, (verb, verbed, verbs) in itertools.product(BENIGN_VIOLENCE, VIOLENCE[:6]):
        rows.append(benign("synthetic_news_violence", _fill(frame, verb=verb, verbed=verbed, verbs=verbs)))
    cheer = targets(toxicity=0.1, profanity=1.0, insult=0.0, identity_attack=0.0, threat=0.0, severe_toxicity=0.0)
    for text, weight in [*((t, 4.0) for t in PROFANE_CHEER),
                         *((f"{i}, {c}!", 1.5) for i, c in itertools.product(INTERJECTIONS, CHEERFUL_CLAUSES))]:
        rows.append(Row(text, "synthetic_profane_cheer", cheer, spans=_words(text, PROFANE, "profanity"),
                        weight=weight))
    for frame, (verb, verbed, verbs) in itertools.product(NEGATED_THREATS, VIOLENCE):
        target = str(rng.choice(anyone))
        rows.append(benign("synthetic_negated_threat", _fill(frame, verb=verb, verbed=verbed, verbs=verbs,
                                                             target=target, target_again=_again(target))))
    for frame, (adj, _) in itertools.product(PERSON_FRAMES, groups):
        name, noun = str(rng.choice(NAMES)), str(rng.choice(PERSON_NOUNS))
        rows.append(benign("synthetic_benign_person", _fill(frame, one=adj, name=name, noun=noun)))
    return rows + [_as_typed(row, rng) for row in rows]


def _as_typed(row: Row, rng: np.random.RandomState) -> Row:
    """The row as readers often type it: no closing punctuation and, half the time, no capital to start.

    Every template ends in a full stop and opens with a capital; without these variants the model learnt that
    surface as part of the label ("Someone should teach her a lesson." read as a threat, the same words without
    the full stop not)."""
    text = row.text.rstrip(".!?")
    if rng.rand() < 0.5:
        text = text[0].lower() + text[1:]
    spans = None if row.spans is None else tuple((a, min(b, len(text)), k) for a, b, k in row.spans if a < len(text))
    return replace(row, text=text, spans=spans)


def _again(target: str) -> str:
    return {"you": "you", "him": "him", "her": "her", "them": "them"}.get(target, "them")


def _fill(frame: str, **values: str) -> str:
    values = {**values, **{k[0].upper() + k[1:]: v[0].upper() + v[1:] for k, v in values.items()}}
    return frame.format(**values)


def _words(text: str, words: tuple[str, ...], kind: str) -> tuple[tuple[int, int, str], ...]:
    """Every occurrence of the listed words (as word prefixes: "breed" in "breeding") as spans of ``kind``."""
    found = re.finditer(r"\b(?:" + "|".join(words) + r")\w*", text, re.IGNORECASE)
    return tuple((m.start(), m.end(), kind) for m in found)


def _span(text: str, *words: str) -> tuple[tuple[int, int, str], ...]:
    for word in sorted(words, key=len, reverse=True):
        at = text.find(word)
        if at >= 0:
            return ((at, at + len(word), "threat"),)
    return ()
