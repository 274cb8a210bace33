"""What an answer is made of before the reply is put together: its intent, text, answers and the runs
behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.qa.answers import Answer
from kg.qa.named import Run
from kg.qa.plans import Plan


@dataclass
class Composed:
    """What a frame's answer is made of, before the reply is put together."""

    intent: str
    text: str
    answers: list[Answer]
    runs: list[Run] = field(default_factory=list)
    plan: Plan | None = None
    also: dict[str, Any] | None = None  # a second part answered after the first ("risks and benefits")
    general: bool = True  # may stand as the general part of a question with an uncovered topic
    unasked: list[str] = field(default_factory=list)  # comparatives the graph cannot answer
