"""The web chat page in a real headless Chromium: keyboard, clicks, the record, accessibility."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.channels.web.a11y import CONTRAST_FAILURES, FOCUS_VISIBLE, NAME_PROBLEMS, axe_serious
from tests.channels.web.conftest import WebServer

FIRST_QUESTION = "Is a child in danger right now"
PURPOSE = "Do you have a clear, proper reason to share"
IDENTIFIABLE = "Could anyone work out who this is about from what you would share?"


async def focused(page: Any) -> str:
    """The focused element as ``tag:text`` (or ``tag#id``), for asserting where focus is."""
    return await page.evaluate("""() => {
        const el = document.activeElement;
        if (!el || el === document.body) return "body";
        const text = (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 80);
        return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (text ? ":" + text : "");
    }""")


async def wait_focus_on(page: Any, tag: str, starts: str) -> None:
    await page.wait_for_function(
        "([tag, starts]) => { const el = document.activeElement;"
        " return el && el.tagName.toLowerCase() === tag && el.textContent.trim().startsWith(starts); }",
        arg=[tag, starts])


async def tab_to(page: Any, label: str, limit: int = 12) -> None:
    """Press Tab until the focused button reads ``label`` (failing if it takes more than ``limit``)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await focused(page) == f"button:{label}":
            return
    raise AssertionError(f"Tab never reached the {label!r} button (last: {await focused(page)})")


async def test_keyboard_only_walk_to_an_outcome_and_copy_the_record(web_server: WebServer, browser: Any,
                                                                    artifacts: Path) -> None:
    base = await web_server()
    context = await browser.new_context(viewport={"width": 1024, "height": 900})
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = await context.new_page()
    await page.goto(base + "/")

    # Focus order of the page as it loads: skip link, the two starting choices, the box, Send.
    order = []
    for _ in range(5):
        await page.keyboard.press("Tab")
        order.append(await focused(page))
    assert order == ["a:Skip to the message box", "button:Walk through the flowchart", "button:Help",
                     "input#message", "button#send:Send"]

    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    await page.keyboard.press("Shift+Tab")
    assert await focused(page) == "button:Walk through the flowchart"
    await page.keyboard.press("Enter")

    # Focus follows the conversation: the new question's heading, then its answers in order.
    await wait_focus_on(page, "h3", FIRST_QUESTION)
    await page.keyboard.press("Tab")
    assert await focused(page) == "button:Yes"
    await page.keyboard.press("Tab")
    assert await focused(page) == "button:No"
    await page.keyboard.press("Enter")

    await wait_focus_on(page, "h3", PURPOSE)
    await tab_to(page, "Yes")
    await page.keyboard.press("Space")  # buttons answer to Space as well as Enter

    await wait_focus_on(page, "h3", IDENTIFIABLE)
    await tab_to(page, "No")
    await page.keyboard.press("Enter")

    await wait_focus_on(page, "h3", "You can share it without names")
    assert await page.locator("article.outcome .outcome-kind").text_content() == "You can share"
    # Answered questions keep their text and show the answer; their buttons are gone.
    answered = await page.locator("article.kind-question .answered").all_text_contents()
    assert answered == ["Your answer: No", "Your answer: Yes", "Your answer: No"]
    assert await page.locator("article.kind-question .choices").count() == 0

    # Layered: the record is folded in the outcome, one keypress away; its text is there in full.
    assert await page.locator("details.layer-record").get_attribute("open") is None
    record = (await page.locator(".record pre").text_content()) or ""
    assert record.startswith("INFORMATION SHARING DECISION RECORD")
    assert f"1. {FIRST_QUESTION}" in record and "— No" in record
    assert f"2. {PURPOSE}" in record and "— Yes" in record
    assert f"3. {IDENTIFIABLE} — No" in record
    assert "Outcome: You can share it without names" in record
    assert "No names or identifying details are included in this record." in record

    for _ in range(12):
        await page.keyboard.press("Tab")
        if await focused(page) == "summary:Full record":
            break
    else:
        raise AssertionError(f"Tab never reached Full record (last: {await focused(page)})")
    await page.keyboard.press("Enter")  # a <details> summary opens from the keyboard
    assert await page.locator("details.layer-record").get_attribute("open") is not None
    await tab_to(page, "Copy decision record", limit=30)
    await page.keyboard.press("Enter")
    await page.wait_for_function("() => document.querySelector('.copy-status').textContent.startsWith('Copied')")
    assert await page.evaluate("() => navigator.clipboard.readText()") == record

    await page.screenshot(path=str(artifacts / "web-chat-keyboard.png"), full_page=True)
    await context.close()


async def test_clicking_through_on_a_phone(web_server: WebServer, browser: Any, artifacts: Path) -> None:
    base = await web_server()
    context = await browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = await context.new_page()
    await page.goto(base + "/")
    await page.get_by_role("button", name="Walk through the flowchart").click()
    await page.get_by_role("heading", name=FIRST_QUESTION).wait_for()
    await page.get_by_role("group", name="Answer").get_by_role("button", name="No", exact=True).click()
    await page.get_by_role("heading", name=PURPOSE).wait_for()
    await page.get_by_role("button", name="Explain").click()
    await page.get_by_role("heading", name=PURPOSE).nth(1).wait_for()  # asked again after the explanation
    await page.get_by_role("group", name="Answer").last.get_by_role("button", name="No", exact=True).click()

    outcome = page.locator("article.outcome")
    await outcome.wait_for()
    assert await outcome.locator(".outcome-kind").text_content() == "Do not share"
    assert "outcome-do_not_share" in ((await outcome.get_attribute("class")) or "")
    record = (await page.locator(".record pre").text_content()) or ""
    assert any(line.strip().startswith(f"2. {PURPOSE}") and line.endswith("— No") for line in record.splitlines())
    # The explained question was shown twice: neither copy keeps buttons, the one answered shows the answer.
    questions = page.locator("article.kind-question")
    assert await questions.count() == 3
    assert await questions.locator(".choices").count() == 0
    assert [await questions.nth(i).locator(".answered").all_text_contents() for i in range(3)] == [
        ["Your answer: No"], [], ["Your answer: No"]]

    # Readable on a phone: nothing wider than the screen, text at least 16px, targets at least 44px.
    assert await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert await page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") >= 16
    small = await page.evaluate("""() => [...document.querySelectorAll('button')]
        .filter(b => b.offsetParent && (b.getBoundingClientRect().height < 44 || b.getBoundingClientRect().width < 44))
        .map(b => b.textContent)""")
    assert small == []
    await page.screenshot(path=str(artifacts / "web-chat-phone.png"), full_page=True)
    await outcome.scroll_into_view_if_needed()
    await page.screenshot(path=str(artifacts / "web-chat-phone-outcome.png"))
    await context.close()


async def test_typed_text_is_shown_as_text_and_questions_are_answered(web_server: WebServer, browser: Any) -> None:
    base = await web_server()
    page = await browser.new_page()
    await page.goto(base + "/")
    box = page.get_by_label("Type a message or a question")
    hostile = '<img src=x onerror="window.__pwned = 1"><b>bold</b>'
    await box.fill(hostile)
    await box.press("Enter")
    await page.locator("article.user").first.wait_for()
    assert await page.locator("article.user").first.text_content() == hostile
    await page.locator("article.bot").nth(1).wait_for()
    assert await page.locator("#log img, #log b").count() == 0
    assert await page.evaluate("() => window.__pwned") is None

    await box.fill("do I need consent to tell the police?")
    await box.press("Enter")
    answer = page.locator("article.kind-answer").last
    await answer.wait_for()
    assert (await answer.locator("h3").text_content() or "").strip()
    assert await answer.locator(".source").count() >= 1
    # Typing keeps focus in the message box, ready for the next question.
    assert await focused(page) == "input#message"
    await page.close()


async def test_accessibility_names_contrast_and_visible_focus(web_server: WebServer, browser: Any) -> None:
    base = await web_server()
    page = await browser.new_page()
    await page.goto(base + "/")
    assert await page.evaluate("() => document.documentElement.lang") == "en-GB"
    assert await page.get_by_role("main").count() == 1
    assert await page.get_by_role("heading", level=1).count() == 1
    assert await page.get_by_role("log", name="Conversation").count() == 1
    assert await page.get_by_role("textbox", name="Type a message or a question").count() == 1

    # Walk to an outcome so every kind of reply is on the page when it is checked.
    await page.get_by_role("button", name="Walk through the flowchart").click()
    await page.get_by_role("heading", name=FIRST_QUESTION).wait_for()
    await page.get_by_role("button", name="Yes", exact=True).click()
    await page.locator("article.urgent").first.wait_for()
    await page.locator(".record pre").wait_for(state="attached")
    # Every layer open, so what is folded is checked too; the summaries themselves are focusable.
    summaries = page.locator("details.layer > summary")
    for i in range(await summaries.count()):
        await summaries.nth(i).click()
    await page.locator(".record pre").wait_for()

    assert await page.evaluate(NAME_PROBLEMS) == []
    assert await page.evaluate(CONTRAST_FAILURES) == []
    not_visible = []
    for handle in await page.locator("a[href], button, input, summary, [tabindex='0']").element_handles():
        await handle.focus()
        if not await handle.evaluate(FOCUS_VISIBLE):
            not_visible.append(await handle.evaluate("el => el.outerHTML.slice(0, 80)"))
    assert not_visible == []
    await page.close()


# The youth worker's walk from the issue that asked for layers: a 16-year-old discloses self-harm and asks
# them not to tell. No immediate danger; a proper reason; identifiable; confidential; no consent; no legal
# duty; a risk of harm that outweighs the confidence.
YOUTH_WORKER = ["No", "Yes", "Yes", "Yes", "No", "No", "Yes"]
PHONE = {"width": 390, "height": 844}
# From the outcome's top to the end of its last "show more" control (all folded), and with every layer open.
OUTCOME_HEIGHTS = """() => {
  const outcome = document.querySelector("article.outcome");
  const top = outcome.getBoundingClientRect().top;
  const summaries = [...outcome.querySelectorAll("details.layer > summary")];
  const folded = summaries[summaries.length - 1].getBoundingClientRect().bottom - top;
  const text = outcome.innerText;
  const page = document.documentElement.scrollHeight;
  outcome.querySelectorAll("details.layer").forEach(d => { d.open = true; });
  return {folded, unfolded: outcome.getBoundingClientRect().height, words: text.split(/\\s+/).filter(Boolean).length,
          summaries: summaries.map(s => s.textContent), page, page_unfolded: document.documentElement.scrollHeight};
}"""


async def test_a_whole_walk_ends_in_an_outcome_that_fits_one_phone_screen(web_server: WebServer, browser: Any,
                                                                         artifacts: Path) -> None:
    base = await web_server()
    context = await browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = await context.new_page()
    await page.goto(base + "/")
    await page.get_by_role("button", name="Walk through the flowchart").click()
    for step, label in enumerate(YOUTH_WORKER, start=1):
        await page.locator("article.kind-question .step", has_text=f"Question {step} ").last.wait_for()
        await page.get_by_role("group", name="Answer").last.get_by_role("button", name=label, exact=True).click()
    outcome = page.locator("article.outcome")
    await outcome.wait_for()
    await outcome.scroll_into_view_if_needed()
    await page.screenshot(path=str(artifacts / "web-chat-phone-layered-outcome.png"))
    # Everything after the walk's last answer is this one outcome: nothing else was posted for the turn.
    assert await page.locator("article.bot").last.evaluate("el => el.classList.contains('outcome')")
    heights = await page.evaluate(OUTCOME_HEIGHTS)
    (artifacts / "web-phone-outcome.json").write_text(json.dumps(heights, indent=2))
    assert heights["summaries"] == ["Show the law", "Before you share", "Full record"]
    # The outcome, with every "show more" control, fits on one 390x844 screen.
    assert heights["folded"] <= PHONE["height"], heights
    assert heights["unfolded"] > PHONE["height"]  # what is folded away really is the bulk
    # One tap away and complete: the law with its quotations, and the whole record with the law last.
    law = (await outcome.locator("details.layer-law").inner_text()) or ""
    assert "Legal basis:" in law and "Golden rule" in law
    record = (await outcome.locator(".record pre").inner_text()) or ""
    assert record.count(" — Yes") + record.count(" — No") == len(YOUTH_WORKER)
    assert record.index("Complete in your case notes:") < record.index("Questions and answers:") < record.index(
        "Legal basis:")


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop-1280", "phone-390"])
async def test_axe_finds_no_serious_or_critical_problem_after_a_full_walk(web_server: WebServer, browser: Any,
                                                                         width: int, height: int) -> None:
    base = await web_server()
    context = await browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = await context.new_page()
    await page.goto(base + "/")
    assert await axe_serious(page) == []  # the page as it first loads
    # A full walk: every question answered through to an outcome and its decision record, a free-text
    # question answered, and the help, so every kind of reply the page draws is on it when audited.
    await page.get_by_role("button", name="Walk through the flowchart").click()
    for heading in (FIRST_QUESTION, PURPOSE, IDENTIFIABLE):
        await page.get_by_role("heading", name=heading).wait_for()
        answer = "No" if heading != PURPOSE else "Yes"
        await page.get_by_role("group", name="Answer").last.get_by_role("button", name=answer, exact=True).click()
    await page.locator("article.outcome").wait_for()
    await page.get_by_label("Message").fill("do I need consent to tell the police?")
    await page.get_by_role("button", name="Send").click()
    await page.locator("article.kind-answer").first.wait_for()
    assert await axe_serious(page) == []  # the layers folded
    summaries = page.locator("details.layer > summary")
    for i in range(await summaries.count()):
        await summaries.nth(i).click()
    await page.locator(".record pre").wait_for()
    assert await axe_serious(page) == []  # and every layer open: the law, the checklist, the record
    # The audit really looks: an image without a text alternative is a critical problem to axe.
    await page.evaluate("() => document.querySelector('main').append(document.createElement('img'))")
    assert any(line.startswith("image-alt (critical)") for line in await axe_serious(page))
    await context.close()
