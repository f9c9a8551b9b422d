"""The anonymity rule: what anyone may read about a group of answers, the one rule every page, export,
API operation and e-mail keeps. docs/anonymity.md says it in words; this module is the rule as
plain functions over plain data (no database), so that it can be read and tested in one place.

The rule protects people: the employees whose contacts customers score (their own figures, and those
of their units, which can be one person), and employees as respondents of the employee survey.

1. The minimum. A score of 1 to CXLOOP_ANONYMITY_MIN − 1 answers about someone else is hidden; its
   n is shown ("— n = 3"). An employee always sees their own. eNPS (employees' own answers) is
   strict: below the minimum nothing at all, not even n.

2. No remainder gives a hidden group away (complementary disclosure). Whatever a reader sees is
   added up and subtracted: a unit minus the employees shown, a period minus the shorter periods
   shown. So for every figure shown, what is left after taking away the smaller figures shown inside
   it (its *remainder*) must be empty, or hold at least the minimum of answers from at least two
   hidden groups. Where a remainder would not, the smallest figure shown inside it is hidden too,
   until it does (across periods: a previous period shown inside it, else the figure itself); if
   nothing inside is shown, the figure itself is hidden. Why two hidden groups and
   not only the minimum: a remainder of one hidden group *is* that group, however large, and once
   known it can be subtracted elsewhere (a secondarily hidden employee rebuilt from their longer
   period would give the first one away from the unit). Answers no figure names on their own (a
   unit's answers without an employee, the days between two periods) do not count as a group:
   they can be worked out from the other direction, the days from the unit, the unit's own answers
   from its periods. Why the smallest: it costs the least information; why the longer period
   across time: people read the recent periods.
   Figures form a fixed family (`suppress`): units and employees, over the preset periods and the
   periods before them, unfiltered. The family nests (a team inside its department, seven days
   inside thirty), so a remainder is computed within one subject or within one period; the rule is
   applied in both directions until nothing changes. A reader's own answers and, for an
   organisation's readers, the organisation's own answers (which they read one by one on the topics
   page and in the API) count as known when remainders are computed. Under the remainders lies a
   net: what the reader can work out at all, per subject as sums over days (vector spaces over the
   rings), across time and across units; a hidden figure it reaches costs one more shown figure.
   The property test in tests/test_anonymity_rule.py checks the whole against linear algebra.

3. Only that family. Others see the scores of units and employees for the preset periods and
   without filters: a journey type, channel, touchpoint or segment, a period of one's own, a trend
   per week or a channel × journey grid would cut a person's answers into pieces that no fixed rule
   can keep apart from the whole. Organisation-level pages keep their filters (`breakdown_allowed`).

4. An answer is shown with its score, or next to its team or employee, never both, to anyone but the
   employee it is about (`verbatim_view`). One answer is a group of one; with its score and its
   place the rule above would be empty. Readers who see the organisation's answers with their
   scores (topics page, API) therefore see no answers on team and employee pages; team leads see
   their team's answers as text, without score and without names; an employee sees their own with
   scores. The API lists answers without their interaction, unit or employee.

Not covered, and said so in docs/anonymity.md: the follow-up case (one dissatisfied customer's answer
for whoever must call them back), answers that arrive between two readings, a group whose answers
are all alike (everyone 9–10 tells each part is 9–10), and an organisation whose answers in a
period are one person's.
"""

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.conf import settings

PRESET_DAYS = (7, 30, 90, 180, 365)
CURRENT, PREVIOUS = "current", "previous"

# Rings: the days before today that no two periods of the family cut apart (0 = today). Every
# preset and every previous period is a union of rings, so figures over them nest.
RINGS = (
    (0, 6),
    (7, 13),
    (14, 29),
    (30, 59),
    (60, 89),
    (90, 179),
    (180, 359),
    (360, 364),
    (365, 729),
)


def minimum() -> int:
    """CXLOOP_ANONYMITY_MIN: the fewest answers a score about someone else may rest on."""
    return settings.CXLOOP_ANONYMITY_MIN


def below_minimum(n: int) -> bool:
    """A group of 1 to minimum − 1 answers: hidden from everyone but the person it is about."""
    return 0 < n < minimum()


def strictly_visible(n: int) -> bool:
    """eNPS: a group is shown only with at least the minimum of respondents (nothing below it, not n)."""
    return n >= minimum()


