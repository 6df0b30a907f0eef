"""Work in a child process under a wall-clock limit: on time-out the child is killed, so the work stops and its slot is freed.

NEST cannot be interrupted from Python in the middle of a step, so a limit that
only checked the clock between steps would not bound a run; killing the process
does. Progress and the result come back over a pipe as JSON (never pickles).
"""

from __future__ import annotations

import json
import multiprocessing
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from drive_atlas.spec.errors import DriveAtlasError

Report = Callable[[float, float, str], None]  # (done, total, label)
Work = Callable[[Report], Any]  # returns something json.dumps can write


class TimedOut(DriveAtlasError):
    """The work ran past its wall-clock limit and was killed."""


class Refused(DriveAtlasError):
    """The work stopped with one of the project's errors (its message is for the user)."""


def run_with_deadline(work: Work, seconds: float, report: Report) -> Any:
    """``work(report)`` in a forked child; its JSON result, or TimedOut after ``seconds`` (the child is killed)."""
    receiver, sender = multiprocessing.Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_child, args=(work, sender), name="drive-atlas-run")
    child.start()
    sender.close()
    deadline = time.monotonic() + seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimedOut(f"stopped after {seconds:g} s, this server's wall-clock limit per run; "
                               "try a shorter run or fewer events, or run it with the CLI")
            if not receiver.poll(min(left, 1.0)):
                continue
            try:
                kind, value = json.loads(receiver.recv_bytes())
            except EOFError:
                child.join()
                raise RuntimeError(f"the run's process ended without a result (exit code {child.exitcode})") from None
            if kind == "progress":
                report(*value)
            elif kind == "result":
                return value
            elif kind == "refused":
                raise Refused(value)
            else:
                raise RuntimeError(f"the run failed:\n{value}")
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()


def _child(work: Work, sender: Connection) -> None:
    def send(kind: str, value: Any) -> None:
        sender.send_bytes(json.dumps([kind, value], default=_plain).encode())

    try:
        send("result", work(lambda done, total, label: send("progress", [done, total, label])))
    except DriveAtlasError as exc:
        send("refused", str(exc))
    except Exception:  # noqa: BLE001 - sent to the parent, which raises it there
        send("error", traceback.format_exc())
    finally:
        sender.close()


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers; anything else as its text."""
    return value.item() if hasattr(value, "item") else str(value)
