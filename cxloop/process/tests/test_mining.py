"""The pure analyses on small logs worked out by hand (no database)."""

import numpy as np
import pytest

from cxloop.process import mining

H = 3600 * mining.MICROSECONDS  # an hour in µs


def log_of(*events: tuple) -> mining.Log:
    return mining.sort_events(mining.table_from_events(events))


def test_events_are_ordered_by_case_then_time_then_position():
    log = log_of(
        ("b", "x", 5 * H, None, None),
        ("a", "late", 2 * H, None, None),
        ("a", "tie-first", 1 * H, None, None),
        ("a", "tie-second", 1 * H, None, None),
    )
    names = log.table.activity_names
    assert [log.case_name(i) for i in range(log.cases)] == ["a", "b"]
    assert [names[a] for a in log.activity.tolist()] == ["tie-first", "tie-second", "late", "x"]


def test_case_ids_sort_as_text_like_pm4py():
    log = log_of(("10", "x", 0, None, None), ("9", "x", 0, None, None), ("NA", "x", 0, None, None))
    assert [log.case_name(i) for i in range(log.cases)] == ["10", "9", "NA"]


def test_variants_most_frequent_first_then_by_activities():
    log = log_of(
        ("1", "a", 0, None, None),
        ("1", "c", H, None, None),
        ("2", "a", 0, None, None),
        ("2", "b", H, None, None),
        ("3", "a", 0, None, None),
        ("3", "c", H, None, None),
        ("4", "a", 0, None, None),
        ("4", "b", H, None, None),
        ("5", "z", 0, None, None),
    )
    found = [(v.count, v.activities) for v in mining.variants(log)]
    assert found == [(2, ("a", "b")), (2, ("a", "c")), (1, ("z",))]


def test_dfg_frequency_mean_and_median_of_an_even_count():
    log = log_of(
        ("1", "a", 0, None, None),
        ("1", "b", 1 * H, None, None),
        ("2", "a", 0, None, None),
        ("2", "b", 2 * H, None, None),
        ("3", "a", 0, None, None),
        ("3", "b", 6 * H, None, None),
        ("4", "a", 0, None, None),
        ("4", "b", 7 * H, None, None),
    )
    [edge] = mining.directly_follows(log)
    assert (edge.source, edge.target, edge.frequency) == ("a", "b", 4)
    assert edge.mean_seconds == 4 * 3600
    assert edge.median_seconds == 4 * 3600  # (2 h + 6 h) / 2


def test_no_edge_crosses_from_one_case_to_the_next():
    log = log_of(("1", "a", 0, None, None), ("2", "b", H, None, None))
    assert mining.directly_follows(log) == []


def test_handover_leaves_out_events_without_resource_first_and_counts_self():
    log = log_of(
        ("1", "a", 0, "Ann", None),
        ("1", "b", 1, None, None),
        ("1", "c", 2, "Bob", None),
        ("1", "d", 3, "Bob", None),
        ("1", "e", 4, "Ann", None),
        ("2", "a", 0, "Bob", None),
    )
    analysis = mining.handover_of_work(log)
    assert [h.as_dict() for h in analysis.handovers] == [
        {"source": "Ann", "target": "Bob", "count": 1},
        {"source": "Bob", "target": "Ann", "count": 1},
        {"source": "Bob", "target": "Bob", "count": 1},
    ]
    assert [(h.source, h.target) for h in analysis.without_self] == [("Ann", "Bob"), ("Bob", "Ann")]
    assert analysis.per_case.tolist() == [2, 0]
    assert mining.handover_cases(log, "Ann", "Bob") == [0]


def test_pingpong_counts_a_to_b_and_straight_back():
    log = log_of(
        ("1", "x", 0, "Ann", None),
        ("1", "x", 1, "Bob", None),
        ("1", "x", 2, "Ann", None),
        ("1", "x", 3, "Bob", None),
        ("2", "x", 0, "Ann", None),
        ("2", "x", 1, "Ann", None),
        ("3", "x", 0, "Bob", None),
        ("4", "x", 0, "Bob", None),  # no ping-pong across cases
    )
    assert [h.as_dict() for h in mining.handover_of_work(log).pingpong] == [
        {"source": "Ann", "target": "Bob", "count": 1},
        {"source": "Bob", "target": "Ann", "count": 1},
    ]


@pytest.mark.parametrize(
    ("q", "expected"), [(0.5, 2.5), (0.25, 1.75), (0.75, 3.25), (0.9, 3.7), (0.0, 1), (1.0, 4)]
)
def test_percentiles_interpolate_linearly_like_numpy(q, expected):
    assert mining.percentile([1, 2, 3, 4], q) == pytest.approx(expected)
    assert mining.percentile([1, 2, 3, 4], q) == pytest.approx(np.percentile([1, 2, 3, 4], 100 * q))


