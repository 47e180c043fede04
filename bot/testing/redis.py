"""A redis-server of a test's (or a benchmark's) own, to stop and restart at will."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    """A redis-server owned by one test: start, kill (as a crash would), restart on the same port."""

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        *,
        appendonly: bool = False,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on PATH: install Redis (see README 'Running the tests')")
        self.binary = binary
        self.workdir = workdir
        self.port = port or free_port()
        # appendonly=True keeps data across a restart (resume); False loses it (restart cleanly).
        self.appendonly = appendonly
        # (certificate, key): serve TLS only on ``port``; the certificate is also the CA.
        self.tls = tls
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.tls:
            return f"rediss://127.0.0.1:{self.port}/0?ssl_ca_certs={self.tls[0]}"
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, *extra: str) -> None:
        if self.running:
            return
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self.tls:
            listen = ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(self.tls[0]),
                      "--tls-key-file", str(self.tls[1]), "--tls-ca-cert-file", str(self.tls[0]),
                      "--tls-auth-clients", "no"]  # fmt: skip
        else:
            listen = ["--port", str(self.port)]
        args = [
            self.binary,
            *listen,
            "--bind", "127.0.0.1",
            "--dir", str(self.workdir),
            "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "always",
            "--logfile", str(self.workdir / "redis.log"),
            *extra,
        ]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2, socket_timeout=0.5)
        try:
            while True:
                assert self.process is not None
                if self.process.poll() is not None:
                    err = self.process.stderr.read().decode() if self.process.stderr else ""
                    log = (self.workdir / "redis.log").read_text() if (self.workdir / "redis.log").exists() else ""
                    raise RuntimeError(f"private redis-server exited: {err}{log[-2000:]}")
                try:
                    if client.ping():
                        return
                except (redis.ConnectionError, redis.TimeoutError, redis.exceptions.BusyLoadingError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"private redis-server on port {self.port} did not answer within {timeout} s")
                time.sleep(0.02)
        finally:
            client.close()

    def stop(self) -> None:
        """Kill the server without warning, as a crash or a lost host would."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        if self.process.stderr:
            self.process.stderr.close()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()
