"""GET /api/training/settings: the training settings' declaration (see trainer/settings.py).

The Train panel renders its fields from this answer, and POST /api/runs checks `training` against the
very same declaration (trainer.settings.parse_training): no copy of a default, bound or choice lives
anywhere else. No account needed.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Router, Schema

router = Router(tags=["training"])


class TrainingSettingOut(Schema):
    name: str = Field(description="its dotted path in POST /api/runs's `training` object")
    kind: str = Field(description="int, float, bool, choice or string: the block catalog's param kinds")
    label: str = Field(description="a short label for a form")
    doc: str = Field(description="one line on what it does")
    group: str = Field(description="the name of its group (see `groups`)")
    default: Any = Field(description="the value when it is left out")
    min: int | float | None = Field(description="the lowest value (see `min_open`)")
    max: int | float | None = Field(description="the highest value (see `max_open`)")
    min_open: bool = Field(description="`min` itself is refused")
    max_open: bool = Field(description="`max` itself is refused")
    nullable: bool = Field(description="null is a value (it means the default's meaning)")
    choices: list[str] | None = Field(description="the values a `choice` may take")
    pattern: str | None = Field(description="a regular expression a `string` must match")
    pattern_hint: str | None = Field(description="what a value matching `pattern` looks like")
    log: bool = Field(description="spans orders of magnitude: use a log scale")
    applies_when: dict[str, Any] | None = Field(
        description="it only matters when every named setting has the given value"
    )
    searchable: bool = Field(description="a hyperparameter sweep may vary it")


class TrainingGroupOut(Schema):
    name: str
    title: str


class TrainingSettingsOut(Schema):
    groups: list[TrainingGroupOut] = Field(description="the groups, in the order a form shows them")
    fields: list[TrainingSettingOut] = Field(description="every setting, in the `training` object's order")


@router.get(
    "/settings",
    response=TrainingSettingsOut,
    summary="The training settings: kind, default, bounds, choices and doc of each",
)
def training_settings(request):
    from trainer.settings import declaration

    return declaration()
