from django.contrib import admin

from cxloop.text.models import AnalysedText, TagCorrection, Topic, TrainedClassifier


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_active"]
    list_filter = ["organisation"]


@admin.register(AnalysedText)
class AnalysedTextAdmin(admin.ModelAdmin):
    list_display = ["masked_text", "sentiment", "score", "language", "organisation"]
    list_filter = ["sentiment", "organisation"]
    # The masked text only: the raw answer stays on the response.
    readonly_fields = ["response", "answer", "masked_text", "clauses"]


@admin.register(TagCorrection)
class TagCorrectionAdmin(admin.ModelAdmin):
    raw_id_fields = ["analysed_text", "user"]


admin.site.register(TrainedClassifier)
