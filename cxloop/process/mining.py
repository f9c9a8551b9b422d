"""Process mining over plain events: variants, directly-follows graph, durations, hand-overs, stuck cases.

Pure functions over an in-memory, columnar event table (numpy arrays of integer codes), so
that a million events fit in a few dozen megabytes and every analysis is a handful of
vectorised passes. The conventions are PM4Py's, so that results can be compared with it
(Berti, van Zelst & van der Aalst, "Process Mining for Python (PM4Py): Bridging the Gap
Between Process- and Data Science", ICPM 2019 demo track):

- events are ordered by case id, then timestamp, then position in the source (a stable sort);
- the activity of an event is its `concept:name`, its resource `org:resource` unless told;
- the time of a directly-follows edge is the target's timestamp minus the source's;
- a case's duration is its last timestamp minus its first;
- a hand-over of work is a direct succession between two events of one case that both have a
  resource, after events without one are left out (van der Aalst, Reijers & Song, "Discovering
  Social Networks from Event Logs", CSCW 14(6), 2005: the handover metric with beta = 0),
  counted in absolute numbers rather than PM4Py's share of all hand-overs.

Percentiles interpolate linearly between the closest ranks (Hyndman & Fan 1996, definition 7,
numpy's and pandas' default), so a median of an even count is the mean of the middle two.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from math import floor
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

from cxloop import stats

NO_VALUE = -1  # the code of a missing resource or organisation
MICROSECONDS = 1_000_000

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EventTable:
    """Events as parallel arrays of codes; names are looked up in the `*_names` lists."""

    case: IntArray
    activity: IntArray
    timestamp: IntArray  # microseconds since 1970-01-01 UTC
    resource: IntArray  # NO_VALUE where the event has no resource
    organisation: IntArray  # NO_VALUE where the event has no organisation
    case_names: list[str]
    activity_names: list[str]
    resource_names: list[str]
    organisation_names: list[str]

    def __len__(self) -> int:
        return len(self.case)


class EventTableBuilder:
    """Collects events one at a time, turning each string into a small integer code once.

    Blocks of events that come as columns already (an `EventTable`, e.g. a CSV file read by
    `readers.EventStream.tables()`) are taken whole, only their names recoded.
    """

    def __init__(self) -> None:
        self._codes: tuple[dict[str, int], ...] = ({}, {}, {}, {})
        self._blocks: list[tuple[IntArray, ...]] = []  # events taken as columns, and flushed rows
        self._case = array("q")
        self._activity = array("q")
        self._timestamp = array("q")
        self._resource = array("q")
        self._organisation = array("q")

    def add(
        self,
        case: str,
        activity: str,
        timestamp: int,
        resource: str | None = None,
        organisation: str | None = None,
    ) -> None:
        """Append one event; `timestamp` is in microseconds since the epoch (UTC)."""
        cases, activities, resources, organisations = self._codes
        code = cases.get(case)
        if code is None:
            code = cases[case] = len(cases)
        self._case.append(code)
        code = activities.get(activity)
        if code is None:
            code = activities[activity] = len(activities)
        self._activity.append(code)
        self._timestamp.append(timestamp)
        self._resource.append(_code(resources, resource))
        self._organisation.append(_code(organisations, organisation))

    def extend(self, events: Iterable[tuple[str, str, int, str | None, str | None]]) -> None:
        """Append many events; the same as `add` for each, in one loop without a call per event.

        A source that can give its events as columns (a `tables()` method yielding
        `EventTable`s, as `readers.EventStream`) is taken that way.
        """
        tables = getattr(events, "tables", None)
        if callable(tables):
            for table in tables():
                self.add_table(table)
            return
        cases, activities, resources, organisations = self._codes
        case_get, activity_get, resource_get, organisation_get = (
            cases.get,
            activities.get,
            resources.get,
            organisations.get,
        )
        add_case, add_activity, add_timestamp = (
            self._case.append,
            self._activity.append,
            self._timestamp.append,
        )
        add_resource, add_organisation = self._resource.append, self._organisation.append
        for case, activity, timestamp, resource, organisation in events:
            code = case_get(case)
            if code is None:
                code = cases[case] = len(cases)
            add_case(code)
            code = activity_get(activity)
            if code is None:
                code = activities[activity] = len(activities)
            add_activity(code)
            add_timestamp(timestamp)
            if resource is None:
                add_resource(NO_VALUE)
            else:
                code = resource_get(resource)
                if code is None:
                    code = resources[resource] = len(resources)
                add_resource(code)
            if organisation is None:
                add_organisation(NO_VALUE)
            else:
                code = organisation_get(organisation)
                if code is None:
                    code = organisations[organisation] = len(organisations)
                add_organisation(code)

    def add_table(self, table: EventTable) -> None:
        """Append every event of a table, after those added so far."""
        self._flush()
        recoded = []
        for codes, values, names in zip(
            self._codes,
            (table.case, table.activity, table.resource, table.organisation),
            (
                table.case_names,
                table.activity_names,
                table.resource_names,
                table.organisation_names,
            ),
            strict=True,
        ):
            values = np.asarray(values, dtype=np.int64)
            if not codes:  # the first names: the table's codes are kept as they are
                codes.update(zip(names, range(len(names)), strict=True))
                if len(codes) == len(names):
                    recoded.append(values)
                    continue
                codes.clear()  # a name twice: recode as below
            # The last entry maps NO_VALUE (-1) to itself.
            recode = np.array([_code(codes, name) for name in names] + [NO_VALUE], dtype=np.int64)
            same = (recode[:-1] == np.arange(len(names))).all()
            recoded.append(values if same else recode[values])
        case, activity, resource, organisation = recoded
        timestamp = np.asarray(table.timestamp, dtype=np.int64)
        self._blocks.append((case, activity, timestamp, resource, organisation))

    def _columns(self) -> tuple[array, ...]:
        return self._case, self._activity, self._timestamp, self._resource, self._organisation

    def _flush(self) -> None:
        """Move the events added one at a time into a block, so that blocks keep their order."""
        if len(self._case):
            self._blocks.append(
                tuple(np.array(column, dtype=np.int64) for column in self._columns())
            )
            # New arrays rather than emptied ones: an earlier build() may still share their memory.
            self._case, self._activity, self._timestamp = array("q"), array("q"), array("q")
            self._resource, self._organisation = array("q"), array("q")

    def __len__(self) -> int:
        return len(self._case) + sum(len(block[0]) for block in self._blocks)

    def build(self) -> EventTable:
        """The table of everything added so far."""
        cases, activities, resources, organisations = self._codes
        if self._blocks:
            self._flush()
            blocks = self._blocks
            columns = [
                blocks[0][i] if len(blocks) == 1 else np.concatenate([b[i] for b in blocks])
                for i in range(5)
            ]
        else:
            columns = [np.frombuffer(column, dtype=np.int64) for column in self._columns()]
        case, activity, timestamp, resource, organisation = columns
        return EventTable(
            case=case,
            activity=activity,
            timestamp=timestamp,
            resource=resource,
            organisation=organisation,
            case_names=list(cases),
            activity_names=list(activities),
            resource_names=list(resources),
            organisation_names=list(organisations),
        )


def _code(codes: dict[str, int], value: str | None) -> int:
    if value is None:
        return NO_VALUE
    code = codes.get(value)
    if code is None:
        code = codes[value] = len(codes)
    return code


def table_from_events(events: Iterable[tuple[str, str, int, str | None, str | None]]) -> EventTable:
    """An event table from (case, activity, timestamp µs, resource, organisation) tuples."""
    builder = EventTableBuilder()
    builder.extend(events)
    return builder.build()


@dataclass(frozen=True)
class Log:
    """An event table sorted by case id, timestamp and position, with each case's slice."""

    table: EventTable
    case: IntArray  # case code of each sorted event
    activity: IntArray
    timestamp: IntArray
    resource: IntArray
    organisation: IntArray
    starts: IntArray  # index of each case's first event, cases in case-id order
    ends: IntArray  # one past each case's last event
    case_codes: IntArray  # case code of each case, in case-id order

    @property
    def cases(self) -> int:
        return len(self.starts)

    @property
    def events(self) -> int:
        return len(self.case)

    def case_name(self, index: int) -> str:
        """The id of the case at `index` in case-id order."""
        return self.table.case_names[int(self.case_codes[index])]

    def case_index(self) -> IntArray:
        """For each sorted event, the index of its case in case-id order (computed once)."""
        return self._case_index

    @cached_property
    def _case_index(self) -> IntArray:
        return np.repeat(np.arange(self.cases, dtype=np.int64), self.ends - self.starts)

    @cached_property
    def _activity_pairs(self) -> _Successions:
        """The directly-follows pairs of activities, which several analyses share."""
        return _successions(self.activity, self)


