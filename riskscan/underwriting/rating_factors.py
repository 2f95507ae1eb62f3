"""The rating factors file: indicative premium effects per remediation, with their sources.

The packaged `rating_factors.yaml` holds the defaults (industry claims cited from DOMAIN.md); a broker's
or insurer's own file replaces it whole (`--rating-factors FILE`). Both are validated here: unknown
fields, unknown controls or industries, a source no entry defines, an effect outside 0-100 or above the
combination cap each stop the scan with one line naming the file, the line and the problem (exit 2).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import Field, PrivateAttr, model_validator

from riskscan.controls.catalogue import default_catalogue
from riskscan.errors import UsageError
from riskscan.model import Model
from riskscan.sources.structured import StructuredDocument
from riskscan.underwriting.data_files import data_file_error, parse_data_file, read_data_file

__all__ = [
    "DEFAULT_FACTOR_FILE",
    "INDUSTRIES",
    "Effect",
    "RatingFactor",
    "RatingFactors",
    "check_industry",
    "default_rating_factors",
    "load_rating_factors",
]

DEFAULT_FACTOR_FILE = "rating_factors.yaml"
INDUSTRIES = ("fintech", "health", "saas", "insurance", "retail", "public", "other")
"""The industries `--industry` offers (the exposure stage's `Industry` values)."""

_Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
_Text = Annotated[str, Field(min_length=1, max_length=1000)]
_Percent = Annotated[float, Field(ge=0, lt=100)]


class Effect(Model):
    """A premium effect in percent, low to high."""

    low: _Percent
    high: _Percent

    @model_validator(mode="after")
    def _ordered(self) -> Effect:
        if self.low > self.high:
            raise ValueError("'low' must not exceed 'high'")
        return self


class Source(Model):
    """Where a figure comes from."""

    id: _Id
    citation: _Text


class RatingFactor(Model):
    """One remediation: the controls it fixes, its indicative premium effect and its effort."""

    id: _Id
    title: _Text
    remediation: _Text
    controls: tuple[str, ...] = Field(min_length=1)
    effect: Effect
    source: _Id
    effort: Annotated[float, Field(gt=0, le=1000)]
    evidence_credit: bool = False  # evidence that an unobservable control is in place earns the credit


class Combination(Model):
    """How roadmap lines combine: multiplicatively, under `cap` percent."""

    cap: Annotated[float, Field(gt=0, lt=100)]
    source: _Id


class IndustrySurcharge(Model):
    """A premium increase for the industries named."""

    industries: tuple[str, ...] = Field(min_length=1)
    title: _Text
    effect: Effect
    source: _Id


class Endorsements(Model):
    """What the endorsements the coverage gaps ask for are said to add to premium."""

    title: _Text
    effect: Effect
    source: _Id


class RatingFactors(Model):
    """A whole rating factors file."""

    label: _Text
    effort_units: _Text
    combination: Combination
    sources: tuple[Source, ...] = Field(min_length=1)
    factors: tuple[RatingFactor, ...] = Field(min_length=1)
    industry_surcharges: tuple[IndustrySurcharge, ...] = ()
    endorsements: Endorsements | None = None
    _origin: str = PrivateAttr(default="riskscan defaults")  # the file the report names: set by the loader

    @property
    def origin(self) -> str:
        """Where the factors came from: "riskscan defaults" or the broker's file name."""
        return self._origin

    def source(self, source_id: str) -> Source:
        """The source `source_id` (validated to exist)."""
        return next(source for source in self.sources if source.id == source_id)

    def surcharge_for(self, industry: str) -> IndustrySurcharge | None:
        """The surcharge that names `industry`, if any."""
        return next((s for s in self.industry_surcharges if industry in s.industries), None)


def load_rating_factors(path: Path | None = None) -> RatingFactors:
    """The factors in `path` (a broker's file), or the packaged defaults; `UsageError` on any problem."""
    if path is None:
        text = resources.files(__package__).joinpath(DEFAULT_FACTOR_FILE).read_text(encoding="utf-8")
        factors, document = parse_data_file(text, Path(DEFAULT_FACTOR_FILE), RatingFactors, "rating factors")
    else:
        factors, document = read_data_file(path, RatingFactors, "rating factors")
        factors._origin = path.name
    _check_references(factors, document)
    return factors


@lru_cache(maxsize=1)
def default_rating_factors() -> RatingFactors:
    """The packaged defaults, read once per process."""
    return load_rating_factors()


def _check_references(factors: RatingFactors, document: StructuredDocument) -> None:
    """What pydantic cannot see alone: ids that must exist, repeat nowhere, and fit under the cap."""
    _unique(document, "sources", [s.id for s in factors.sources])
    _unique(document, "factors", [f.id for f in factors.factors])
    known_sources = {s.id for s in factors.sources}
    controls = {c.id for c in default_catalogue().controls}
    if factors.combination.source not in known_sources:
        raise data_file_error(document, ("combination", "source"), "no entry of 'sources' has this id")
    for index, factor in enumerate(factors.factors):
        where = ("factors", index)
        if factor.source not in known_sources:
            raise data_file_error(document, (*where, "source"), "no entry of 'sources' has this id")
        unknown = sorted(set(factor.controls) - controls)
        if unknown:
            raise data_file_error(document, (*where, "controls"),
                                  "names a control riskscan does not have (riskscan controls lists them)")
        if factor.effect.high > factors.combination.cap:
            raise data_file_error(document, (*where, "effect", "high"), "exceeds the combination cap: "
                                  "a single fix cannot be worth more than all of them")
    _check_surcharges(factors, document, known_sources)


def _check_surcharges(factors: RatingFactors, document: StructuredDocument, known_sources: set[str]) -> None:
    seen: set[str] = set()
    for index, surcharge in enumerate(factors.industry_surcharges):
        where = ("industry_surcharges", index)
        if surcharge.source not in known_sources:
            raise data_file_error(document, (*where, "source"), "no entry of 'sources' has this id")
        for industry in surcharge.industries:
            if industry not in INDUSTRIES:
                raise data_file_error(document, (*where, "industries"),
                                      f"unknown industry (one of {', '.join(INDUSTRIES)})")
            if industry in seen:
                raise data_file_error(document, (*where, "industries"), "an industry is listed twice")
            seen.add(industry)
    if factors.endorsements is not None and factors.endorsements.source not in known_sources:
        raise data_file_error(document, ("endorsements", "source"), "no entry of 'sources' has this id")


def _unique(document: StructuredDocument, section: str, ids: list[str]) -> None:
    for index, item in enumerate(ids):
        if item in ids[:index]:
            raise data_file_error(document, (section, index, "id"),
                                  f"id repeats an earlier entry of '{section}'")


def check_industry(industry: str | None) -> None:
    """`UsageError` unless `industry` is None or one of `INDUSTRIES`."""
    if industry is not None and industry not in INDUSTRIES:
        raise UsageError(f"unknown industry (one of {', '.join(INDUSTRIES)})")
