"""Reads of the drivers app, always for one organisation: key drivers, topic impact, eNPS beside NPS, loyalty."""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import cast

import numpy as np
from django.db.models import Q
from django.utils import timezone

from cxloop.dashboards import anonymity
from cxloop.drivers import relative_importance as ri
from cxloop.drivers.models import EmployeeSurveyResult
from cxloop.drivers.stats import Correlation, Impact, pearson, topic_impact
from cxloop.orgs.models import Organisation
from cxloop.responses.models import Answer, Response
from cxloop.stats import Score, nps_from_scores, proportion
from cxloop.surveys.models import Question

MIN_GROUP = 10  # responses a channel, touchpoint or topic needs to be a driver
MAX_DRIVERS = 12
TARGETS = {"nps": (0, 10), "csat": (1, 5)}


@dataclass
class Driver:
    """One driver: its relative weight and LMG (shares of R²), direction and performance (0–100)."""

    key: str
    label: str
    kind: str  # question, channel, touchpoint, topic
    weight: float
    lmg: float
    direction: int
    performance: float
    n: int
    r_squared: float = 0.0

    @property
    def weight_percent(self) -> float:
        """The driver's share of the explained variance (weights sum to R²), in %."""
        return 100 * self.weight / self.r_squared if self.r_squared else 0.0


@dataclass
class DriverAnalysis:
    """Drivers of one outcome over a set of responses."""

    target: str
    n: int
    r_squared: float | None
    drivers: list[Driver] = field(default_factory=list)
    message: str = ""


def _responses(organisation: Organisation, since: datetime, target: str) -> list[Response]:
    return list(
        Response.objects.filter(
            organisation=organisation, submitted_at__gte=since, **{f"{target}__isnull": False}
        )
        .select_related("channel", "touchpoint")
        .order_by("pk")
    )


def _question_columns(
    responses: list[Response], target: str
) -> dict[str, tuple[str, dict[int, float], tuple[int, int]]]:
    answers = (
        Answer.objects.filter(
            response__in=[r.pk for r in responses],
            number__isnull=False,
            question__kind__in=[Question.Kind.NPS, Question.Kind.CSAT, Question.Kind.CES],
        )
        .exclude(question__kind=target)
        .select_related("question")
    )
    columns: dict[str, tuple[str, dict[int, float], tuple[int, int]]] = {}
    for answer in answers:
        if answer.number is None:  # never: the query reads answered numbers only
            continue
        key = f"q{answer.question_id}"
        if key not in columns:
            question = answer.question
            columns[key] = (question.shown_text[:60], {}, question.scale or (0, 10))
        columns[key][1][answer.response_id] = float(answer.number)
    return {k: v for k, v in columns.items() if len(v[1]) >= 0.5 * len(responses)}


def _topic_sets(responses: list[Response]) -> dict[int, set[str]]:
    from cxloop.text.models import TopicTag

    found: dict[int, set[str]] = defaultdict(set)
    tags = TopicTag.objects.filter(
        analysed_text__response__in=[r.pk for r in responses], rejected=False
    ).values_list("analysed_text__response_id", "topic__name")
    for response_id, name in tags:
        found[response_id].add(name)
    return found


