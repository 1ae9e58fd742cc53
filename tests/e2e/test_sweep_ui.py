"""A hyperparameter sweep from the browser, on the real stack (redis-server, daphne, a Celery worker):
tune a Dense's units and a Dropout's rate in the Inspector and the learning rate in the Train panel,
see the server refuse a grid over a float without a step at that very dimension, sweep 3 random trials
of one epoch on digits, watch the trials table fill on the sweep page, sort it, and open the best
trial as a project: its graph and settings in the editor, nothing tuned any more."""

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.timeout(420)]

DIGITS_MLP = {
    "version": 1,
    "name": "digits_mlp",
    "nodes": [
        {"id": "features", "type": "Input", "params": {"shape": [64]}, "position": {"x": 0, "y": 0}},
        {
            "id": "hidden",
            "type": "Dense",
            "params": {"units": 32, "activation": "relu"},
            "position": {"x": 0, "y": 150},
        },
        {"id": "drop", "type": "Dropout", "params": {"rate": 0.2}, "position": {"x": 0, "y": 300}},
        {
            "id": "probs",
            "type": "Dense",
            "params": {"units": 10, "activation": "softmax"},
            "position": {"x": 0, "y": 450},
        },
        {
            "id": "target",
            "type": "Output",
            "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            "position": {"x": 0, "y": 600},
        },
    ],
    "edges": [
        {"source": "features", "target": "hidden"},
        {"source": "hidden", "target": "drop"},
        {"source": "drop", "target": "probs"},
        {"source": "probs", "target": "target"},
    ],
}

# The work in progress the editor restores on load (graph/persist.ts), written once per tab.
SEED_WORK = f"""
(() => {{
  if (sessionStorage.getItem('seeded')) return;
  sessionStorage.setItem('seeded', '1');
  localStorage.setItem('keras-canvas:work', JSON.stringify({{graph: {json.dumps(DIGITS_MLP)}, projectId: null}}));
}})();
"""


def shot(page: Page, name: str, width: int, full_page: bool = False):
    page.set_viewport_size({"width": width, "height": 900 if width < 1500 else 1080})
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=full_page)