def breakdown_allowed(*, people: bool, preset: bool, filtered: bool) -> bool:
    """Whether a figure may be shown at all under the page's filters: organisation-level figures always,
    figures of units and employees only over a preset period without further filters."""
    return not people or (preset and not filtered)


# --- one figure: what pages and tables ask of the rule ------------------------------------------------


def hides_score(n: int, *, own: bool = False) -> bool:
    """Rule 1 for one score of n > 0 answers: hidden below the minimum, unless it is the reader's own."""
    return not own and below_minimum(n)


def derived_shown(*ns: int, own: bool = False) -> bool:
    """Rule 1 for what is worked out from groups of answers (a significant difference, a funnel mark,
    control limits, a share): shown only when every group holds at least the minimum, or they are
    the reader's own; it would otherwise tell something of a hidden score."""
    return own or min(ns) >= minimum()


def rest_hides_total(total_n: int, own_n: int) -> bool:
    """Rule 2 for a total read beside the reader's own part (a partner's "totals" agreement): the
    total minus the own part is the other partners' part, so the total is hidden where that rest
    holds 1 to minimum − 1 answers."""
    return below_minimum(total_n - own_n)


def change_shown(*, previous_shown: bool, own: bool = False) -> bool:
    """Rule 2 across time: a change is marked only against a previous period that is shown (or one's
    own); the difference against a hidden period would give it away."""
    return previous_shown or own


# --- the periods --------------------------------------------------------------------------------------

PeriodKey = tuple[int, str]  # (preset days, CURRENT or PREVIOUS)


def period_rings() -> dict[PeriodKey, frozenset[int]]:
    """Each preset and its previous period as the rings it covers."""
    result = {}
    for days in PRESET_DAYS:
        result[(days, CURRENT)] = _rings_between(0, days - 1)
        result[(days, PREVIOUS)] = _rings_between(days, 2 * days - 1)
    return result


def _rings_between(first: int, last: int) -> frozenset[int]:
    inside = frozenset(i for i, (a, b) in enumerate(RINGS) if first <= a and b <= last)
    covered = sum(b - a + 1 for i, (a, b) in enumerate(RINGS) if i in inside)
    if covered != last - first + 1:  # the ring table and the presets drifted apart
        raise ValueError(f"days {first}–{last} are not a union of rings")
    return inside


def ring_bounds(today: date) -> list[tuple[int, date, date]]:
    """(ring, first day, last day) for grouping roll-ups by ring."""
    return [
        (i, today - timedelta(days=b), today - timedelta(days=a)) for i, (a, b) in enumerate(RINGS)
    ]


# --- complementary disclosure: the fixed family ------------------------------------------------------

Leaf = Hashable  # a group no figure splits: one employee's answers in one unit, or a unit's own
Key = Hashable  # a subject: the organisation, a unit (with everything below it) or an employee


@dataclass(frozen=True)
class Family:
    """The figures one reader can see, as plain data: who is made of which leaves, which period of
    which rings, and the answers per leaf and ring (of one metric)."""

    subjects: Mapping[Key, frozenset[Leaf]]
    counts: Mapping[tuple[Leaf, int], int]
    visible: frozenset[Key]  # subjects whose figures the reader may see at all
    own: frozenset[Key] = frozenset()  # the reader's own: known answer by answer
    # Known as totals on any day: an organisation to its readers (topics page, API).
    roots: frozenset[Key] = frozenset()
    periods: Mapping[PeriodKey, frozenset[int]] | None = None

    def rings(self) -> Mapping[PeriodKey, frozenset[int]]:
        return self.periods if self.periods is not None else period_rings()


def suppress(family: Family) -> frozenset[tuple[Key, PeriodKey]]:
    """The (subject, period) figures hidden from the reader: below the minimum, plus whatever keeps
    every remainder empty or of at least the minimum from at least two parts (see the module doc)."""
    return _Suppression(family).run()


