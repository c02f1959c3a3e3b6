"""Place words that are never a public figure: countries (pycountry's ISO 3166 names), their demonyms,
continents, planets and a few regions and capitals that news comments name as actors ("Moscow says…").

The target analyser drops these from capitalised runs before it reads a run as a person's name, so "Spain",
"Earth", "Libya" or "Russian" are never a ``public_figure``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

# Demonyms that no suffix rule derives from the country name (the rule below adds "-n" to names in -a).
IRREGULAR_DEMONYMS = (
    "Afghan", "Albanian", "Algerian", "American", "Argentine", "Argentinian", "Armenian", "Austrian",
    "Azerbaijani", "Bangladeshi", "Belarusian", "Belgian", "Brazilian", "British", "Brit", "Bulgarian",
    "Burmese", "Cambodian", "Canadian", "Chilean", "Chinese", "Colombian", "Congolese", "Croatian", "Cuban",
    "Cypriot", "Czech", "Danish", "Dutch", "Ecuadorian", "Egyptian", "Emirati", "English", "Eritrean",
    "Estonian", "Ethiopian", "Filipino", "Finnish", "French", "Georgian", "German", "Ghanaian", "Greek",
    "Haitian", "Hungarian", "Icelandic", "Indian", "Indonesian", "Iranian", "Iraqi", "Irish", "Israeli",
    "Italian", "Ivorian", "Jamaican", "Japanese", "Jordanian", "Kazakh", "Kenyan", "Korean", "Kosovar",
    "Kurdish", "Kuwaiti", "Lao", "Latvian", "Lebanese", "Libyan", "Lithuanian", "Luxembourgish", "Malaysian",
    "Maltese", "Mexican", "Moldovan", "Mongolian", "Montenegrin", "Moroccan", "Nepali", "Nepalese", "Norwegian",
    "Pakistani", "Palestinian", "Persian", "Peruvian", "Polish", "Portuguese", "Qatari", "Romanian", "Russian",
    "Rwandan", "Saudi", "Scottish", "Scots", "Serbian", "Singaporean", "Slovak", "Slovenian", "Somali",
    "Spanish", "Sudanese", "Swedish", "Swiss", "Syrian", "Taiwanese", "Tajik", "Thai", "Tibetan", "Tunisian",
    "Turkish", "Turkmen", "Ugandan", "Ukrainian", "Uzbek", "Venezuelan", "Vietnamese", "Welsh", "Yemeni",
    "Zambian", "Zimbabwean", "Soviet", "European", "African", "Asian", "Arab", "Arabian", "Latin", "Nordic",
    "Scandinavian", "Balkan", "Baltic", "Caucasian", "Slavic", "Western", "Eastern",
)
# Continents, planets and heavenly bodies, regions and blocs, and capitals used as metonyms for governments.
OTHER_PLACES = (
    "Africa", "Antarctica", "Asia", "Europe", "America", "Americas", "North America", "South America",
    "Latin America", "Oceania", "Eurasia", "Middle East", "Near East", "Far East", "Balkans", "Baltics",
    "Caucasus", "Crimea", "Donbas", "Donbass", "Gaza", "West Bank", "Kashmir", "Scandinavia", "Siberia",
    "Kurdistan", "Tibet", "Chechnya", "Scotland", "England", "Wales", "Northern Ireland", "Britain",
    "Great Britain", "UK", "USA", "US", "U.S.", "EU", "UN", "USSR", "Soviet Union", "NATO", "West", "East",
    "Mercury", "Venus", "Earth", "Mars", "Jupiter", "Saturn", "Uranus", "Neptune", "Pluto", "Moon", "Sun",
    "Moscow", "Kyiv", "Kiev", "Washington", "Beijing", "London", "Paris", "Berlin", "Brussels", "Tehran",
    "Jerusalem", "Tel Aviv", "Damascus", "Baghdad", "Kabul", "Ankara", "Istanbul", "Warsaw", "Vienna", "Rome",
    "Madrid", "Tokyo", "Delhi", "New Delhi", "Ottawa", "Toronto", "Canberra", "Caracas", "Havana", "Minsk",
    "Pyongyang", "Seoul", "Taipei", "Riyadh", "Cairo", "Tripoli", "Benghazi", "Mariupol", "Bakhmut", "Kharkiv",
    "Odesa", "Odessa", "Hollywood", "Wall Street", "Silicon Valley", "Westminster", "Whitehall", "Kremlin",
    "Pentagon", "White House", "Downing Street", "Brexit",
)
_SHORT_NAMES = {"Russian Federation": "Russia", "Iran, Islamic Republic of": "Iran", "Syrian Arab Republic": "Syria",
                "Korea, Republic of": "South Korea", "Korea, Democratic People's Republic of": "North Korea",
                "Viet Nam": "Vietnam", "Türkiye": "Turkey", "Czechia": "Czech Republic",
                "Moldova, Republic of": "Moldova", "Taiwan, Province of China": "Taiwan",
                "Venezuela, Bolivarian Republic of": "Venezuela", "Bolivia, Plurinational State of": "Bolivia",
                "Tanzania, United Republic of": "Tanzania", "Palestine, State of": "Palestine",
                "Lao People's Democratic Republic": "Laos"}


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every place and demonym above, as written (capitalised)."""
    names: set[str] = set(OTHER_PLACES) | set(IRREGULAR_DEMONYMS)
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(value)
                names.add(_SHORT_NAMES.get(value, value))
    for name in list(names):
        if "," in name or "(" in name:
            names.discard(name)
        elif " " not in name and name.endswith("a") and not name.endswith("ia"):
            names.add(name + "n")  # Libya -> Libyan, Cuba -> Cuban
        elif name.endswith("ia"):
            names.add(name + "n")  # Russia -> Russian, Syria -> Syrian
    names |= {n + "s" for n in list(names) if n.endswith("an")}  # Russians, Americans
    return frozenset(names)


@lru_cache(maxsize=1)
def place_phrase_pattern() -> re.Pattern[str]:
    """Matches a place of several words ("New Zealand", "White House"), longest first, case-sensitive."""
    phrases = [n for n in place_names() if " " in n]
    alternatives = "|".join(re.escape(n) for n in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def is_place(word: str) -> bool:
    """One word (or phrase) that names a place or a nationality, never a person."""
    return word in place_names() or word.rstrip("'s’") in place_names()