def test_sweep_from_the_inspector_to_the_best_trial(page: Page, stack):
    ARTIFACTS.mkdir(exist_ok=True)
    page.add_init_script(SEED_WORK)
    page.goto("/")
    expect(page.get_by_test_id("status-state")).to_have_text(re.compile("Model builds"), timeout=30_000)

    # Log in from the Train panel, pick digits, one short epoch per trial.
    page.get_by_test_id("train-open").click()
    panel = page.get_by_test_id("train-panel")
    panel.get_by_test_id("auth-username").fill(f"sweeper-{uuid.uuid4().hex[:8]}")
    panel.get_by_test_id("auth-password").fill("correct horse battery staple")
    panel.get_by_test_id("auth-signup").click()
    dataset = page.get_by_test_id("train-dataset")
    expect(dataset).to_be_enabled(timeout=20_000)
    dataset.select_option("digits")
    page.get_by_test_id("field-train.epochs").fill("1")
    page.get_by_test_id("field-train.validation_split").fill("0.2")

    # Tune the hidden Dense's units: a range around 32 from the catalog's rules, on a log scale.
    page.get_by_test_id("node-hidden").click()
    inspector = page.get_by_test_id("inspector")
    inspector.get_by_test_id("tune-units").click()
    expect(inspector.get_by_test_id("tune-units")).to_have_attribute("aria-pressed", "true")
    expect(inspector.get_by_test_id("dim-low-units")).to_have_value("16")
    expect(inspector.get_by_test_id("dim-high-units")).to_have_value("64")
    expect(inspector.get_by_test_id("dim-log-units")).to_be_checked()
    # A range the catalog refuses is flagged at once, then fixed.
    inspector.get_by_test_id("dim-low-units").fill("0")
    expect(inspector.get_by_test_id("dim-error-units")).to_contain_text("at least 1")
    inspector.get_by_test_id("dim-low-units").fill("8")
    expect(inspector.get_by_test_id("dim-error-units")).to_have_count(0)
    expect(page.get_by_test_id("node-tuned-hidden")).to_contain_text("1 tuned")

    # The Dropout's rate: 0.2 ± 0.2, inside [0, 1].
    page.get_by_test_id("node-drop").click()
    inspector.get_by_test_id("tune-rate").click()
    expect(inspector.get_by_test_id("dim-low-rate")).to_have_value("0")
    expect(inspector.get_by_test_id("dim-high-rate")).to_have_value("0.4")
    expect(page.get_by_test_id("node-tuned-drop")).to_be_visible()

    # The learning rate, from the Train panel's settings (searchable, log scale by declaration).
    panel.get_by_test_id("tune-train.learning_rate").click()
    expect(panel.get_by_test_id("dim-low-train.learning_rate")).to_have_value("0.0001")
    expect(panel.get_by_test_id("dim-log-train.learning_rate")).to_be_checked()
    panel.get_by_test_id("dim-high-train.learning_rate").fill("0.05")

    # Undo takes the last tuning step back, redo brings it again.
    page.get_by_test_id("undo").click()
    expect(panel.get_by_test_id("dim-high-train.learning_rate")).to_have_value("0.01")
    page.get_by_test_id("redo").click()
    expect(panel.get_by_test_id("dim-high-train.learning_rate")).to_have_value("0.05")

    # The space is work in progress: it survives a reload, beside the graph (not inside it).
    page.reload()
    expect(page.get_by_test_id("node-tuned-hidden")).to_contain_text("1 tuned", timeout=30_000)
    expect(page.get_by_test_id("node-tuned-drop")).to_be_visible()
    saved = json.loads(page.evaluate("() => localStorage.getItem('keras-canvas:work')"))
    assert sorted(saved["space"]) == ["nodes.drop.rate", "nodes.hidden.units", "training.learning_rate"], saved
    assert "space" not in saved["graph"] and "0.05" not in json.dumps(saved["graph"])
    assert saved["space"]["training.learning_rate"]["high"] == 0.05
    page.get_by_test_id("node-drop").click()
    expect(inspector.get_by_test_id("dim-high-rate")).to_have_value("0.4")

    # Sweep mode: the three dimensions listed, and the search's settings.
    page.get_by_test_id("mode-sweep").click()
    dims = page.get_by_test_id("sweep-dims")
    expect(dims.locator("li")).to_have_count(3)
    expect(page.get_by_test_id("sweep-metric-0")).to_have_value("val_accuracy")
    page.get_by_test_id("sweep-trials").fill("3")
    page.get_by_test_id("sweep-parallel").fill("1")
    page.get_by_test_id("sweep-seed").fill("0")
    page.get_by_test_id("sweep-pruner").select_option("none")

    # A grid over a float without a step: the server's 400 names space[1].step, shown at that dimension.
    page.get_by_test_id("sweep-sampler").select_option("grid")
    submit = page.get_by_test_id("sweep-submit")
    expect(submit).to_be_enabled(timeout=20_000)
    expect(submit).to_have_text("Sweep 3 trials")
    for width in (1024, 1920):
        shot(page, "sweep-panel", width)
    submit.click()
    expect(page.get_by_test_id("sweep-errors")).to_contain_text("step")
    expect(page.get_by_test_id("sweep-dim-error-nodes.drop.rate")).to_contain_text("grid")
    expect(inspector.get_by_test_id("dim-error-rate")).to_contain_text("step")
    expect(page).to_have_url(re.compile(r"/$"))
    page.screenshot(path=str(ARTIFACTS / "sweep-refused.png"))

    # Random search: on to the sweep's page.
    page.get_by_test_id("sweep-sampler").select_option("random")
    expect(page.get_by_test_id("sweep-errors")).to_have_count(0)
    submit.click()
    expect(page).to_have_url(re.compile(r"/sweeps/\d+$"), timeout=20_000)
    sweep_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    # The table fills live: a row per trial, each with its values, then the sweep ends.
    table = page.get_by_test_id("trials-table")
    expect(table.locator("tbody tr").first).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("sweep-status")).to_have_attribute("data-status", "succeeded", timeout=300_000)
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("sweep-done")).to_have_text("3 / 3 done")
    sweep = page.request.get(f"/api/sweeps/{sweep_id}").json()
    trials = sweep["trials"]
    assert len(trials) == 3 and all(t["status"] == "succeeded" for t in trials), trials
    for t in trials:
        p = t["params"]
        assert 8 <= p["nodes.hidden.units"] <= 64 and 0 <= p["nodes.drop.rate"] <= 0.4, p
        assert 0.0001 <= p["training.learning_rate"] <= 0.05, p
        cell = page.get_by_test_id(f"trial-value-{t['number']}-0")
        expect(cell).not_to_have_text("–")
    best = max(trials, key=lambda t: t["values"][0])
    assert sweep["best"] == [best["number"]], (sweep["best"], best)
    expect(page.get_by_test_id(f"trial-row-{best['number']}")).to_have_class(re.compile("best"))
    expect(page.get_by_test_id("sweep-best-curve").locator("canvas")).to_be_visible()
    expect(page.get_by_test_id("sweep-parallel").locator("polyline")).to_have_count(3)

    # Sorting by the objective puts the best first (maximize: best first), and again reverses it.
    page.get_by_test_id("trials-sort-value:0").click()
    expect(table.locator("tbody tr").first).to_have_attribute("data-testid", f"trial-row-{best['number']}")
    page.get_by_test_id("trials-sort-value:0").click()
    expect(table.locator("tbody tr").last).to_have_attribute("data-testid", f"trial-row-{best['number']}")
    for width in (1024, 1920):
        shot(page, "sweep-page", width, full_page=True)

    # Each trial is a run, marked with its sweep in the runs table.
    page.get_by_test_id(f"trial-run-{best['number']}").click()
    expect(page).to_have_url(re.compile(rf"/runs/{best['run']}$"))
    page.get_by_test_id("runs-link").click()
    mark = page.get_by_test_id(f"run-sweep-{best['run']}")
    expect(mark).to_have_text(f"sweep #{sweep_id} · trial {best['number']}")
    page.screenshot(path=str(ARTIFACTS / "sweep-runs-table.png"))
    mark.click()
    expect(page).to_have_url(re.compile(rf"/sweeps/{sweep_id}$"))

    # Ensemble the top trials: one model from the best three, evaluated on a worker.
    page.get_by_test_id("sweep-ensemble-top").click()
    expect(page).to_have_url(re.compile(r"/ensembles/\d+$"), timeout=20_000)
    expect(page.get_by_test_id("ensemble-page")).to_have_attribute("data-status", "succeeded", timeout=90_000)
    expect(page.get_by_test_id("ensemble-accuracy")).to_have_text(re.compile(r"\d+\.\d+\s*%"))
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/sweeps/{sweep_id}$"))

    # Open as project: the best trial's graph and settings in the editor, nothing tuned.
    page.get_by_test_id("sweep-open-best").click()
    expect(page).to_have_url(re.compile(r"/$"), timeout=20_000)
    expect(page.get_by_test_id("status-state")).to_have_text(re.compile("Model builds"), timeout=30_000)
    expect(page.get_by_test_id("node-tuned-hidden")).to_have_count(0)
    expect(page.get_by_test_id("mode-train")).to_have_attribute("aria-selected", "true")
    page.get_by_test_id("node-hidden").click()
    expect(inspector.get_by_test_id("field-units")).to_have_value(str(best["params"]["nodes.hidden.units"]))
    expect(inspector.get_by_test_id("tune-units")).to_have_attribute("aria-pressed", "false")
    lr = float(page.get_by_test_id("field-train.learning_rate").input_value())
    assert lr == pytest.approx(best["params"]["training.learning_rate"]), lr
    expect(page.get_by_test_id("train-dataset")).to_have_value("digits")
    expect(page.get_by_test_id("field-train.epochs")).to_have_value("1")
    for width in (1024, 1920):
        shot(page, "sweep-opened", width)
    assert page.console_errors == [], page.console_errors


