"""Identity terms for the target analyser's group lexicon, written by threadwise.

The lexicon used to be built from HolisticBias's descriptors and Jigsaw's identity word list; both are
evaluation-only here (the neutrality audit's identity templates are made from them), so a lexicon drawn from them
would let the audit's own vocabulary into a shipped model. These lists are our own: nationalities come from the
gazetteer (pycountry's countries and its demonyms), the rest is written out below.
"""

from __future__ import annotations

from threadwise.analysers.gazetteer import IRREGULAR_DEMONYMS

RELIGION = ("muslim", "islamic", "christian", "catholic", "protestant", "evangelical", "orthodox", "jewish", "jew",
            "hindu", "buddhist", "sikh", "mormon", "atheist", "agnostic", "pagan", "shia", "sunni", "zionist")
ETHNICITY = ("black", "white", "asian", "hispanic", "latino", "latina", "latinx", "arab", "african american",
             "indigenous", "aboriginal", "native american", "roma", "gypsy", "romani", "mixed-race", "biracial",
             "brown", "jewish", "kurdish", "slavic", "caucasian")
GENDER_AND_ORIENTATION = ("gay", "lesbian", "bisexual", "bi", "queer", "trans", "transgender", "nonbinary",
                          "non-binary", "lgbt", "lgbtq", "homosexual", "straight", "cisgender", "intersex",
                          "female", "male")
POLITICS = ("liberal", "conservative", "leftist", "socialist", "communist", "marxist", "republican", "democrat",
            "progressive", "libertarian", "nationalist", "fascist", "feminist", "anarchist", "centrist",
            "populist", "globalist", "woke")
MIGRATION = ("immigrant", "migrant", "refugee", "foreign", "undocumented", "illegal")
DISABILITY = ("disabled", "autistic", "deaf", "blind")


def adjectival_terms() -> set[str]:
    """Lower-case identity adjectives ("muslim", "russian"), each read as a group before a person noun."""
    return {t.lower() for t in (*IRREGULAR_DEMONYMS, *RELIGION, *ETHNICITY, *GENDER_AND_ORIENTATION, *POLITICS,
                                *MIGRATION, *DISABILITY)}
