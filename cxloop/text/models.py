"""Topics of an organisation's taxonomy, analysed answers, their tags, corrections and trained classifiers."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.orgs.models import Organisation
from cxloop.responses.models import Answer, Response


class Topic(models.Model):
    """A topic of an organisation's editable taxonomy, with the keywords that tag it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField()
    name = models.CharField(max_length=100)
    keywords = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="topic_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class AnalysedText(models.Model):
    """One open answer (or a response's comment) analysed: language, masked text, sentiment."""

    class Sentiment(models.TextChoices):
        POSITIVE = "positive", _("positive")
        NEUTRAL = "neutral", _("neutral")
        NEGATIVE = "negative", _("negative")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="analysed_texts"
    )
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="analysed_texts")
    answer = models.OneToOneField(
        Answer, null=True, blank=True, on_delete=models.CASCADE, related_name="analysis"
    )
    language = models.CharField(max_length=3)
    masked_text = models.TextField()
    pii = models.JSONField(default=list, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, db_index=True)
    score = models.FloatField()
    mixed = models.BooleanField(default=False)
    clauses = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=40, default="lexicon")
    analysed_at = models.DateTimeField()
    # Copied from the response so that period filters need no join.
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The text's embedding (float32 bytes) and its method, stored once so that the topics page
    # does not run the embedding model on every request (emerging topics group these vectors).
    vector = models.BinaryField(null=True, blank=True, editable=False)
    vector_method = models.CharField(max_length=10, blank=True, editable=False)

    class Meta:
        verbose_name = _("analysed text")
        verbose_name_plural = _("analysed texts")
        constraints = [
            models.UniqueConstraint(
                fields=["response"],
                condition=models.Q(answer__isnull=True),
                name="one_comment_analysis_per_response",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sentiment}: {self.masked_text[:40]}"

    @property
    def shown_clauses(self) -> list[tuple[str, str]]:
        """Each clause's text with its sentiment in the reader's language ("positief")."""
        labels = dict(self.Sentiment.choices)
        return [
            (str(c.get("text", "")), str(labels.get(c.get("sentiment"), c.get("sentiment", ""))))
            for c in self.clauses
        ]


class TopicTag(models.Model):
    """A topic on an analysed answer: from keywords, a trained classifier, or a person."""

    class Source(models.TextChoices):
        KEYWORDS = "keywords", _("keywords")
        CLASSIFIER = "classifier", _("classifier")
        PERSON = "person", _("person")

    analysed_text = models.ForeignKey(AnalysedText, on_delete=models.CASCADE, related_name="tags")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="tags")
    source = models.CharField(max_length=10, choices=Source.choices)
    confidence = models.FloatField(default=1.0)
    # A person's "not this topic" is kept so that re-analysis does not bring the tag back.
    rejected = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("topic tag")
        verbose_name_plural = _("topic tags")
        constraints = [
            models.UniqueConstraint(fields=["analysed_text", "topic"], name="one_tag_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.source})"


class TagCorrection(models.Model):
    """History: who set the topics of an answer, from what to what."""

    analysed_text = models.ForeignKey(
        AnalysedText, on_delete=models.CASCADE, related_name="corrections"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    before = models.JSONField(default=list)
    after = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tag correction")
        verbose_name_plural = _("tag corrections")

    def __str__(self) -> str:
        return f"{self.before} → {self.after}"


class TrainedClassifier(models.Model):
    """A classifier trained on an organisation's own answers; used only when it beat the rules on held-out answers."""

    class Kind(models.TextChoices):
        TOPICS = "topics", _("topics")
        SENTIMENT = "sentiment", _("sentiment (NPS as weak label)")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="text_classifiers"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    features = models.CharField(max_length=10)  # e5 or hashed
    n_examples = models.PositiveIntegerField()
    model = models.JSONField(default=dict)  # {label: {"weights": [...], "bias": b}}
    metrics = models.JSONField(default=dict)
    in_use = models.BooleanField(default=False)
    trained_at = models.DateTimeField()

    class Meta:
        verbose_name = _("trained classifier")
        verbose_name_plural = _("trained classifiers")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind"], name="one_classifier_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.kind}"