def keep_cases(log: Log, keep: Sequence[bool] | npt.NDArray[np.bool_]) -> Log:
    """The same log with only the cases (by index in case-id order) where `keep` is true."""
    keep_cases_mask = np.asarray(keep, dtype=bool)
    events = keep_cases_mask[log.case_index()]
    lengths = (log.ends - log.starts)[keep_cases_mask]
    ends = np.cumsum(lengths)
    return Log(
        table=log.table,
        case=log.case[events],
        activity=log.activity[events],
        timestamp=log.timestamp[events],
        resource=log.resource[events],
        organisation=log.organisation[events],
        starts=ends - lengths,
        ends=ends,
        case_codes=log.case_codes[keep_cases_mask],
    )


def case_indices(log: Log) -> dict[str, int]:
    """Each case id's index in case-id order."""
    names = log.table.case_names
    return {names[code]: index for index, code in enumerate(log.case_codes.tolist())}


def sort_events(table: EventTable) -> Log:
    """Order events as PM4Py does: by case id, then timestamp, then position (stable)."""
    names = table.case_names
    rank = np.empty(len(names), dtype=np.int64)
    rank[np.array(sorted(range(len(names)), key=names.__getitem__), dtype=np.int64)] = np.arange(
        len(names)
    )
    order = _case_time_order(rank[table.case], table.timestamp)
    case = table.case[order]
    if len(case):
        boundaries = np.flatnonzero(case[1:] != case[:-1]) + 1
        starts = np.concatenate(([0], boundaries)).astype(np.int64)
        ends = np.concatenate((boundaries, [len(case)])).astype(np.int64)
    else:
        starts = ends = np.zeros(0, dtype=np.int64)
    return Log(
        table=table,
        case=case,
        activity=table.activity[order],
        timestamp=table.timestamp[order],
        resource=table.resource[order],
        organisation=table.organisation[order],
        starts=starts,
        ends=ends,
        case_codes=case[starts],
    )


