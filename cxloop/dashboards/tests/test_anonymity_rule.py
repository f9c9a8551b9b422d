"""The anonymity rule as plain functions (cxloop/dashboards/anonymity.py), without a database."""

import itertools
import random

import numpy as np
import pytest
from django.test import override_settings

from cxloop.dashboards import anonymity
from cxloop.dashboards.anonymity import CURRENT, PREVIOUS, Family, suppress

UNIT, DEPT, ORG = ("unit", 1), ("unit", 0), ("org", 0)


def emp(i: int) -> tuple[str, int]:
    return ("emp", i)


def family(counts: dict, *, subjects: dict | None = None, **kwargs) -> Family:
    """A team (unit 1) inside a department (unit 0) inside an organisation; employee i is leaf
    ("/0/1/", i), the team's own answers leaf ("/0/1/", None). `counts` maps leaf → n in ring 0 (the
    last 7 days) unless a (leaf, ring) key is given."""
    per_ring = {}
    for key, n in counts.items():
        leaf, ring = key if isinstance(key[1], int) and isinstance(key[0], tuple) else (key, 0)
        per_ring[(leaf, ring)] = n
    leaves = {leaf for leaf, _ring in per_ring}
    if subjects is None:
        subjects = {
            ORG: leaves,
            DEPT: leaves,
            UNIT: {leaf for leaf in leaves if leaf[0] == "/0/1/"},
        }
        for leaf in leaves:
            if leaf[1] is not None:
                subjects[emp(leaf[1])] = {leaf}
    subjects = {k: frozenset(v) for k, v in subjects.items()}
    kwargs.setdefault("visible", frozenset(subjects))
    return Family(subjects=subjects, counts=per_ring, **kwargs)


def hidden_now(fam: Family, days: int = 7) -> set:
    return {key for key, period in suppress(fam) if period == (days, CURRENT)}


def leaf(i: int | None) -> tuple[str, int | None]:
    return ("/0/1/", i)


# --- the periods --------------------------------------------------------------------------------------


def test_every_period_is_a_union_of_rings_and_any_two_nest_or_do_not_meet():
    rings = anonymity.period_rings()
    assert len(rings) == 10
    for (a, ra), (b, rb) in itertools.combinations(rings.items(), 2):
        assert ra <= rb or rb <= ra or not (ra & rb), (a, b)
    assert rings[(7, PREVIOUS)] < rings[(30, CURRENT)]
    assert rings[(90, CURRENT)] | rings[(90, PREVIOUS)] == rings[(180, CURRENT)]


def test_the_minimum_is_the_setting():
    assert anonymity.below_minimum(4) and not anonymity.below_minimum(5)
    assert not anonymity.below_minimum(0)  # nothing to hide
    assert anonymity.strictly_visible(5) and not anonymity.strictly_visible(4)
    assert not anonymity.strictly_visible(0)
    with override_settings(CXLOOP_ANONYMITY_MIN=3):
        assert not anonymity.below_minimum(4) and anonymity.below_minimum(2)


def test_people_are_shown_only_over_a_preset_without_filters():
    assert anonymity.breakdown_allowed(people=True, preset=True, filtered=False)
    assert not anonymity.breakdown_allowed(people=True, preset=True, filtered=True)
    assert not anonymity.breakdown_allowed(people=True, preset=False, filtered=False)
    assert anonymity.breakdown_allowed(people=False, preset=False, filtered=True)


def test_one_figure_asks_the_rule():
    # A score: hidden at 1 to 4 answers about someone else, never one's own.
    assert anonymity.hides_score(4) and not anonymity.hides_score(5)
    assert not anonymity.hides_score(1, own=True)
    # What is worked out from groups: every group at least the minimum, or one's own.
    assert anonymity.derived_shown(5, 5) and not anonymity.derived_shown(5, 4)
    assert not anonymity.derived_shown(0) and anonymity.derived_shown(2, 0, own=True)
    # A total beside one's own part: hidden where the others' part is 1 to 4 answers.
    assert anonymity.rest_hides_total(12, 8) and not anonymity.rest_hides_total(13, 8)
    assert not anonymity.rest_hides_total(8, 8)  # nobody else's answers in it
    # A change only against a previous period that is shown, or one's own.
    assert anonymity.change_shown(previous_shown=True)
    assert not anonymity.change_shown(previous_shown=False)
    assert anonymity.change_shown(previous_shown=False, own=True)


