"""A worker's start sweeps the `run-<id>-*` folders of runs no longer running (issue 14, finding 8);
the live SIGKILL case is in test_reconcile_live.py."""

import os
import socket
import subprocess

import pytest
from django.utils import timezone

from webapp.runs.models import Run
from webapp.runs.worker import sweep_workdirs

pytestmark = pytest.mark.django_db


def make_run(owner, status: str, worker: str = "") -> Run:
    return Run.objects.create(
        owner=owner, dataset_builtin="digits", status=status, worker=worker, started_at=timezone.now()
    )


def test_sweep_keeps_live_runs_folders_and_removes_the_rest(alice, tmp_path):
    host = socket.gethostname()
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer exists
    live_here = make_run(alice, "running", f"{host} pid {os.getpid()}")
    live_elsewhere = make_run(alice, "running", f"another-host pid {gone.pid}")
    dead_here = make_run(alice, "running", f"{host} pid {gone.pid}")
    finished = make_run(alice, "succeeded")
    failed = make_run(alice, "failed")
    for run in (live_here, live_elsewhere, dead_here, finished, failed):
        (tmp_path / f"run-{run.pk}-abc123").mkdir()
        (tmp_path / f"run-{run.pk}-abc123" / "model.keras").write_bytes(b"x")
    (tmp_path / "run-424242-zz").mkdir()  # its run was deleted
    (tmp_path / f"run-{finished.pk}-a-file").write_text("not a folder")
    (tmp_path / "unrelated").mkdir()

    removed = sweep_workdirs(tmp_path)

    assert sorted(removed) == sorted(
        [f"run-{dead_here.pk}-abc123", f"run-{finished.pk}-abc123", f"run-{failed.pk}-abc123", "run-424242-zz"]
    )
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(
        [f"run-{live_here.pk}-abc123", f"run-{live_elsewhere.pk}-abc123", f"run-{finished.pk}-a-file", "unrelated"]
    )


def test_sweep_of_an_empty_folder_asks_nothing(tmp_path, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert sweep_workdirs(tmp_path) == []
