"""Training labels: a department, or "department/topic" for a finer reason that counts for its department.

Apart from the router so that what stores and imports labelled history (`callflow.store.learning`, the models)
writes the same labels without importing scikit-learn.
"""

from __future__ import annotations

OUT_OF_SCOPE = "__out_of_scope__"  # the background class; never a department id
TOPIC = "/"  # "department/topic": a finer label that counts for its department


def label(department: str, topic: str | None = None) -> str:
    """The label a phrase is trained on."""
    return f"{department}{TOPIC}{topic}" if topic else department


def department_of(label: str) -> str:
    """The department a training label counts for ("cards/pin" -> "cards", "cards" -> "cards")."""
    return label.split(TOPIC, 1)[0]
