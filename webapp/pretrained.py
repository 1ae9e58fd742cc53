"""Pretrained blocks in the web app: who may use which trained model.

builder/pretrained.py asks an installed resolver for the .keras file of `("run", id)` or `("upload", id)`;
this module makes that resolver for one person: only their own succeeded runs and their own uploaded models
(webapp/modelfiles), and anybody else's reads as one that does not exist (the 404 rule everywhere). The same
resolver serves an Application block's weights_run (a run) and every place that checks or builds a graph:
validate, export, the run check, runs, sweeps and cross-validation (their trials are runs, built by
webapp/runs/execution.py under the run owner's resolver).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from builder.pretrained import PretrainedError, Resolver, using_resolver


def resolver_for(user: Any) -> Resolver:
    def resolve(kind: str, ident: int) -> Path:
        from webapp.runs.models import Run

        if user is None or not getattr(user, "is_authenticated", False):
            raise PretrainedError(f"sign in to use {kind} {ident}: a Pretrained block uses one of your own models")
        if kind == "upload":
            from webapp.modelfiles.models import UploadedModel

            upload = UploadedModel.objects.filter(pk=ident, owner=user).first()
            if upload is None or not upload.file:
                raise PretrainedError(f"upload {ident} not found")
            return _local(upload.file, f"upload{upload.pk}", f"upload {ident}")
        if kind != "run":
            raise PretrainedError(f"{kind} {ident} not found")
        run = Run.objects.filter(pk=ident, owner=user).first()
        if run is None:
            raise PretrainedError(f"run {ident} not found")
        if run.status != Run.Status.SUCCEEDED or not run.model_file:
            raise PretrainedError(f"run {ident} has not succeeded ({run.status}): it has no trained model to use")
        return _local(run.model_file, f"run{run.pk}", f"run {ident}")

    return resolve


def _local(file: Any, key: str, what: str) -> Path:
    from webapp.files import local_file

    try:
        return Path(local_file(file, key)[0])
    except FileNotFoundError:
        raise PretrainedError(f"{what}'s model file is missing from storage") from None


def request_user(request: Any) -> Any:
    """The person asking, on routes without PRIVATE_AUTH too: the auth'd user, the session's, or a token's."""
    auth = getattr(request, "auth", None)
    if auth is not None and getattr(auth, "is_authenticated", False):
        return auth
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        from webapp.accounts.models import ApiToken

        return ApiToken.objects.user_for(header[7:].strip())
    return None


@contextlib.contextmanager
def for_user(user: Any) -> Iterator[None]:
    """Pretrained blocks resolve to `user`'s own runs while inside."""
    with using_resolver(resolver_for(user)):
        yield


def for_request(request: Any) -> contextlib.AbstractContextManager[None]:
    return for_user(request_user(request))


def layers_answer(user: Any, kind: str, pk: int) -> dict:
    """`{"layers": [...]}` of one of the person's models (kind "run" or "upload"), for a Pretrained block's
    cut_at and trainable_from; a model that cannot be read is a 409 with the reason."""
    from ninja.errors import HttpError

    from builder.pretrained import LOADED, inner_layers

    try:
        return {"layers": inner_layers(LOADED.get(resolver_for(user)(kind, pk)))}
    except PretrainedError as exc:
        raise HttpError(409, str(exc)) from None
