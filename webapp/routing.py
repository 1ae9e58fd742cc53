"""Websocket routes."""

from django.urls import path

from webapp.runs.consumers import RunConsumer

websocket_urlpatterns: list = [
    path("ws/runs/<int:run_id>/", RunConsumer.as_asgi()),
]
