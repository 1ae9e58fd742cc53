"""The websocket of one run: permission check, a snapshot, then every event of the run's group as is.

While it is open, the socket's credentials and run are checked again every couple of seconds
(webapp/socket_auth.py): a revoked token, a logged-out session, a deleted user close it with 4401,
a deleted run with 4404.

Events reach the consumer through this process's hub for the run (webapp/runs/fanout.py), which
joins the run's group once for all local viewers; `run_event` still relays any `run.event`
sent to the consumer's own channel.
"""

import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from trainer.events import run_group, snapshot_event
from webapp.runs.fanout import hubs
from webapp.runs.models import Run
from webapp.runs.services import fail_stale_runs, run_json
from webapp.socket_auth import CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED, RecheckMixin

__all__ = ["CLOSE_NOT_FOUND", "CLOSE_UNAUTHENTICATED", "RunConsumer"]


@database_sync_to_async
def load_snapshot(user, run_id: int) -> dict | None:
    runs = Run.objects.filter(pk=run_id, owner=user)
    fail_stale_runs(runs)
    run = runs.select_related("dataset_upload").first()
    return run_json(run) if run is not None else None


@database_sync_to_async
def is_owner(user, run_id: int) -> bool:
    return Run.objects.filter(pk=run_id, owner=user).exists()


def run_still_theirs(run_id: int):
    return lambda user: Run.objects.filter(pk=run_id, owner=user).exists()


class RunConsumer(RecheckMixin, AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def connect(self):
        self.live = False
        self.pending: list[str] = []
        user = self.scope.get("user")
        run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        # Accept, then close with a code: a close before accept reaches the client as a bare HTTP 403,
        # without the reason.
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await is_owner(user, run_id):
            await self.accept()
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join first, then read the snapshot: an event published in between is not lost (it waits in
        # `pending` until the snapshot is out; at worst an epoch arrives both in the snapshot and as an
        # event, and clients key epochs by number).
        self.group = run_group(run_id)
        await hubs.join(self.channel_layer, self.group, self)
        await self.accept()
        snapshot = await load_snapshot(user, run_id)
        if snapshot is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.send_json(snapshot_event(snapshot))
        while self.pending:
            await self.send(text_data=self.pending.pop(0))
        self.live = True
        self.start_recheck(run_still_theirs(run_id), ("run", run_id))

    async def relay(self, text: str) -> None:
        """An event from the hub, already JSON."""
        if self.live:
            await self.send(text_data=text)
        else:
            self.pending.append(text)

    async def disconnect(self, code):
        self.live = False
        await self.stop_recheck()
        if self.group is not None:
            await hubs.leave(self.group, self)

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except ValueError:
            return None  # a client's stray text is ignored, not a reason to drop the connection

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "t": time.time()})

    async def dispatch(self, message):
        # A relayed event touches no database: skip the thread hop channels' dispatch makes before every
        # handler (close_old_connections).
        if message.get("type") == "run.event":
            await self.run_event(message)
        else:
            await super().dispatch(message)

    async def run_event(self, message):
        await self.send(text_data=json.dumps(message["event"]))
