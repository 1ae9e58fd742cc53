"""Ensembles and cross-validation from the browser, on the real stack (redis-server, daphne, a Celery
worker): two tiny digits runs of different seeds and an iris run trained through the API; on the runs
table, a shift-click range ticks all three, the server refuses the ensemble naming the iris run (its
row marked), the iris run is unticked and the two digits runs become an ensemble with optimised
weights; its page shows the weights and their split, its accuracy (the API's), the members against
it, the confusion matrix; its .keras downloads. Then a 3-fold cross-validation from the Train panel:
its page follows the folds live, overlays their curves with the mean ± std band, shows the folds'
statistics as the API computed them, and its test ensemble."""

import json
import re
import time
import uuid
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, csrf, sign_up

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.timeout(480),
    pytest.mark.usefixtures("no_page_errors"),
]

SLOW = 30_000


def mlp(name: str, inputs: int, classes: int, units: int = 32) -> dict:
    return {
        "version": 1,
        "name": name,
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [inputs]}, "position": {"x": 0, "y": 0}},
            {
                "id": "hidden",
                "type": "Dense",
                "params": {"units": units, "activation": "relu"},
                "position": {"x": 0, "y": 150},
            },
            {
                "id": "probs",
                "type": "Dense",
                "params": {"units": classes, "activation": "softmax"},
                "position": {"x": 0, "y": 300},
            },
            {
                "id": "target",
                "type": "Output",
                "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
                "position": {"x": 0, "y": 450},
            },
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "probs"},
            {"source": "probs", "target": "target"},
        ],
    }


DIGITS_MLP = mlp("digits_mlp", 64, 10)
IRIS_MLP = mlp("iris_mlp", 4, 3, units=8)

# The work in progress the editor restores on load (graph/persist.ts), written once per tab.
SEED_WORK = f"""
(() => {{
  if (sessionStorage.getItem('seeded')) return;
  sessionStorage.setItem('seeded', '1');
  localStorage.setItem('keras-canvas:work', JSON.stringify({{graph: {json.dumps(DIGITS_MLP)}, projectId: null}}));
}})();
"""


def start_run(page: Page, graph: dict, dataset: str, seed: int) -> int:
    response = page.request.post(
        "/api/runs",
        data={
            "graph": graph,
            "dataset": dataset,
            "training": {"epochs": 2, "batch_size": 32, "validation_split": 0.2, "seed": seed},
        },
        headers=csrf(page),
    )
    assert response.ok, response.text()
    return response.json()["id"]


def wait_finished(page: Page, path: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = page.request.get(path).json()
        if body["status"] in ("succeeded", "failed", "cancelled"):
            return body
        assert time.monotonic() < deadline, f"{path} still {body['status']}"
        time.sleep(0.5)


def shot(page: Page, name: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900 if width < 1500 else 1080})
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


def percent(value: float) -> str:
    return f"{value * 100:.2f}%"


