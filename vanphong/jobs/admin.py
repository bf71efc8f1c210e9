from django.contrib import admin

from .models import JobProgress


@admin.register(JobProgress)
class JobProgressAdmin(admin.ModelAdmin):
    list_display = ["task_result_id", "label", "done", "total", "message", "updated_at"]
    search_fields = ["task_result_id", "label"]
