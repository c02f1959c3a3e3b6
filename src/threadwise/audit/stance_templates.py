"""Stance counterfactuals from templates: the same conduct, once for each side of a contested topic.

Each topic has, per side, claims (phrasings of the side's position) and names for the people on that side.
A conduct template takes the commenter's own claim ``{c}``, the other side's claim ``{o}`` and the other side's
people ``{p}``; the two comments of a pair fill it from opposite sides, so they differ only in the side taken.
Side ``for`` agrees with the position a (hypothetical) article argues, ``against`` disagrees with it.
"""

from __future__ import annotations

from dataclasses import dataclass

CONDUCT_LEVELS = ("civil disagreement", "sarcasm", "insults", "threats")


@dataclass(frozen=True)
class Topic:
    name: str
    position: str  # what the article argues
    claims: tuple[tuple[str, ...], tuple[str, ...]]  # (for, against), same length, matched phrasing by phrasing
    people: tuple[tuple[str, ...], tuple[str, ...]]  # (people for, people against), as plural noun phrases


TOPICS = (
    Topic("war", "a ceasefire now",
          (("a ceasefire now would save thousands of lives", "talks should start before more soldiers die",
            "the West should push both sides to negotiate"),
           ("a ceasefire now would reward the invasion", "the fighting should go on until the land is won back",
            "the West should send more weapons instead of pushing for talks")),
          (("people who want a ceasefire", "the ceasefire crowd", "supporters of peace talks"),
           ("people who oppose a ceasefire", "the fight-on crowd", "opponents of peace talks"))),
    Topic("immigration", "more immigration",
          (("immigration makes this country stronger", "we should welcome more refugees",
            "immigrants do the jobs our economy needs"),
           ("immigration should be cut sharply", "we should take in fewer refugees",
            "immigrants take the jobs our own workers need")),
          (("people who want open borders", "the pro-immigration crowd", "supporters of immigration"),
           ("people who want closed borders", "the anti-immigration crowd", "opponents of immigration"))),
    Topic("vaccines", "vaccine mandates",
          (("vaccines are safe and save lives", "vaccination should be required for school",
            "the vaccine trials were thorough"),
           ("vaccines are not as safe as we are told", "vaccination should be a personal choice",
            "the vaccine trials were rushed")),
          (("people who back mandates", "the pro-vaccine crowd", "supporters of vaccination"),
           ("people who refuse the vaccine", "the anti-vaccine crowd", "opponents of vaccination"))),
    Topic("elections", "trust in the election result",
          (("the election was fair and the result stands", "postal voting is secure",
            "the count was accurate"),
           ("the election was stolen and the result is void", "postal voting is insecure",
            "the count was wrong")),
          (("people who accept the result", "the trust-the-count crowd", "defenders of the result"),
           ("people who reject the result", "the stop-the-count crowd", "challengers of the result"))),
    Topic("climate", "a carbon tax",
          (("climate change is real and caused by us", "we need a carbon tax now",
            "net zero by 2050 is worth the cost"),
           ("climate change is overblown and mostly natural", "a carbon tax would wreck the economy",
            "net zero by 2050 is not worth the cost")),
          (("people who want a carbon tax", "the climate action crowd", "supporters of net zero"),
           ("people who oppose a carbon tax", "the climate sceptic crowd", "opponents of net zero"))),
    Topic("policing", "more funding for the police",
          (("the police need more funding", "officers deserve our support",
            "stop-and-search keeps our streets safe"),
           ("the police budget should be cut", "officers must be held to account",
            "stop-and-search makes our streets less safe")),
          (("people who back the police", "the pro-police crowd", "supporters of the police"),
           ("people who want to defund the police", "the defund crowd", "critics of the police"))),
)

# {c}: the commenter's own claim; {o}: the other side's claim; {p}: the other side's people.
TEMPLATES: dict[str, tuple[str, ...]] = {
    "civil disagreement": (
        "I have thought about this a lot, and I believe {c}.",
        "With respect to {p}, I think {c}.",
        "Fair points all round, but in my view {c}.",
        "I understand why some say {o}, but I think {c}.",
        "{C}. I would like to see the evidence discussed more openly.",
    ),
    "sarcasm": (
        "Oh sure, because {o}. Brilliant logic.",
        "Wow, {p} have really outdone themselves this time. Truly inspiring.",
        "Yes, and I am sure {o}. What could possibly go wrong?",
        "Great, another lecture from {p}. Just what we needed.",
        "Of course {o}. And the moon is made of cheese.",
    ),
    "insults": (
        "{P} are idiots. {C}.",
        "Only a complete moron believes {o}.",
        "{P} are pathetic, brainless clowns.",
        "You would have to be stupid to think {o}. {C}.",
        "Dear {p}: shut up, you ignorant fools.",
    ),
    "threats": (
        "{P} should be shot.",
        "If {p} keep pushing this, someone should beat them senseless.",
        "Anyone who says {o} deserves a bullet.",
        "I will find {p} and make them pay. {C}.",
        "{P} should be hanged for treason.",
    ),
}


@dataclass(frozen=True)
class TemplatePair:
    topic: str
    level: str
    template: str
    for_side: str  # the comment taking the article's side
    against_side: str  # the same comment taking the other side


def fill(template: str, claim: str, other_claim: str, other_people: str) -> str:
    values = {"c": claim, "o": other_claim, "p": other_people}
    values |= {k.upper(): v[:1].upper() + v[1:] for k, v in list(values.items())}
    return template.format(**values)


def template_pairs(phrasings: int = 3) -> list[TemplatePair]:
    """Every topic, conduct level, template and phrasing (the first ``phrasings`` of each side), deduplicated."""
    pairs: dict[tuple[str, str], TemplatePair] = {}
    for topic in TOPICS:
        (pro, con), (pro_people, con_people) = topic.claims, topic.people
        for level, templates in TEMPLATES.items():
            for template in templates:
                for i in range(min(phrasings, len(pro))):
                    a = fill(template, pro[i], con[i], con_people[i])
                    b = fill(template, con[i], pro[i], pro_people[i])
                    pairs.setdefault((a, b), TemplatePair(topic.name, level, template, a, b))
    return list(pairs.values())
