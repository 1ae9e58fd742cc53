"""The model editor in a real headless Chromium against the real stack (daphne, Redis, worker).

Everything goes through the page the way a person works: blocks dragged from the palette,
wires drawn with the mouse from handle to handle, parameters typed into the inspector, keyboard
shortcuts, the toolbar's menus and the downloads they start.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.services import ROOT

# Live validation is debounced (250 ms) and then goes to the server: allow for a loaded machine.
SLOW = 20_000

pytestmark = pytest.mark.usefixtures("no_page_errors")


# --- helpers: what a person does with the mouse and keyboard -------------------------------------


def open_editor(page: Page) -> None:
    page.goto("/")
    # The palette is filled from GET /api/layers: the catalog has arrived.
    expect(page.get_by_test_id("palette-Dense")).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("status-state")).to_have_text("Empty canvas")


def node(page: Page, node_id: str):
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def handle(page: Page, node_id: str, handle_id: str):
    return node(page, node_id).locator(f'.react-flow__handle[data-handleid="{handle_id}"]')


def centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not on screen"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drop_block(page: Page, block_type: str, x: float, y: float) -> str:
    """Drag `block_type` from the palette and drop it at (x, y) on the canvas; the new block's id."""
    before = set(page.locator(".react-flow__node").evaluate_all("els => els.map(e => e.dataset.id)"))
    search = page.get_by_test_id("palette-search")
    search.fill(block_type)  # the palette is long: narrow it as a person would
    page.get_by_test_id(f"palette-{block_type}").drag_to(
        page.get_by_test_id("canvas"), target_position={"x": x, "y": y}
    )
    search.fill("")
    expect(page.locator(".react-flow__node")).to_have_count(len(before) + 1)
    after = set(page.locator(".react-flow__node").evaluate_all("els => els.map(e => e.dataset.id)"))
    (new_id,) = after - before
    # A dropped block is selected: the inspector shows it.
    expect(page.get_by_test_id("inspector-type")).to_have_text(block_type)
    return new_id


# What may move a handle: a block grows or shrinks when a validation answer changes its message (an
# error or warning of one to four lines above its output handle), its shape line or its summary.
_SNAPSHOT = """() => {
  const state = document.querySelector('[data-testid="status-state"]');
  const handles = [...document.querySelectorAll('.react-flow__handle')].map((h) => {
    const r = h.getBoundingClientRect();
    return [h.dataset.nodeid, h.dataset.handleid, Math.round(r.x), Math.round(r.y)].join(':');
  });
  return { busy: !state || state.dataset.validating !== 'false', handles: handles.join(' ') };
}"""


def settle(page: Page, quiet_ms: int = 800) -> None:
    """Wait until no validation is in flight and no handle has moved for `quiet_ms` (longer than the
    250 ms debounce before a change is sent). Aiming at a handle while an answer is on its way is
    how a wire got lost on a loaded machine: the answer re-rendered the source block one line
    taller (its message changed), its output handle moved down, and the mouse press meant for the
    handle landed on the block's message instead, dragging the block rather than drawing a wire."""
    deadline = time.monotonic() + SLOW / 1000
    last, quiet_since = None, time.monotonic()
    while True:
        now = time.monotonic()
        snapshot = page.evaluate(_SNAPSHOT)
        if snapshot["busy"] or snapshot != last:
            last, quiet_since = snapshot, now
        elif (now - quiet_since) * 1000 >= quiet_ms:
            return
        assert now < deadline, f"the editor did not settle: {snapshot}"
        page.wait_for_timeout(100)


def wire(page: Page, source: str, target: str, port: int = 0) -> None:
    """Mouse down on the source's output handle, move, mouse up on the target's input handle, once
    the blocks have settled (see `settle`); the press must start a connection on that handle."""
    out = handle(page, source, "out")
    into = handle(page, target, f"in-{port}")
    expect(out).to_be_visible()
    expect(into).to_be_visible()
    settle(page)
    x0, y0 = centre(out)
    x1, y1 = centre(into)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    # A connection is being drawn from the source handle (not a block being dragged).
    expect(out).to_have_class(re.compile(r"\bconnectingfrom\b"))
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()


