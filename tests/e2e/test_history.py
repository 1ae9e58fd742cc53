"""A project's history in the browser: two saves make two versions; version 1 opens read only (its blocks
shown, nothing editable), is restored as a new version equal to it; the address /?project=ID&version=N
opens a version too, and Back to current brings the work in progress back."""

import re
import uuid

from playwright.sync_api import Page, expect

from tests.services import ROOT


def test_open_an_old_version_read_only_and_restore_it(page: Page):
    page.goto("/")
    page.get_by_test_id("projects").click()
    panel = page.get_by_test_id("projects-panel")
    panel.get_by_test_id("auth-username").fill(f"history-{uuid.uuid4().hex[:8]}")
    panel.get_by_test_id("auth-password").fill("correct horse battery staple")
    panel.get_by_test_id("auth-signup").click()
    expect(page.get_by_test_id("auth-user")).to_be_visible(timeout=20_000)
    page.get_by_test_id("projects").click()  # closes the popover

    # Version 1: the mnist_mlp example (pixels, hidden, probs, label); version 2: without `hidden`.
    page.get_by_test_id("import-file").set_input_files(str(ROOT / "builder" / "examples" / "mnist_mlp.json"))
    expect(page.get_by_test_id("node-hidden")).to_be_visible()
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("unsaved-mark")).to_have_count(0)
    page.get_by_test_id("node-hidden").click()
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("node-hidden")).to_have_count(0)
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("unsaved-mark")).to_have_count(0)
    projects = page.request.get("/api/projects").json()
    assert len(projects) == 1 and projects[0]["version"] == 2, projects
    pid = projects[0]["id"]

    # History: newest first, with time and block count.
    page.get_by_test_id("projects").click()
    page.get_by_test_id("project-history").click()
    history = page.get_by_test_id("history-panel")
    expect(history.get_by_test_id("version-2")).to_contain_text("current")
    expect(history.get_by_test_id("version-blocks-2")).to_have_text("3 blocks")
    expect(history.get_by_test_id("version-blocks-1")).to_have_text("4 blocks")
    expect(history.get_by_test_id("version-time-1")).to_have_text(re.compile(r"\d"))

    # Version 1, read only: its blocks, a banner, no palette, nothing to edit.
    history.get_by_test_id("version-open-1").click()
    banner = page.get_by_test_id("version-banner")
    expect(banner.get_by_test_id("version-banner-text")).to_have_text("Viewing version 1 — read only")
    expect(page).to_have_url(re.compile(rf"/\?project={pid}&version=1$"))
    hidden = page.get_by_test_id("node-hidden")
    expect(hidden).to_be_visible()
    expect(page.get_by_test_id("palette-search")).to_have_count(0)
    expect(page.get_by_test_id("save")).to_have_count(0)
    before = hidden.bounding_box()
    assert before is not None
    page.mouse.move(before["x"] + 20, before["y"] + 10)
    page.mouse.down()
    page.mouse.move(before["x"] + 220, before["y"] + 160, steps=8)
    page.mouse.up()
    assert hidden.bounding_box() == before  # not dragged
    hidden.click()
    units = page.get_by_test_id("field-units")
    expect(units).to_have_value("512")
    expect(units).to_be_disabled()  # the inspector shows the parameters, read only
    page.keyboard.press("Delete")
    page.keyboard.press("Control+z")
    expect(hidden).to_be_visible()
    expect(page.locator(".react-flow__node")).to_have_count(4)

    # Restore: a new version 3 whose graph is version 1's; the editor shows it as the current project.
    banner.get_by_test_id("version-restore").click()
    expect(page.get_by_test_id("version-banner")).to_have_count(0)
    expect(page.get_by_test_id("node-hidden")).to_be_visible()
    expect(page.get_by_test_id("unsaved-mark")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/$"))
    v1 = page.request.get(f"/api/projects/{pid}/versions/1").json()
    v3 = page.request.get(f"/api/projects/{pid}/versions/3").json()
    assert v3["graph"] == v1["graph"] and v3["note"] == "restored from version 1"
    assert page.request.get(f"/api/projects/{pid}").json()["version"] == 3

    # The address opens a version read only; Back to current brings the work in progress back as it was.
    page.get_by_test_id("node-probs").click()
    page.keyboard.press("Delete")  # unsaved work in progress: 3 blocks
    expect(page.locator(".react-flow__node")).to_have_count(3)
    page.goto(f"/?project={pid}&version=2")
    expect(page.get_by_test_id("version-banner-text")).to_have_text("Viewing version 2 — read only")
    expect(page.get_by_test_id("node-hidden")).to_have_count(0)
    expect(page.get_by_test_id("version-side").get_by_test_id("version-2")).to_have_class("selected")
    page.get_by_test_id("version-back").click()
    expect(page.get_by_test_id("version-banner")).to_have_count(0)
    expect(page.locator(".react-flow__node")).to_have_count(3)
    expect(page.get_by_test_id("node-probs")).to_have_count(0)
    expect(page.get_by_test_id("unsaved-mark")).to_be_visible()

    # A version that does not exist: said so, the address cleared, the work untouched.
    page.goto(f"/?project={pid}&version=99")
    expect(page.locator(".toast")).to_contain_text("Could not open version 99")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("version-banner")).to_have_count(0)
    expect(page.locator(".react-flow__node")).to_have_count(3)
    assert page.console_errors == []
