"""The API and services tests again, on a real PostgreSQL server (issue 14: CI covers PostgreSQL).

A fresh cluster (initdb, Debian's package `postgresql`) is started here; the selected test files run in
a pytest subprocess with DATABASE_URL pointing at it (pytest-django makes its test database there).
The same files run on SQLite in the normal run; the live stack on PostgreSQL is test_prod_stack.py."""

import os
import subprocess
import sys

import pytest

from tests.services import ROOT, postgres_server

pytestmark = [pytest.mark.services, pytest.mark.timeout(600)]

# the API's operations and their services: runs, projects, ownership, accounts and tokens, datasets,
# sweeps (their Optuna study lives in the same database)
ON_POSTGRES = [
    "tests/webapp/test_runs_api.py",
    "tests/webapp/test_projects.py",
    "tests/webapp/test_authz.py",
    "tests/webapp/test_accounts.py",
    "tests/webapp/test_datasets.py",
    "tests/webapp/test_sweeps_api.py",
    "tests/webapp/test_workdir_sweep.py",
]


@pytest.fixture(scope="module")
def database_url():
    with postgres_server() as url:
        yield url


def test_api_and_services_tests_pass_on_postgresql(database_url):
    env = dict(os.environ, DATABASE_URL=database_url, TF_CPP_MIN_LOG_LEVEL="2")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *ON_POSTGRES, "-q", "-p", "no:cacheprovider", "-W", "error::RuntimeWarning"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=540,
    )
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, tail
    assert " passed" in proc.stdout and " failed" not in proc.stdout and "error" not in proc.stdout.splitlines()[-1]
    # it did run on PostgreSQL: pytest-django's test database was made on that server
    assert (
        "postgresql"
        in subprocess.run(
            [
                sys.executable,
                "-c",
                "from django.conf import settings; import django; django.setup();"
                "from django.db import connection; print(connection.vendor)",
            ],
            cwd=ROOT,
            env=dict(env, SECRET_KEY="x" * 50),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