def test_case_durations_and_their_summary():
    log = log_of(
        ("1", "a", 0, None, None),
        ("1", "b", 10 * mining.MICROSECONDS, None, None),
        ("2", "a", 5, None, None),
    )
    assert mining.case_durations(log).tolist() == [10.0, 0.0]
    summary = mining.summarise_durations(mining.case_durations(log))
    assert (summary.median, summary.p90) == (5.0, 9.0)
    assert mining.summarise_durations([]).median is None


def test_waiting_time_before_each_step():
    log = log_of(
        ("1", "a", 0, None, None),
        ("1", "b", 2 * H, None, None),
        ("1", "c", 3 * H, None, None),
        ("2", "a", 0, None, None),
        ("2", "b", 4 * H, None, None),
    )
    steps = {
        s.activity: (s.count, s.mean_seconds, s.median_seconds) for s in mining.waiting_times(log)
    }
    assert steps == {"b": (2, 3 * 3600, 3 * 3600), "c": (1, 3600, 3600)}


def test_stuck_cases_are_open_and_idle_longer_than_the_threshold():
    day = 24 * H
    log = log_of(
        ("1", "a", 0, None, None),
        ("1", "wait for parts", 1 * day, None, None),
        ("2", "a", 0, None, None),
        ("2", "done", 1 * day, None, None),
        ("3", "a", 9 * day, None, None),
    )
    found = mining.stuck_cases(
        log, as_of=10 * day, idle_seconds=5 * 86400, open_cases=[True, False, True]
    )
    assert [(log.case_name(s.case), s.last_activity, s.idle_seconds) for s in found] == [
        ("1", "wait for parts", 9 * 86400)
    ]


def test_repeat_contacts_within_the_window_per_channel_and_touchpoint():
    day = 86400 * mining.MICROSECONDS
    contacts = [
        mining.Contact("j1", 0, "phone", "claim"),
        mining.Contact("j1", 2 * day, "phone", "claim"),
        mining.Contact("j1", 20 * day, "e-mail", "claim"),
        mining.Contact("j2", 1 * day, "phone", "claim"),
    ]
    rows, per_case = mining.repeat_contacts(contacts, window_seconds=7 * 86400)
    assert [(r.channel, r.touchpoint, r.contacts, r.repeats) for r in rows] == [
        ("phone", "claim", 3, 1),
        ("e-mail", "claim", 1, 0),
    ]
    assert per_case == {"j1": 1, "j2": 0}


def test_keep_cases_drops_whole_cases():
    log = log_of(
        ("1", "a", 0, None, None),
        ("1", "b", 1, None, None),
        ("2", "c", 0, None, None),
        ("3", "d", 0, None, None),
    )
    kept = mining.keep_cases(log, [True, False, True])
    assert [kept.case_name(i) for i in range(kept.cases)] == ["1", "3"]
    assert [v.activities for v in mining.variants(kept)] == [("a", "b"), ("d",)]


def test_nps_per_group_with_intervals():
    scores = mining.nps_by_group([("x", 10), ("x", 9), ("x", 3), ("y", 8)])
    assert scores["x"].score == pytest.approx(100 / 3)
    assert scores["x"].n == 3 and scores["x"].low < scores["x"].score < scores["x"].high
    assert scores["y"].score == 0


def test_an_empty_log_gives_an_empty_document():
    document = mining.analyse(mining.table_from_events([]))
    assert document["cases"] == 0 and document["variants"] == [] and document["dfg"] == []
    assert document["case_duration_seconds"]["median"] is None


# --- the vectorised paths agree with plain Python ------------------------------------------------


def test_the_builder_takes_tables_and_single_events_in_order_with_one_set_of_codes():
    first = mining.table_from_events([("c1", "a", 1, "R1", None), ("c2", "b", 2, None, "O")])
    second = mining.table_from_events([("c2", "c", 3, "R2", None), ("c1", "a", 4, "R1", None)])
    builder = mining.EventTableBuilder()
    builder.add("c3", "b", 0, "R2")
    builder.add_table(first)
    builder.add("c1", "z", 5)

    class Source:  # as readers.EventStream: gives its events as tables
        def tables(self):
            yield second

    builder.extend(Source())
    table = builder.build()
    assert len(builder) == len(table) == 6
    rows = [
        (
            table.case_names[c],
            table.activity_names[a],
            t,
            None if r < 0 else table.resource_names[r],
            None if o < 0 else table.organisation_names[o],
        )
        for c, a, t, r, o in zip(
            table.case,
            table.activity,
            table.timestamp,
            table.resource,
            table.organisation,
            strict=True,
        )
    ]
    assert rows == [
        ("c3", "b", 0, "R2", None),
        ("c1", "a", 1, "R1", None),
        ("c2", "b", 2, None, "O"),
        ("c1", "z", 5, None, None),
        ("c2", "c", 3, "R2", None),
        ("c1", "a", 4, "R1", None),
    ]
    assert table.case_names == ["c3", "c1", "c2"] and table.resource_names == ["R2", "R1"]


