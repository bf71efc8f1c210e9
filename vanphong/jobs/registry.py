"""The jobs a person may start from the job page or the API: a whitelist, each with its Vietnamese label.

Tasks are named by dotted path (resolved only when enqueued) so that this module imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobSpec:
    name: str
    label: str
    task_path: str
    description: str = ""


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in [
        JobSpec(
            "audit_verify",
            "Kiểm tra toàn vẹn nhật ký",
            "vanphong.jobs.tasks.audit_verify_task",
            "Tính lại chuỗi mã băm của nhật ký hệ thống và báo bản ghi sai lệch đầu tiên.",
        ),
        JobSpec(
            "storage_verify",
            "Kiểm tra toàn vẹn tệp lưu trữ",
            "vanphong.jobs.tasks.storage_verify_task",
            "Tính lại mã SHA-256 của mọi tệp lưu trữ; báo tệp thiếu, tệp sai lệch và tệp mồ côi.",
        ),
    ]
}

LABEL_BY_TASK_PATH: dict[str, str] = {spec.task_path: spec.label for spec in JOBS.values()}


def label_for_task_path(task_path: str) -> str:
    """Vietnamese label of a known task; otherwise the function name, so unknown tasks stay identifiable."""
    return LABEL_BY_TASK_PATH.get(task_path) or task_path.rsplit(".", 1)[-1]