# --- across units and employees -----------------------------------------------------------------------


def test_a_hidden_employee_takes_the_smallest_shown_one_with_them():
    hidden = hidden_now(family({leaf(1): 3, leaf(2): 12, leaf(3): 7, leaf(4): 0}))
    assert hidden == {emp(1), emp(3)}  # the team minus 2 is 1 and 3: two hidden groups, 10 answers


def test_two_hidden_employees_with_enough_answers_between_them_need_no_more():
    assert hidden_now(family({leaf(1): 3, leaf(2): 2, leaf(3): 7})) == {emp(1), emp(2)}


def test_two_hidden_employees_with_too_few_between_them_take_another():
    assert hidden_now(family({leaf(1): 2, leaf(2): 2, leaf(3): 7, leaf(4): 9})) == {
        emp(1),
        emp(2),
        emp(3),
    }


def test_a_remainder_of_one_hidden_group_is_that_group_however_large():
    """A team's own answers (no employee) are no protection: they are known from other figures."""
    hidden = hidden_now(family({leaf(1): 3, leaf(None): 40, leaf(2): 9, leaf(3): 6}))
    assert emp(1) in hidden and emp(3) in hidden and emp(2) not in hidden


def test_a_team_of_one_hidden_person_is_hidden_with_them():
    subjects = {
        ORG: {leaf(1), ("/0/2/", 2)},
        DEPT: {leaf(1), ("/0/2/", 2)},
        UNIT: {leaf(1)},
        ("unit", 2): {("/0/2/", 2)},
        emp(1): {leaf(1)},
        emp(2): {("/0/2/", 2)},
    }
    fam = family({leaf(1): 3, ("/0/2/", 2): 30}, subjects=subjects)
    assert {UNIT, emp(1)} <= hidden_now(fam)


def test_the_readers_own_answers_count_as_known():
    """Team minus me: with one colleague left, the team total is hidden from me (but not from others)."""
    counts = {leaf(1): 6, leaf(2): 9}
    mine = family(counts, visible=frozenset({UNIT, emp(1)}), own=frozenset({emp(1)}))
    assert UNIT in hidden_now(mine) and emp(1) not in hidden_now(mine)
    lead = family(counts)  # someone who sees both employees anyway
    assert hidden_now(lead) == set()


def test_a_known_organisation_is_never_hidden():
    fam = family({leaf(1): 2}, roots=frozenset({ORG}))
    hidden = hidden_now(fam)
    assert ORG not in hidden and {UNIT, emp(1)} <= hidden


# --- across periods ---------------------------------------------------------------------------------


def test_a_previous_period_goes_before_a_recent_one():
    # 30 days = last 7 (3, hidden) + the 7 before (9) + days 14-29 (0): 30d − prev 7d = the hidden week.
    fam = family({(leaf(1), 0): 3, (leaf(1), 1): 9, (leaf(2), 0): 20, (leaf(2), 1): 20})
    hidden = suppress(fam)
    assert (emp(1), (7, CURRENT)) in hidden
    assert (emp(1), (7, PREVIOUS)) in hidden  # not the 30 days
    assert (emp(1), (30, CURRENT)) not in hidden


def test_the_longer_period_goes_when_a_previous_one_is_hidden():
    # 180 days = 90 days (30) + the 90 before (3): the 180 days go, the 90 stay.
    fam = family({(leaf(1), 0): 30, (leaf(1), 5): 3, (leaf(2), 0): 40, (leaf(2), 5): 40})
    hidden = suppress(fam)
    assert (emp(1), (90, PREVIOUS)) in hidden and (emp(1), (180, CURRENT)) in hidden
    assert (emp(1), (90, CURRENT)) not in hidden


def test_days_no_period_names_alone_need_the_minimum_too():
    # 30 days minus the last 7 and the 7 before leaves days 14–29 with 2 answers: someone's answers.
    fam = family({(leaf(1), 0): 6, (leaf(1), 1): 6, (leaf(1), 2): 2, (leaf(2), 0): 50})
    hidden = suppress(fam)
    assert (emp(1), (7, PREVIOUS)) in hidden or (emp(1), (30, CURRENT)) in hidden


# --- no hidden figure is a sum of shown ones -------------------------------------------------------------


