"""PLACEHOLDER — the jobs helper replaces this."""


def job_counts() -> dict[str, int]:
    return {"failed": 0, "pending": 0}
