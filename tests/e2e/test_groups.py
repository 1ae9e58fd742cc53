"""Groups in the editor, in a real headless Chromium against the real stack: three connected
blocks selected and grouped with Ctrl+G become one Group block with its parameter count from the
server; a double-click opens it in place (its three blocks and a breadcrumb), and the breadcrumb
goes back out; inside, the Inspector shows an inner block's own shape and errors, and the error
list's entry for an inner block opens its group."""

import json
import os
import uuid

import pytest
from playwright.sync_api import Page, expect

# Live validation is debounced and then goes to the server: allow for a loaded machine.
SLOW = 20_000

GRAPH = {
    "version": 1,
    "name": "mlp",
    "nodes": [
        {"id": "pixels", "type": "Input", "params": {"shape": [784]}, "position": {"x": 200, "y": 0}},
        {
            "id": "hidden",
            "type": "Dense",
            "params": {"units": 32, "activation": "relu"},
            "position": {"x": 200, "y": 130},
        },
        {"id": "drop", "type": "Dropout", "params": {"rate": 0.2}, "position": {"x": 200, "y": 260}},
        {
            "id": "probs",
            "type": "Dense",
            "params": {"units": 10, "activation": "softmax"},
            "position": {"x": 200, "y": 390},
        },
        {
            "id": "label",
            "type": "Output",
            "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            "position": {"x": 200, "y": 520},
        },
    ],
    "edges": [
        {"source": "pixels", "target": "hidden"},
        {"source": "hidden", "target": "drop"},
        {"source": "drop", "target": "probs"},
        {"source": "probs", "target": "label"},
    ],
}

pytestmark = pytest.mark.usefixtures("no_page_errors")


def node(page: Page, node_id: str):
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def keep_work(page: Page) -> None:
    """The work of a last visit comes back from localStorage: the five blocks, already placed."""
    page.add_init_script(
        f"localStorage.setItem('keras-canvas:work', JSON.stringify({{graph: {json.dumps(GRAPH)}, projectId: null}}))"
    )