def test_two_objectives_show_the_pareto_front(page: Page, stack):
    """Accuracy against size: a multi-objective sweep's page draws the Pareto front scatter."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto("/sweeps")
    page.get_by_test_id("auth-username").fill(f"pareto-{uuid.uuid4().hex[:8]}")
    page.get_by_test_id("auth-password").fill("correct horse battery staple")
    page.get_by_test_id("auth-signup").click()
    expect(page.get_by_test_id("sweeps-empty")).to_be_visible(timeout=20_000)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(
        "/api/sweeps",
        headers={"X-CSRFToken": csrf},
        data={
            "graph": DIGITS_MLP,
            "dataset": "digits",
            "training": {"epochs": 1, "validation_split": 0.2},
            "space": [{"target": "nodes.hidden.units", "kind": "int", "low": 4, "high": 128, "log": True}],
            "objectives": [
                {"metric": "val_accuracy", "direction": "maximize", "at": "best"},
                {"metric": "params", "direction": "minimize", "at": "best"},
            ],
            "sampler": "random",
            "trials": 4,
            "seed": 3,
        },
    )
    assert answer.status == 201, answer.text()
    sweep_id = answer.json()["id"]
    page.get_by_test_id("sweeps-refresh").click()
    page.get_by_test_id(f"sweep-open-{sweep_id}").click()
    expect(page.get_by_test_id("sweep-status")).to_have_attribute("data-status", "succeeded", timeout=300_000)
    sweep = page.request.get(f"/api/sweeps/{sweep_id}").json()
    scatter = page.get_by_test_id("sweep-pareto")
    expect(scatter.locator("circle")).to_have_count(4)
    expect(scatter.locator('circle[data-front="true"]')).to_have_count(len(sweep["best"]))
    for number in sweep["best"]:
        expect(page.get_by_test_id(f"trial-row-{number}")).to_have_class(re.compile("best"))
    for width in (1024, 1920):
        shot(page, "sweep-pareto", width, full_page=True)

    # The sweeps list shows it; Train longer starts a run of the front's best with twice the epochs.
    page.get_by_test_id("sweeps-link").click()
    row = page.get_by_test_id(f"sweep-row-{sweep_id}")
    expect(row).to_contain_text("4 / 4")
    expect(row).to_contain_text(f"{len(sweep['best'])} on the front")
    for width in (1024, 1920):
        shot(page, "sweeps-list", width)
    page.get_by_test_id(f"sweep-open-{sweep_id}").click()
    page.get_by_test_id("sweep-train-longer").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"), timeout=20_000)
    run_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert run_id not in {t["run"] for t in sweep["trials"]}
    assert page.request.get(f"/api/runs/{run_id}").json()["training"]["epochs"] == 2

    # Delete: the sweep and its trials' runs are gone.
    page.goto(f"/sweeps/{sweep_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("sweep-delete").click()
    expect(page).to_have_url(re.compile(r"/sweeps$"))
    expect(page.get_by_test_id(f"sweep-row-{sweep_id}")).to_have_count(0)
    assert page.request.get(f"/api/sweeps/{sweep_id}").status == 404
    assert page.request.get(f"/api/runs/{sweep['trials'][0]['run']}").status == 404
