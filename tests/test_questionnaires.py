"""The insurer questionnaires shipped in `questionnaires/` validate against the schema and point at real
controls, finding codes and metrics (the schema checks each; a typo fails here, not at a user's scan)."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskscan.resources import questionnaires_dir
from riskscan.underwriting.questionnaire_schema import load_questionnaire

QUESTIONNAIRES = sorted(questionnaires_dir().glob("*.yaml"))


def test_at_least_three_questionnaires_ship() -> None:
    assert len(QUESTIONNAIRES) >= 3


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda path: path.name)
def test_every_shipped_questionnaire_validates(path: Path) -> None:
    loaded = load_questionnaire(path)
    assert loaded.form.id == path.stem
    assert all(question.text.strip() for _, question in loaded.form.questions)
