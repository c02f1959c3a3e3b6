"""The moderator UI end to end in real headless Chromium (Debian's, driven by Playwright), on SQLite and PostgreSQL.

A real server (uvicorn, the API app with the UI) serves a database holding the example thread and a
hostile one, both pre-moderated. Each test works on its own comments, so the order of tests does not
matter. ``THREADWISE_SCREENSHOTS=docs/screenshots`` also saves the screenshots of docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright

from test_web_fixtures import HOSTILE_AUTHOR, XSS, database, pg_admin_for, seed, serving
from threadwise.api.app import ApiSettings, create_app
from threadwise.api.auth import actor_of
from threadwise.moderation import audit_log
from threadwise.policy import load_policy
from threadwise.store import Store
from threadwise.web.views import reason_choices

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = os.environ.get("THREADWISE_SCREENSHOTS")


@dataclass
class Site:
    url: str
    store: Store
    keys: dict[str, str]
    backend: str


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"no Chromium at {CHROMIUM}; `make browser` installs Debian's"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with database(request.param, tmp_path_factory.mktemp("web"), pg_admin_for(request, request.param)) as url:
        store = Store.open(url)
        try:
            keys = seed(store)
            with serving(create_app(ApiSettings(db=url))) as base:
                yield Site(base, store, keys, request.param)
        finally:
            store.close()


@dataclass
class Tab:
    page: Page
    errors: list[str]  # uncaught script errors and console errors (a CSP violation, a missing file)
    dialogs: list[str]  # alert/confirm/prompt opened by anything on the page


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    """A fresh browser context (no cookies) whose page records script errors and dialogs."""
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    opened = Tab(page, [], [])
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("console", lambda message: _console_error(message, opened.errors))

    def on_dialog(dialog: Dialog) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield opened
    context.close()
    assert opened.errors == [], "the page raised script errors, broke its CSP or missed a file"


def _console_error(message: ConsoleMessage, errors: list[str]) -> None:
    # A refused sign-in answers 401 on purpose; anything else the console reports as an error counts.
    if message.type == "error" and "status of 401" not in message.text:
        errors.append(message.text)


def sign_in(tab: Tab, site: Site, name: str = "ann") -> Page:
    page = tab.page
    page.goto(f"{site.url}/ui/queue")
    expect(page).to_have_url(f"{site.url}/ui/login?next=%2Fui%2Fqueue")
    page.fill("input[name=key]", site.keys[name])
    page.click("form.login button[type=submit]")
    expect(page).to_have_url(f"{site.url}/ui/queue")
    expect(page.locator("header.top .who")).to_have_text(f"{name} (moderator)")
    return page


def select_item(page: Page, comment_id: str) -> None:
    """Make the comment the current item, as a moderator's click on its text does."""
    page.click(f"#item-{comment_id} .text")
    expect(page.locator(f"#item-{comment_id}")).to_have_class(_has("current"))


def actor(site: Site, name: str) -> str:
    """How the audit log names the person holding the seeded key ``name``."""
    return actor_of(site.keys[name].split("_")[1], name)


def latest(site: Site, comment_id: str) -> tuple[str, str, str]:
    decision = audit_log(site.store, comment_id)[-1]
    return decision.actor, decision.action, decision.reason


def screenshot(page: Page, site: Site, name: str) -> None:
    if SCREENSHOTS and site.backend == "sqlite":
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name))


def _has(css_class: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){css_class}(\s|$)")


# --- tests ------------------------------------------------------------------------------------------------


def test_sign_in_refuses_a_wrong_key_then_admits_a_moderator(tab: Tab, site: Site) -> None:
    page = tab.page
    page.goto(f"{site.url}/ui/login")
    page.fill("input[name=key]", "tw_deadbeef_not-a-key")
    page.click("form.login button[type=submit]")
    expect(page.locator(".login .error")).to_contain_text("TW-E141")
    sign_in(tab, site)
    page.click("text=Sign out")
    expect(page).to_have_url(f"{site.url}/ui/login")
    page.goto(f"{site.url}/ui/queue")
    expect(page).to_have_url(f"{site.url}/ui/login?next=%2Fui%2Fqueue")  # signed out for real