class _Suppression:
    def __init__(self, family: Family):
        self.f = family
        self.periods = family.rings()
        self.ring_ids = sorted(frozenset().union(*self.periods.values()))
        self.always = family.own | family.roots
        subjects = family.subjects
        self.own_leaves = frozenset().union(*(subjects[k] for k in family.own))
        # Proper sub-subjects, computed once: the nesting of units and employees.
        self.inside = {
            x: [y for y in subjects if y != x and subjects[y] < subjects[x]] for x in subjects
        }
        self.leaf_ring = {
            (leaf, r): family.counts.get((leaf, r), 0)
            for leaf in frozenset().union(*subjects.values())
            if subjects
            for r in self.ring_ids
        }
        self.leaf_n: dict[tuple[Leaf, PeriodKey], int] = {
            (leaf, p): sum(self.leaf_ring[(leaf, r)] for r in rings)
            for (leaf, _r) in self.leaf_ring
            for p, rings in self.periods.items()
        }
        # Each subject's proper supersets (its units, the organisation): "outermost" without pairs.
        self.above = {y: {x for x in subjects if y in self.inside[x]} for y in subjects}
        self._n = {
            (x, p): sum(self.leaf_n[(leaf, p)] for leaf in subjects[x])
            for x in subjects
            for p in self.periods
        }
        self._ring_n = {
            (x, r): sum(self.leaf_ring[(leaf, r)] for leaf in subjects[x])
            for x in subjects
            for r in self.ring_ids
        }
        self.hidden: set[tuple[Key, PeriodKey]] = {
            (x, p)
            for x in family.visible - self.always
            for p in self.periods
            if below_minimum(self.n(x, p))
        }

    def n(self, subject: Key, period: PeriodKey) -> int:
        return self._n[(subject, period)]

    def ring_n(self, subject: Key, ring: int) -> int:
        return self._ring_n[(subject, ring)]

    def outermost(self, keys: list[Key]) -> list[Key]:
        """The subjects among `keys` that no other among them contains."""
        chosen = set(keys)
        return [y for y in keys if not (self.above[y] & chosen)]

    def shown(self, subject: Key, period: PeriodKey) -> bool:
        return subject in self.f.visible and (subject, period) not in self.hidden

    def run(self) -> frozenset[tuple[Key, PeriodKey]]:
        changed = True
        while changed:
            changed = False
            for subject in sorted(self.f.visible, key=repr):
                for period in self.periods:
                    if not self.shown(subject, period):
                        continue
                    changed |= self._across_subjects(subject, period)
                    if subject not in self.always and self.shown(subject, period):
                        changed |= self._across_periods(subject, period)
            if not changed:
                changed = self._within_days()
        return frozenset(self.hidden)

    def _across_subjects(self, x: Key, p: PeriodKey) -> bool:
        """X minus the figures shown inside it (and the reader's own answers) at period p."""
        inside = [y for y in self.inside[x] if self.n(y, p)]
        shown = self.outermost([y for y in inside if self.shown(y, p)])
        covered = frozenset().union(*(self.f.subjects[y] for y in shown)) | self.own_leaves
        rest = self.f.subjects[x] - covered
        hidden = self.outermost(
            [y for y in inside if not self.shown(y, p) and self.f.subjects[y] <= rest]
        )
        if not hidden:
            return False  # what is left is answers no figure names on its own, about no one
        n = sum(self.leaf_n[(leaf, p)] for leaf in rest)
        if n >= minimum() and len(hidden) >= 2:
            return False
        return self._hide_one([(y, p) for y in shown if y not in self.always], fallback=(x, p))

    def _across_periods(self, x: Key, p: PeriodKey) -> bool:
        """X at period p minus the shorter periods of X shown inside it."""
        rings = self.periods
        inside = [q for q in rings if rings[q] < rings[p] and self.n(x, q)]
        shown = _maximal([q for q in inside if self.shown(x, q)], rings)
        covered = frozenset().union(*(rings[q] for q in shown))
        rest = rings[p] - covered
        hidden = _maximal([q for q in inside if not self.shown(x, q) and rings[q] <= rest], rings)
        n = sum(self.ring_n(x, r) for r in rest)
        if not shown or n == 0:
            return False  # nothing subtracted: the remainder is the figure itself
        # Days no figure names on their own are still someone's answers: at least the minimum.
        if n >= minimum() and (not hidden or len(hidden) >= 2):
            return False
        # Across time a previous period goes first, then the longer period itself: the periods
        # people read are the recent ones.
        return self._hide_one([(x, q) for q in shown if q[1] == PREVIOUS], fallback=(x, p))

    # What the reader can work out at all: per subject, the sums over rings it can compute form a
    # vector space (a sum over a period is its rings' indicator vector). Spans grow by what is shown,
    # by rings without answers (known as nothing), and across subjects: whatever a subject and all
    # but one of its parts have in common is known of that part (where no unnamed answers of the
    # subject interfere), and what all parts have in common is known of the subject. The
    # organisation is known on every ring to its readers, a reader's own answers too. If that makes
    # a hidden figure known, a shown figure is hidden too, the first of the nearest that stops it.
    # The remainders above keep this rare; this is the net under them.

    def _within_days(self) -> bool:
        spans = self._closure()
        for x in sorted(self.f.visible - self.always, key=repr):
            for p in self.periods:
                if below_minimum(self.n(x, p)) and _contains(spans[x], self._vector(p)):
                    return self._stop(x, p)
        return False

    def _vector(self, period: PeriodKey) -> np.ndarray:
        v = np.zeros(len(RINGS))
        v[list(self.periods[period])] = 1.0
        return v

    def _closure(self) -> dict[Key, np.ndarray]:
        subjects = self.f.subjects
        parts = {x: self.outermost(self.inside[x]) for x in subjects}
        spans: dict[Key, np.ndarray] = {}
        free: dict[Key, np.ndarray] = {}  # rings where no unnamed answer of x lies
        for x in subjects:
            if x in self.always:
                rows = list(np.eye(len(RINGS)))
            else:
                rows = [np.eye(len(RINGS))[r] for r in self.ring_ids if not self.ring_n(x, r)]
                rows += [self._vector(p) for p in self.periods if self.shown(x, p)]
            spans[x] = _basis(rows)
            stray = subjects[x] - frozenset().union(*(subjects[y] for y in parts[x]))
            stray -= self.own_leaves
            clear = [
                r
                for r in range(len(RINGS))
                if not any(self.leaf_ring.get((leaf, r)) for leaf in stray)
            ]
            free[x] = _basis([np.eye(len(RINGS))[r] for r in clear])
        changed = True
        while changed:
            changed = False
            for x in subjects:
                if not parts[x]:
                    continue
                shared = _intersect(spans[x], free[x])
                # What all parts but y have in common, from running intersections both ways.
                ahead, behind = [shared], [_full()]
                for y in parts[x]:
                    ahead.append(_intersect(ahead[-1], spans[y]))
                for y in reversed(parts[x]):
                    behind.append(_intersect(behind[-1], spans[y]))
                behind.reverse()
                for i, y in enumerate(parts[x]):
                    common = _intersect(ahead[i], behind[i + 1])
                    grown = _basis([*spans[y], *common])
                    if len(grown) > len(spans[y]):
                        spans[y], changed = grown, True
                together = free[x]
                for y in parts[x]:
                    together = _intersect(together, spans[y])
                grown = _basis([*spans[x], *together])
                if len(grown) > len(spans[x]):
                    spans[x], changed = grown, True
        return spans

    def _stop(self, x: Key, p: PeriodKey) -> bool:
        """Hide the first shown figure, nearest first (x, its units, its neighbours), a previous period
        before a current one and small before large, whose hiding makes (x, p) unknown again."""
        subjects = self.f.subjects

        def distance(y: Key) -> int:
            if y == x:
                return 0
            if subjects[x] <= subjects[y] or subjects[y] <= subjects[x]:
                return 1
            return 2

        candidates = sorted(
            (
                (y, q)
                for y in self.f.visible - self.always
                for q in self.periods
                if self.shown(y, q) and self.n(y, q) and self.periods[q] & self.periods[p]
            ),
            key=lambda c: (distance(c[0]), c[1][1] != PREVIOUS, self.n(*c), repr(c)),
        )
        if not candidates:
            return False  # known from what the reader knows anyway (the organisation's own days)
        target = self._vector(p)
        for candidate in candidates:
            self.hidden.add(candidate)
            if not _contains(self._closure()[x], target):
                return True
            self.hidden.discard(candidate)
        self.hidden.add(candidates[0])  # none alone: hide the nearest and look again
        return True

    def _hide_one(self, candidates: list[tuple[Key, PeriodKey]], *, fallback) -> bool:
        """Hide the smallest figure shown inside (it costs the least), or the figure itself."""
        candidates = [c for c in candidates if self.n(*c)]
        if candidates:
            choice = min(candidates, key=lambda c: (self.n(*c), repr(c)))
        elif fallback[0] in self.always:
            return False  # the reader knows it anyway; nothing left to hide
        else:
            choice = fallback
        self.hidden.add(choice)
        return True