def select_block(page: Page, node_id: str) -> None:
    page.get_by_test_id(f"node-type-{node_id}").click()
    expect(page.get_by_test_id("field-id")).to_have_value(node_id)


def edge_count(page: Page) -> int:
    return page.locator(".react-flow__edge").count()


def pick_template(page: Page, name: str) -> None:
    page.get_by_test_id("templates").click()
    page.get_by_test_id(f"template-{name}").click()


def expect_builds(page: Page) -> None:
    expect(page.get_by_test_id("status-state")).to_have_text("Model builds", timeout=SLOW)
    expect(page.get_by_test_id("status-errors")).to_have_attribute("data-count", "0")


def build_mnist_mlp(page: Page) -> None:
    """Input(784) -> Dense(512, relu) -> Dense(10, softmax) -> Output, from an empty canvas."""
    canvas = page.get_by_test_id("canvas").bounding_box()
    x = canvas["width"] / 2
    pixels = drop_block(page, "Input", x, 70)
    page.get_by_test_id("field-shape").fill("784")
    hidden = drop_block(page, "Dense", x, 230)
    page.get_by_test_id("field-units").fill("512")
    page.get_by_test_id("field-activation").select_option("relu")
    probs = drop_block(page, "Dense", x, 390)
    page.get_by_test_id("field-units").fill("10")
    page.get_by_test_id("field-activation").select_option("softmax")
    label = drop_block(page, "Output", x, 550)
    page.get_by_test_id("field-loss").select_option("sparse_categorical_crossentropy")
    assert [pixels, hidden, probs, label] == ["input_1", "dense_1", "dense_2", "output_1"]

    # Each wire is answered (the block it feeds gets its shape) before the next is drawn.
    wire(page, "input_1", "dense_1")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(page.get_by_test_id("node-shape-dense_1")).to_have_text("(None, 512)", timeout=SLOW)
    wire(page, "dense_1", "dense_2")
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    expect(page.get_by_test_id("node-shape-dense_2")).to_have_text("(None, 10)", timeout=SLOW)
    wire(page, "dense_2", "output_1")
    expect(page.locator(".react-flow__edge")).to_have_count(3)


# --- the tests ------------------------------------------------------------------------------------


def test_build_mnist_mlp_by_dragging_and_wiring(page: Page):
    open_editor(page)
    build_mnist_mlp(page)

    expect_builds(page)
    expect(page.get_by_test_id("node-shape-dense_1")).to_have_text("(None, 512)")
    expect(page.get_by_test_id("node-shape-dense_2")).to_have_text("(None, 10)")
    expect(page.get_by_test_id("node-params-dense_1")).to_have_text("401,920 params")
    expect(page.get_by_test_id("status-total-params")).to_have_text("407,050")
    expect(page.get_by_test_id("status-trainable-params")).to_have_text("407,050")
    # Each wire carries the shape that flows along it.
    expect(page.get_by_test_id("edge-label-dense_1-dense_2")).to_have_text("(None, 512)")
    # The inspector of the selected block shows the same figures the server computed.
    select_block(page, "dense_1")
    expect(page.get_by_test_id("inspector-shape")).to_have_text("(None, 512)")
    expect(page.get_by_test_id("inspector-params")).to_have_text("401,920")

    # The picture for the README: the model just built, named, the first Dense in the inspector.
    page.get_by_test_id("graph-name").fill("mnist-mlp")
    page.get_by_test_id("graph-name").press("Enter")
    page.get_by_test_id("fit-view").click()
    page.mouse.move(5, 5)
    page.wait_for_timeout(400)  # the fit animates for 250 ms
    select_block(page, "dense_1")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "editor.png"))


