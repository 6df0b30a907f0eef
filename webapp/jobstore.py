"""Storage for Dash's background jobs that holds JSON only: a job's result is written as JSON and a pickle is never read.

diskcache pickles values by default, and Dash keeps job results, progress and its
signing secret there; a pickle read back runs whatever code it names. The folder
is private as well (context.private_folder); this makes the format safe too.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import diskcache
from diskcache.core import MODE_PICKLE, UNKNOWN
from plotly.utils import PlotlyJSONEncoder

from drive_atlas.spec.errors import DriveAtlasError


class PickledEntry(DriveAtlasError):
    """The job store holds a pickle, which this app never writes: it was planted."""


class JSONOnlyDisk(diskcache.JSONDisk):
    """JSON for keys and values (Dash components and figures through plotly's encoder); pickled entries are refused."""

    def put(self, key: Any) -> tuple[Any, bool]:
        return diskcache.Disk.put(self, zlib.compress(_dumps(key), self.compress_level))

    def get(self, key: Any, raw: bool) -> Any:
        if not raw:
            raise PickledEntry("a pickled key in the job store")
        return super().get(key, raw)

    def store(self, value: Any, read: bool, key: Any = UNKNOWN) -> Any:
        if not read:
            value = zlib.compress(_dumps(value), self.compress_level)
        return diskcache.Disk.store(self, value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: Any, read: bool) -> Any:
        if mode == MODE_PICKLE:
            raise PickledEntry("a pickled value in the job store")
        return super().fetch(mode, filename, value, read)


def job_store(folder: Path) -> diskcache.Cache:
    return diskcache.Cache(str(folder), disk=JSONOnlyDisk)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, cls=PlotlyJSONEncoder).encode("utf-8")
