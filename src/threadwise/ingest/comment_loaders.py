"""Pages whose comments a script loads (Coral, Disqus, OpenWeb, Viafoura…): say so, and how to get them.

Such a page's saved HTML holds the commenting system's loader but not one comment, so reading it finds
none; that is not "no comments". ``loader_note`` names the system from its embed signature and what to
ingest instead, for ingest to report beside the thread rather than a silent "0 new".
"""

from __future__ import annotations

import re

# (system, signature in the page's HTML, what to ingest instead)
_LOADERS = (
    ("Coral", re.compile(r"coral-talk|coral_talk|Coral\.createStreamEmbed|coral-stream|talk-embed", re.I),
     "export the story's comments from Coral and ingest the JSON (coral-json), or add threadwise as Coral's "
     "external moderation phase"),
    ("Disqus", re.compile(r"disqus_thread|disqus\.com/embed\.js|disqus_shortname", re.I),
     "ingest the forum's Disqus XML export (disqus-xml; Disqus admin → Moderate → Export)"),
    ("OpenWeb (Spot.IM)", re.compile(r"spot\.im|OPENWEB_SPOT_ID|launcher\.spot\.im|openweb", re.I),
     "export the conversation from OpenWeb and ingest it as CSV or JSON lines (columns id, text, parent_id, "
     "author, author_id)"),
    ("Viafoura", re.compile(r"viafoura", re.I),
     "export the comments from Viafoura and ingest them as CSV or JSON lines (columns id, text, parent_id, "
     "author, author_id)"),
    ("Facebook comments", re.compile(r"fb-comments|facebook\.com/plugins/comments", re.I),
     "fetch the comments through the Graph API and ingest them as CSV or JSON lines"),
    ("giscus/utterances", re.compile(r"giscus\.app|utteranc\.es", re.I),
     "read the GitHub discussion or issue through its API and ingest the comments as JSON lines"),
)


def loader_note(html: str) -> str | None:
    """A note for a page with no comment markup whose comments a known system loads by script; else None."""
    for system, signature, instead in _LOADERS:
        if signature.search(html):
            return (f"the page holds no comment markup: its comments are loaded by script ({system}), so none "
                    f"could be read from it; {instead}")  # fmt: skip
    return None
