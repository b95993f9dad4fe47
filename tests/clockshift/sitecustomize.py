"""Shift a Python process's wall clock (for the benchmarks' `edgarwatch run`).

The daemon judges filing hours, the morning release and "today" by its own
wall clock, so a benchmark that wants EDGAR's business day has to give it
one, whenever it runs. With this directory on `PYTHONPATH` and
`EDGARWATCH_CLOCK_SHIFT_SECONDS` set, Python imports this module at start-up
(site's `sitecustomize` hook) and `datetime.now()`, `datetime.utcnow()` and
`time.time()` run that many seconds ahead; monotonic time (rate limits,
timeouts) is untouched. Nothing in edgarwatch knows about it: it is what
libfaketime would do, in Python (libfaketime hangs Python's sleeps).
"""

from __future__ import annotations

import datetime as _datetime
import os
import time as _time
from typing import Self

_SHIFT = float(os.environ.get("EDGARWATCH_CLOCK_SHIFT_SECONDS", "0") or 0)


class _ShiftedDatetime(_datetime.datetime):
    @classmethod
    def now(cls, tz: _datetime.tzinfo | None = None) -> Self:
        return cls.fromtimestamp(_real_time() + _SHIFT, tz)

    @classmethod
    def utcnow(cls) -> Self:
        return cls.fromtimestamp(_real_time() + _SHIFT, _datetime.UTC).replace(tzinfo=None)


_real_time = _time.time

if _SHIFT:
    _datetime.datetime = _ShiftedDatetime  # type: ignore[misc]
    _time.time = lambda: _real_time() + _SHIFT