def driver_analysis(
    *, organisation: Organisation, since: datetime, target: str = "nps"
) -> DriverAnalysis:
    """Key drivers of NPS (or CSAT) over questions, channels, touchpoints and topics (LMG and relative weights)."""
    if target not in TARGETS:
        raise ValueError(f"target is one of {sorted(TARGETS)}")
    responses = _responses(organisation, since, target)
    questions = _question_columns(responses, target)
    responses = [r for r in responses if all(r.pk in values for _, values, _ in questions.values())]
    topics = _topic_sets(responses)
    columns: list[tuple[str, str, str, np.ndarray]] = []  # key, label, kind, values
    for key, (label, values, _) in questions.items():
        columns.append((key, label, "question", np.array([values[r.pk] for r in responses])))
    for kind, name_of in (
        ("channel", lambda r: r.channel.name if r.channel else None),
        ("touchpoint", lambda r: r.touchpoint.name if r.touchpoint else None),
        ("topic", None),
    ):
        columns += _dummies(responses, kind, name_of, topics)
    y = np.array([getattr(r, target) for r in responses], dtype=float)
    columns = [c for c in columns if np.std(c[3]) > 0]
    if len(responses) < 30:
        return DriverAnalysis(
            target=target,
            n=len(responses),
            r_squared=None,
            message="Too few responses for a driver analysis (at least 30 are needed).",
        )
    if not columns or np.std(y) == 0:
        return DriverAnalysis(
            target=target,
            n=len(responses),
            r_squared=None,
            message="No drivers vary in this period.",
        )
    columns = _independent(_strongest(columns, y))
    x = np.column_stack([c[3] for c in columns])
    try:
        weights = ri.relative_weights(x, y)
        lmg = ri.lmg(x, y)
        beta = ri.standardised_coefficients(x, y)
    except (ValueError, np.linalg.LinAlgError):
        return DriverAnalysis(
            target=target, n=len(responses), r_squared=None, message="The drivers are collinear."
        )
    low, high = TARGETS[target]
    drivers = [
        Driver(
            key=key,
            label=label,
            kind=kind,
            weight=float(w),
            lmg=float(g),
            direction=1 if b >= 0 else -1,
            performance=_performance(kind, values, y, questions.get(key), low, high),
            n=int(_n(kind, values)),
            r_squared=float(weights.sum()),
        )
        for (key, label, kind, values), w, g, b in zip(columns, weights, lmg, beta, strict=True)
    ]
    drivers.sort(key=lambda d: -d.weight)
    return DriverAnalysis(
        target=target, n=len(responses), r_squared=float(weights.sum()), drivers=drivers
    )


def _dummies(responses, kind, name_of, topics):
    names = (
        [topics.get(r.pk, set()) for r in responses]
        if kind == "topic"
        else [{name_of(r)} - {None} for r in responses]
    )
    counts = Counter(n for group in names for n in group)
    eligible = [n for n, c in counts.items() if MIN_GROUP <= c <= len(responses) - MIN_GROUP]
    if kind != "topic" and eligible and len(eligible) == len(counts):
        eligible.remove(
            max(eligible, key=lambda n: counts[n])
        )  # the largest group is the reference
    return [
        (f"{kind}:{n}", n, kind, np.array([1.0 if n in g else 0.0 for g in names]))
        for n in sorted(eligible)
    ]


def _strongest(columns, y):
    if len(columns) <= MAX_DRIVERS:
        return columns
    strength = [abs(np.corrcoef(c[3], y)[0, 1]) for c in columns]
    order = np.argsort(strength)[::-1][:MAX_DRIVERS]
    return [columns[i] for i in sorted(order)]


def _independent(columns):
    """Drop a driver that another set of drivers determines exactly (e.g. two topics that always exclude each other)."""
    kept: list = []
    for column in columns:
        candidate = kept + [column]
        matrix = (
            np.corrcoef(np.column_stack([c[3] for c in candidate]), rowvar=False)
            if len(candidate) > 1
            else None
        )
        if matrix is None or np.linalg.eigvalsh(np.atleast_2d(matrix)).min() > 1e-8:
            kept = candidate
    return kept


def _performance(
    kind: str, values: np.ndarray, y: np.ndarray, question, low: int, high: int
) -> float:
    if kind == "question":
        q_low, q_high = question[2]
        return float(100 * (values.mean() - q_low) / (q_high - q_low))
    # A group's performance: the outcome of its responses on 0–100.
    return float(100 * (y[values == 1].mean() - low) / (high - low))


def _n(kind: str, values: np.ndarray) -> float:
    return float(len(values)) if kind == "question" else float(values.sum())


@dataclass
class TopicImpact:
    """One topic's NPS effect."""

    topic: str
    impact: Impact


def topic_impacts(*, organisation: Organisation, since: datetime) -> list[TopicImpact]:
    """Per topic: NPS of answers that mention it against those that do not, with the gap's interval."""
    from cxloop.text.models import AnalysedText, Topic, TopicTag

    scores = {
        response_id: nps
        for response_id, nps in AnalysedText.objects.filter(
            organisation=organisation, submitted_at__gte=since, response__nps__isnull=False
        ).values_list("response_id", "response__nps")
        if nps is not None  # always: the query asks for scored responses
    }
    tagged: dict[int, set[int]] = defaultdict(set)
    for topic_id, response_id in TopicTag.objects.filter(
        analysed_text__response_id__in=list(scores), rejected=False
    ).values_list("topic_id", "analysed_text__response_id"):
        tagged[topic_id].add(response_id)
    rows = []
    for topic in Topic.objects.filter(organisation=organisation, is_active=True):
        ids = tagged.get(topic.pk, set())
        if not ids:
            continue
        with_scores = [scores[i] for i in ids]
        without = [s for i, s in scores.items() if i not in ids]
        rows.append(TopicImpact(topic=topic.name, impact=topic_impact(with_scores, without)))
    return sorted(rows, key=lambda r: r.impact.difference if r.impact.difference is not None else 0)


