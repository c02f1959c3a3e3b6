"""A commenter's standing, as moderators set it from the user drawer: banned, suspended, premoderated, or none.

Every act is appended (``store.standing``), so who banned whom, when, why, and who lifted it stay on record;
the standing is the latest ban, suspension, premoderation or lift (a suspension lapses at its end). While a
commenter is banned, suspended or premoderated, each new comment of theirs is held for a person, naming why:
nothing of theirs is published unseen, and nothing is rejected without a moderator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from threadwise.errors import ModerationError
from threadwise.store import AuthorAction, Store
from threadwise.store.standing import AUTHOR_ACTIONS

RESTRICTING = ("ban", "suspend", "premoderate")
MAX_SUSPENSION_DAYS = 365


@dataclass(frozen=True)
class Standing:
    """The commenter's current standing and the act that set it (None: in good standing)."""

    status: str  # "banned", "suspended", "premoderated" or "" (none)
    by: AuthorAction | None
    notes: list[AuthorAction]  # every act, oldest first (notes and standing changes alike)

    @property
    def restricted(self) -> bool:
        return self.status != ""

    @property
    def summary(self) -> str:
        """"suspended until 2026-12-09 by ann: spam links" — the words a held comment's reason carries."""
        if self.by is None:
            return ""
        until = f" until {self.by.until:%Y-%m-%d %H:%M} UTC" if self.by.until else ""
        why = f": {self.by.note}" if self.by.note else ""
        return f"{self.status}{until} by {self.by.actor}{why}"


STATUS = {"ban": "banned", "suspend": "suspended", "premoderate": "premoderated"}


def standing_of(store: Store, author_key: str, now: datetime | None = None) -> Standing:
    acts = store.author_actions(author_key)
    now = now or datetime.now(UTC)
    latest = next((a for a in reversed(acts) if a.action in (*RESTRICTING, "lift")), None)
    if latest is None or latest.action == "lift" or (latest.until is not None and latest.until <= now):
        return Standing("", None, acts)
    return Standing(STATUS[latest.action], latest, acts)


def act_on_author(
    store: Store, author_key: str, action: str, actor: str, note: str = "", days: int | None = None
) -> AuthorAction:
    """Record a moderator's act on a commenter; a ban or suspension needs a reason, a suspension its length."""
    if not author_key.strip():
        raise ModerationError("an anonymous commenter cannot be banned, suspended or noted", source=author_key,
                              fix="decide their comments one by one")  # fmt: skip
    if action not in AUTHOR_ACTIONS:
        raise ModerationError(f"no action on a commenter is called {action!r}", source=author_key,
                              fix=f"choose one of {', '.join(AUTHOR_ACTIONS)}")  # fmt: skip
    if action in ("ban", "suspend", "note") and not note.strip():
        raise ModerationError(f"a {action} needs a note saying why", source=author_key,
                              fix="write the reason in the note; the commenter's record keeps it")  # fmt: skip
    until = None
    if action == "suspend":
        if days is None or not 1 <= days <= MAX_SUSPENSION_DAYS:
            raise ModerationError(f"a suspension lasts 1 to {MAX_SUSPENSION_DAYS} days, got {days}",
                                  source=author_key, fix="give the number of days")  # fmt: skip
        until = datetime.now(UTC) + timedelta(days=days)
    if not store.author_items(author_key, limit=1):
        raise ModerationError(f"no stored comment is by {author_key!r}", source=author_key)
    return store.add_author_action(author_key, action, note.strip(), actor, until)