def test_group_open_in_place_and_back(page: Page):
    keep_work(page)
    page.goto("/")
    expect(page.get_by_test_id("node-params-hidden")).to_have_text("25,120 params", timeout=SLOW)
    expect(page.get_by_test_id("palette-my-blocks")).to_have_count(0)  # signed out: no My blocks

    # select the three layers (click, then Ctrl+click) and group them
    node(page, "hidden").click()
    node(page, "drop").click(modifiers=["Control"])
    node(page, "probs").click(modifiers=["Control"])
    page.keyboard.press("Control+g")

    group = node(page, "group_1")
    expect(group).to_be_visible()
    for gone in ("hidden", "drop", "probs"):
        expect(node(page, gone)).to_have_count(0)
    expect(page.get_by_test_id("group-summary-group_1")).to_have_text("3 blocks · 1 in · 1 out")
    # the server checks the group as one nested model: its parameters are its blocks' own
    expect(page.get_by_test_id("node-params-group_1")).to_have_text("25,450 params", timeout=SLOW)
    expect(page.get_by_test_id("node-shape-group_1")).to_have_text("(None, 10)")
    expect(page.get_by_test_id("status-state")).not_to_contain_text("error", timeout=SLOW)

    # double-click: the group's own graph in place, the outside wires as its Input and Output
    group.dblclick()
    expect(page.get_by_test_id("group-breadcrumb")).to_be_visible()
    expect(page.get_by_test_id("group-crumb-0")).to_have_text("mlp")
    expect(page.get_by_test_id("group-crumb-1")).to_have_text("group_1")
    for inner in ("hidden", "drop", "probs", "pixels", "probs_out"):
        expect(node(page, inner)).to_be_visible()
    expect(node(page, "label")).to_have_count(0)
    # inner blocks are checked by path ("group_1/hidden"): they show their counts too
    expect(page.get_by_test_id("node-params-hidden")).to_have_text("25,120 params")
    # and the Inspector shows an inner block's own output shape; the group's Input port needs no shape
    node(page, "hidden").click()
    expect(page.get_by_test_id("inspector-shape")).to_have_text("(None, 32)")
    node(page, "pixels").click()
    expect(page.get_by_test_id("inspector-shape")).to_have_text("(None, 784)")
    expect(page.get_by_test_id("field-error-shape")).to_have_count(0)
    # a shape that does not fit the wire is the server's error on the inner block, named by its path:
    # from the top level, the error list opens the group and selects that block
    page.get_by_test_id("field-shape").fill("5")
    expect(page.get_by_test_id("status-errors")).to_have_attribute("data-count", "1", timeout=SLOW)
    page.get_by_test_id("group-crumb-0").click()
    expect(node(page, "label")).to_be_visible()
    page.get_by_test_id("status-errors").click()
    expect(page.get_by_test_id("error-item-0")).to_contain_text("group_1/pixels")
    page.get_by_test_id("error-item-0").click()
    expect(page.get_by_test_id("group-crumb-1")).to_have_text("group_1")
    expect(page.get_by_test_id("field-id")).to_have_value("pixels")
    expect(page.get_by_test_id("inspector-errors")).to_contain_text("but the group is called on (None, 784)")
    page.get_by_test_id("field-shape").fill("")
    expect(page.get_by_test_id("status-errors")).to_have_attribute("data-count", "0", timeout=SLOW)
    if os.environ.get("GROUPS_SCREENSHOT"):
        page.screenshot(path=os.environ["GROUPS_SCREENSHOT"])

    # back out by the breadcrumb
    page.get_by_test_id("group-crumb-0").click()
    expect(page.get_by_test_id("group-breadcrumb")).to_have_count(0)
    expect(node(page, "group_1")).to_be_visible()
    expect(node(page, "label")).to_be_visible()
    expect(node(page, "hidden")).to_have_count(0)

    # Ctrl+Shift+G puts the blocks back, wired as before
    node(page, "group_1").click()
    page.keyboard.press("Control+Shift+g")
    expect(node(page, "group_1")).to_have_count(0)
    for back in ("hidden", "drop", "probs"):
        expect(node(page, back)).to_be_visible()
    # and the work kept in the browser is the ungrouped graph again (version 1, the wires restored)
    page.wait_for_function(
        """() => {
            const work = JSON.parse(localStorage.getItem('keras-canvas:work') || '{}');
            const edges = (work.graph?.edges || []).map(e => e.source + '>' + e.target);
            return work.graph?.version === 1 && edges.includes('pixels>hidden') && edges.includes('probs>label');
        }""",
        timeout=SLOW,
    )


def test_my_blocks_save_place_delete(page: Page):
    keep_work(page)
    # signed up before the page loads (its own first call would give the browser another CSRF token)
    page.request.get("/api/auth/me")  # sets the CSRF cookie
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    signup = page.request.post(
        "/api/auth/signup",
        data={"username": f"blocks-{uuid.uuid4().hex[:8]}", "password": "a-long-passphrase"},
        headers={"X-CSRFToken": token},
    )
    assert signup.ok, signup.text()
    page.goto("/")
    section = page.get_by_test_id("palette-my-blocks")
    expect(section).to_contain_text("Save to My blocks", timeout=SLOW)  # signed in: the section, empty

    node(page, "hidden").click()
    node(page, "drop").click(modifiers=["Control"])
    page.keyboard.press("Control+g")
    node(page, "group_1").click(button="right")
    page.once("dialog", lambda dialog: dialog.accept("Hidden block"))
    page.get_by_test_id("menu-save-block").click()
    entry = section.locator(".palette-my-block")
    expect(entry).to_have_text("▣ Hidden block×")

    # a click places a copy with a fresh id, checked by the server like any group
    entry.click()
    expect(node(page, "hidden_block")).to_be_visible()
    expect(page.get_by_test_id("group-summary-hidden_block")).to_have_text("2 blocks · 1 in · 1 out")
    listed = page.request.get("/api/blocks").json()
    assert [b["name"] for b in listed] == ["Hidden block"]
    assert [n["type"] for n in listed[0]["node"]["graph"]["nodes"]] == ["Input", "Dense", "Dropout", "Output"]

    section.get_by_role("button", name="Delete Hidden block", exact=True).click()
    expect(entry).to_have_count(0)
    assert page.request.get("/api/blocks").json() == []
