"""docs/coverage-and-premium.md stays true: its example factor file loads, and it names every rule and
trigger kind that ships."""

from __future__ import annotations

import re
from pathlib import Path

from riskscan.underwriting.coverage_rules import TriggerKind, default_coverage_rules
from riskscan.underwriting.rating_factors import load_rating_factors

from .conftest import REPO_ROOT

DOC = (REPO_ROOT / "docs" / "coverage-and-premium.md").read_text(encoding="utf-8")


def test_the_documented_factor_file_is_a_valid_one(tmp_path: Path) -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.DOTALL)
    example = next(block for block in blocks if block.startswith("label:"))
    path = tmp_path / "my-factors.yaml"
    path.write_text(example, encoding="utf-8")
    factors = load_rating_factors(path)
    assert factors.origin == "my-factors.yaml" and factors.combination.cap == 30


def test_every_rule_and_trigger_kind_is_documented() -> None:
    for rule in default_coverage_rules().rules:
        assert f"`{rule.id}`" in DOC, rule.id
    for kind in TriggerKind:
        assert f"`{kind.value}`" in DOC, kind.value


def test_the_documented_default_factors_are_the_shipped_ones() -> None:
    for factor in load_rating_factors().factors:
        effect = (f"{factor.effect.low:g}-{factor.effect.high:g}%" if factor.effect.low != factor.effect.high
                  else f"{factor.effect.low:g}%")
        assert re.search(rf"\| `{factor.id}` \|[^\n]*\| {re.escape(effect)} \|", DOC), factor.id
