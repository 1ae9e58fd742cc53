"""The Train panel's settings come from GET /api/training/settings: a field for every declared
setting (found by its `data-setting`), the declared default as its placeholder, and the settings that
only matter under a condition (`applies_when`) disabled until it holds."""

import json

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.timeout(120)]


def test_every_declared_setting_has_a_field(page: Page, stack):
    page.goto("/")
    declared = page.request.get("/api/training/settings")
    assert declared.ok
    declaration = declared.json()["fields"]
    assert declaration, "the declaration lists settings"
    # The crossval.* settings are the folds of a cross-validation: the panel's "Cross-validate (K folds)"
    # option sets them (POST /api/crossval), not the ordinary settings form.
    fields = [f for f in declaration if f["group"] != "crossval"]
    assert len(fields) < len(declaration)
    by_name = {f["name"]: f for f in fields}

    page.get_by_test_id("train-open").click()
    panel = page.get_by_test_id("train-panel")
    expect(panel).to_be_visible()
    settings = panel.locator("[data-setting]")
    expect(settings).to_have_count(len(fields), timeout=20_000)
    shown = settings.evaluate_all("els => els.map((el) => el.dataset.setting)")
    assert sorted(shown) == sorted(by_name), shown  # each once, in the declared groups' order

    def holds(f: dict) -> bool:
        return all(by_name[name]["default"] == value for name, value in (f["applies_when"] or {}).items())

    for f in fields:
        box = panel.locator(f'[data-setting="{f["name"]}"]')
        expect(box).to_have_attribute("data-kind", f["kind"])
        control = box.get_by_test_id(f"field-train.{f['name']}")
        expect(control).to_have_count(1)
        expect(box).to_contain_text(f["label"])
        if f["kind"] == "float" and f["default"] is not None:
            # JavaScript writes 1e-05 as 0.00001: the same number
            assert float(control.get_attribute("placeholder")) == f["default"], f["name"]
        elif f["kind"] in ("int", "float", "string"):
            expected = (
                "None"
                if f["default"] is None
                else str(f["default"])
                if f["kind"] == "string"
                else json.dumps(f["default"])
            )
            expect(control).to_have_attribute("placeholder", expected)
        elif f["kind"] == "bool":
            (expect(control).to_be_checked if f["default"] else expect(control).not_to_be_checked)()
        else:
            options = control.locator("option").evaluate_all("os => os.map((o) => o.value)")
            assert set(f["choices"]) <= set(options), (f["name"], options)
        (expect(control).to_be_enabled if holds(f) else expect(control).to_be_disabled)()

    # Meeting a setting's condition enables it: switch on (or pick) what it names.
    for f in fields:
        if holds(f):
            continue
        for name, value in f["applies_when"].items():
            other = panel.get_by_test_id(f"field-train.{name}")
            if by_name[name]["kind"] == "bool":
                other.set_checked(value)
            else:
                other.select_option(str(value))
        expect(panel.get_by_test_id(f"field-train.{f['name']}")).to_be_enabled()

    ARTIFACTS.mkdir(exist_ok=True)
    panel.get_by_test_id("train-callbacks").screenshot(path=str(ARTIFACTS / "train-callbacks.png"))

    # A value outside the declared bounds is refused at its field; Defaults clears what was set.
    epochs = by_name["epochs"]
    panel.get_by_test_id("field-train.epochs").fill(str(epochs["max"] + 1))
    expect(panel.get_by_test_id("field-error-train.epochs")).to_be_visible()
    panel.get_by_test_id("train-reset").click()
    expect(panel.get_by_test_id("field-train.epochs")).to_have_value("")
    expect(panel.get_by_test_id("field-error-train.epochs")).to_have_count(0)
    for f in fields:
        if not holds(f):
            expect(panel.get_by_test_id(f"field-train.{f['name']}")).to_be_disabled()
    assert not page.console_errors, page.console_errors
