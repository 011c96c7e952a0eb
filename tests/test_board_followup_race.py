"""A follow-up's comment box in Debian's Chromium when the live feed redraws the card before the follow-up's
own response comes back (the order CI met once): a sent comment is not carried into the redrawn card, and a
refused follow-up gives the typed comment back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.board import password_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COMMENT = "计算器, 不是手机 (a calculator)"


def _board_with_alert(board_server, page):  # type: ignore[no-untyped-def]
    ev = board_server.env.violation("phone.use", "c01")
    page.goto(f"{board_server.url}/login")
    page.fill("input[name=username]", "mgr1")
    page.fill("input[name=password]", password_of("mgr1"))
    page.click("button[type=submit]")
    page.wait_for_url(f"{board_server.url}/board*")
    page.wait_for_selector("#live-state.on")
    return page.locator(f'article[data-id="{ev.id}"]'), ev.id


def test_a_sent_comment_is_not_kept_when_the_live_feed_redraws_first(board_server, browser_page):
    page = browser_page
    card, event_id = _board_with_alert(board_server, page)
    held = []  # the follow-up's response, held back until the live feed has redrawn the card
    page.route("**/api/events/*/followup", lambda route: held.append((route, route.fetch())))

    card.locator("input.comment").fill(COMMENT)
    card.locator('button[data-action="dismiss"]').click()
    # The server has stored the dismissal; the live feed, not the held response, redraws the card with it.
    page.wait_for_selector(f'article[data-id="{event_id}"][data-status="dismissed"]', timeout=5000)
    assert len(held) == 1 and board_server.env.store.event(event_id).comment == COMMENT
    route, response = held[0]
    with page.expect_response("**/followup"):
        route.fulfill(response=response)
    expect(card.locator("input.comment")).to_have_value("")


def test_a_refused_follow_up_gives_the_comment_back(board_server, browser_page):
    page = browser_page
    card, event_id = _board_with_alert(board_server, page)
    page.route("**/api/events/*/followup",
               lambda route: route.fulfill(status=409, json={"detail": "already dismissed by mgr2"}))
    said = []  # the board says why in an alert
    page.on("dialog", lambda dialog: (said.append(dialog.message), dialog.dismiss()))
    card.locator("input.comment").fill(COMMENT)
    card.locator('button[data-action="dismiss"]').click()
    expect(card.locator("input.comment")).to_have_value(COMMENT)
    assert len(said) == 1 and "already dismissed by mgr2" in said[0]
    expect(card.locator('button[data-action="dismiss"]')).to_be_enabled()
    row = board_server.env.store.event(event_id)
    assert (row.status, row.comment) == ("open", None)  # the refused request never reached the store
