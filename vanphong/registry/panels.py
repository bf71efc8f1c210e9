"""Extension point of the incoming-document page: apps above the registry (routing) add panels here.

A panel is ``fn(request, document) -> str`` (HTML, already rendered) or ``None`` to show nothing. Registering
from the higher app's ``AppConfig.ready`` keeps the dependency pointing downwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Panel = Callable[[Any, Any], str | None]

INCOMING_PANELS: list[Panel] = []


def register_incoming_panel(panel: Panel) -> None:
    if panel not in INCOMING_PANELS:
        INCOMING_PANELS.append(panel)


def render_incoming_panels(request: Any, document: Any) -> list[str]:
    return [html for panel in INCOMING_PANELS if (html := panel(request, document))]