def _case_time_order(rank: IntArray, timestamp: IntArray) -> IntArray:
    """The stable order of events by case rank, then timestamp.

    Stable sorts (timsort, which takes the runs a log usually already has: its events grouped
    by case and in time) of one key holding both where the bits fit; else of the case alone,
    when each case's events already are in time; else numpy's lexsort. All keep equal (case,
    timestamp) in their order in the source.
    """
    if not len(rank):
        return np.zeros(0, dtype=np.int64)
    low = int(timestamp.min())
    time_bits = (int(timestamp.max()) - low).bit_length()
    if int(rank.max()).bit_length() + time_bits <= 63:  # below 2**63: a non-negative int64
        return np.argsort((rank << time_bits) | (timestamp - low), kind="stable")
    order = np.argsort(rank, kind="stable")
    ranks, times = rank[order], timestamp[order]
    if ((ranks[1:] != ranks[:-1]) | (times[1:] >= times[:-1])).all():
        return order
    return np.lexsort((timestamp, rank))


# --- statistics -------------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float] | npt.NDArray[np.float64], q: float) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1) of sorted values, interpolating linearly (Hyndman & Fan type 7)."""
    n = len(sorted_values)
    if n == 0:
        return None
    position = (n - 1) * q
    low = floor(position)
    high = min(low + 1, n - 1)
    fraction = position - low
    return float(sorted_values[low] + (sorted_values[high] - sorted_values[low]) * fraction)


@dataclass(frozen=True)
class DurationSummary:
    """Median and quartiles of durations in seconds, with the 90th percentile and the mean."""

    count: int
    mean: float | None
    median: float | None
    p25: float | None
    p75: float | None
    p90: float | None

    def as_dict(self) -> dict[str, float | None]:
        return {
            "median": self.median,
            "p25": self.p25,
            "p75": self.p75,
            "p90": self.p90,
            "mean": self.mean,
        }


