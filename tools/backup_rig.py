"""The backup check's rig: the service's processes on loopback (gunicorn, scheduler, Litestream), signed texts."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TOKEN = "backup-check-token"
SECRET = "backup-check-secret"  # kept with the backup: it keys the hashes of erased numbers


def free_port() -> int:
    """A TCP port on loopback nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wall() -> datetime:
    """Now, in UTC, to the microsecond."""
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    """The instant as `litestream restore -timestamp` reads it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def service_env(database: Path, replica: Path, port: int) -> dict[str, str]:
    """The environment of every process of the service: its file, its replica, signed webhooks, the outbox."""
    return dict(os.environ, DATABASE=str(database), BACKUP_REPLICA_URL=str(replica), SECRET_KEY=SECRET,
                TWILIO_AUTH_TOKEN=TOKEN, TWILIO_ACCOUNT_SID="", SMS_BACKEND="outbox", ENVIRONMENT="production",
                PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", QUIET_HOURS="00:00-00:00",
                SCHEDULER_PASS_SECONDS="1", LOG_FORMAT="text")


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`flask --app wsgi ARGS` with the service's environment; its output, raising on failure when `check`."""
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    if check and result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


@dataclass
class Reply:
    """One text sent to the service and what it answered, with when the answer arrived."""

    sid: str
    phone: str
    body: str
    answer: list[str]
    answered_at: float  # time.time()
    took: float  # seconds from the POST to the answer


@dataclass
class Service:
    """gunicorn, `python -m scheduler` and `litestream replicate` over one database file, killed together."""

    database: Path
    replica: Path
    litestream_config: Path | None
    logs: Path
    port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    _serial: int = 0

    @property
    def env(self) -> dict[str, str]:
        return service_env(self.database, self.replica, self.port)

    def _start(self, name: str, command: list[str]) -> None:
        with (self.logs / f"{name}.log").open("a") as sink:  # own session: SIGKILL reaches gunicorn's workers too
            self.procs[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=sink,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self, scheduler: bool = True) -> None:
        """Start Litestream (if configured), the web app (2 workers) and the scheduler; wait until the app answers."""
        if self.litestream_config:
            self._start("litestream", [str(BIN / "litestream"), "replicate", "-config", str(self.litestream_config)])
        self._start("gunicorn", [str(BIN / "gunicorn"), "-c", "python:webapp.gunicorn_conf", "-w", "2",
                                 "-b", f"127.0.0.1:{self.port}", "wsgi:app"])
        if scheduler:
            self._start("scheduler", [sys.executable, "-m", "scheduler"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited ({proc.returncode}): see {self.logs / (name + '.log')}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("the web app did not answer within 60 s")

    def kill(self) -> float:
        """SIGKILL every process at once (each whole group); the instant of the kill (time.time())."""
        killed_at = time.time()
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in self.procs.values():
            proc.wait(timeout=30)
        self.procs.clear()
        return killed_at

    def text(self, phone: str, body: str) -> Reply:
        """POST a signed inbound SMS as Twilio would; the reply, noted with the time it arrived."""
        self._serial += 1
        sid = f"SM{self._serial:032x}"
        params = {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": "AC" + "0" * 32,
                  "From": phone, "To": "+33700000000", "Body": body, "NumMedia": "0", "NumSegments": "1",
                  "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        url = f"http://127.0.0.1:{self.port}/sms/inbound"
        signature = RequestValidator(TOKEN).compute_signature(url, params)
        started = time.time()
        response = requests.post(url, data=params, headers={"X-Twilio-Signature": signature}, timeout=30)
        response.raise_for_status()
        answer = [message.text or "" for message in ET.fromstring(response.content).iter("Message")]
        reply = Reply(sid, phone, body, answer, time.time(), time.time() - started)
        self.replies.append(reply)
        return reply


def holds(paths: list[Path], phone: str) -> list[str]:
    """The names of the files among `paths` (directories walked) whose bytes contain `phone`."""
    found = []
    for path in paths:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []
        for file in files:
            try:
                if phone.encode() in file.read_bytes():
                    found.append(str(file))
            except FileNotFoundError:  # removed meanwhile (a -wal at its last close, a compacted LTX file)
                pass
    return found


def sqlite_files(database: Path) -> list[Path]:
    """The database file and its -wal."""
    return [database, database.with_name(database.name + "-wal")]