def _basis(rows) -> np.ndarray:
    """An orthonormal basis of the rows' span (no rows: an empty 0 × rings array)."""
    rows = [np.asarray(r, dtype=float) for r in rows]
    if not rows:
        return np.zeros((0, len(RINGS)))
    _u, singular, vt = np.linalg.svd(np.vstack(rows), full_matrices=False)
    return vt[singular > 1e-9]


def _full() -> np.ndarray:
    return np.eye(len(RINGS))


def _contains(basis: np.ndarray, vector: np.ndarray) -> bool:
    if not len(basis):
        return not vector.any()
    return bool(np.abs(vector - basis.T @ (basis @ vector)).max() < 1e-7)


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The intersection of two spans, as an orthonormal basis."""
    if not len(a) or not len(b):
        return np.zeros((0, len(RINGS)))
    if len(a) == len(RINGS):
        return b
    if len(b) == len(RINGS):
        return a
    # x = aᵀu = bᵀw  ⇔  [aᵀ, −bᵀ] (u, w) = 0
    stacked = np.hstack([a.T, -b.T])
    _u, singular, vt = np.linalg.svd(stacked)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]
    return _basis([a.T @ n[: len(a)] for n in null])


def _maximal(keys: Sequence, sets: Mapping) -> list:
    """The keys whose sets no other key's set contains (the outermost figures)."""
    return [k for k in keys if not any(o != k and sets[k] < sets[o] for o in keys)]


