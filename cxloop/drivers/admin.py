from django.contrib import admin

from cxloop.drivers.models import EmployeeSurveyImport, EmployeeSurveyResult


@admin.register(EmployeeSurveyResult)
class EmployeeSurveyResultAdmin(admin.ModelAdmin):
    list_display = ["unit", "period_start", "period_end", "promoters", "passives", "detractors"]
    list_filter = ["organisation"]
    raw_id_fields = ["unit"]


@admin.register(EmployeeSurveyImport)
class EmployeeSurveyImportAdmin(admin.ModelAdmin):
    raw_id_fields = ["user"]
