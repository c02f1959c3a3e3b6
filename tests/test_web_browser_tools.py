"""The queue's tools in real headless Chromium (Debian's, via Playwright), on SQLite and PostgreSQL: why a comment
is held, the key help, the commenter drawer, search and per-story filter, one comment's own page, live arrivals.

Fixtures come from test_web_browser.py (a real server over a seeded database). ``THREADWISE_SCREENSHOTS`` also saves
the screenshots of docs/screenshots/.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from test_web_browser import Site, Tab, _has, actor, browser, screenshot, select_item, sign_in, site, tab
from test_web_fixtures import HOSTILE_THREAD
from test_web_queue_tools import store_held_comment
from threadwise.analysers.toxicity import ToxicityAnalyser

__all__ = ["browser", "site", "tab"]  # fixtures, imported for pytest


def test_a_hold_without_a_marked_word_shows_the_words_that_carried_it(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    held = next(i for i in site.store.queue("review", limit=None) if "Nazi collaborator" in i.comment.text)
    item = page.locator(f"#item-{held.comment.id}")
    expect(item.locator("mark.evidence")).to_have_count(0)
    carried = item.locator("mark.carried")
    expect(carried).to_have_text(["Nazi", "shut"])
    assert (carried.first.get_attribute("title") or "").startswith("rude or disrespectful: without this word")
    why = item.locator("ul.why li[data-rule=toxic]")
    expect(why).to_contain_text(f"model toxicity {ToxicityAnalyser.version}")
    expect(why).to_contain_text("the words that carried the score")
    item.scroll_into_view_if_needed()
    screenshot(page, site, "held-without-span.png")


def test_question_mark_opens_the_key_help_and_escape_closes_it(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    help_dialog = page.locator("dialog#keys-help")
    expect(help_dialog).to_be_hidden()
    page.keyboard.press("?")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("open the commenter drawer")
    current = page.locator("#queue .item.current").get_attribute("id")
    page.keyboard.press("j")  # keys do nothing behind the open help
    expect(page.locator("#queue .item.current")).to_have_id(current or "")
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()


def test_u_opens_the_commenter_drawer_where_a_suspension_is_recorded(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    select_item(page, "c-count")
    page.keyboard.press("u")
    drawer = page.locator("#drawer .commenter")
    expect(drawer.locator("h1")).to_have_text("counter")
    expect(drawer.locator(".status")).to_have_text("In good standing.")
    expect(page).to_have_url(re.compile(r"/ui/queue"))  # a drawer, not a new page
    form = drawer.locator("form.author-act")
    form.locator("select[name=action]").select_option("suspend")
    form.locator("input[name=days]").fill("3")
    form.locator("input[name=note]").fill("insults after a warning")
    form.locator("button", has_text="Record").click()
    expect(page.locator("#drawer .status")).to_contain_text("suspended until")
    expect(page.locator("#drawer .status")).to_contain_text(f"by {actor(site, 'ann')}: insults after a warning")
    expect(page.locator("#drawer ol.record li")).to_have_count(1)
    assert [a.action for a in site.store.author_actions("name:bike-lanes:counter")] == ["suspend"]
    screenshot(page, site, "user-drawer.png")
    page.locator("#drawer form.author-act input[name=note]").press("Escape")
    expect(page.locator("#drawer .commenter")).to_have_count(0)
    expect(page.locator("#queue .item.current")).to_have_id("item-c-count")  # the moderator's place is kept


def test_the_queue_is_searched_and_filtered_by_story(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    page.keyboard.press("/")
    search = page.locator("form.filter input[name=q]")
    expect(search).to_be_focused()
    page.select_option("form.filter select[name=thread]", HOSTILE_THREAD)
    search.fill("moron")
    search.press("Enter")
    expect(page).to_have_url(re.compile(rf"thread={HOSTILE_THREAD}&q=moron"))
    texts = page.locator("#queue .item .text").all_inner_texts()
    assert texts and all("moron" in t.lower() for t in texts)
    page.click("form.filter a.clear")
    expect(page.locator("form.filter input[name=q]")).to_have_value("")


def test_o_opens_the_comment_on_its_own_page_with_a_link_into_its_thread(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    select_item(page, "c-author1")
    page.keyboard.press("o")
    expect(page).to_have_url(f"{site.url}/ui/comments/c-author1")
    expect(page.locator("#queue .item")).to_have_count(1)
    page.click("a.in-thread")
    expect(page).to_have_url(f"{site.url}/ui/threads/{HOSTILE_THREAD}/report#c-c-author1")
    expect(page.locator("#c-c-author1")).to_be_visible()


def test_new_comments_arrive_below_without_moving_the_moderators_place(tab: Tab, site: Site) -> None:
    page = sign_in(tab, site)
    select_item(page, "c-bulk1")
    before = page.locator("#queue .item").count()
    store_held_comment(site.store, "t-arrival", "c-arrival", "You are all clowns, honestly.")
    arrived = page.locator("#item-c-arrival")
    expect(arrived).to_have_count(1, timeout=20_000)  # the queue polls every 5 s
    expect(page.locator("#queue .item").last).to_have_id("item-c-arrival")  # below the ones being read
    expect(page.locator("#queue .item")).to_have_count(before + 1)
    expect(page.locator("#arrivals")).to_contain_text("1 new comment arrived below.")
    expect(page.locator("#queue .item.current")).to_have_id("item-c-bulk1")
    expect(page.locator("#item-c-bulk1")).to_be_focused()
    page.wait_for_timeout(6_000)  # one more poll: nothing twice
    expect(arrived).to_have_count(1)
    expect(page.locator("#item-c-bulk1")).to_have_class(_has("current"))
