"""Writes of text analytics: the taxonomy, analysing answers, corrections, training classifiers."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

import numpy as np
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from cxloop.orgs.models import Organisation
from cxloop.responses.models import Answer, Response
from cxloop.surveys.models import Question
from cxloop.text import embeddings
from cxloop.text.classifier import BinaryModel, f1, holdout_split, train_binary
from cxloop.text.models import AnalysedText, TagCorrection, Topic, TopicTag, TrainedClassifier
from cxloop.text.pipeline import TextResult, analyse_text, analyse_texts
from cxloop.text.sentiment import label_for
from cxloop.text.taxonomy import DEFAULT_TAXONOMY, TopicSpec, tag_text

MIN_REVIEWED = 30  # reviewed answers before a topic classifier may take over
MIN_PER_CLASS = 5
MIN_WEAK_LABELS = (
    40  # answers with a promoter or detractor score before the sentiment model is tried
)
EMERGING_WINDOW_DAYS = 30  # emerging topics compare the last 30 days with the 30 before
EMBED_BATCH = 200


def ensure_taxonomy(*, organisation: Organisation) -> list[Topic]:
    """The organisation's topics, seeded with the default Dutch taxonomy the first time."""
    with transaction.atomic():
        if not Topic.objects.filter(organisation=organisation).exists():
            Topic.objects.bulk_create(
                Topic(
                    organisation=organisation,
                    slug=spec.slug,
                    name=spec.name,
                    keywords=list(spec.keywords),
                )
                for spec in DEFAULT_TAXONOMY
            )
    return list(Topic.objects.filter(organisation=organisation))