def summarise_durations(seconds: Sequence[float] | npt.NDArray[np.float64]) -> DurationSummary:
    """Median, quartiles and p90 of a list of durations."""
    values = np.sort(np.asarray(seconds, dtype=np.float64))
    mean = float(values.mean()) if len(values) else None
    return DurationSummary(
        count=len(values),
        mean=mean,
        median=percentile(values, 0.5),
        p25=percentile(values, 0.25),
        p75=percentile(values, 0.75),
        p90=percentile(values, 0.9),
    )


@dataclass(frozen=True)
class _Groups:
    keys: IntArray
    counts: IntArray
    mean_seconds: npt.NDArray[np.float64]
    median_seconds: npt.NDArray[np.float64]


def _group_times(keys: IntArray, micros: IntArray, upper: int | None = None) -> _Groups:
    """Count, mean and median of durations per key (0 ≤ key < upper), all groups at once.

    The events are grouped by one stable sort of the keys (a radix sort where they fit in 16
    bits); each group's median comes from a partition of its own slice. Sums are exact integers
    where they cannot overflow.
    """
    if not len(keys):
        empty = np.zeros(0, dtype=np.float64)
        return _Groups(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), empty, empty)
    order = _group_order(keys, int(keys.max()) + 1 if upper is None else upper)
    keys, micros = keys[order], micros[order]
    offsets = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    counts = np.diff(np.append(offsets, len(keys)))
    largest = max(abs(int(micros.max())), abs(int(micros.min())))
    exact = largest * len(micros) < 2**63
    sums = np.add.reduceat(micros if exact else micros.astype(np.float64), offsets)
    low = np.empty(len(offsets), dtype=np.int64)
    high = np.empty(len(offsets), dtype=np.int64)
    small = counts <= 2  # a median of one or two values needs no partition
    first, last = offsets[small], offsets[small] + counts[small] - 1
    low[small] = np.minimum(micros[first], micros[last])
    high[small] = np.maximum(micros[first], micros[last])
    for group in np.flatnonzero(~small).tolist():
        start, count = int(offsets[group]), int(counts[group])
        middle = ((count - 1) // 2, count // 2)
        values = np.partition(micros[start : start + count], middle)
        low[group], high[group] = values[middle[0]], values[middle[1]]
    return _Groups(
        keys=keys[offsets],
        counts=counts,
        mean_seconds=sums / counts / MICROSECONDS,
        median_seconds=(low + high) / 2 / MICROSECONDS,
    )


def _group_order(keys: IntArray, upper: int) -> IntArray:
    """A stable order of non-negative keys below `upper`: a radix sort where they fit 16 bits."""
    if upper <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    if upper <= 1 << 20:
        present = np.zeros(upper, dtype=bool)
        present[keys] = True
        if int(present.sum()) <= 1 << 16:  # few distinct keys: number them densely first
            dense = (np.cumsum(present) - 1).astype(np.uint16)
            return np.argsort(dense[keys], kind="stable")
    return np.argsort(keys, kind="stable")


def _count_keys(keys: IntArray, upper: int) -> tuple[IntArray, IntArray]:
    """The distinct non-negative keys below `upper`, ascending, and how often each occurs."""
    if upper <= 1 << 20:
        counts = np.bincount(keys, minlength=upper)
        found = np.flatnonzero(counts)
        return found, counts[found]
    return np.unique(keys, return_counts=True)


# --- variants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A distinct sequence of activities and the cases (indices in case-id order) that follow it."""

    activities: tuple[str, ...]
    cases: list[int] = field(repr=False)

    @property
    def count(self) -> int:
        return len(self.cases)


def variants(log: Log) -> list[Variant]:
    """Distinct activity sequences, most frequent first, then by their activities."""
    names = log.table.activity_names
    # Each case's sequence as bytes (one slice of one buffer), which a dict groups exactly.
    code_format: Literal["B", "H", "q"]  # memoryview.cast's integer formats
    dtype, code_format = (
        (np.uint8, "B")
        if len(names) <= 1 << 8
        else (np.uint16, "H")
        if len(names) <= 1 << 16
        else (np.int64, "q")
    )
    size = np.dtype(dtype).itemsize
    sequences = log.activity.astype(dtype).tobytes()
    groups: dict[bytes, list[int]] = {}
    for index, (start, end) in enumerate(
        zip((log.starts * size).tolist(), (log.ends * size).tolist(), strict=True)
    ):
        groups.setdefault(sequences[start:end], []).append(index)
    found = [
        Variant(tuple(map(names.__getitem__, memoryview(key).cast(code_format))), cases)
        for key, cases in groups.items()
    ]
    found.sort(key=lambda variant: (-variant.count, variant.activities))
    return found


def variant_key(activities: Sequence[str]) -> str:
    """A short, stable name of a variant for URLs: the first 12 hex digits of a SHA-1."""
    return hashlib.sha1("\x1f".join(activities).encode()).hexdigest()[:12]


def variant_of_cases(variant_list: Sequence[Variant], cases: int) -> list[int]:
    """For each case index, the position of its variant in `variant_list`."""
    result = [0] * cases
    for position, variant in enumerate(variant_list):
        for case in variant.cases:
            result[case] = position
    return result


# --- directly-follows graph -------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    """How often `target` directly follows `source`, and the time in between."""

    source: str
    target: str
    frequency: int
    mean_seconds: float
    median_seconds: float

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "frequency": self.frequency,
            "mean_seconds": self.mean_seconds,
            "median_seconds": self.median_seconds,
        }


