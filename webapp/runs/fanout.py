"""One channel-layer subscription per run per web process, fanned out to that process's viewers.

With channels' usual pattern every viewer joins the run's group, so each event is
received, dispatched and JSON-encoded once per viewer through the channel layer's
shared receive loop. Here one hub per run (per process) joins the group, receives
each event once, encodes it once and hands the text to every local viewer: the
cost per viewer is one websocket frame. With 100 viewers of one run this is what
keeps an event's delivery within tens of milliseconds (bench/stream_latency.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

log = logging.getLogger(__name__)


class RunHub:
    def __init__(self, layer, group: str):
        self.layer = layer
        self.group = group
        self.viewers: set = set()
        self.channel: str | None = None
        self.task: asyncio.Task | None = None
        self.started = asyncio.Event()

    async def start(self) -> None:
        try:
            self.channel = await self.layer.new_channel()
            await self.layer.group_add(self.group, self.channel)
            self.task = asyncio.create_task(self._relay(), name=f"hub-{self.group}")
        finally:
            self.started.set()

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.channel is not None:
            try:
                await self.layer.group_discard(self.group, self.channel)
            except Exception:  # Redis gone: the membership expires on its own
                log.warning("leaving %s failed", self.group, exc_info=True)

    async def _relay(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("receiving events of %s failed; retrying", self.group, exc_info=True)
                await asyncio.sleep(1)
                with contextlib.suppress(Exception):
                    await self.layer.group_add(self.group, self.channel)
                continue
            if message.get("type") != "run.event":
                continue
            text = json.dumps(message["event"])
            for viewer in list(self.viewers):
                try:
                    await viewer.relay(text)
                except Exception:
                    log.warning("relaying to a viewer of %s failed", self.group, exc_info=True)


class Hubs:
    """The hubs of this process, by group: created with the first viewer, stopped with the last."""

    def __init__(self):
        self.hubs: dict[str, RunHub] = {}

    async def join(self, layer, group: str, viewer) -> None:
        hub = self.hubs.get(group)
        if hub is None:
            hub = self.hubs[group] = RunHub(layer, group)
            hub.viewers.add(viewer)
            try:
                await hub.start()
            except BaseException:
                if self.hubs.get(group) is hub:
                    del self.hubs[group]
                raise
        else:
            hub.viewers.add(viewer)
            await hub.started.wait()  # the group is joined before the caller reads its snapshot
            if hub.task is None:
                hub.viewers.discard(viewer)
                raise RuntimeError(f"could not join {group}: is Redis up?")

    async def leave(self, group: str, viewer) -> None:
        hub = self.hubs.get(group)
        if hub is None:
            return
        hub.viewers.discard(viewer)
        if not hub.viewers:
            del self.hubs[group]  # synchronously: a viewer arriving now starts a fresh hub
            await hub.stop()


hubs = Hubs()