def test_lstm_after_an_image_input_is_an_error_on_the_lstm_and_undo_clears_it(page: Page):
    open_editor(page)
    canvas = page.get_by_test_id("canvas").bounding_box()
    image = drop_block(page, "Input", canvas["width"] / 2, 90)
    page.get_by_test_id("field-shape").fill("28, 28, 1")
    rnn = drop_block(page, "LSTM", canvas["width"] / 2, 300)
    page.get_by_test_id("field-units").fill("32")
    # Nothing is wrong with the LSTM itself yet (it is only not connected).
    expect(page.get_by_test_id("status-state")).to_have_text("Model does not build", timeout=SLOW)
    expect(page.get_by_test_id(f"node-error-{rnn}")).not_to_contain_text("timesteps")

    wire(page, image, rnn)
    error = page.get_by_test_id(f"node-error-{rnn}")
    expect(error).to_contain_text("(batch, timesteps, features)", timeout=SLOW)
    expect(error).to_contain_text("(None, 28, 28, 1)")
    expect(node(page, rnn).locator(".block")).to_have_class(re.compile(r"\bblock-error\b"))
    # The same message is listed in the status bar under the block's id.
    page.get_by_test_id("status-errors").click()
    expect(page.get_by_test_id("error-list")).to_contain_text("(batch, timesteps, features)")
    page.keyboard.press("Escape")

    # Ctrl+Z takes the wire back, and with it the error.
    page.get_by_test_id("canvas").locator(".react-flow__pane").click(position={"x": 20, "y": 20})
    page.keyboard.press("Control+z")
    expect(page.locator(".react-flow__edge")).to_have_count(0)
    expect(page.get_by_test_id(f"node-error-{rnn}")).not_to_contain_text("timesteps", timeout=SLOW)
    expect(page.get_by_test_id("status-errors")).not_to_have_attribute("data-count", "0")
    # Redo brings both back.
    page.keyboard.press("Control+Shift+z")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(page.get_by_test_id(f"node-error-{rnn}")).to_contain_text("(batch, timesteps, features)", timeout=SLOW)


def test_export_python_script_downloads_and_builds(page: Page, tmp_path: Path):
    open_editor(page)
    pick_template(page, "mnist_mlp")
    expect_builds(page)
    expect(page.get_by_test_id("status-total-params")).to_have_text("407,050")

    with page.expect_download() as info:
        page.get_by_test_id("export-python").click()
    download = info.value
    assert download.suggested_filename.endswith(".py"), download.suggested_filename
    script = tmp_path / download.suggested_filename
    download.save_as(script)
    text = script.read_text()
    assert "import keras" in text
    assert "keras.layers.Dense(units=512, activation='relu', name='hidden')" in re.sub(r"\(\s+", "(", text)
    assert "def build_model" in text

    # The script really builds the model it shows: the same parameter count as the editor.
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    code = f"import runpy; m = runpy.run_path({str(script)!r})['build_model'](); print('PARAMS', m.count_params())"
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "PARAMS 407050" in proc.stdout


def test_undo_and_redo_of_parameter_edits_keep_the_block_in_the_inspector(page: Page):
    open_editor(page)
    pick_template(page, "mnist_mlp")
    expect_builds(page)
    select_block(page, "hidden")
    summary = node(page, "hidden").locator(".block-summary")
    # A choice picked in a drop-down (focus stays on it), then Ctrl+Z right there.
    activation = page.get_by_test_id("field-activation")
    activation.focus()
    activation.select_option("tanh")
    expect(summary).to_have_text("units=512 · tanh")
    page.keyboard.press("Control+z")
    expect(summary).to_have_text("units=512 · relu")
    expect(page.get_by_test_id("field-activation")).to_have_value("relu")
    # A number typed, then the toolbar's undo and redo buttons.
    page.get_by_test_id("field-units").fill("64")
    expect(page.get_by_test_id("node-params-hidden")).to_have_text("50,240 params", timeout=SLOW)
    expect(page.get_by_test_id("status-total-params")).to_have_text("50,890")
    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("field-units")).to_have_value("512")
    expect(page.get_by_test_id("status-total-params")).to_have_text("407,050", timeout=SLOW)
    page.get_by_test_id("redo").click()
    expect(page.get_by_test_id("field-units")).to_have_value("64")
    expect(page.get_by_test_id("status-total-params")).to_have_text("50,890", timeout=SLOW)
    expect(page.get_by_test_id("inspector-type")).to_have_text("Dense")


