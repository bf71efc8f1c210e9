from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "vanphong.jobs"
    label = "jobs"
    verbose_name = "Tác vụ nền"

    def ready(self) -> None:
        from vanphong.core.actions import register_action_labels

        register_action_labels({"jobs.job.enqueue": "Chạy tác vụ nền"})
