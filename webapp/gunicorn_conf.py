"""gunicorn's settings for production: `gunicorn -c python:webapp.gunicorn_conf wsgi:app` (flags still apply).

The access log (off unless `--access-logfile` is given) masks phone numbers; the app's own log lines
(INFO and up) go where gunicorn's error log goes, with its `--log-level`, in LOG_FORMAT (gunicorn's too).
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from gunicorn import glogging

from webapp import logs

# The client's address, the time and the numbers gunicorn measures are kept as they are; every other atom
# (request line, path, query, referrer, user agent, headers) is masked.
UNMASKED_ATOMS = frozenset({"h", "t", "s", "b", "B", "T", "D", "M", "L", "p"})


class MaskedAtoms(glogging.SafeAtoms):
    """The access log's atoms, each one the format asks for masked when it is read."""

    def __init__(self, atoms: dict) -> None:
        dict.__init__(self, atoms)  # raw: quotes are escaped after masking, as SafeAtoms would have

    def __getitem__(self, key: str):
        value = super().__getitem__(key)
        if key in UNMASKED_ATOMS or not isinstance(value, str):
            return value
        return logs.mask_logged(value).replace('"', '\\"')


class AppLogger(glogging.Logger):
    """gunicorn's logger, masking the access log and showing the app's log lines next to its own."""

    atoms_wrapper_class = MaskedAtoms
    app_handlers: tuple[logging.Handler, ...] = ()

    def setup(self, cfg) -> None:
        """gunicorn's set-up (at start and on reload), then the root logger writes through the error log."""
        super().setup(cfg)
        if cfg.logconfig_dict or cfg.logconfig_json or cfg.logconfig:
            return  # the operator configured logging: theirs wins
        log_format = logs.configured_format()  # LOG_FORMAT: gunicorn's own lines in the app's format too
        logs.reformat(self.error_log.handlers, logs.FORMATTERS[log_format])
        logs.reformat(self.access_log.handlers, logs.ACCESS_FORMATTERS[log_format])
        root = logging.getLogger()
        for handler in self.app_handlers:
            root.removeHandler(handler)
        # The error log's own handlers: same file, syslog and reopening on USR1 as gunicorn's lines.
        self.app_handlers = tuple(self.error_log.handlers)
        for handler in self.app_handlers:
            root.addHandler(handler)
        root.setLevel(self.loglevel)


logger_class = AppLogger

# Metrics: the workers (and `python -m scheduler`, given the same variable) write their counters there and a
# scrape of any worker sums them. prometheus_client reads the variable when it is first imported, in each
# worker after the fork, so nothing here imports it at the top: the master would fix single-process mode for
# every worker it forks.
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
DEFAULT_METRICS_DIR = Path(__file__).resolve().parent.parent / "instance" / "prometheus"


def on_starting(server) -> None:
    """Before the first worker: the metrics directory (default under instance/), cleaned of dead processes' files."""
    directory = Path(os.environ.setdefault(METRICS_DIR_ENV, str(DEFAULT_METRICS_DIR)))
    directory.mkdir(parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        if not _alive(path.stem.rpartition("_")[2]):  # a running scheduler's files stay
            path.unlink(missing_ok=True)
    values = sys.modules.get("prometheus_client.values")
    if values is not None and not values.ValueClass._multiprocess:  # --preload without the variable set
        server.log.warning("metrics: prometheus_client was imported before %s was set; each worker counts on"
                           " its own (set %s in the environment)", METRICS_DIR_ENV, METRICS_DIR_ENV)


def child_exit(server, worker) -> None:
    """A worker ended: its live gauges go (its counters stay in the sums)."""
    from prometheus_client import multiprocess  # here, in the master, after the variable is set (see above)

    multiprocess.mark_process_dead(worker.pid)


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
