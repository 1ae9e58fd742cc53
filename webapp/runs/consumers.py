"""The websocket of one run: permission check, a snapshot, then every event of the run's group as is."""

import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from webapp.runs.models import Run
from webapp.runs.services import fail_stale_runs, run_json

CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def load_snapshot(user, run_id: int) -> dict | None:
    runs = Run.objects.filter(pk=run_id, owner=user)
    fail_stale_runs(runs)
    run = runs.select_related("dataset_upload").first()
    return run_json(run) if run is not None else None


class RunConsumer(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self):
        from trainer.events import run_group

        user = self.scope.get("user")
        run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        # Accept, then close with a code: a close before accept reaches the client as a bare HTTP 403,
        # without the reason.
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        exists = await database_sync_to_async(Run.objects.filter(pk=run_id, owner=user).exists)()
        if not exists:
            await self.accept()
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join first, then read the snapshot: an event published in between is not lost (at worst an
        # epoch arrives both in the snapshot and as an event; clients key epochs by number).
        self.group = run_group(run_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        snapshot = await load_snapshot(user, run_id)
        if snapshot is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.send_json({"type": "snapshot", "t": time.time(), "run": snapshot})

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "t": time.time()})

    async def run_event(self, message):
        await self.send_json(message["event"])
