"""Starting the app the way a deployment does: gunicorn (with the README's own command line)
on the production settings, in a clean environment, on a free port of this machine."""

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.ports import free_port  # noqa: F401 (the deploy tests' import)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET = "x7#kq-production-like-secret-for-the-deploy-tests-9f2a1c0d5e8b3a6f-zz"


def clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What an operator's shell would hold: no DJANGO_SETTINGS_MODULE (the test run has set
    one in this process), HOME of its own (gunicorn puts its control socket there)."""
    env = {key: os.environ[key] for key in ("PATH", "LANG") if key in os.environ}
    env.update(HOME=str(tmp_path), PYTHONUNBUFFERED="1", STATIC_ROOT=str(tmp_path / "static"))
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 180) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args, "--settings=okrtracker.settings.production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def readme_gunicorn_command(port: int) -> list[str]:
    """The README's production gunicorn line, pointed at `port`."""
    readme = (ROOT / "README.md").read_text()
    lines = [line for line in readme.splitlines() if re.match(r"^(\S*/)?gunicorn ", line)]
    assert len(lines) == 1, f"expected one gunicorn command in the README, found {lines}"
    argv = shlex.split(lines[0])
    argv[0] = str(BIN / Path(argv[0]).name)
    bind = argv.index("--bind")
    argv[bind + 1] = f"127.0.0.1:{port}"
    return argv


class Server:
    """One gunicorn process group; `url` once it answers."""

    def __init__(self, argv: list[str], *, env: dict[str, str], log_path: Path):
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.argv[self.argv.index('--bind') + 1]}"

    def start(self, timeout: float = 60) -> "Server":
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return self
            try:
                requests.get(self.url + "/", timeout=2, allow_redirects=False)
                return self
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in {timeout}s:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=20)
        self.log.close()