@dataclass
class UnitPair:
    """A unit's eNPS and its customers' NPS in the same period, as the anonymity rule lets them be read:
    eNPS and respondents only from the minimum of respondents (strict: below it neither, not even n);
    the customers' NPS over the calendar months of the period, only if no month holds 1 to
    minimum − 1 answers."""

    unit: str
    unit_id: int
    period_start: date
    period_end: date
    enps: float | None
    respondents: int | None
    nps: Score

    @property
    def shown(self) -> bool:
        return self.enps is not None


@dataclass
class EmployeeView:
    """eNPS beside NPS per unit, and their correlation over the units where both are shown."""

    pairs: list[UnitPair]
    correlation: Correlation


def enps_vs_nps(*, organisation: Organisation, min_customers: int = 5) -> EmployeeView:
    """Each unit's latest eNPS beside its customers' NPS over the months of that period (the unit's
    subtree), correlated over units; cxloop/dashboards/anonymity.py decides what may be shown."""
    latest: dict[int, EmployeeSurveyResult] = {}
    for result in EmployeeSurveyResult.objects.filter(organisation=organisation).select_related(
        "unit"
    ):
        current = latest.get(result.unit_id)
        if current is None or result.period_end > current.period_end:
            latest[result.unit_id] = result
    if not latest:
        return EmployeeView(pairs=[], correlation=pearson([], []))
    shown = _enps_shown(list(latest.values()))
    today = timezone.localdate()
    spans = {r.unit_id: _months(r.period_start, min(r.period_end, today)) for r in latest.values()}
    start = min(months[0][0] for months in spans.values())
    end = max(months[-1][1] for months in spans.values())
    zone = timezone.get_current_timezone()
    answers = Response.objects.filter(
        organisation=organisation,
        nps__isnull=False,
        submitted_at__gte=datetime.combine(start, time.min, zone),
        submitted_at__lt=datetime.combine(end + timedelta(days=1), time.min, zone),
    ).values_list("unit_path", "submitted_at", "nps")
    rows = [
        (path, timezone.localtime(at, zone).date(), nps)
        for path, at, nps in answers
        if at is not None and nps is not None  # always: the query asks for both
    ]
    pairs = []
    for result in latest.values():
        months = spans[result.unit_id]
        per_month = [
            [nps for path, day, nps in rows if path.startswith(result.unit.path) and a <= day <= b]
            for a, b in months
        ]
        customers = [nps for month in per_month for nps in month]
        visible = result.pk in shown
        pairs.append(
            UnitPair(
                unit=result.unit.name,
                unit_id=result.unit_id,
                period_start=result.period_start,
                period_end=result.period_end,
                enps=result.enps if visible else None,
                respondents=result.respondents if visible else None,
                nps=nps_from_scores(customers)
                if anonymity.months_allowed(len(m) for m in per_month)
                else nps_from_scores([]),
            )
        )
    pairs.sort(key=lambda p: p.unit)
    usable = [
        (p.enps, p.nps.score)
        for p in pairs
        if p.enps is not None and p.nps.score is not None and p.nps.n >= min_customers
    ]
    return EmployeeView(
        pairs=pairs,
        correlation=pearson([enps for enps, _ in usable], [nps for _, nps in usable]),
    )


def _enps_shown(results: list[EmployeeSurveyResult]) -> set[int]:
    """The results that may be shown, decided per survey period (anonymity.enps_shown)."""
    periods: dict[tuple[date, date], list[EmployeeSurveyResult]] = defaultdict(list)
    for result in results:
        periods[(result.period_start, result.period_end)].append(result)
    shown: set[int] = set()
    for same in periods.values():
        # enps_shown returns some of the keys it is given: here the results' pks.
        shown |= cast(
            frozenset[int],
            anonymity.enps_shown({r.pk: (r.unit.path, r.respondents) for r in same}),
        )
    return shown


def _months(start: date, end: date) -> list[tuple[date, date]]:
    """The calendar months that hold [start, end], each as (first day, last day), the last one cut
    at today: customers' scores beside eNPS are counted per whole month (anonymity.months_allowed)."""
    months, first = [], start.replace(day=1)
    last_day = timezone.localdate()
    while first <= max(end, start):
        following = (first + timedelta(days=32)).replace(day=1)
        months.append((first, min(following - timedelta(days=1), last_day)))
        first = following
    return months


