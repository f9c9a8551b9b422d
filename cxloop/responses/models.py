"""Survey responses and their answers, attributed to everything the interaction knows."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cxloop.customers.models import Customer
from cxloop.journeys.models import Channel, Interaction, Journey, JourneyType, Touchpoint
from cxloop.orgs.models import Employee, Organisation, Unit
from cxloop.surveys.models import Invitation, Question, Survey


class Response(models.Model):
    """A customer's answers to one invitation; it counts from the first tap, submit or close at expiry."""

    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="responses")
    # Attribution copied from the interaction at answer time, so dashboards need no joins back.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="responses"
    )
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    journey = models.ForeignKey(
        Journey, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    journey_type = models.ForeignKey(
        JourneyType, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    unit_path = models.CharField(max_length=500, blank=True, db_index=True)
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    touchpoint = models.ForeignKey(
        Touchpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    language = models.CharField(max_length=2, default="nl")
    nps = models.SmallIntegerField(null=True, blank=True, db_index=True)
    csat = models.SmallIntegerField(null=True, blank=True)
    ces = models.SmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # True while the dashboards' daily roll-up holds the response as it is now; every change of a
    # counting response sets it back to False, and counting it again sets it in one transaction.
    counted = models.BooleanField(default=False, db_index=True)
    # The roll-up row (DailyScore.key) the response was last counted in, to take it out again.
    counted_key = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    # When the response began to count (dashboards, roll-ups, rules): the score tapped in the
    # e-mail, the submit on the page, or the close at expiry. Null: a draft that counts nowhere.
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When the customer last gave or changed an answer (the moment a draft closed at expiry counts).
    last_answer_at = models.DateTimeField(null=True, blank=True)
    # The tap whose score stands; null when the score was given on the page (or there is none).
    tapped_at = models.DateTimeField(null=True, blank=True)
    # When the follow-up rules are to be applied (again); null when nothing is due.
    rules_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When the response last changed (an answer, a tap, a scanner's score taken out, the close at
    # expiry): the API's updated_since reads it for incremental loads into BI.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.survey} by {self.customer} (NPS {self.nps})"


class Answer(models.Model):
    """The answer to one question of a response: a number or a text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    values = models.JSONField(default=list, blank=True)  # multiple choice
    chosen_touchpoint = models.ForeignKey(
        Touchpoint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chosen_in_answers",
    )
    # Who the answer is about: the response's interaction, or the partner's at the question's touchpoint.
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    employee = models.ForeignKey(
        Employee, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.number if self.number is not None else self.text[:40]}"


class ScoreTap(models.Model):
    """One score link of an invitation opened by GET: the history that tells a person from a link scanner.

    Kept only while the invitation takes answers (docs/survey-links.md).
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="score_taps")
    score = models.SmallIntegerField()
    tapped_at = models.DateTimeField()

    class Meta:
        verbose_name = _("tapped score")
        verbose_name_plural = _("tapped scores")
        indexes = [models.Index(fields=["invitation", "tapped_at"])]

    def __str__(self) -> str:
        return f"{self.score} at {self.tapped_at:%Y-%m-%d %H:%M:%S}"
