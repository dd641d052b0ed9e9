"""A dispatch pass in its own process, for the multi-process tests (not a test module).

    python tests/reminder_worker.py CONFIG_JSON

CONFIG_JSON: {"app": {...test config...}, "now": ISO, "wait_for_go": bool,
"backend": "outbox" | "slow_outbox" | "slow_twilio", "chunk": int or null, "delay": seconds}.
Prints the pass's counts as JSON on stdout.
"""
from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler import dispatch  # noqa: E402
from sms import gateway, twilio_backend  # noqa: E402
from webapp.app import create_app  # noqa: E402


def main() -> None:
    """Run one pass as described by the JSON argument."""
    spec = json.loads(sys.argv[1])
    delay = spec.get("delay", 0.005)

    def slow_outbox(config, to, body):
        time.sleep(delay)  # a provider that takes its time
        return gateway.outbox_deliver(config, to, body)

    def slow_twilio(config, to, body):
        delivery = twilio_backend.deliver(config, to, body)
        time.sleep(delay)  # accepted by Twilio, answer not yet written: the window a kill can hit
        return delivery

    gateway.BACKENDS.update(slow_outbox=slow_outbox, slow_twilio=slow_twilio)
    if spec.get("chunk"):
        dispatch.OUTBOX_CHUNK = dispatch.MAX_CHUNK = spec["chunk"]
    app = create_app(spec["app"])
    app.config["SMS_BACKEND"] = spec["backend"]  # may be a test double registered above, not a setting value
    if spec.get("wait_for_go"):  # start together with the other workers: say ready, wait for "go"
        print("ready", flush=True)
        sys.stdin.readline()
    report = dispatch.run_pass(app, datetime.fromisoformat(spec["now"]))
    print(json.dumps({outcome: report.count(outcome) for outcome in ("sent", "retry", "failed", "lost")}))


if __name__ == "__main__":
    main()
