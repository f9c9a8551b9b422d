"""Reads of text analytics, always for one organisation."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

import numpy as np
from django.db.models import Prefetch, QuerySet

from cxloop.orgs.models import Organisation
from cxloop.text import embeddings
from cxloop.text.emerging import Emerging, find_emerging
from cxloop.text.models import AnalysedText, Topic, TopicTag, TrainedClassifier

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MAX_EMERGING_TEXTS = 400


class LiveTags(TypedDict):
    live_tags: list[TopicTag]  # the tags not rejected (a Prefetch's to_attr)


if TYPE_CHECKING:
    TaggedText = WithAnnotations[AnalysedText, LiveTags]


def topics_for(*, organisation: Organisation) -> list[Topic]:
    """The organisation's taxonomy."""
    return list(Topic.objects.filter(organisation=organisation))


def analysed_texts(
    *, organisation: Organisation, since: datetime, until: datetime | None = None
) -> "QuerySet[TaggedText]":
    """Analysed answers of the organisation submitted in a period, with their live tags."""
    rows = AnalysedText.objects.filter(organisation=organisation, submitted_at__gte=since)
    if until is not None:
        rows = rows.filter(submitted_at__lt=until)
    live = TopicTag.objects.filter(rejected=False).select_related("topic")
    return rows.prefetch_related(Prefetch("tags", queryset=live, to_attr="live_tags"))


def tagged_answers(
    *, organisation: Organisation, since: datetime, topic: Topic | None = None, limit: int = 50
) -> list[AnalysedText]:
    """The latest analysed answers, optionally of one topic, with their tags and response."""
    rows = (
        analysed_texts(organisation=organisation, since=since)
        .select_related("response")
        .defer("vector")
    )
    if topic is not None:
        rows = rows.filter(tags__topic=topic, tags__rejected=False)
    return list(rows.order_by("-submitted_at", "-pk")[:limit])


@dataclass
class TopicRow:
    """A topic's answers in a period, split by sentiment."""

    topic: Topic
    n: int
    positive: int
    negative: int

    @property
    def net(self) -> float | None:
        return 100 * (self.positive - self.negative) / self.n if self.n else None


def topic_summary(*, organisation: Organisation, since: datetime) -> list[TopicRow]:
    """Per topic: how many answers mention it and how many of those are positive or negative."""
    counts: Counter[tuple[int, str]] = Counter(
        TopicTag.objects.filter(
            analysed_text__organisation=organisation,
            analysed_text__submitted_at__gte=since,
            rejected=False,
        ).values_list("topic_id", "analysed_text__sentiment")
    )
    rows = []
    for topic in topics_for(organisation=organisation):
        by = {s: counts[(topic.pk, s)] for s in ("positive", "neutral", "negative")}
        rows.append(
            TopicRow(
                topic=topic, n=sum(by.values()), positive=by["positive"], negative=by["negative"]
            )
        )
    return sorted(rows, key=lambda r: -r.n)


@dataclass
class EmergingRow:
    """An emerging group with a few of its answers."""

    group: Emerging
    examples: list[str]


def emerging_topics(
    *, organisation: Organisation, now: datetime, days: int = 30
) -> list[EmergingRow]:
    """Groups of answers of the last `days` that no topic covers, against the `days` before."""
    start, earlier_start = now - timedelta(days=days), now - timedelta(days=2 * days)
    current = list(analysed_texts(organisation=organisation, since=start, until=now))
    earlier = list(analysed_texts(organisation=organisation, since=earlier_start, until=start))
    uncovered = [r for r in current if not r.live_tags][:MAX_EMERGING_TEXTS]
    earlier_uncovered = [r for r in earlier if not r.live_tags][:MAX_EMERGING_TEXTS]
    if len(uncovered) < 3:
        return []
    method = embeddings.kind()
    texts = [r.masked_text for r in uncovered]
    groups = find_emerging(
        texts,
        _vectors(uncovered, method),
        len(current),
        _vectors(earlier_uncovered, method),
        len(earlier),
    )
    return [EmergingRow(group=g, examples=[texts[i] for i in g.examples[:3]]) for g in groups]


def _vectors(rows: Sequence[AnalysedText], method: str) -> np.ndarray:
    """The rows' stored vectors; any not stored (yet) are computed here."""
    if not rows:
        return embeddings.embed([], method=method)
    missing = [r.masked_text for r in rows if r.vector_method != method or r.vector is None]
    computed = iter(embeddings.embed(missing, method=method)) if missing else iter(())
    return np.vstack(
        [
            embeddings.from_bytes(r.vector)
            if r.vector_method == method and r.vector is not None
            else next(computed)
            for r in rows
        ]
    )


def classifiers_for(*, organisation: Organisation) -> list[TrainedClassifier]:
    """The organisation's trained classifiers and how they did."""
    return list(TrainedClassifier.objects.filter(organisation=organisation).order_by("kind"))
