"""The inventory stage: specs, gateway routes and traffic become one list of endpoints.

`build_inventory` is the entry point. The pieces are plain functions and small classes, one module
each: `templates` (segment-trie matching of concrete paths to templates), `gateway_patterns` (APISIX
uri patterns), `folding` (unmatched paths into templates), `lifecycle` (documented, shadow, zombie,
orphan), `posture` (effective auth, rate limiting, logging), with `build`, `traffic` and `assemble`
putting them together.
"""

from __future__ import annotations

from riskscan.inventory.assemble import build_inventory
from riskscan.inventory.folding import fold_path, fold_paths
from riskscan.inventory.templates import TemplateMatcher

__all__ = ["TemplateMatcher", "build_inventory", "fold_path", "fold_paths"]
