"""The questionnaires as plain text, for `riskscan questionnaires`: id, title, question count and file.

Built here rather than in `cli.py` so that the command stays thin and the text is testable without a
terminal; everything comes from the validated questionnaire files.
"""

from __future__ import annotations

from collections.abc import Sequence

from riskscan.underwriting.questionnaire_schema import LoadedQuestionnaire

__all__ = ["questionnaire_listing"]


def questionnaire_listing(questionnaires: Sequence[LoadedQuestionnaire]) -> str:
    """One line per questionnaire: id, title, how many questions (and how many need an attestation),
    version and source file; then how to pick them."""
    plural = "s" if len(questionnaires) != 1 else ""
    heading = f"{len(questionnaires)} questionnaire{plural} (answer with `riskscan scan --questionnaire ID|FILE.yaml`"
    lines = [heading + "; all by default):", ""]
    width = max((len(loaded.form.id) for loaded in questionnaires), default=0)
    for loaded in questionnaires:
        form = loaded.form
        questions = form.questions
        attested = sum(1 for _, question in questions if question.rule is None)
        lines.append(
            f"{form.id:<{width}}  {form.title} (version {form.version}): {len(questions)} questions, "
            f"{attested} need an attestation; {loaded.source}"
        )
    return "\n".join(lines) + "\n"