def save_topic(
    *,
    organisation: Organisation,
    name: str,
    keywords: Sequence[str],
    topic: Topic | None = None,
    is_active: bool = True,
) -> Topic:
    """Create a topic or change its name, keywords and whether it is used."""
    cleaned = list(dict.fromkeys(k.strip().lower() for k in keywords if k.strip()))
    if topic is None:
        slug = slugify(name)[:50] or "topic"
        base, n = slug, 2
        while Topic.objects.filter(organisation=organisation, slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return Topic.objects.create(
            organisation=organisation, slug=slug, name=name.strip(), keywords=cleaned
        )
    topic.name, topic.keywords, topic.is_active = name.strip(), cleaned, is_active
    topic.save(update_fields=["name", "keywords", "is_active"])
    return topic


def _texts_of(response: Response) -> list[tuple[Answer | None, str]]:
    answers: list[tuple[Answer | None, str]] = [
        (a, a.text)
        for a in response.answers.all()
        if a.question.kind == Question.Kind.OPEN and a.text.strip()
    ]
    if answers:
        return answers
    return [(None, response.comment)] if response.comment.strip() else []


def analyse_response(*, response_id: int, now: datetime | None = None) -> list[AnalysedText]:
    """Analyse a submitted response's open answers; safe to run again (person's tags are kept)."""
    now = now or timezone.now()
    response = (
        Response.objects.select_related("organisation")
        .prefetch_related("answers__question")
        .filter(pk=response_id)
        .first()
    )
    if response is None or response.submitted_at is None:
        return []
    topics = [t for t in ensure_taxonomy(organisation=response.organisation) if t.is_active]
    models = {
        m.kind: m
        for m in TrainedClassifier.objects.filter(organisation=response.organisation, in_use=True)
    }
    # Customers name the staff who helped them: those names are masked like any other.
    staff = list(response.organisation.employees.values_list("name", flat=True))
    result = []
    with transaction.atomic():
        for answer, text in _texts_of(response):
            analysis = analyse_text(text, topics=[_spec(t) for t in topics], employee_names=staff)
            result.append(_store(response, answer, analysis, topics, models, now))
    return result


def _spec(topic: Topic) -> TopicSpec:
    return TopicSpec(slug=topic.slug, name=topic.name, keywords=tuple(topic.keywords))


def _store(
    response: Response,
    answer: Answer | None,
    analysis: TextResult,
    topics: list[Topic],
    models: dict[str, TrainedClassifier],
    now: datetime,
) -> AnalysedText:
    method, score = analysis.method, analysis.score
    vector = _vector_for(analysis.masked, models)
    sentiment_model = models.get(TrainedClassifier.Kind.SENTIMENT)
    if sentiment_model is not None and vector is not None and analysis.clauses:
        # In use only where it beat the lexicon and the combined score on its held-out answers.
        features = np.append(vector, analysis.lexicon_score)[None, :]
        p = float(BinaryModel(**sentiment_model.model["positive"]).probability(features)[0])
        score, method = _nonzero(2 * p - 1), "classifier"
    row, _ = AnalysedText.objects.update_or_create(
        response=response,
        answer=answer,
        defaults=dict(
            organisation=response.organisation,
            language=analysis.language,
            masked_text=analysis.masked,
            pii=analysis.pii,
            sentiment=label_for(score),
            score=round(score, 4),
            mixed=analysis.mixed,
            clauses=analysis.clauses,
            method=method,
            analysed_at=now,
            submitted_at=response.submitted_at,
            **_vector_fields(vector, models),
        ),
    )
    predicted = _predicted_topics(
        analysis, topics, models.get(TrainedClassifier.Kind.TOPICS), vector
    )
    _replace_machine_tags(row, predicted)
    return row


def _nonzero(score: float) -> float:
    """A classifier's score, never exactly 0 (0 is kept for answers without words to judge)."""
    return round(score, 4) or (0.0001 if score >= 0 else -0.0001)


def _vector_for(text: str, models: dict[str, TrainedClassifier]) -> np.ndarray | None:
    if not models:
        return None
    method = next(iter(models.values())).features
    if method == "e5" and embeddings.kind() != "e5":
        return None  # trained with a model this install does not have
    return embeddings.embed([text], method=method)[0]


def _vector_fields(vector: np.ndarray | None, models: dict[str, TrainedClassifier]) -> dict:
    """Keep the vector the classifier needed when it is the stored kind; a re-analysed text loses a stale one."""
    method = next(iter(models.values())).features if models else None
    if vector is not None and method is not None and method == embeddings.stored_method():
        return {"vector": embeddings.to_bytes(vector), "vector_method": method}
    return {"vector": None, "vector_method": ""}


def embed_recent(
    *,
    now: datetime | None = None,
    organisation: Organisation | None = None,
    limit: int | None = EMBED_BATCH,
) -> int:
    """Store the vectors of the texts emerging topics look at (the last two windows) that have none yet.

    The sweeper does this in batches and the topics page for what is still missing, so that the
    page reads stored vectors instead of running the embedding model on every request.
    """
    method = embeddings.stored_method()
    if method is None:
        return 0
    now = now or timezone.now()
    rows = AnalysedText.objects.filter(
        submitted_at__gte=now - timedelta(days=2 * EMERGING_WINDOW_DAYS), submitted_at__lt=now
    ).exclude(vector_method=method)
    if organisation is not None:
        rows = rows.filter(organisation=organisation)
    missing = list(
        rows.order_by("-submitted_at").only("pk", "masked_text")[:limit]
        if limit
        else rows.only("pk", "masked_text")
    )
    for start in range(0, len(missing), EMBED_BATCH):
        batch = missing[start : start + EMBED_BATCH]
        vectors = embeddings.embed([r.masked_text for r in batch], method=method)
        for row, vector in zip(batch, vectors, strict=True):
            row.vector, row.vector_method = embeddings.to_bytes(vector), method
        AnalysedText.objects.bulk_update(batch, ["vector", "vector_method"])
    return len(missing)


def _predicted_topics(
    analysis: TextResult,
    topics: list[Topic],
    model: TrainedClassifier | None,
    vector: np.ndarray | None,
) -> dict[int, tuple[str, float]]:
    by_slug = {t.slug: t for t in topics}
    predicted: dict[int, tuple[str, float]] = {
        by_slug[s].pk: (TopicTag.Source.KEYWORDS, 1.0) for s in analysis.topics if s in by_slug
    }
    if model is None or vector is None:
        return predicted
    for slug, weights in model.model.items():
        topic = by_slug.get(slug)
        if topic is None or not model.metrics.get(slug, {}).get("in_use"):
            continue
        p = float(BinaryModel(**weights).probability(vector[None, :])[0])
        if p >= 0.5:
            predicted[topic.pk] = (TopicTag.Source.CLASSIFIER, round(p, 3))
        else:
            predicted.pop(topic.pk, None)  # the trained model overrules the keywords for this topic
    return predicted


def _replace_machine_tags(row: AnalysedText, predicted: dict[int, tuple[str, float]]) -> None:
    kept = {t.topic_id for t in row.tags.filter(source=TopicTag.Source.PERSON)}
    row.tags.exclude(source=TopicTag.Source.PERSON).delete()
    TopicTag.objects.bulk_create(
        TopicTag(analysed_text=row, topic_id=topic_id, source=source, confidence=confidence)
        for topic_id, (source, confidence) in predicted.items()
        if topic_id not in kept
    )


def correct_tags(
    *, analysed_text: AnalysedText, topic_ids: Iterable[int], user: User
) -> AnalysedText:
    """A person's topics for an answer: chosen ones become person tags, the others are rejected."""
    chosen = set(
        Topic.objects.filter(
            organisation=analysed_text.organisation, pk__in=list(topic_ids)
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        before = sorted(
            analysed_text.tags.filter(rejected=False).values_list("topic__slug", flat=True)
        )
        for tag in analysed_text.tags.all():
            if tag.topic_id not in chosen:
                tag.source, tag.rejected, tag.confidence = TopicTag.Source.PERSON, True, 1.0
                tag.save(update_fields=["source", "rejected", "confidence"])
        for topic_id in chosen:
            TopicTag.objects.update_or_create(
                analysed_text=analysed_text,
                topic_id=topic_id,
                defaults={"source": TopicTag.Source.PERSON, "rejected": False, "confidence": 1.0},
            )
        after = sorted(
            analysed_text.tags.filter(rejected=False).values_list("topic__slug", flat=True)
        )
        TagCorrection.objects.create(
            analysed_text=analysed_text, user=user, before=before, after=after
        )
    return analysed_text


def analyse_pending(
    *,
    organisation: Organisation | None = None,
    limit: int | None = 500,
    since: datetime | None = None,
) -> int:
    """Analyse submitted responses with text that have no analysis yet (the sweeper's step, for the
    responses since a moment, so that it does not scan all history; `cxloop text backfill` does that)."""
    has_text = Q(comment__gt="") | Q(
        answers__question__kind=Question.Kind.OPEN, answers__text__gt=""
    )
    pending = (
        Response.objects.filter(has_text, submitted_at__isnull=False)
        .exclude(Exists(AnalysedText.objects.filter(response=OuterRef("pk"))))
        .order_by("submitted_at")
        .values_list("pk", flat=True)
        .distinct()
    )
    if organisation is not None:
        pending = pending.filter(organisation=organisation)
    if since is not None:
        pending = pending.filter(submitted_at__gte=since)
    ids = list(pending[:limit] if limit else pending)
    for response_id in ids:
        analyse_response(response_id=response_id)
    return len(ids)


def train_classifiers(
    *, organisation: Organisation, now: datetime | None = None
) -> list[TrainedClassifier]:
    """Train the topic and sentiment classifiers on the organisation's own answers; keep each only where it wins."""
    now = now or timezone.now()
    trained = [
        m
        for m in (_train_topics(organisation, now), _train_sentiment(organisation, now))
        if m is not None
    ]
    return trained


def _train_topics(organisation: Organisation, now: datetime) -> TrainedClassifier | None:
    reviewed = list(
        AnalysedText.objects.filter(organisation=organisation, corrections__isnull=False)
        .distinct()
        .prefetch_related("tags__topic")
    )
    if len(reviewed) < MIN_REVIEWED:
        return None
    topics = [t for t in Topic.objects.filter(organisation=organisation, is_active=True)]
    method = embeddings.kind()
    x = embeddings.embed([r.masked_text for r in reviewed], method=method)
    train, test = holdout_split(len(reviewed))
    model, metrics = {}, {}
    for topic in topics:
        y = np.array(
            [any(t.topic_id == topic.pk and not t.rejected for t in r.tags.all()) for r in reviewed]
        )
        if y.sum() < MIN_PER_CLASS or (~y).sum() < MIN_PER_CLASS:
            continue
        held = train_binary(x[train], y[train])
        classifier_f1 = f1(held.probability(x[test]) >= 0.5, y[test])
        keywords_f1 = f1(
            np.array([bool(tag_text(reviewed[i].masked_text, [_spec(topic)])) for i in test]),
            y[test],
        )
        model[topic.slug] = vars(train_binary(x, y))
        metrics[topic.slug] = {
            "classifier_f1": round(classifier_f1, 3),
            "keywords_f1": round(keywords_f1, 3),
            "positives": int(y.sum()),
            "in_use": classifier_f1 > keywords_f1,
        }
    return _save_model(
        organisation,
        TrainedClassifier.Kind.TOPICS,
        method,
        len(reviewed),
        model,
        metrics,
        any(m["in_use"] for m in metrics.values()),
        now,
    )


def _train_sentiment(organisation: Organisation, now: datetime) -> TrainedClassifier | None:
    """A model of promoters vs detractors on the organisation's own answers (NPS as weak label).

    It takes over only when, on a held-out quarter of those answers, it gets the sign right more
    often than both the lexicon alone and the pipeline's combined score.
    """
    rows = [
        (text, nps)
        for text, nps in AnalysedText.objects.filter(
            organisation=organisation, response__nps__isnull=False
        )
        .exclude(response__nps__in=[7, 8])
        .values_list("masked_text", "response__nps")
        if nps is not None  # always: the query asks for scored answers
    ]
    y = np.array([nps >= 9 for _, nps in rows])
    if len(rows) < MIN_WEAK_LABELS or y.sum() < 10 or (~y).sum() < 10:
        return None
    method = embeddings.kind()
    analysed = analyse_texts([text for text, _ in rows])
    lexicon_scores = np.array([a.lexicon_score for a in analysed])
    pipeline_scores = np.array([a.score for a in analysed])
    x = np.hstack(
        [embeddings.embed([text for text, _ in rows], method=method), lexicon_scores[:, None]]
    )
    train, test = holdout_split(len(rows))
    held = train_binary(x[train], y[train])

    def accuracy(scores: np.ndarray) -> float:
        return float(np.mean(np.where(y[test], scores > 0, scores < 0)))

    classifier_accuracy = accuracy(2 * held.probability(x[test]) - 1)
    lexicon_accuracy = accuracy(lexicon_scores[test])
    pipeline_accuracy = accuracy(pipeline_scores[test])
    metrics = {
        "classifier_accuracy": round(classifier_accuracy, 3),
        "lexicon_accuracy": round(lexicon_accuracy, 3),
        "pipeline_accuracy": round(pipeline_accuracy, 3),
        "held_out": int(len(test)),
    }
    return _save_model(
        organisation,
        TrainedClassifier.Kind.SENTIMENT,
        method,
        len(rows),
        {"positive": vars(train_binary(x, y))},
        metrics,
        classifier_accuracy > max(lexicon_accuracy, pipeline_accuracy),
        now,
    )


def _save_model(
    organisation: Organisation,
    kind: str,
    method: str,
    n: int,
    model: Mapping[str, object],
    metrics: Mapping[str, object],
    in_use: bool,
    now: datetime,
) -> TrainedClassifier:
    row, _ = TrainedClassifier.objects.update_or_create(
        organisation=organisation,
        kind=kind,
        defaults=dict(
            features=method,
            n_examples=n,
            model=model,
            metrics=metrics,
            in_use=in_use,
            trained_at=now,
        ),
    )
    return row