def test_template_loads_and_validates(page: Page):
    open_editor(page)
    pick_template(page, "residual_block")
    expect_builds(page)
    expected = _expected_params("residual_block")
    expect(page.get_by_test_id("status-total-params")).to_have_text(f"{expected:,}")
    # The merge block gets its two inputs on separate ports, and shapes on every block.
    add = page.locator(".react-flow__node").filter(has=page.locator(".block-add"))
    expect(add).to_have_count(1)
    expect(add.locator(".react-flow__handle.react-flow__handle-top")).to_have_count(3)
    for shape in page.locator('[data-testid^="node-shape-"]').all():
        expect(shape).to_have_text(re.compile(r"^\(None(, \d+)+\)$"))
    # Loading a template is undoable.
    page.keyboard.press("Control+z")
    expect(page.get_by_test_id("status-state")).to_have_text("Empty canvas")


def test_reload_keeps_the_work_in_progress(page: Page):
    open_editor(page)
    build_mnist_mlp(page)
    expect(page.get_by_test_id("status-total-params")).to_have_text("407,050", timeout=SLOW)
    page.get_by_test_id("graph-name").fill("my-mlp")
    page.get_by_test_id("graph-name").press("Enter")
    positions = node(page, "dense_1").evaluate("el => el.style.transform")

    page.reload()
    expect(page.locator(".react-flow__node")).to_have_count(4, timeout=SLOW)
    expect(page.locator(".react-flow__edge")).to_have_count(3)
    expect(page.get_by_test_id("graph-name")).to_have_value("my-mlp")
    expect(page.get_by_test_id("status-total-params")).to_have_text("407,050", timeout=SLOW)
    expect(page.get_by_test_id("node-shape-dense_1")).to_have_text("(None, 512)")
    select_block(page, "dense_2")
    expect(page.get_by_test_id("field-units")).to_have_value("10")
    expect(page.get_by_test_id("field-activation")).to_have_value("softmax")
    assert node(page, "dense_1").evaluate("el => el.style.transform") == positions


def test_copy_paste_adds_blocks(page: Page):
    open_editor(page)
    pick_template(page, "mnist_mlp")
    expect_builds(page)
    # Select the two Dense blocks (Ctrl+click adds to the selection), copy, paste.
    select_block(page, "hidden")
    page.get_by_test_id("node-type-probs").click(modifiers=["Control"])
    expect(page.get_by_test_id("inspector")).to_contain_text("2 blocks selected")
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    expect(page.locator(".react-flow__node")).to_have_count(6)
    # The copies get fresh ids, keep their params and the wire between them, and are the new selection.
    expect(node(page, "hidden_1")).to_be_visible()
    expect(node(page, "probs_1")).to_be_visible()
    expect(page.locator(".react-flow__edge")).to_have_count(4)
    expect(page.get_by_test_id("inspector")).to_contain_text("2 blocks selected")
    expect(page.get_by_test_id("node-type-hidden_1")).to_have_text("Dense")
    # A second paste lands elsewhere with other ids.
    page.keyboard.press("Control+v")
    expect(page.locator(".react-flow__node")).to_have_count(8)
    expect(node(page, "hidden_2")).to_be_visible()
    # The copies are not connected to an Input: the server says so on them.
    expect(page.get_by_test_id("node-error-hidden_1")).to_contain_text("not connected", timeout=SLOW)
    select_block(page, "probs_1")
    expect(page.get_by_test_id("field-units")).to_have_value("10")


