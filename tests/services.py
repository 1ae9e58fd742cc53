"""Real services for tests: each starts a real process on a free loopback port and stops it."""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port} after {timeout}s")


def stop_process(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def redis_server():
    """A real redis-server (Debian's package) with no persistence; yields its URL."""
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed: run `make setup`")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="test-redis-")
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc=proc)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop_process(proc)
        shutil.rmtree(workdir, ignore_errors=True)


# The servers the tests start run as in production (DEBUG off, the default), so they need a key.
TEST_SECRET_KEY = "test-only-secret-key-for-the-servers-tests-start-0123456789"


def service_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    env.setdefault("SECRET_KEY", TEST_SECRET_KEY)
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    env.update(extra)
    return env


# --- the web stack: a migrated SQLite file, daphne, a Celery worker ---------------------------------

PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"


def webapp_env(workdir: Path, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment the web server, the worker and manage.py share: one SQLite file, one media folder."""
    workdir = Path(workdir)
    (workdir / "media").mkdir(parents=True, exist_ok=True)
    return service_env(
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        MEDIA_ROOT=str(workdir / "media"),
        VAR_DIR=str(workdir / "var"),
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        RUN_HEARTBEAT_TIMEOUT=extra.pop("RUN_HEARTBEAT_TIMEOUT", "60"),
        DJANGO_SETTINGS_MODULE="webapp.settings",
        LOG_LEVEL="INFO",
        **extra,
    )


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    """Run `manage.py ARGS` with `env`; its stdout (stripped). Raises with its output when it fails."""
    proc = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout.strip()


def migrate(env: dict[str, str]) -> None:
    manage(env, "migrate", "--noinput", "--skip-checks")


def create_token(env: dict[str, str], username: str, name: str = "test") -> str:
    return manage(env, "create_token", username, "--name", name, "--create-user").splitlines()[-1]


def _wait_for_log(path: Path, needle: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if needle in text:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before '{needle}':\n{text[-4000:]}")
        time.sleep(0.2)
    raise TimeoutError(f"no '{needle}' after {timeout}s in {path}:\n{path.read_text(errors='replace')[-4000:]}")


class Service:
    """A started process with its log file; `ready()` waits until it serves."""

    def __init__(self, proc: subprocess.Popen, log_path: Path, log_file, ready, **info):
        self.proc = proc
        self.log_path = log_path
        self._log_file = log_file
        self._ready = ready
        self.__dict__.update(info)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def ready(self, timeout: float = 120.0) -> "Service":
        self._ready(self, timeout)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        stop_process(self.proc, timeout=20)
        self._log_file.close()


def start_celery_worker(env: dict[str, str], log_path: Path) -> Service:
    """A real Celery worker (solo pool, both queues), started; call .ready() to wait for it."""
    log_path = Path(log_path)
    out = open(log_path, "ab")  # noqa: SIM115 -- the service owns it and closes it in stop()
    proc = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "webapp",
            "worker",
            "-Q",
            "training,default",
            "-P",
            "solo",
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
            "-n",
            f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    return Service(proc, log_path, out, lambda svc, timeout: _wait_for_log(log_path, " ready.", proc, timeout))


def start_daphne(env: dict[str, str], log_path: Path) -> Service:
    """A real daphne serving webapp.asgi:application, started; .url and .ws_url; .ready() waits."""
    port = free_port()
    log_path = Path(log_path)
    out = open(log_path, "ab")  # noqa: SIM115 -- the service owns it and closes it in stop()
    proc = subprocess.Popen(
        [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "webapp.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    return Service(
        proc,
        log_path,
        out,
        lambda svc, timeout: wait_for_port(port, timeout=timeout, proc=proc),
        url=f"http://127.0.0.1:{port}",
        ws_url=f"ws://127.0.0.1:{port}",
        port=port,
    )


@contextlib.contextmanager
def celery_worker(env: dict[str, str], log_path: Path, timeout: float = 120.0):
    service = start_celery_worker(env, log_path)
    try:
        yield service.ready(timeout)
    finally:
        service.stop()


@contextlib.contextmanager
def daphne_server(env: dict[str, str], log_path: Path, timeout: float = 120.0):
    service = start_daphne(env, log_path)
    try:
        yield service.ready(timeout)
    finally:
        service.stop()


class Api:
    """A small JSON client over urllib: a Bearer token, or a session cookie jar with the CSRF header."""

    def __init__(self, base_url: str, token: str | None = None):
        import http.cookiejar
        import urllib.request

        self.base_url = base_url.rstrip("/")
        self.token = token
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf_token(self) -> str | None:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), None)

    def request(
        self,
        method: str,
        path: str,
        body=None,
        *,
        raw: bytes | None = None,
        content_type: str | None = None,
        headers: dict | None = None,
        timeout: float = 60,
    ):
        """(status, parsed JSON or bytes, headers)."""
        import json
        import urllib.error
        import urllib.request

        data = raw
        hdrs = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        elif content_type:
            hdrs["Content-Type"] = content_type
        if self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        csrf = self.csrf_token()
        if csrf:
            hdrs["X-CSRFToken"] = csrf
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=hdrs)
        try:
            with self.opener.open(req, timeout=timeout) as resp:
                status, payload, rh = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as exc:
            status, payload, rh = exc.code, exc.read(), dict(exc.headers)
        if rh.get("Content-Type", "").startswith("application/json") and payload:
            payload = json.loads(payload)
        return status, payload, rh

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


# --- restartable redis, PostgreSQL -------------------------------------------------------------------


class RedisProcess:
    """A redis-server on a fixed port that a test can kill (SIGKILL) and start again on the same port
    and folder: with `appendonly` its append-only file (fsync'd every write) brings the data back."""

    def __init__(self, workdir: Path, appendonly: bool, port: int | None = None):
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed: run `make setup`")
        self.exe = exe
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.appendonly = appendonly
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisProcess":
        aof = ["--appendonly", "yes", "--appendfsync", "always"] if self.appendonly else ["--appendonly", "no"]
        self.proc = subprocess.Popen(
            [self.exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", *aof, "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, proc=self.proc)
        return self

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)


PG_BIN = Path("/usr/lib/postgresql/15/bin")


def postgres_bin(name: str) -> str:
    """A PostgreSQL server program (Debian's package `postgresql` keeps them off PATH)."""
    for folder in (PG_BIN, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"PostgreSQL's {name} is not installed: run `make setup` (Debian's package postgresql)")
    return found


@contextlib.contextmanager
def postgres_server():
    """A real PostgreSQL server (a fresh cluster made with initdb, trust auth, on a free loopback port and
    a unix socket in its folder); yields its DATABASE_URL (database `kerascanvas`, user `kerascanvas`)."""
    workdir = Path(tempfile.mkdtemp(prefix="test-pg-"))
    data = workdir / "data"
    port = free_port()
    user = "kerascanvas"
    run_as: dict = {}
    if os.geteuid() == 0:  # the server refuses to run as root: the cluster belongs to `nobody`
        import pwd

        nobody = pwd.getpwnam("nobody")
        os.chown(workdir, nobody.pw_uid, nobody.pw_gid)
        run_as = {"user": nobody.pw_uid, "group": nobody.pw_gid}
    env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
    subprocess.run(
        [postgres_bin("initdb"), "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-instructions"],
        check=True,
        capture_output=True,
        env=env,
        **run_as,
    )
    log_path = workdir / "postgres.log"
    log_file = open(log_path, "ab")  # noqa: SIM115 -- closed when the server stops, below
    proc = subprocess.Popen(
        [
            postgres_bin("postgres"),
            "-D",
            str(data),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={workdir}",
            "-c",
            "fsync=off",  # a throwaway test cluster: speed over durability
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
        ],
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env=env,
        **run_as,
    )
    try:
        wait_for_port(port, proc=proc)
        deadline = time.monotonic() + 30
        while True:
            ready = subprocess.run(
                [postgres_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", user], capture_output=True
            )
            if ready.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL not ready:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        subprocess.run(
            [postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, "kerascanvas"],
            check=True,
            capture_output=True,
        )
        yield f"postgres://{user}@127.0.0.1:{port}/kerascanvas"
    finally:
        stop_process(proc, timeout=20)
        log_file.close()
        shutil.rmtree(workdir, ignore_errors=True)


def digits_mlp(units: int = 16, name: str = "digits_mlp") -> dict:
    """A small graph for the built-in `digits` dataset (64 features, 10 classes): quick to train."""
    return {
        "version": 1,
        "name": name,
        "nodes": [
            {"id": "features", "type": "Input", "params": {"shape": [64]}},
            {"id": "hidden", "type": "Dense", "params": {"units": units, "activation": "relu"}},
            {"id": "classes", "type": "Dense", "params": {"units": 10, "activation": "softmax"}},
            {
                "id": "target",
                "type": "Output",
                "params": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]},
            },
        ],
        "edges": [
            {"source": "features", "target": "hidden"},
            {"source": "hidden", "target": "classes"},
            {"source": "classes", "target": "target"},
        ],
    }
