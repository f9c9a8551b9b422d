"""The garbage collector of a process that serves requests (`cxloop serve`, the ingest benchmark).

A request with a 1,000-item batch makes tens of thousands of objects that live as long as the
request. With Python's default threshold (a young collection every 700 new objects) it set off
about 30 young collections and, every few requests, a full one that walked every object of the
process: 10–35 ms of a 1,000-item request. Objects made while loading (modules, URL patterns,
the API's schemas) live as long as the process, so they are frozen out of the collector's reach;
and with a young threshold of 20,000 most of a request's objects are freed by reference counting
before any collection looks at them. Cyclic garbage waits a little longer; memory barely moves.
"""

import gc

YOUNG_THRESHOLD = 20_000


def settle_for_serving() -> None:
    """Freeze what exists now and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
