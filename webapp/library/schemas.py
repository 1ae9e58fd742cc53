"""My blocks' request and answer models (docs/DESIGN.md, "My blocks"); every key declared, an undeclared
one refused (webapp/schemas.py's `Out`)."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from webapp.schemas import Json, Out


class LibraryBlock(Out):
    """A saved block: a Group node as its owner saved it."""

    id: int
    name: str
    node: dict[str, Json] = Field(description="a Group node: {id, type: Group, params, graph}")
    created_at: str


class LibraryBlockIn(Out):
    """A block to save: its name and the Group node."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    node: dict[str, Json] = Field(description="a Group node with its own graph: {id, type: Group, params, graph}")