def test_select_runs_ensemble_them_and_download(page: Page, stack, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    sign_up(page, "ensembler", start="/runs")
    first = start_run(page, DIGITS_MLP, "digits", seed=1)
    second = start_run(page, DIGITS_MLP, "digits", seed=2)
    iris = start_run(page, IRIS_MLP, "iris", seed=3)
    for run_id in (first, second, iris):
        run = wait_finished(page, f"/api/runs/{run_id}")
        assert run["status"] == "succeeded", run["error"]

    # The runs table, newest first: iris, second, first. Tick the first, shift-click the iris run:
    # the whole range is ticked.
    page.goto("/runs")
    expect(page.get_by_test_id(f"run-row-status-{iris}")).to_have_attribute("data-status", "succeeded")
    page.get_by_test_id(f"run-select-{first}").click()
    expect(page.get_by_test_id("ensemble-reason")).to_contain_text("at least two")
    expect(page.get_by_test_id("ensemble-build")).to_be_disabled()
    page.get_by_test_id(f"run-select-{iris}").click(modifiers=["Shift"])
    for run_id in (first, second, iris):
        expect(page.get_by_test_id(f"run-select-{run_id}")).to_be_checked()
    expect(page.get_by_test_id("runs-selected-count")).to_have_text("3 runs ticked")

    # The server refuses: the iris run was trained on another dataset. Its message names the run, and
    # the run's row is marked.
    page.get_by_test_id("ensemble-build").click()
    refusal = page.get_by_test_id("ensemble-refusal")
    expect(refusal).to_contain_text(f"run {iris}")
    expect(refusal).to_contain_text(re.compile("dataset", re.I))
    expect(page.get_by_test_id(f"run-row-{iris}")).to_have_class(re.compile(r"\brefused\b"))
    expect(page).to_have_url(re.compile(r"/runs$"))
    page.screenshot(path=str(ARTIFACTS / "ensemble-refused.png"))

    # Untick it; the two digits runs, optimised weights, a name.
    page.get_by_test_id(f"run-select-{iris}").click()
    expect(page.get_by_test_id("runs-selected-count")).to_have_text("2 runs ticked")
    page.get_by_test_id("ensemble-weights-optimize").click()
    expect(page.get_by_test_id("ensemble-weights-optimize")).to_have_attribute("aria-checked", "true")
    page.get_by_test_id("ensemble-name").fill("digits pair")
    page.get_by_test_id("ensemble-build").click()
    expect(page).to_have_url(re.compile(r"/ensembles/\d+$"), timeout=SLOW)
    ensemble_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # Followed live until the worker has evaluated it.
    view = page.get_by_test_id("ensemble-page")
    expect(view).to_have_attribute("data-status", "succeeded", timeout=120_000)
    ensemble = page.request.get(f"/api/ensembles/{ensemble_id}").json()
    assert ensemble["weights_from"] == "validation"
    assert ensemble["runs"] == [first, second]
    accuracy = ensemble["test"]["accuracy"]
    expect(page.get_by_test_id("ensemble-accuracy")).to_have_text(percent(accuracy))
    expect(page.get_by_test_id("ensemble-test-accuracy")).to_have_text(percent(accuracy))
    expect(page.get_by_test_id("ensemble-weights-from")).to_contain_text("validation split")
    expect(page.get_by_test_id("ensemble-gain")).to_be_visible()
    for member in ensemble["members"]:
        expect(page.get_by_test_id(f"member-link-{member['run']}")).to_have_attribute("href", f"/runs/{member['run']}")
        shown = f"{member['weight'] * 100:.1f} %"
        # The shares are rounded to add up to 100 %: each within a tenth of the server's weight.
        text = page.get_by_test_id(f"member-weight-{member['run']}").inner_text()
        assert abs(float(text.split()[0]) - float(shown.split()[0])) <= 0.1 + 1e-9, (text, shown)
    expect(page.get_by_test_id("ensemble-bars-accuracy")).to_be_visible()
    expect(page.get_by_test_id("confusion-matrix")).to_be_visible()
    expect(page.get_by_test_id("ensemble-disagreements")).to_be_visible()
    for width in (1024, 1920):
        shot(page, "ensemble-page", width)

    # The download: one .keras file (a zip holding the model's config and weights).
    with page.expect_download() as info:
        page.get_by_test_id("ensemble-download").click()
    download = info.value
    assert download.suggested_filename.endswith(".keras"), download.suggested_filename
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert zipfile.is_zipfile(target)
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert "config.json" in names, names
        config = json.loads(archive.read("config.json"))
    assert f"member_{first}" in json.dumps(config) and f"member_{second}" in json.dumps(config)

    # The runs page lists it; its link comes back here.
    page.get_by_test_id("runs-link").click()
    row = page.get_by_test_id(f"ensemble-row-{ensemble_id}")
    expect(row).to_contain_text("digits pair")
    expect(row).to_contain_text("validation split")
    row.get_by_role("link", name=re.compile("digits pair")).click()
    expect(page).to_have_url(re.compile(rf"/ensembles/{ensemble_id}$"))


def test_cross_validate_from_the_train_panel(page: Page, stack):
    ARTIFACTS.mkdir(exist_ok=True)
    page.add_init_script(SEED_WORK)
    page.goto("/")
    expect(page.get_by_test_id("status-state")).to_have_text(re.compile("Model builds"), timeout=30_000)
    page.get_by_test_id("train-open").click()
    panel = page.get_by_test_id("train-panel")
    panel.get_by_test_id("auth-username").fill(f"folder-{uuid.uuid4().hex[:8]}")
    panel.get_by_test_id("auth-password").fill("correct horse battery staple")
    panel.get_by_test_id("auth-signup").click()
    dataset = page.get_by_test_id("train-dataset")
    expect(dataset).to_be_enabled(timeout=20_000)
    dataset.select_option("digits")
    page.get_by_test_id("field-train.epochs").fill("3")
    # The crossval.* settings are POST /api/crossval's, never typed by hand.
    expect(page.get_by_test_id("field-crossval.folds")).to_have_count(0)

    option = page.get_by_test_id("crossval-option")
    option.get_by_test_id("crossval-toggle").check()
    folds = option.get_by_test_id("crossval-folds")
    expect(folds).to_have_value("5")
    folds.fill("11")
    expect(option.get_by_test_id("crossval-submit")).to_be_disabled()
    expect(option.get_by_test_id("crossval-disabled-reason")).to_contain_text("2 to 10")
    folds.fill("3")
    expect(option.get_by_test_id("crossval-stratified")).to_be_checked()
    submit = option.get_by_test_id("crossval-submit")
    expect(submit).to_have_text("Cross-validate 3 folds")
    expect(submit).to_be_enabled(timeout=SLOW)
    submit.click()
    expect(page).to_have_url(re.compile(r"/crossval/\d+$"), timeout=SLOW)
    crossval_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    view = page.get_by_test_id("crossval-page")
    for fold in range(3):
        expect(page.get_by_test_id(f"fold-{fold}")).to_be_visible()
    expect(page.get_by_test_id("crossval-folds")).to_have_text("3, stratified")
    # Live: the page follows the folds to the end, the test ensemble included.
    expect(view).to_have_attribute("data-status", "succeeded", timeout=240_000)
    xv = page.request.get(f"/api/crossval/{crossval_id}").json()
    assert len(xv["fold_runs"]) == 3
    expect(page.get_by_test_id("crossval-done")).to_have_text("3 / 3")

    # Three fold curves of the chosen metric, and the mean ± std band over them.
    chart = page.get_by_test_id("crossval-chart")
    expect(chart).to_have_attribute("data-folds", "3")
    expect(chart).to_have_attribute("data-epochs", "3")
    expect(page.get_by_test_id("crossval-metric")).to_have_value(xv["best_by"] or "val_loss")

    # The statistics are the API's (mean ± population std of each fold's last epoch).
    last = xv["metrics"]["val_accuracy"]["last"]
    expect(page.get_by_test_id("crossval-last-val_accuracy")).to_have_text(
        f"{last['mean'] * 100:.2f}% ± {last['std'] * 100:.2f} pp"
    )
    ensemble = xv["ensemble"]
    assert ensemble["status"] == "succeeded"
    expect(page.get_by_test_id("crossval-ensemble-accuracy")).to_have_text(percent(ensemble["test"]["accuracy"]))
    expect(page.get_by_test_id("crossval-ensemble-download")).to_have_attribute(
        "href", f"/api/ensembles/{ensemble['id']}/model"
    )
    for width in (1024, 1920):
        shot(page, "crossval-page", width)

    # Its test ensemble's page, which leads back here.
    page.get_by_test_id("crossval-ensemble-link").click()
    expect(page).to_have_url(re.compile(rf"/ensembles/{ensemble['id']}$"))
    expect(page.get_by_test_id("ensemble-page")).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("ensemble-accuracy")).to_have_text(percent(ensemble["test"]["accuracy"]))
