"""The websocket of one sweep: the same rules as a run's (webapp/runs/consumers.py): 4401 without a
login, 4404 for anyone else's; a snapshot first, then every event of the sweep's group as is."""

from __future__ import annotations

import time

from channels.db import database_sync_to_async

from webapp.runs.consumers import CLOSE_NOT_FOUND, CLOSE_UNAUTHENTICATED, RunConsumer
from webapp.runs.fanout import hubs
from webapp.sweeps.models import Sweep


@database_sync_to_async
def load_snapshot(user, sweep_id: int) -> dict | None:
    from webapp.sweeps import services

    sweep = Sweep.objects.filter(pk=sweep_id, owner=user).first()
    if sweep is None:
        return None
    return services.sweep_json(services.refresh(sweep))


@database_sync_to_async
def is_owner(user, sweep_id: int) -> bool:
    return Sweep.objects.filter(pk=sweep_id, owner=user).exists()


class SweepConsumer(RunConsumer):
    """RunConsumer's relay, ping and disconnect, for a sweep's group."""

    async def connect(self):
        from webapp.sweeps.services import sweep_group

        self.live = False
        self.pending: list[str] = []
        user = self.scope.get("user")
        sweep_id = int(self.scope["url_route"]["kwargs"]["sweep_id"])
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await is_owner(user, sweep_id):
            await self.accept()
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Join first, then read the snapshot: an event published in between waits in `pending`.
        self.group = sweep_group(sweep_id)
        await hubs.join(self.channel_layer, self.group, self)
        await self.accept()
        snapshot = await load_snapshot(user, sweep_id)
        if snapshot is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.send_json({"type": "snapshot", "t": time.time(), "sweep": snapshot})
        while self.pending:
            await self.send(text_data=self.pending.pop(0))
        self.live = True
        # a revoked token, a logout or a deleted sweep or user closes the socket (webapp/socket_auth.py)
        self.start_recheck(lambda u: Sweep.objects.filter(pk=sweep_id, owner=u).exists(), ("sweep", sweep_id))
