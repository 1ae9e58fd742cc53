"""The production stack on one machine, everything under var/prod/: nginx (Debian's package) in front of
several daphne processes, PostgreSQL (Debian's package; a cluster made on the first start), Redis with
its append-only file, and several Celery workers. scripts/prod.sh (`make prod`) runs it in the
foreground (Ctrl+C stops it), `scripts/prod.sh stop` stops it from another shell; the tests start the
same stack from this module (tests/webapp/test_prod_stack.py).

    .venv/bin/python scripts/prodstack.py [start] [--port 8080] [--web 2] [--workers 2]
    .venv/bin/python scripts/prodstack.py stop
    .venv/bin/python scripts/prodstack.py nginx-conf --upstream 127.0.0.1:8001 ... (for a server)

Settings are production ones: DEBUG=0, a SECRET_KEY made once into var/prod/secret_key, the database
and broker above. Set more in the environment (MAX_UPLOAD_BYTES, ALLOWED_HOSTS...): it is passed on.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
DEPLOY = ROOT / "deploy"
PG_DB = "kerascanvas"
PG_USER = "kerascanvas"
DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024  # webapp/settings.py's MAX_UPLOAD_BYTES default
MULTIPART_ROOM = 1024 * 1024


class StackError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def pg_bin(name: str) -> str:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    found = shutil.which(name)
    if not found:
        raise StackError(f"PostgreSQL's {name} is not installed (Debian's package `postgresql`): run `make setup`")
    return found


def nginx_bin() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise StackError("nginx is not installed (Debian's package `nginx`): run `make setup`")
    return found


def render_site(
    upstreams: list[str],
    listen: str,
    max_body: int,
    static_root: Path,
    frontend_dist: Path,
    temp: Path,
    server_name: str,
) -> str:
    """deploy/nginx/kerascanvas.conf.template filled in (nginx's own $variables are left alone)."""
    servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=2s;" for u in upstreams)
    return Template((DEPLOY / "nginx" / "kerascanvas.conf.template").read_text()).safe_substitute(
        UPSTREAM_SERVERS=servers,
        LISTEN=listen,
        SERVER_NAME=server_name,
        MAX_BODY=f"{max(1, -(-max_body // 1024))}k",
        STATIC_ROOT=str(static_root),
        FRONTEND_DIST=str(frontend_dist),
        TEMP=str(temp),
    )


@dataclass
class Proc:
    """One process of the stack: how to start it, its log, its pid file, how it stops."""

    name: str
    argv: list[str]
    log: Path
    pidfile: Path
    env: dict[str, str] | None = None
    stop_signal: int = signal.SIGTERM
    stop_timeout: float = 30.0
    user: int | None = None
    group: int | None = None
    proc: subprocess.Popen | None = None
    info: dict = field(default_factory=dict)

    def start(self) -> Proc:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl+C reaches the supervisor only: it stops them in order
                user=self.user,
                group=self.group,
            )
        self.pidfile.write_text(str(self.proc.pid))
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, timeout: float | None = None) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(self.stop_signal)
            try:
                self.proc.wait(self.stop_timeout if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.pidfile.unlink(missing_ok=True)

    def wait_until(self, ready, what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise StackError(
                    f"{self.name} exited ({self.proc and self.proc.returncode}):\n{self.log_text()[-3000:]}"
                )
            if ready():
                return
            time.sleep(0.1)
        raise StackError(f"{self.name}: no {what} after {timeout}s:\n{self.log_text()[-3000:]}")


class ProdStack:
    """nginx → `web` daphne processes; PostgreSQL; Redis (AOF); `workers` Celery workers; under `root`."""

    def __init__(
        self,
        root: Path | str = ROOT / "var" / "prod",
        *,
        port: int = 8080,
        web: int = 2,
        workers: int = 2,
        nginx_workers: str = "auto",
        env: dict[str, str] | None = None,
        quiet: bool = False,
    ):
        self.root = Path(root).resolve()
        self.port = port
        self.n_web = web
        self.n_workers = workers
        self.nginx_workers = nginx_workers
        self.extra_env = dict(env or {})
        self.quiet = quiet
        self.log_dir = self.root / "log"
        self.run_dir = self.root / "run"
        self.pg_dir = self.root / "pg"
        self.redis_dir = self.root / "redis"
        self.media = self.root / "media"
        self.nginx_dir = self.root / "nginx"
        self.web: list[Proc] = []
        self.workers: list[Proc] = []
        self.postgres: Proc | None = None
        self.redis: Proc | None = None
        self.nginx: Proc | None = None
        self.env: dict[str, str] = {}
        self.redis_port = 0
        self.web_ports: list[int] = []

    # --- helpers ---------------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.extra_env.get("MAX_UPLOAD_BYTES") or os.environ.get("MAX_UPLOAD_BYTES") or DEFAULT_MAX_UPLOAD)

    @property
    def max_body(self) -> int:
        """nginx's client_max_body_size: the upload limit plus room for the multipart framing."""
        return self.max_upload_bytes + MULTIPART_ROOM

    def _service_user(self) -> tuple[int | None, int | None]:
        """PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user."""
        if os.geteuid() != 0:
            return None, None
        for name in ("postgres", "nobody"):
            with contextlib.suppress(KeyError):
                entry = pwd.getpwnam(name)
                return entry.pw_uid, entry.pw_gid
        raise StackError("running as root with no `postgres` or `nobody` user to run PostgreSQL as")

    def secret_key(self) -> str:
        path = self.root / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(50))
            path.chmod(0o600)
        return path.read_text().strip()

    def database_url(self) -> str:
        return f"postgres://{PG_USER}@{quote(str(self.run_dir), safe='')}/{PG_DB}"

    def manage(self, *args: str, timeout: float = 300) -> str:
        proc = subprocess.run(
            [PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if proc.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc.stdout.strip()

    # --- the parts -------------------------------------------------------------------------------------

    def _prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(self.root.stat().st_mode | 0o755)  # nginx's and PostgreSQL's users pass through it
        for folder in (self.log_dir, self.run_dir, self.redis_dir, self.media, self.nginx_dir / "tmp"):
            folder.mkdir(parents=True, exist_ok=True)
        supervisor = self.run_dir / "prodstack.pid"
        if supervisor.exists():
            with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                pid = int(supervisor.read_text())
                if pid != os.getpid():
                    os.kill(pid, 0)
                    raise StackError(f"the stack in {self.root} is already running (pid {pid}): `scripts/prod.sh stop`")
        supervisor.write_text(str(os.getpid()))
        if port_open(self.port):
            raise StackError(f"port {self.port} is in use: choose another with --port (PROD_PORT=...)")
        uid, gid = self._service_user()
        if uid is not None and gid is not None:
            os.chown(self.run_dir, uid, gid)  # PostgreSQL's socket
            for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                (self.nginx_dir / "tmp" / sub).mkdir(exist_ok=True)
            www = pwd.getpwnam("www-data") if _has_user("www-data") else pwd.getpwnam("nobody")
            for path in (self.nginx_dir / "tmp", *(self.nginx_dir / "tmp").iterdir()):
                os.chown(path, www.pw_uid, www.pw_gid)
        self.redis_port = free_port()
        self.env = dict(os.environ)
        self.env.update(
            {
                "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "webapp.settings",
                "TF_CPP_MIN_LOG_LEVEL": "2",
                "DEBUG": "0",
                "SECRET_KEY": self.secret_key(),
                "DATABASE_URL": self.database_url(),
                "DATABASE_CONN_MAX_AGE": "60",
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "VAR_DIR": str(self.root),
                "MEDIA_ROOT": str(self.media),
                "ALLOWED_HOSTS": "localhost,127.0.0.1,[::1]",
                "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{self.port},http://localhost:{self.port}",
            }
        )
        self.env.update(self.extra_env)

    def _start_postgres(self) -> None:
        uid, gid = self._service_user()
        if not (self.pg_dir / "PG_VERSION").exists():
            self.say(f"postgres: creating the cluster in {self.pg_dir}")
            self.pg_dir.mkdir(parents=True, exist_ok=True)
            if uid is not None and gid is not None:
                os.chown(self.pg_dir, uid, gid)
            subprocess.run(
                [
                    pg_bin("initdb"),
                    "-D",
                    str(self.pg_dir),
                    "-U",
                    PG_USER,
                    "--auth=peer",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ],
                check=True,
                capture_output=True,
                env=dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8"),
                user=uid,
                group=gid,
            )
            # local (unix socket) connections by the stack's database user, no password: the socket's
            # folder is the stack's own; TCP stays off
            (self.pg_dir / "pg_hba.conf").write_text(f"local all {PG_USER} trust\nlocal all all peer\n")
        self.postgres = Proc(
            "postgres",
            [
                pg_bin("postgres"),
                "-D",
                str(self.pg_dir),
                "-c",
                "listen_addresses=",
                "-c",
                f"unix_socket_directories={self.run_dir}",
                "-c",
                "max_connections=200",
            ],
            self.log_dir / "postgres.log",
            self.run_dir / "postgres.pid.stack",
            env=dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8"),
            stop_signal=signal.SIGINT,  # fast shutdown: transactions rolled back, then a clean stop
            user=uid,
            group=gid,
        ).start()
        socket_path = self.run_dir / ".s.PGSQL.5432"

        def accepting() -> bool:
            if not socket_path.exists():
                return False
            ready = subprocess.run(
                [pg_bin("pg_isready"), "-h", str(self.run_dir), "-U", PG_USER, "-d", "postgres"], capture_output=True
            )
            return ready.returncode == 0

        self.postgres.wait_until(accepting, "connections", 60)
        exists = subprocess.run(
            [
                pg_bin("psql"),
                "-h",
                str(self.run_dir),
                "-U",
                PG_USER,
                "-d",
                "postgres",
                "-tAc",
                f"SELECT 1 FROM pg_database WHERE datname = '{PG_DB}'",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        if exists.stdout.strip() != "1":
            subprocess.run([pg_bin("createdb"), "-h", str(self.run_dir), "-U", PG_USER, PG_DB], check=True)
        self.say(f"postgres: running, socket in {self.run_dir}")

    def _start_redis(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise StackError("redis-server is not installed: run `make setup`")
        self.redis = Proc(
            "redis",
            [
                exe,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.redis_dir),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
            ],
            self.log_dir / "redis.log",
            self.run_dir / "redis.pid.stack",
        ).start()
        self.redis.wait_until(lambda: port_open(self.redis_port), "port", 30)
        self.say(f"redis: running on port {self.redis_port}, append-only file in {self.redis_dir}")

    def _web_proc(self, i: int) -> Proc:
        port = self.web_ports[i]
        return Proc(
            f"daphne-{i}",
            [str(BIN / "daphne"), "--proxy-headers", "-b", "127.0.0.1", "-p", str(port), "webapp.asgi:application"],
            self.log_dir / f"daphne-{i}.log",
            self.run_dir / f"daphne-{i}.pid.stack",
            env=self.env,
            info={"port": port},
        )

    def _worker_proc(self, i: int) -> Proc:
        return Proc(
            f"worker-{i}",
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
                "-n",
                f"prod-{i}@%h",
                "-l",
                "info",
            ],
            self.log_dir / f"worker-{i}.log",
            self.run_dir / f"worker-{i}.pid.stack",
            env=self.env,
            stop_timeout=600,  # a warm shutdown finishes the run it trains
        )

    def start_web(self, i: int, wait: bool = True) -> Proc:
        proc = self._web_proc(i).start()
        if i < len(self.web):
            self.web[i] = proc
        else:
            self.web.append(proc)
        if wait:
            self.wait_web(i)
        return proc

    def wait_web(self, i: int, timeout: float = 180) -> None:
        self.web[i].wait_until(lambda: port_open(self.web_ports[i]), "port", timeout)

    def start_worker(self, i: int, wait: bool = True) -> Proc:
        proc = self._worker_proc(i)
        mark = proc.log.stat().st_size if proc.log.exists() else 0
        proc.start()
        proc.info["log_mark"] = mark
        if i < len(self.workers):
            self.workers[i] = proc
        else:
            self.workers.append(proc)
        if wait:
            self.wait_worker(i)
        return proc

    def wait_worker(self, i: int, timeout: float = 180) -> None:
        proc = self.workers[i]
        mark = proc.info.get("log_mark", 0)
        proc.wait_until(lambda: " ready." in proc.log_text()[mark:], "' ready.' in its log", timeout)

    def restart_web(self, i: int, wait: bool = True) -> Proc:
        self.web[i].stop()
        return self.start_web(i, wait)

    def restart_worker(self, i: int, wait: bool = True) -> Proc:
        """A warm shutdown (SIGTERM: the run it trains finishes first), then a fresh worker."""
        self.workers[i].stop()
        return self.start_worker(i, wait)

    def _start_nginx(self) -> None:
        site = render_site(
            [f"127.0.0.1:{p}" for p in self.web_ports],
            f"127.0.0.1:{self.port}",
            self.max_body,
            self.root / "static",
            ROOT / "frontend" / "dist",
            self.nginx_dir / "tmp",
            "localhost 127.0.0.1",
        )
        (self.nginx_dir / "kerascanvas.conf").write_text(site)
        user_line = ""
        if os.geteuid() == 0:
            user_line = "user www-data;" if _has_user("www-data") else "user nobody;"
        main = Template((DEPLOY / "nginx" / "nginx-local.conf.template").read_text()).safe_substitute(
            PREFIX=str(self.root), WORKER_PROCESSES=self.nginx_workers, USER_LINE=user_line
        )
        conf = self.nginx_dir / "nginx.conf"
        conf.write_text(main)
        exe = nginx_bin()
        check = subprocess.run(
            [exe, "-t", "-q", "-p", str(self.root), "-e", str(self.log_dir / "nginx-error.log"), "-c", str(conf)],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise StackError(f"nginx refuses its configuration:\n{check.stderr}")
        self.nginx = Proc(
            "nginx",
            [exe, "-p", str(self.root), "-e", str(self.log_dir / "nginx-error.log"), "-c", str(conf)],
            self.log_dir / "nginx.log",
            self.run_dir / "nginx.pid.stack",
            stop_signal=signal.SIGQUIT,  # graceful: open requests finish
        ).start()
        self.nginx.wait_until(lambda: port_open(self.port), "port", 30)

    # --- the whole -------------------------------------------------------------------------------------

    def start(self) -> ProdStack:
        try:
            self._prepare()
            if not (ROOT / "frontend" / "dist" / "index.html").exists():
                self.say("warning: frontend/dist is not built (`make frontend`): the API works, the pages do not")
            self._start_postgres()
            self._start_redis()
            self.say("migrating, collecting static files...")
            self.manage("migrate", "--noinput")
            self.manage("collectstatic", "--noinput")
            self.web_ports = [free_port() for _ in range(self.n_web)]
            for i in range(self.n_web):
                self.start_web(i, wait=False)
            for i in range(self.n_workers):
                self.start_worker(i, wait=False)
            for i in range(self.n_web):
                self.wait_web(i)
            self.say(f"daphne: {self.n_web} processes on ports {', '.join(map(str, self.web_ports))}")
            for i in range(self.n_workers):
                self.wait_worker(i)
            self.say(f"celery: {self.n_workers} workers")
            self._start_nginx()
            (self.run_dir / "state.json").write_text(
                json.dumps({"url": self.url, "web_ports": self.web_ports, "redis_port": self.redis_port})
            )
        except BaseException:
            self.stop()
            raise
        return self

    def procs(self) -> list[Proc]:
        return [p for p in (self.nginx, *self.web, *self.workers, self.redis, self.postgres) if p is not None]

    def stop(self) -> None:
        """nginx first (no new requests), then the web processes, the workers (each finishes its run,
        within its stop timeout), Redis (its append-only file flushed), PostgreSQL last."""
        for proc in self.procs():
            try:
                proc.stop()
            except Exception as exc:  # stop the others all the same
                print(f"stopping {proc.name} failed: {exc}", file=sys.stderr)
        supervisor = self.run_dir / "prodstack.pid"
        with contextlib.suppress(OSError, ValueError):
            if int(supervisor.read_text()) == os.getpid():
                supervisor.unlink()

    def serve_forever(self) -> int:
        """Until Ctrl+C, SIGTERM (`prod.sh stop`) or a process of the stack exits."""
        stopping = []

        def on_signal(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        try:
            while not stopping:
                dead = [p for p in self.procs() if not p.alive()]
                if dead:
                    print(f"{dead[0].name} exited; see {dead[0].log}", file=sys.stderr)
                    return 1
                time.sleep(0.5)
            return 0
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            self.say("\nstopping...")
            self.stop()
            self.say("stopped")


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def stop_running(root: Path) -> int:
    """`prod.sh stop`: SIGTERM to the supervisor (it stops the stack in order); leftovers by pid file."""
    run_dir = Path(root).resolve() / "run"
    supervisor = run_dir / "prodstack.pid"
    if supervisor.exists():
        with contextlib.suppress(ValueError, ProcessLookupError):
            pid = int(supervisor.read_text())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 660
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.3)
    left = sorted(run_dir.glob("*.pid.stack")) if run_dir.exists() else []
    for pidfile in left:
        with contextlib.suppress(ValueError, ProcessLookupError):
            pid = int(pidfile.read_text())
            sig = signal.SIGINT if pidfile.name.startswith("postgres") else signal.SIGTERM
            os.kill(pid, sig)
            print(f"stopped {pidfile.name.removesuffix('.pid.stack')} (pid {pid})")
        pidfile.unlink(missing_ok=True)
    supervisor.unlink(missing_ok=True)
    print("the production stack is stopped")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", default="start", choices=["start", "stop", "nginx-conf"])
    parser.add_argument("--root", default=os.environ.get("PROD_ROOT", str(ROOT / "var" / "prod")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PROD_PORT", "8080")))
    parser.add_argument("--web", type=int, default=int(os.environ.get("PROD_WEB", "2")), help="daphne processes")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("PROD_WORKERS", "2")))
    parser.add_argument("--upstream", action="append", help="nginx-conf: a daphne's host:port (repeat)")
    parser.add_argument("--listen", default="80", help="nginx-conf: nginx's listen")
    parser.add_argument("--server-name", default="_", help="nginx-conf: server_name")
    parser.add_argument("--static-root", default=str(ROOT / "var" / "static"), help="nginx-conf: collectstatic's")
    parser.add_argument("--temp", default="/var/lib/nginx/kerascanvas", help="nginx-conf: body/proxy temp folder")
    args = parser.parse_args(argv)
    if args.command == "stop":
        return stop_running(Path(args.root))
    if args.command == "nginx-conf":
        max_upload = int(os.environ.get("MAX_UPLOAD_BYTES") or DEFAULT_MAX_UPLOAD)
        print(
            render_site(
                args.upstream or ["127.0.0.1:8001", "127.0.0.1:8002"],
                args.listen,
                max_upload + MULTIPART_ROOM,
                Path(args.static_root),
                ROOT / "frontend" / "dist",
                Path(args.temp),
                args.server_name,
            )
        )
        return 0
    stack = ProdStack(args.root, port=args.port, web=args.web, workers=args.workers)
    try:
        stack.start()
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print()
    print(f"  Keras Canvas (production stack) is running: open {stack.url}/")
    print(f"  nginx → {args.web} daphne, {args.workers} workers, PostgreSQL, Redis; logs in {stack.log_dir}")
    print("  Ctrl+C (or `scripts/prod.sh stop`) stops everything")
    print(flush=True)
    return stack.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