def test_clicking_an_error_selects_its_block(page: Page):
    open_editor(page)
    pick_template(page, "lstm_rows")
    expect_builds(page)
    # Give the image a channel axis: the LSTM two blocks down can no longer read it.
    select_block(page, "image")
    page.get_by_test_id("field-shape").fill("28, 28, 1")
    errors = page.get_by_test_id("status-errors")
    expect(errors).to_have_attribute("data-count", "1", timeout=SLOW)
    page.keyboard.press("Escape")  # leaves the field
    page.keyboard.press("Escape")  # clears the selection
    expect(page.get_by_test_id("inspector").locator("h2")).to_have_text("lstm_rows")

    errors.click()
    item = page.get_by_test_id("error-item-0")
    expect(item).to_contain_text("rnn")
    expect(item).to_contain_text("(batch, timesteps, features)")
    item.click()
    expect(page.get_by_test_id("inspector-type")).to_have_text("LSTM")
    expect(page.get_by_test_id("field-id")).to_have_value("rnn")
    expect(node(page, "rnn")).to_have_class(re.compile(r"\bselected\b"))
    expect(page.get_by_test_id("inspector-errors")).to_contain_text("(batch, timesteps, features)")


def test_a_wire_that_would_make_a_cycle_is_refused(page: Page):
    open_editor(page)
    pick_template(page, "residual_block")
    expect_builds(page)
    expect(page.locator(".react-flow__edge")).to_have_count(10)
    # `act` comes after `sum`: feeding it back into sum's free third port would close a loop.
    expect(handle(page, "sum", "in-2")).to_be_visible()
    wire(page, "act", "sum", port=2)
    expect(page.get_by_test_id("toast").filter(has_text="cycle")).to_contain_text(
        "Cannot connect: that would make a cycle"
    )
    expect(page.locator(".react-flow__edge")).to_have_count(10)
    # A wire that makes no loop is accepted into the same port (and the sum still builds: 64 channels).
    wire(page, "conv_a", "sum", port=2)
    expect(page.locator(".react-flow__edge")).to_have_count(11)
    expect(handle(page, "sum", "in-3")).to_be_visible()
    expect_builds(page)


def _expected_params(name: str) -> int:
    import json

    expected = json.loads((ROOT / "frontend" / "src" / "test-fixtures" / "expected.json").read_text())
    return expected[name]["total_params"]


# --- rough edges ---------------------------------------------------------------------------------


def selected_ids(page: Page) -> set[str]:
    return set(page.locator(".react-flow__node.selected").evaluate_all("els => els.map(e => e.dataset.id)"))


def test_shift_click_adds_to_the_selection_and_shift_drag_draws_a_rubber_band(page: Page):
    open_editor(page)
    pick_template(page, "mnist_mlp")
    expect_builds(page)
    node(page, "hidden").click()
    node(page, "probs").click(modifiers=["Shift"])
    assert selected_ids(page) == {"hidden", "probs"}
    node(page, "pixels").click(modifiers=["Control"])
    assert selected_ids(page) == {"hidden", "probs", "pixels"}

    page.keyboard.press("Escape")
    assert selected_ids(page) == set()
    boxes = [node(page, n).bounding_box() for n in ("pixels", "hidden", "probs", "label")]
    left = min(b["x"] for b in boxes) - 30
    top = min(b["y"] for b in boxes) - 30
    right = max(b["x"] + b["width"] for b in boxes) + 30
    bottom = max(b["y"] + b["height"] for b in boxes[:3]) + 5  # over pixels, hidden and probs
    page.keyboard.down("Shift")
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move((left + right) / 2, (top + bottom) / 2, steps=4)
    page.mouse.move(right, bottom, steps=4)
    page.mouse.up()
    page.keyboard.up("Shift")
    assert selected_ids(page) == {"pixels", "hidden", "probs"}


