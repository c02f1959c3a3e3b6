"""The web UI's refusals (TW-E140 to TW-E149): shown as a page or a message beside the item, never as JSON."""

from __future__ import annotations

from threadwise.errors import ThreadwiseError


class WebError(ThreadwiseError):
    code = "TW-E149"
    status = 400


class NotSignedIn(WebError):
    code = "TW-E140"
    status = 401
    fix = "sign in at /ui/login with a moderator or admin API key (threadwise keys create --role moderator)"


class LoginRefused(WebError):
    code = "TW-E141"
    status = 401
    fix = "paste the whole key as printed by `threadwise keys create`; ask an admin for a new one if it was revoked"


class RoleNotAllowed(WebError):
    code = "TW-E142"
    status = 403
    fix = "the moderation UI needs a key with the moderator or admin role"


class CsrfRefused(WebError):
    code = "TW-E143"
    status = 403
    fix = "reload the page and submit again; forms are only accepted from this site's own pages"


class InvalidForm(WebError):
    code = "TW-E144"
    status = 422
    fix = "choose an action and, for a rejection, a reason; select at least one comment for a bulk action"
