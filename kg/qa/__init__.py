"""Question answering: plain questions read against the graph's words, answered by the named queries."""

from kg.qa.answering import NOTE, QuestionAnswerer, answer_question, answerer_for

__all__ = ["NOTE", "QuestionAnswerer", "answer_question", "answerer_for"]
