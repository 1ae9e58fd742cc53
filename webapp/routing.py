"""Websocket routes."""

from django.urls import path

from webapp.runs.consumers import RunConsumer
from webapp.sweeps.consumers import SweepConsumer

websocket_urlpatterns: list = [
    path("ws/runs/<int:run_id>/", RunConsumer.as_asgi()),
    path("ws/sweeps/<int:sweep_id>/", SweepConsumer.as_asgi()),
]