# --- answers (verbatims) -------------------------------------------------------------------------------

SCORED, TEXT, NOTHING = "scored", "text", "nothing"


def verbatim_view(*, own: bool, reads_answers_with_scores: bool) -> str:
    """What a reader sees of the answers listed on a team's or an employee's page.

    Their own answers: with scores (SCORED). Someone who reads the organisation's answers with their
    scores elsewhere (the topics page, the API): none here (NOTHING), or the text would join the two.
    Anyone else (a team lead): the text, without score and without the employee's name (TEXT)."""
    if own:
        return SCORED
    return NOTHING if reads_answers_with_scores else TEXT


# --- eNPS ---------------------------------------------------------------------------------------------


def enps_shown(results: Mapping[Key, tuple[str, int]]) -> frozenset[Key]:
    """Which unit results of one employee survey period may be shown: at least the minimum of
    respondents, and no shown parent minus its shown units below may leave a hidden unit's
    respondents on their own (a unit's result may include the units below it).

    `results` maps a key to (unit path, respondents)."""
    shown = {k for k, (_path, n) in results.items() if strictly_visible(n)}
    changed = True
    while changed:
        changed = False
        for key in sorted(shown, key=repr):
            path, n = results[key]
            below = [k for k, (p, _n) in results.items() if k != key and p.startswith(path)]
            seen = _outermost([k for k in below if k in shown], results)
            hidden = _outermost([k for k in below if k not in shown and results[k][1]], results)
            hidden = [
                k for k in hidden if not any(results[k][0].startswith(results[s][0]) for s in seen)
            ]
            if not hidden:
                continue
            rest = n - sum(results[k][1] for k in seen)
            own = rest - sum(results[k][1] for k in hidden)
            parts = len(hidden) + (1 if own > 0 else 0)
            if rest <= 0 or (rest >= minimum() and parts >= 2):
                continue  # not nested (independent counts), or the hidden ones are mixed in
            smallest = min(seen, key=lambda k: (results[k][1], repr(k)), default=key)
            shown.discard(smallest)
            changed = True
            break
    return frozenset(shown)


def _outermost(keys: Iterable[Key], results: Mapping[Key, tuple[str, int]]) -> list[Key]:
    keys = list(keys)
    return [
        k
        for k in keys
        if not any(
            o != k and results[k][0].startswith(results[o][0]) and results[k][0] != results[o][0]
            for o in keys
        )
    ]


def months_allowed(month_counts: Iterable[int]) -> bool:
    """A unit's customer score over whole calendar months beside its eNPS: shown only if no month in
    it holds 1 to minimum − 1 answers, so that two such spans never subtract to a hidden month."""
    return not any(below_minimum(n) for n in month_counts)
