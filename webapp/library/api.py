"""My blocks: a person's saved Group nodes. GET lists them, POST saves one (checked by the builder: a Group
with a sound inner graph, else a 400 naming what is wrong), DELETE removes one; someone else's is a 404.
Dropping one into a project is a copy, made by the front end."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError

from builder.validate import check_group
from webapp.accounts.auth import PRIVATE_AUTH
from webapp.errors import FieldError
from webapp.graphs_api import MAX_GRAPH_BYTES
from webapp.library.models import LibraryBlock
from webapp.library.schemas import LibraryBlock as LibraryBlockOut
from webapp.library.schemas import LibraryBlockIn
from webapp.limits import check_json_value
from webapp.schemas import answers

router = Router(tags=["blocks"], auth=PRIVATE_AUTH)

# Saved blocks a person may keep: a library, not a second store of projects.
MAX_BLOCKS_PER_USER = 500


@router.get("", response=answers({200: list[LibraryBlockOut]}, 401), summary="Your saved blocks (groups)")
def list_blocks(request: HttpRequest):
    return [b.as_json() for b in LibraryBlock.objects.filter(owner=request.auth)]


@router.post(
    "",
    response=answers({201: LibraryBlockOut}, 400, 401, 403, 409, 413),
    summary="Save a Group node as one of your blocks",
)
def create_block(request: HttpRequest, payload: LibraryBlockIn):
    if len(request.body) > MAX_GRAPH_BYTES:
        raise HttpError(413, f"block too large: {len(request.body)} bytes, at most {MAX_GRAPH_BYTES}")
    name = payload.name.strip()
    if not name:
        raise FieldError("name: a block needs a name (not only spaces)", "name")
    check_json_value(payload.node, "node")
    errors = check_group(payload.node)
    if errors:
        first = errors[0]
        where = f" (block '{first['node']}')" if first.get("node") else ""
        raise FieldError(f"node: {first['message']}{where}", "node", errors=errors)
    if LibraryBlock.objects.filter(owner=request.auth).count() >= MAX_BLOCKS_PER_USER:
        raise HttpError(409, f"you keep {MAX_BLOCKS_PER_USER} blocks already: delete one first")
    block = LibraryBlock.objects.create(owner=request.auth, name=name, node=payload.node)
    return Status(201, block.as_json())


@router.delete(
    "/{int:block_id}",
    response=answers({204: None}, 400, 401, 403, 404),
    summary="Delete one of your saved blocks",
)
def delete_block(request: HttpRequest, block_id: int):
    get_object_or_404(LibraryBlock, pk=block_id, owner=request.auth).delete()
    return Status(204, None)