def test_j_and_k_move_between_items_and_hover_shows_the_evidence(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    ids = page.eval_on_selector_all("#queue .item:not(.decided)", "items => items.map(i => i.id)")
    assert len(ids) >= 4
    current = page.locator("#queue .item.current")
    expect(current).to_have_id(ids[0])
    for key, expected in (("j", 1), ("j", 2), ("k", 1), ("j", 2), ("j", 3)):
        page.keyboard.press(key)
        expect(current).to_have_id(ids[expected])
        expect(current).to_have_attribute("aria-current", "true")
    assert page.locator("#queue .item[aria-current]").count() == 1

    mark = page.locator("#item-c-reject mark.evidence")
    expect(mark).to_have_text("pathetic clown")
    title = mark.get_attribute("title") or ""
    assert "rule insult: toxicity.insult" in title and "≥ 0.60" in title
    mark.hover()
    shown = mark.evaluate("m => getComputedStyle(m, '::after').content")
    assert "insult" in shown and "toxicity.insult" in shown and mark.get_attribute("data-score") in shown
    screenshot(page, site, "queue.png")


def test_a_approves_the_current_item_and_moves_on(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    suggestion = audit_log(site.store, "c-approve")[-1]
    select_item(page, "c-approve")
    page.keyboard.press("a")
    expect(page.locator("#item-c-approve .outcome")).to_have_text(f"approve by {actor(site, 'ann')}")
    expect(page.locator("#item-c-approve")).to_have_class(_has("decided"))
    expect(page.locator("#queue .item.current")).not_to_have_id("item-c-approve")  # on to the next open one
    decision = audit_log(site.store, "c-approve")[-1]
    assert (decision.actor, decision.action, decision.supersedes) == (actor(site, "ann"), "approve", suggestion.id)
    assert site.store.queue_item("c-approve").state == "approved"


def test_r_opens_the_reason_picker_and_rejects_with_the_chosen_reason(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    second = reason_choices(load_policy(None))[1].value
    select_item(page, "c-reject")
    page.keyboard.press("r")
    picker = page.locator("#item-c-reject details.reject")
    expect(picker).to_have_attribute("open", "")
    reason = picker.locator("select[name=reason]")
    expect(reason).to_be_focused()
    screenshot(page, site, "reject-picker.png")
    page.keyboard.press("2")
    expect(reason).to_have_value(second)
    page.keyboard.press("Enter")
    expect(page.locator("#item-c-reject .outcome")).to_have_text(f"reject by {actor(site, 'ann')}: {second}")
    assert latest(site, "c-reject") == (actor(site, "ann"), "reject", second)
    page.click("#item-c-reject details.statement summary")
    statement = page.locator("#item-c-reject details.statement textarea")
    expect(statement).to_have_value(re.compile(r"^Your comment was removed .*“pathetic clown”"))
    expect(statement).to_be_editable()  # a draft: the moderator may rewrite it before sending


def test_escape_closes_the_picker_and_e_escalates(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    select_item(page, "c-quote")
    page.keyboard.press("r")
    page.keyboard.press("Escape")
    expect(page.locator("#item-c-quote details.reject")).not_to_have_attribute("open", "")
    page.keyboard.press("e")
    expect(page.locator("#item-c-quote .outcome")).to_have_text(f"escalate by {actor(site, 'ann')}")
    expect(page.locator("#queue .item.current")).not_to_have_id("item-c-quote")  # on to the next
    expect(page.locator("#item-c-quote form.decide")).to_have_count(3)  # escalated: still to be decided
    assert latest(site, "c-quote") == (actor(site, "ann"), "escalate", "")
    page.click("nav >> text=Audit log")
    first_row = page.locator("table.audit tbody tr").first
    expect(first_row).to_contain_text("c-quote")
    expect(first_row).to_contain_text("ann")
    expect(first_row).to_contain_text("escalate")
    page.click("nav >> text=Policy")
    expect(page.locator("table.rules")).to_contain_text("toxicity.insult")


def test_x_selects_and_the_bulk_bar_rejects_the_selection(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    reason = reason_choices(load_policy(None))[3].value
    for comment_id in ("c-bulk1", "c-bulk2"):
        select_item(page, comment_id)
        page.keyboard.press("x")
        expect(page.locator(f"#item-{comment_id} input.select")).to_be_checked()
    expect(page.locator("#selected-count")).to_have_text("2")
    expect(page.locator("#bulk")).to_have_class(_has("active"))
    page.select_option("#bulk select[name=action]", "reject")
    page.select_option("#bulk select[name=reason]", reason)
    page.click("#bulk button[value=selection]")
    expect(page).to_have_url(f"{site.url}/ui/queue?state=open")
    expect(page.locator("#item-c-bulk1")).to_have_count(0)
    expect(page.locator("#item-c-bulk2")).to_have_count(0)
    assert latest(site, "c-bulk1") == latest(site, "c-bulk2") == (actor(site, "ann"), "reject", reason)


def test_a_hostile_comment_renders_as_text_and_runs_nothing(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    page.goto(f"{site.url}/ui/queue?state=reported")
    text = page.locator("#item-c-xss .text")
    expect(text).to_have_text(XSS)  # every character shown, none interpreted
    expect(page.locator("#item-c-xss .author")).to_have_text(HOSTILE_AUTHOR)
    for element in ("script", "img", "i", "[onmouseover]", "[onerror]", "a[href^=javascript]"):
        expect(page.locator(f"#item-c-xss {element}")).to_have_count(0)
    page.locator("#item-c-xss .author").hover()
    text.hover()
    text.click()
    page.keyboard.press("j")
    assert page.evaluate("window.__pwned") is None
    assert tab.dialogs == []


def test_two_moderators_never_get_the_same_item(browser: Browser, tab: Tab, site: Site) -> None:
    ann = sign_in(tab, site)
    held_by_ann = set(ann.eval_on_selector_all("#queue .item", "items => items.map(i => i.id)"))
    assert held_by_ann
    context = browser.new_context()
    try:
        bob = sign_in(Tab(context.new_page(), [], []), site, "bob")
        seen_by_bob = set(bob.eval_on_selector_all("#queue .item", "items => items.map(i => i.id)"))
        assert not held_by_ann & seen_by_bob
        expect(bob.locator(".note")).to_contain_text("being reviewed by other moderators")
    finally:
        context.close()
