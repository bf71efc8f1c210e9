"""Writes of the routing app, split by subject: ``instructions`` (đề xuất, bút phê, chuyển lại), ``assignments``
(giao cá nhân, đã xem, tiến độ, trả lại, hoàn thành) and ``digest`` (daily e-mail). ``common`` holds the line
type, deadline arithmetic and the helpers they share.

The public functions are re-exported here: ``from vanphong.routing.services import routing_instruct``.
"""

from .assignments import (
    assignment_close,
    assignment_handover,
    assignment_mark_read,
    assignment_progress,
    assignment_return,
)
from .common import Line, deadline_from_days
from .digest import DigestResult, digest_send
from .instructions import assignment_redirect, routing_instruct, routing_propose

__all__ = [
    "DigestResult",
    "Line",
    "assignment_close",
    "assignment_handover",
    "assignment_mark_read",
    "assignment_progress",
    "assignment_redirect",
    "assignment_return",
    "deadline_from_days",
    "digest_send",
    "routing_instruct",
    "routing_propose",
]