@dataclass(frozen=True)
class _Successions:
    source: IntArray
    target: IntArray
    micros: IntArray
    case_index: IntArray


def _successions(
    codes: IntArray, log: Log, keep: npt.NDArray[np.bool_] | None = None, *, times: bool = True
) -> _Successions:
    """Pairs of consecutive events of one case, optionally among the kept events only.

    Without `times` the pairs' `micros` are left empty (hand-overs only count).
    """
    case_index = log.case_index()
    timestamp = log.timestamp
    if keep is not None:
        codes, case_index = codes[keep], case_index[keep]
        if times:
            timestamp = timestamp[keep]
    same = case_index[1:] == case_index[:-1]
    return _Successions(
        source=codes[:-1][same],
        target=codes[1:][same],
        micros=(timestamp[1:] - timestamp[:-1])[same] if times else np.zeros(0, dtype=np.int64),
        case_index=case_index[:-1][same],
    )


def _pair_keys(pairs: _Successions, width: int) -> IntArray:
    return pairs.source * width + pairs.target


def _edges(pairs: _Successions, names: list[str]) -> list[Edge]:
    width = max(len(names), 1)
    groups = _group_times(_pair_keys(pairs, width), pairs.micros, width * width)
    edges = [
        Edge(names[key // width], names[key % width], count, mean, median)
        for key, count, mean, median in zip(
            groups.keys.tolist(),
            groups.counts.tolist(),
            groups.mean_seconds.tolist(),
            groups.median_seconds.tolist(),
            strict=True,
        )
    ]
    edges.sort(key=lambda edge: (-edge.frequency, edge.source, edge.target))
    return edges


def directly_follows(log: Log) -> list[Edge]:
    """The directly-follows graph: each edge with its frequency and mean and median time."""
    return _edges(log._activity_pairs, log.table.activity_names)


def edge_cases(log: Log, source: str, target: str) -> list[int]:
    """Indices of the cases in which `target` directly follows `source` at least once."""
    names = log.table.activity_names
    if source not in names or target not in names:
        return []
    pairs = log._activity_pairs
    hit = (pairs.source == names.index(source)) & (pairs.target == names.index(target))
    return np.unique(pairs.case_index[hit]).tolist()


def start_end_activities(log: Log) -> tuple[dict[str, int], dict[str, int]]:
    """How many cases start, and how many end, with each activity."""
    names = log.table.activity_names
    if not log.cases:
        return {}, {}
    starts = np.bincount(log.activity[log.starts], minlength=len(names))
    ends = np.bincount(log.activity[log.ends - 1], minlength=len(names))
    return (
        {names[i]: int(n) for i, n in enumerate(starts.tolist()) if n},
        {names[i]: int(n) for i, n in enumerate(ends.tolist()) if n},
    )


# --- times --------------------------------------------------------------------------------------


def case_durations(log: Log) -> npt.NDArray[np.float64]:
    """Each case's duration in seconds (last timestamp minus first), cases in case-id order."""
    if not log.cases:
        return np.zeros(0, dtype=np.float64)
    return (log.timestamp[log.ends - 1] - log.timestamp[log.starts]) / MICROSECONDS


@dataclass(frozen=True)
class StepTime:
    """The time before an activity: since the previous event of the same case."""

    activity: str
    count: int
    mean_seconds: float
    median_seconds: float


def waiting_times(log: Log) -> list[StepTime]:
    """Per activity, the time from the case's previous event to it; slowest (by mean) first."""
    pairs = log._activity_pairs
    names = log.table.activity_names
    groups = _group_times(pairs.target, pairs.micros, max(len(names), 1))
    steps = [
        StepTime(names[key], count, mean, median)
        for key, count, mean, median in zip(
            groups.keys.tolist(),
            groups.counts.tolist(),
            groups.mean_seconds.tolist(),
            groups.median_seconds.tolist(),
            strict=True,
        )
    ]
    steps.sort(key=lambda step: (-step.mean_seconds, step.activity))
    return steps


# --- hand-over of work --------------------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    """Work passed directly from `source` to `target` within a case, `count` times."""

    source: str
    target: str
    count: int

    def as_dict(self) -> dict[str, object]:
        return {"source": self.source, "target": self.target, "count": self.count}


@dataclass(frozen=True)
class HandoverAnalysis:
    """Hand-overs between resources, ping-pong between pairs, and each case's number of hand-overs."""

    handovers: list[Handover]  # self-hand-overs included
    pingpong: list[Handover]  # A → B → A, counted under (A, B)
    per_case: IntArray  # hand-overs to another resource, per case index

    @property
    def without_self(self) -> list[Handover]:
        return [h for h in self.handovers if h.source != h.target]


def handover_of_work(
    log: Log, resource: IntArray | None = None, names: list[str] | None = None
) -> HandoverAnalysis:
    """Hand-overs between resources (or any per-event codes given, e.g. units)."""
    codes = log.resource if resource is None else resource
    names = log.table.resource_names if names is None else names
    pairs = _successions(codes, log, keep=codes != NO_VALUE, times=False)
    width = max(len(names), 1)
    keys, counts = _count_keys(_pair_keys(pairs, width), width * width)
    handovers = _handovers(keys, counts, names, width)
    per_case = np.bincount(pairs.case_index[pairs.source != pairs.target], minlength=log.cases)
    return HandoverAnalysis(
        handovers=handovers, pingpong=_pingpong(codes, log, names), per_case=per_case
    )


def _handovers(keys: IntArray, counts: IntArray, names: list[str], width: int) -> list[Handover]:
    found = [
        Handover(names[k // width], names[k % width], n)
        for k, n in zip(keys.tolist(), counts.tolist(), strict=True)
    ]
    found.sort(key=lambda h: (-h.count, h.source, h.target))
    return found


def _pingpong(codes: IntArray, log: Log, names: list[str]) -> list[Handover]:
    keep = codes != NO_VALUE
    kept, case_index = codes[keep], log.case_index()[keep]
    if len(kept) < 3:
        return []
    first, middle, last = kept[:-2], kept[1:-1], kept[2:]
    one_case = (
        case_index[:-2] == case_index[2:]
    )  # the case is sorted, so the middle one is in it too
    hit = one_case & (first == last) & (first != middle)
    width = max(len(names), 1)
    keys, counts = _count_keys(first[hit] * width + middle[hit], width * width)
    return _handovers(keys, counts, names, width)


def handover_cases(
    log: Log,
    source: str,
    target: str,
    resource: IntArray | None = None,
    names: list[str] | None = None,
) -> list[int]:
    """Indices of the cases in which work passes directly from `source` to `target`."""
    codes = log.resource if resource is None else resource
    names = log.table.resource_names if names is None else names
    if source not in names or target not in names:
        return []
    pairs = _successions(codes, log, keep=codes != NO_VALUE, times=False)
    hit = (pairs.source == names.index(source)) & (pairs.target == names.index(target))
    return np.unique(pairs.case_index[hit]).tolist()


# --- stuck cases and repeat contacts ------------------------------------------------------------


@dataclass(frozen=True)
class StuckCase:
    """An open case with no event for `idle_seconds`, and the activity it last reached."""

    case: int
    last_activity: str
    last_timestamp: int
    idle_seconds: float


def stuck_cases(
    log: Log, *, as_of: int, idle_seconds: float, open_cases: Sequence[bool]
) -> list[StuckCase]:
    """Open cases whose last event is more than `idle_seconds` before `as_of` (µs), longest idle first."""
    if not log.cases:
        return []
    last = log.ends - 1
    idle = (as_of - log.timestamp[last]) / MICROSECONDS
    hit = np.flatnonzero((idle > idle_seconds) & np.asarray(open_cases, dtype=bool))
    names = log.table.activity_names
    found = [
        StuckCase(
            int(i), names[int(log.activity[last[i]])], int(log.timestamp[last[i]]), float(idle[i])
        )
        for i in hit.tolist()
    ]
    found.sort(key=lambda stuck: (-stuck.idle_seconds, stuck.case))
    return found


@dataclass(frozen=True)
class Contact:
    """One customer contact in a case, for repeat-contact counting."""

    case: str
    timestamp: int  # µs
    channel: str
    touchpoint: str


@dataclass(frozen=True)
class RepeatRow:
    """Contacts through a channel at a touchpoint, and how many came again within the window."""

    channel: str
    touchpoint: str
    contacts: int
    repeats: int


def repeat_contacts(
    contacts: Iterable[Contact], *, window_seconds: float
) -> tuple[list[RepeatRow], dict[str, int]]:
    """Contacts that follow an earlier contact of the same case within the window (failure demand).

    A repeat is counted against the channel and touchpoint of the repeat itself; the second
    result maps each case to its number of repeats.
    """
    window = window_seconds * MICROSECONDS
    ordered = sorted(contacts, key=lambda c: (c.case, c.timestamp))
    rows: dict[tuple[str, str], list[int]] = {}
    per_case: dict[str, int] = {}
    previous: Contact | None = None
    for contact in ordered:
        row = rows.setdefault((contact.channel, contact.touchpoint), [0, 0])
        row[0] += 1
        per_case.setdefault(contact.case, 0)
        if (
            previous is not None
            and previous.case == contact.case
            and contact.timestamp - previous.timestamp <= window
        ):
            row[1] += 1
            per_case[contact.case] += 1
        previous = contact
    result = [
        RepeatRow(channel, touchpoint, n, r) for (channel, touchpoint), (n, r) in rows.items()
    ]
    result.sort(key=lambda row: (-row.repeats, -row.contacts, row.channel, row.touchpoint))
    return result, per_case


Group = TypeVar("Group")


def nps_by_group(scores: Iterable[tuple[Group, int]]) -> dict[Group, stats.Score]:
    """The NPS, with its adjusted-Wald interval (cxloop.stats.nps), of the 0–10 answers per group."""
    counts: dict[Group, list[int]] = {}
    for group, score in scores:
        counts.setdefault(group, []).append(score)
    return {group: stats.nps_from_scores(values) for group, values in counts.items()}


def bucket(count: int, top: int) -> str:
    """'0', '1', ... up to `top`, which reads 'top+' and takes everything above it."""
    return f"{top}+" if count >= top else str(count)


# --- the whole analysis -------------------------------------------------------------------------


def analyse(table: EventTable) -> dict[str, object]:
    """Every analysis of an event table as one JSON-ready document (see the app's README)."""
    log = sort_events(table)
    handover = handover_of_work(log)
    starts, ends = start_end_activities(log)
    durations = summarise_durations(case_durations(log))
    return {
        "cases": log.cases,
        "events": log.events,
        "activities": len(table.activity_names),
        "resources": len(table.resource_names),
        "variants": [{"count": v.count, "activities": list(v.activities)} for v in variants(log)],
        "dfg": [edge.as_dict() for edge in directly_follows(log)],
        "start_activities": starts,
        "end_activities": ends,
        "case_duration_seconds": durations.as_dict(),
        "waiting_seconds": [
            {
                "activity": s.activity,
                "count": s.count,
                "mean_seconds": s.mean_seconds,
                "median_seconds": s.median_seconds,
            }
            for s in waiting_times(log)
        ],
        "handover": [h.as_dict() for h in handover.handovers],
        "handover_without_self": [h.as_dict() for h in handover.without_self],
        "pingpong": [h.as_dict() for h in handover.pingpong],
    }
