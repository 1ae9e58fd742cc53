"""A trained run reused as a Pretrained block in the editor, on the real stack: a tiny Fashion-MNIST run
trained through the API, then a Pretrained block dropped from the palette, that run picked, cut before its
classifier and given a new Dense head; its frozen and trainable parameter counts are the validate answer's
and Keras's."""

import json
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, csrf, sign_up
from tests.e2e.test_editor import drop_block, open_editor, settle, wire
from tests.services import ROOT

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.timeout(300),
    pytest.mark.usefixtures("no_page_errors"),
]

SLOW = 20_000


def train_tiny_run(page: Page) -> int:
    """mnist_mlp_tiny (784 -> Dense 2 'hidden' -> Dense 10 'probs') on 300 Fashion-MNIST samples, one epoch."""
    graph = json.loads((ROOT / "builder" / "examples" / "mnist_mlp_tiny.json").read_text())
    response = page.request.post(
        "/api/runs",
        data={"graph": graph, "dataset": "fashion_mnist", "training": {"epochs": 1, "max_samples": 300}},
        headers=csrf(page),
    )
    assert response.ok, response.text()
    run_id = response.json()["id"]
    deadline = time.monotonic() + 200
    while True:
        run = page.request.get(f"/api/runs/{run_id}").json()
        if run["status"] in ("succeeded", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline, f"run {run_id} still {run['status']}"
        time.sleep(0.3)
    assert run["status"] == "succeeded", run.get("error")
    return run_id


def counts(total: int, trainable: int) -> str:
    return f"{total - trainable:,} frozen · {trainable:,} trainable"


def test_a_trained_run_as_a_pretrained_base_with_a_new_head(page: Page):
    sign_up(page, "pre")
    run_id = train_tiny_run(page)
    # The trained model's layers as the server reads them (Keras counts each one's weights).
    layers = {layer["name"]: layer for layer in page.request.get(f"/api/runs/{run_id}/layers").json()["layers"]}
    assert layers["hidden"]["params"] == 784 * 2 + 2
    assert layers["hidden"]["output_shape"] == [None, 2]
    validations: list[dict] = []

    def keep(response):
        if response.url.endswith("/api/graphs/validate") and response.ok:
            validations.append(response.json())

    page.on("response", keep)

    open_editor(page)
    canvas = page.get_by_test_id("canvas").bounding_box()
    x = canvas["width"] / 2
    pixels = drop_block(page, "Input", x, 50)
    page.get_by_test_id("field-shape").fill("784")
    base = drop_block(page, "Pretrained", x, 170)
    assert base == "pretrained_1"

    # The picker lists the run by its name, dataset and test accuracy; its layers fill the drop-downs.
    source = page.get_by_test_id("field-source")
    option = source.locator(f'option[value="run:{run_id}"]')
    expect(option).to_have_count(1, timeout=SLOW)
    assert option.inner_text().startswith(f"#{run_id} mnist_mlp_tiny · Fashion-MNIST · test ")
    assert option.inner_text().endswith("%")
    source.select_option(f"run:{run_id}")
    cut = page.get_by_test_id("field-cut_at")
    expect(cut.locator('option[value="hidden"]')).to_have_text("hidden · Dense · (None, 2)", timeout=SLOW)
    expect(cut.locator('option[value="probs"]')).to_have_text("probs · Dense · (None, 10)")
    cut.select_option("hidden")  # before the classifier
    expect(page.get_by_test_id("pretrained-cut-shape")).to_have_text("(None, 2)")
    # trainable_from offers only the layers the cut model keeps
    expect(page.get_by_test_id("field-trainable_from").locator("option")).to_have_text(
        ["none: as trainable says", "hidden · Dense · (None, 2)"]
    )

    head = drop_block(page, "Dense", x, 450)  # room below the base for its unfolded layer list
    page.get_by_test_id("field-units").fill("10")
    page.get_by_test_id("field-activation").select_option("softmax")
    label = drop_block(page, "Output", x, 600)
    page.get_by_test_id("field-loss").select_option("sparse_categorical_crossentropy")
    wire(page, pixels, base)
    expect(page.get_by_test_id(f"node-shape-{base}")).to_have_text("(None, 2)", timeout=SLOW)
    wire(page, base, head)
    expect(page.get_by_test_id(f"node-shape-{head}")).to_have_text("(None, 10)", timeout=SLOW)
    wire(page, head, label)
    expect(page.get_by_test_id("status-state")).to_have_text("Model builds", timeout=SLOW)
    settle(page)

    # The counts on the block and in the Inspector are the validate answer's, and Keras's: the cut base
    # (784 * 2 + 2 weights) frozen, the new head (2 * 10 + 10) trainable.
    answer = validations[-1]
    report = answer["nodes"][base]
    assert (report["params"], report["trainable_params"]) == (layers["hidden"]["params"], 0)
    assert (answer["total_params"], answer["trainable_params"]) == (1570 + 30, 30)
    expect(page.get_by_test_id(f"node-frozen-{base}")).to_have_text(counts(1570, 0))
    page.get_by_test_id(f"node-type-{base}").click()
    expect(page.get_by_test_id("inspector-frozen")).to_have_text(counts(1570, 0))
    expect(page.get_by_test_id("inspector-params")).to_have_text("1,570")

    # Training from the cut layer on: the same weights, all trainable now.
    page.get_by_test_id("field-trainable_from").select_option("hidden")
    expect(page.get_by_test_id(f"node-frozen-{base}")).to_have_text(counts(1570, 1570), timeout=SLOW)
    expect(page.get_by_test_id("inspector-frozen")).to_have_text(counts(1570, 1570))
    settle(page)
    assert validations[-1]["nodes"][base]["trainable_params"] == 1570
    page.get_by_test_id("field-trainable_from").select_option("")
    expect(page.get_by_test_id(f"node-frozen-{base}")).to_have_text(counts(1570, 0), timeout=SLOW)

    # The block's inner layers, folded; past the cut struck out.
    layer_list = page.get_by_test_id(f"node-layers-{base}")
    layer_list.locator("summary").click()
    expect(layer_list.locator("tr.inner-layer-cut")).to_have_count(len(layers) - list(layers).index("hidden") - 1)
    inspector_list = page.get_by_test_id("inspector-layers")
    inspector_list.locator("summary").click()
    expect(inspector_list.locator("tr")).to_have_count(len(layers))
    settle(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "pretrained.png"))

    # The run's .keras imported: the graph drops its weights, and the Inspector offers to keep them by
    # placing the file as a Pretrained block instead (uploaded to POST /api/models).
    trained = page.request.get(f"/api/runs/{run_id}/model")
    assert trained.ok, trained.status
    page.get_by_test_id("import-file").set_input_files(
        {"name": "tiny.keras", "mimeType": "application/octet-stream", "buffer": trained.body()}
    )
    offer = page.get_by_test_id("import-offer")
    expect(offer).to_contain_text("tiny.keras held trained weights", timeout=SLOW)
    expect(page.get_by_test_id("node-type-hidden")).to_have_text("Dense")  # the imported graph
    page.get_by_test_id("import-offer-place").click()
    expect(offer).to_have_count(0, timeout=SLOW)
    (uploaded,) = page.request.get("/api/models").json()
    assert (uploaded["name"], uploaded["params"]) == ("tiny", 1600)
    expect(page.locator(".react-flow__node")).to_have_count(3)
    expect(page.get_by_test_id("status-state")).to_have_text("Model builds", timeout=SLOW)
    expect(page.get_by_test_id("node-shape-pretrained")).to_have_text("(None, 10)")
    expect(page.get_by_test_id("node-frozen-pretrained")).to_have_text(counts(1600, 0))
    page.get_by_test_id("node-type-pretrained").click()
    source = page.get_by_test_id("field-source")
    expect(source).to_have_value(f"upload:{uploaded['id']}")
    expect(source.locator(f'option[value="upload:{uploaded["id"]}"]')).to_have_text(
        f"#{uploaded['id']} tiny · 1,600 params"
    )