def test_paste_lands_at_the_pointer_not_on_the_originals(page: Page):
    open_editor(page)
    pick_template(page, "mnist_mlp")
    expect_builds(page)
    node(page, "hidden").click()
    page.keyboard.press("Control+c")
    original = node(page, "hidden").bounding_box()
    canvas = page.get_by_test_id("canvas").bounding_box()
    # an empty spot: right of the column of blocks
    x, y = original["x"] + original["width"] + 60, original["y"] + 20
    assert x + original["width"] < canvas["x"] + canvas["width"]
    page.mouse.move(x, y)
    page.keyboard.press("Control+v")
    expect(node(page, "hidden_1")).to_be_visible()
    pasted = node(page, "hidden_1").bounding_box()
    assert abs(pasted["x"] - x) <= 12 and abs(pasted["y"] - y) <= 12, (pasted, x, y)
    # with the pointer over the original, the copy moves off it
    page.mouse.move(original["x"] + 10, original["y"] + 10)
    page.keyboard.press("Control+v")
    expect(node(page, "hidden_2")).to_be_visible()
    again = node(page, "hidden_2").bounding_box()
    overlaps = (
        min(again["x"] + again["width"], original["x"] + original["width"]) - max(again["x"], original["x"]) > 4
        and min(again["y"] + again["height"], original["y"] + original["height"]) - max(again["y"], original["y"]) > 4
    )
    assert not overlaps, (again, original)


def test_a_dropout_from_the_palette_gets_a_rate_of_one_half(page: Page):
    open_editor(page)
    canvas = page.get_by_test_id("canvas").bounding_box()
    dropout = drop_block(page, "Dropout", canvas["width"] / 2, 200)
    expect(page.get_by_test_id("field-rate")).to_have_value("0.5")
    expect(page.get_by_test_id("field-error-rate")).to_have_count(0)
    settle(page)
    expect(page.get_by_test_id(f"node-error-{dropout}")).not_to_contain_text("rate")


def test_unsaved_mark_and_a_warning_before_leaving(page: Page):
    page.goto("/")
    page.request.get("/api/auth/me")  # sets the CSRF cookie
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    signup = page.request.post(
        "/api/auth/signup",
        data={"username": f"unsaved-{time.time_ns() % 10**9}", "password": "a-long-passphrase"},
        headers={"X-CSRFToken": token},
    )
    assert signup.ok, signup.text()
    open_editor(page)
    expect(page.get_by_test_id("unsaved-mark")).to_have_count(0)  # an empty canvas: nothing to lose
    pick_template(page, "mnist_mlp")
    expect_builds(page)
    expect(page.get_by_test_id("unsaved-mark")).to_be_visible()

    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", on_dialog)
    node(page, "hidden").click()  # the page has had a gesture: Chromium asks before unloading
    page.evaluate("() => setTimeout(() => window.location.reload(), 0)")
    page.wait_for_timeout(1500)
    assert dialogs == ["beforeunload"], dialogs
    page.remove_listener("dialog", on_dialog)
    expect(node(page, "hidden")).to_be_visible()  # still here, the work unchanged

    # saved: no mark, no question on leaving
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("toast").filter(has_text="Saved")).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("unsaved-mark")).to_have_count(0)
    page.reload()
    expect(page.get_by_test_id("palette-Dense")).to_be_visible(timeout=SLOW)
    expect(node(page, "hidden")).to_be_visible()
    expect(page.get_by_test_id("unsaved-mark")).to_have_count(0)


def test_more_units_than_classes_warns_and_train_stays_enabled(page: Page):
    page.goto("/")
    page.request.get("/api/auth/me")  # sets the CSRF cookie
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    signup = page.request.post(
        "/api/auth/signup",
        data={"username": f"units-{time.time_ns() % 10**9}", "password": "a-long-passphrase"},
        headers={"X-CSRFToken": token},
    )
    assert signup.ok, signup.text()
    open_editor(page)
    pick_template(page, "mnist_mlp")
    expect_builds(page)
    node(page, "probs").click()
    page.get_by_test_id("field-units").fill("12")
    page.get_by_test_id("field-units").press("Enter")
    expect(node(page, "probs")).to_contain_text("units=12", timeout=SLOW)
    page.get_by_test_id("train-open").click()
    page.get_by_test_id("train-dataset").select_option("fashion_mnist")
    warning = page.get_by_test_id("train-bind-warning-label")
    expect(warning).to_contain_text("12 units", timeout=SLOW)
    expect(warning).to_contain_text("never the answer")
    expect(page.get_by_test_id("train-submit")).to_be_enabled(timeout=SLOW)