@pytest.mark.parametrize(
    "span",
    [
        10**6,  # one key of case and time: a stable sort of it
        2**62,  # too wide for one key, each case already in time: a stable sort of the case
        -(2**62),  # too wide, out of time: lexsort
    ],
)
def test_events_sort_as_lexsort_by_case_then_time_then_position(span):
    rng = np.random.default_rng(7)
    cases = rng.integers(0, 500, 20_000)
    if span > 0:
        times = np.sort(rng.integers(0, span, 20_000)) // 1000 * 1000  # ties included
    else:
        times = rng.integers(0, -span, 20_000) // 10**15 * 10**15
    times[0] = 0  # the span is reached
    # Each event's activity is its position in the source, so that ties show their order.
    events = [
        (f"case {c}", str(i), int(t), None, None)
        for i, (c, t) in enumerate(zip(cases, times, strict=True))
    ]
    table = mining.table_from_events(events)
    log = mining.sort_events(table)
    case_rank = np.argsort(np.argsort(np.array(table.case_names), kind="stable"))
    expected = np.lexsort((table.timestamp, case_rank[table.case]))  # stable: ties by position
    assert np.array_equal(log.activity, table.activity[expected])
    assert np.array_equal(log.timestamp, table.timestamp[expected])


@pytest.mark.parametrize("upper", [50, 2**17, 2**21])
@pytest.mark.parametrize("scale", [10**6, 2**60])
def test_grouped_counts_means_and_medians_equal_numpy_per_group(upper, scale):
    rng = np.random.default_rng(upper)
    keys = rng.choice(rng.integers(0, upper, 300), 5000)
    micros = rng.integers(0, scale, 5000)
    groups = mining._group_times(keys, micros, upper)
    assert groups.keys.tolist() == sorted(set(keys.tolist()))
    for key, count, mean, median in zip(
        groups.keys, groups.counts, groups.mean_seconds, groups.median_seconds, strict=True
    ):
        values = micros[keys == key]
        assert count == len(values)
        assert mean == pytest.approx(values.mean() / 1e6, rel=1e-12)
        assert median == pytest.approx(np.median(values) / 1e6, rel=1e-12)
    found, counts = mining._count_keys(keys, upper)
    expected_keys, expected_counts = np.unique(keys, return_counts=True)
    assert np.array_equal(found, expected_keys) and np.array_equal(counts, expected_counts)


@pytest.mark.parametrize("activities", [3, 300, 70_000])
def test_variants_group_equal_sequences_however_many_activities(activities):
    rng = np.random.default_rng(activities)
    events = []
    for case in range(400):
        pattern = rng.integers(0, 6)  # a few sequences, shared by many cases
        length = 1 + pattern % 4
        for step in range(length):
            code = (pattern * 7919 + step * 104729) % activities
            events.append((f"c{case:03}", f"act {code}", step, None, None))
    log = mining.sort_events(mining.table_from_events(events))
    expected: dict[tuple, list[int]] = {}
    for index in range(log.cases):
        start, end = log.starts[index], log.ends[index]
        key = tuple(log.table.activity_names[a] for a in log.activity[start:end])
        expected.setdefault(key, []).append(index)
    found = mining.variants(log)
    assert {v.activities: v.cases for v in found} == expected
    assert [(-v.count, v.activities) for v in found] == sorted(
        (-v.count, v.activities) for v in found
    )


def test_a_table_naming_a_case_twice_is_recoded_into_one_case():
    table = mining.EventTable(
        case=np.array([0, 1]),
        activity=np.array([0, 0]),
        timestamp=np.array([1, 2]),
        resource=np.array([-1, -1]),
        organisation=np.array([-1, -1]),
        case_names=["a", "a"],
        activity_names=["x"],
        resource_names=[],
        organisation_names=[],
    )
    builder = mining.EventTableBuilder()
    builder.add_table(table)
    built = builder.build()
    assert built.case.tolist() == [0, 0] and built.case_names == ["a"]