def test_an_applications_block_lists_its_inner_layers_and_counts(page: Page):
    sign_up(page, "pre")
    validations: list[dict] = []
    page.on(
        "response",
        lambda r: r.url.endswith("/api/graphs/validate") and r.ok and validations.append(r.json()),
    )
    open_editor(page)
    x = page.get_by_test_id("canvas").bounding_box()["width"] / 2
    pixels = drop_block(page, "Input", x, 60)
    page.get_by_test_id("field-shape").fill("32, 32, 3")
    net = drop_block(page, "MobileNetV2", x, 220)
    page.get_by_test_id("field-alpha").fill("0.35")
    page.get_by_test_id("field-pooling").select_option("avg")
    # No run of this person trained a MobileNetV2: the weights picker offers none.
    expect(page.get_by_test_id("field-weights_run").locator("option")).to_have_count(1, timeout=SLOW)
    expect(page.get_by_test_id("inspector")).to_contain_text("None of your succeeded runs trained a MobileNetV2")
    wire(page, pixels, net)
    expect(page.get_by_test_id(f"node-shape-{net}")).to_have_text("(None, 1280)", timeout=SLOW)
    settle(page)

    report = validations[-1]["nodes"][net]
    assert 0 < report["trainable_params"] < report["params"]  # BatchNormalization's moving statistics
    expect(page.get_by_test_id(f"node-frozen-{net}")).to_have_text(counts(report["params"], report["trainable_params"]))
    expect(page.get_by_test_id("inspector-frozen")).to_have_text(counts(report["params"], report["trainable_params"]))

    # The network layer by layer, as the server builds it at this input shape.
    answer = page.request.post(
        "/api/graphs/inner-layers",
        data={"type": "MobileNetV2", "params": {"alpha": 0.35, "pooling": "avg"}, "input_shape": [32, 32, 3]},
        headers=csrf(page),
    )
    assert answer.ok, answer.text()
    layers = answer.json()["layers"]
    assert sum(layer["params"] for layer in layers) == report["params"]
    listed = page.get_by_test_id("inspector-layers")
    listed.locator("summary").click()
    expect(listed.locator("summary")).to_have_text(f"{len(layers)} inner layers", timeout=SLOW)
    expect(listed.locator("tr")).to_have_count(len(layers))
    expect(listed.locator("tr").last).to_contain_text(layers[-1]["name"])
    on_block = page.get_by_test_id(f"node-layers-{net}")
    on_block.locator("summary").click()
    expect(on_block.locator("tr")).to_have_count(len(layers))
