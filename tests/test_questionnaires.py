"""The insurer questionnaires shipped in `questionnaires/` are well formed and point at real controls."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from riskscan.controls.catalogue import default_catalogue
from riskscan.resources import questionnaires_dir

QUESTIONNAIRES = sorted(questionnaires_dir().glob("*.yaml"))


def test_at_least_one_questionnaire_ships() -> None:
    assert QUESTIONNAIRES


@pytest.mark.parametrize("path", QUESTIONNAIRES, ids=lambda path: path.name)
def test_every_question_is_answered_by_catalogue_controls(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert {"id", "title", "version", "questions"} <= set(data)
    control_ids = {control.id for control in default_catalogue().controls}
    question_ids = [question["id"] for question in data["questions"]]
    assert len(question_ids) == len(set(question_ids)), "question ids repeat"
    for question in data["questions"]:
        assert question["text"].strip() and question["yes_requires"].strip()
        cited = question["answered_by"]["controls"]
        assert cited and set(cited) <= control_ids, f"{question['id']} cites unknown controls {cited}"
