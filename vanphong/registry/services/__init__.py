"""Writes of the registry. Split by subject: ``incoming`` (registration, handling columns), ``outgoing``
(drafts, review, numbering, issue, recall, reservations)."""
