"""Real components for the fault tests: an SMTP sink counting Message-IDs, a private
redis-server, and Celery worker and beat processes (started, killed, restarted)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.support import free_port, port_open, service_unavailable

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes

        mail = message_from_bytes(envelope.content)
        with self.sink.lock:
            self.sink.received[str(mail["Message-ID"])] += 1
        return "250 Message accepted for delivery"


class SmtpSink:
    """An aiosmtpd server on loopback that counts every accepted Message-ID."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def total(self) -> int:
        with self.lock:
            return sum(self.received.values())

    @property
    def unique(self) -> set[str]:
        with self.lock:
            return set(self.received)

    @property
    def duplicates(self) -> int:
        with self.lock:
            return sum(n - 1 for n in self.received.values())


class RedisServer:
    """A private redis-server on a free port (never the shared one), without persistence."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            service_unavailable("redis-server is not installed")
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open("127.0.0.1", self.port), 10, "redis-server to start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


def wait_for(condition: Callable[[], bool], timeout: float, what: str, step: float = 0.1) -> float:
    """Poll until ``condition()``; return the seconds it took, fail after ``timeout``."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)
    return time.monotonic() - start


class Processes:
    """Celery worker and beat processes with the environment of one scenario."""

    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.tmp = tmp
        self.procs: list[subprocess.Popen[bytes]] = []
        self.logs: list[Path] = []

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        log = self.tmp / f"{name}-{len(self.logs)}.log"
        self.logs.append(log)
        proc = subprocess.Popen(
            [CELERY, "-A", "workers.entry", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches the pool too
        )
        self.procs.append(proc)
        return proc

    def worker(self, pool: str = "prefork", concurrency: int = 2, name: str = "w") -> Any:
        return self._spawn(
            [
                "worker",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "-l",
                "WARNING",
                "-n",
                f"{name}-{len(self.logs)}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            "worker",
        )

    def beat(self) -> Any:
        schedule = self.tmp / f"beat-{len(self.logs)}"
        return self._spawn(["beat", "-l", "WARNING", "-s", str(schedule), "--pidfile", ""], "beat")

    @staticmethod
    def kill(proc: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
        """Kill the process and its pool children (the whole process group)."""
        if proc.poll() is None:
            os.killpg(proc.pid, sig)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.procs.clear()

    def tail(self, lines: int = 30) -> str:
        out = []
        for log in self.logs:
            if log.exists():
                text = log.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)


def figures(scenario: str, **values: Any) -> str:
    """One quotable line per scenario (printed; bench/notifications_faults.py collects them)."""
    line = "FAULT-FIGURES " + scenario + " " + " ".join(f"{k}={v}" for k, v in values.items())
    print(line, flush=True)
    return line