def _span_contains(rows: list[frozenset], goal: frozenset, columns: list) -> bool:
    if not rows:
        return False
    index = {c: i for i, c in enumerate(columns)}
    matrix = np.zeros((len(rows), len(columns)))
    for r, cells in enumerate(rows):
        for c in cells:
            matrix[r, index[c]] = 1
    vector = np.zeros(len(columns))
    for c in goal:
        vector[index[c]] = 1
    _u, s, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[s > 1e-9 * max(s.max(), 1)]
    return bool(np.abs(vector - basis.T @ (basis @ vector)).max() < 1e-6)


@pytest.mark.parametrize("seed", range(60))
def test_no_figure_below_the_minimum_is_a_sum_or_difference_of_the_shown_ones(seed):
    """Random teams, people and answers over all rings; the shown figures (and the organisation, known
    on every day) are the equations; no figure of 1–4 answers may be in their span."""
    rng = random.Random(seed)
    units = {("unit", u): f"/0/{u}/" for u in range(1, rng.randint(2, 4))}
    leaves = [(path, None) for path in units.values()]
    people = {}
    for i in range(rng.randint(3, 8)):
        path = rng.choice(list(units.values()))
        leaves.append((path, i))
        people[emp(i)] = {(path, i)}
    counts = {}
    for lf in leaves:
        rate = rng.choice([0.0, 0.2, 0.6, 1.5, 4.0]) if lf[1] is not None else rng.choice([0, 0.3])
        for ring, (first, last) in enumerate(anonymity.RINGS):
            n = sum(1 for _ in range(last - first + 1) if rng.random() < rate / 7)
            if n:
                counts[(lf, ring)] = n
    subjects = {ORG: set(leaves)}
    subjects |= {key: {lf for lf in leaves if lf[0] == path} for key, path in units.items()}
    subjects |= people
    fam = family(counts, subjects=subjects, roots=frozenset({ORG}))
    hidden = suppress(fam)
    rings = anonymity.period_rings()
    cells = sorted(
        counts, key=repr
    )  # only cells with answers: the strongest reader knows the empty ones

    def cells_of(subject, period):
        return frozenset(
            c for c in cells if c[0] in fam.subjects[subject] and c[1] in rings[period]
        )

    rows = [
        cells_of(s, p)
        for s in fam.subjects
        for p in rings
        if (s, p) not in hidden and cells_of(s, p)
    ]
    rows += [frozenset(c for c in cells if c[1] == ring) for ring in range(len(anonymity.RINGS))]
    rows = [r for r in rows if r]
    for s in fam.subjects:
        for p in rings:
            goal = cells_of(s, p)
            n = sum(counts[c] for c in goal)
            # Whole rings of the organisation's answers are the organisation's (not covered).
            organisation_alone = all(
                {c for c in goal if c[1] == ring} in (set(), {c for c in cells if c[1] == ring})
                for ring in rings[p]
            )
            if 0 < n < anonymity.minimum() and not organisation_alone:
                assert not _span_contains(rows, goal, cells), (seed, s, p, n)


# --- answers and eNPS ---------------------------------------------------------------------------------


def test_an_answer_is_read_with_its_score_or_its_place_never_both():
    assert anonymity.verbatim_view(own=True, reads_answers_with_scores=True) == anonymity.SCORED
    assert anonymity.verbatim_view(own=False, reads_answers_with_scores=True) == anonymity.NOTHING
    assert anonymity.verbatim_view(own=False, reads_answers_with_scores=False) == anonymity.TEXT


def test_enps_below_the_minimum_and_its_complement():
    results = {"dept": ("/0/", 15), "a": ("/0/1/", 12), "b": ("/0/2/", 3)}
    assert anonymity.enps_shown(results) == {"dept"}  # dept − a would be b; a is the smaller shown
    independent = {"dept": ("/0/", 40), "a": ("/0/1/", 12), "b": ("/0/2/", 3)}
    assert anonymity.enps_shown(independent) == {"dept", "a"}  # 25 own respondents mix with b's 3
    siblings = {"a": ("/0/1/", 12), "b": ("/0/2/", 3)}
    assert anonymity.enps_shown(siblings) == {"a"}  # no total above them to subtract from


def test_months_beside_enps():
    assert anonymity.months_allowed([0, 7, 12])
    assert not anonymity.months_allowed([9, 2, 12])
