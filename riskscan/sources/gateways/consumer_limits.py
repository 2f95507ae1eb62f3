"""Rate limits set on consumers, as they count for a route: the rule every gateway reader shares.

A route without a limit of its own is still throttled when every consumer its authentication admits
carries one (set on the consumer or on its group). What counts for the route is then the loosest such
limit per plugin, keyed by consumer: a caller is held to its own consumer's limit, and the loosest is
the most any admitted caller may send.
"""

from __future__ import annotations

from collections.abc import Sequence

from riskscan.model import RateLimitPolicy

__all__ = ["loosest_consumer_limits"]


def loosest_consumer_limits(
    limits_per_consumer: Sequence[Sequence[RateLimitPolicy]],
) -> tuple[RateLimitPolicy, ...]:
    """The loosest limit per plugin across the admitted consumers' limits, keyed by consumer; empty when
    no consumer is admitted or some admitted consumer carries none (partial evidence is not a limit)."""
    if not limits_per_consumer or any(not limits for limits in limits_per_consumer):
        return ()
    loosest: dict[str, RateLimitPolicy] = {}
    for policy in (policy for limits in limits_per_consumer for policy in limits):
        known = loosest.get(policy.plugin)
        if known is None or _rate(policy) > _rate(known):
            loosest[policy.plugin] = policy
    key = f"consumer (set on each of {len(limits_per_consumer)} consumers)"
    return tuple(policy.model_copy(update={"key": key}) for _, policy in sorted(loosest.items()))


def _rate(policy: RateLimitPolicy) -> float:
    """Requests per second a policy allows (unknown values count as unlimited: the loosest)."""
    if policy.limit is None:
        return float("inf")
    return policy.limit / policy.window_seconds if policy.window_seconds else policy.limit