LOYALTY_RE = re.compile(
    r"opnieuw|weer (?:kopen|kiezen|afnemen|bij)|klant blijven|blijft u|blijven|verlengen|overstappen|"
    r"repurchase|buy again|stay|renew|again",
    re.IGNORECASE,
)
YES_RE = re.compile(r"^(?:ja|yes|zeker wel|waarschijnlijk wel|wel)\b", re.IGNORECASE)
NO_RE = re.compile(r"^(?:nee|no|zeker niet|waarschijnlijk niet|niet)\b", re.IGNORECASE)


@dataclass
class LoyaltyRow:
    """Customers whose last contact had one sentiment: how many would (not) buy again or stay."""

    sentiment: str
    n: int
    yes: Score
    maybe: Score
    no: Score


@dataclass
class LoyaltyView:
    """Last-contact sentiment against loyalty; `proxy` when no loyalty question exists and NPS stands in."""

    rows: list[LoyaltyRow]
    question: str
    proxy: bool


def loyalty_question(*, organisation: Organisation) -> Question | None:
    """The organisation's question about buying again or staying, if a survey asks it."""
    candidates = Question.objects.filter(
        survey__organisation=organisation,
        kind__in=[Question.Kind.SINGLE, Question.Kind.NPS, Question.Kind.CSAT, Question.Kind.CES],
    ).order_by("-survey__version", "position")
    for question in candidates:
        if LOYALTY_RE.search(question.text_nl) or LOYALTY_RE.search(question.text_en):
            if question.kind != Question.Kind.NPS or "aanbevel" not in question.text_nl.lower():
                return question
    return None


def _loyal(answer: Answer, question: Question) -> str | None:
    if question.kind == Question.Kind.SINGLE:
        value = (answer.values[0] if answer.values else answer.text or "").strip()
        label = next((c.get("nl", "") for c in question.choices if c.get("value") == value), value)
        if YES_RE.match(value) or YES_RE.match(label):
            return "yes"
        if NO_RE.match(value) or NO_RE.match(label):
            return "no"
        return "maybe" if value else None
    if answer.number is None:
        return None
    low, high = question.scale or (0, 10)
    position = (answer.number - low) / (high - low)
    return "yes" if position >= 2 / 3 else "no" if position <= 1 / 3 else "maybe"


def last_experience_loyalty(*, organisation: Organisation, since: datetime) -> LoyaltyView:
    """Loyalty by the sentiment of the last contact (seed 002: 75% with a negative last experience would not buy again)."""
    from cxloop.text.models import AnalysedText

    sentiment = {}
    for response_id, label in (
        AnalysedText.objects.filter(organisation=organisation, submitted_at__gte=since)
        .order_by("pk")
        .values_list("response_id", "sentiment")
    ):
        sentiment[response_id] = label
    question = loyalty_question(organisation=organisation)
    outcome: dict[int, str | None] = {}
    if question is not None:
        for answer in Answer.objects.filter(
            question__in=_versions(question), response_id__in=list(sentiment)
        ):
            outcome[answer.response_id] = _loyal(answer, question)
    else:
        for response_id, nps in Response.objects.filter(
            pk__in=list(sentiment), nps__isnull=False
        ).values_list("pk", "nps"):
            if nps is not None:  # always: the query asks for scored responses
                outcome[response_id] = "yes" if nps >= 9 else "no" if nps <= 6 else "maybe"
    rows = []
    for label in ("positive", "neutral", "negative"):
        answers = [outcome[r] for r, s in sentiment.items() if s == label and outcome.get(r)]
        n = len(answers)
        rows.append(
            LoyaltyRow(
                sentiment=label,
                n=n,
                **{k: proportion(successes=answers.count(k), n=n) for k in ("yes", "maybe", "no")},
            )
        )
    text = question.text_nl if question is not None else "NPS (promoter / passive / detractor)"
    return LoyaltyView(rows=rows, question=text, proxy=question is None)


def _versions(question: Question) -> list[int]:
    """The question's ids across the survey's versions (a new version copies its questions)."""
    root = question.survey.root_id
    return list(
        Question.objects.filter(
            Q(survey_id=root) | Q(survey__family_id=root),
            text_nl=question.text_nl,
            kind=question.kind,
        ).values_list("pk", flat=True)
    )
