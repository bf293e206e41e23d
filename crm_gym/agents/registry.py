"""Policies by spec string (``baseline``, ``oracle``, ``guess``, ``random``, ``openai:MODEL``, ``anthropic:MODEL``,
``a2a:URL``): the runner builds one policy per episode through a `PolicyFactory`.

LLM, A2A and baseline policies are imported only when their spec is used, so ``import crm_gym`` stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm_gym.agents.base import Policy
from crm_gym.envs.crm_arena import CrmArenaEnv
from crm_gym.errors import CrmGymError

#: Builds the policy of one episode from the env it runs in and the episode's seed.
PolicyFactory = Callable[[CrmArenaEnv, int], Policy]

SPEC_FORMS = ("baseline", "oracle", "guess", "random", "openai:MODEL", "anthropic:MODEL", "a2a:URL")


def policy_factory(spec: str, **options: Any) -> PolicyFactory:
    """The factory of the policy ``spec`` names; ``options`` go to the policy's constructor.

    ``random`` is seeded with the episode seed unless ``options`` give ``seed``; LLM policies get ``options``
    as they are (model settings such as ``temperature``, ``seed``, ``max_tokens``, ``base_url``), except
    ``cache_dir`` and ``cache_mode`` ("read_write" or "replay"), which set up the request cache.

    Raises:
        CrmGymError: the spec is none of the allowed forms (listed in the message).
    """
    kind, _, target = spec.partition(":")
    if kind in _SIMPLE and not target:
        return _SIMPLE[kind](options)
    if kind in _REMOTE and target:
        return _REMOTE[kind](target, options)
    raise CrmGymError(f"Unknown policy spec {spec!r}; use one of: {', '.join(SPEC_FORMS)}.")


def _baseline(options: dict[str, Any]) -> PolicyFactory:
    from crm_gym.agents.baseline import BaselinePolicy

    return lambda env, seed: BaselinePolicy(**options)


def _oracle(options: dict[str, Any]) -> PolicyFactory:
    from crm_gym.agents.reference import OraclePolicy

    return lambda env, seed: OraclePolicy(env, **options)


def _guess(options: dict[str, Any]) -> PolicyFactory:
    from crm_gym.agents.reference import GuessingPolicy

    return lambda env, seed: GuessingPolicy(env, **options)


def _random(options: dict[str, Any]) -> PolicyFactory:
    from crm_gym.agents.reference import RandomPolicy

    return lambda env, seed: RandomPolicy(**{"seed": seed, **options})


def _openai(model: str, options: dict[str, Any]) -> PolicyFactory:
    from crm_gym.agents.llm import OpenAIPolicy

    return _llm(OpenAIPolicy, model, options)


def _anthropic(model: str, options: dict[str, Any]) -> PolicyFactory:
    from crm_gym.agents.llm import AnthropicPolicy

    return _llm(AnthropicPolicy, model, options)


def _llm(policy_class: Any, model: str, options: dict[str, Any]) -> PolicyFactory:
    """An LLM policy per episode. ``cache_dir`` (with ``cache_mode``: read_write or replay) caches its calls,
    scoped by the episode seed so that each trial of a task is cached, and replayed, on its own."""
    from crm_gym.agents.llm import LlmCache

    options = dict(options)
    cache_dir, cache_mode = options.pop("cache_dir", None), options.pop("cache_mode", "read_write")
    cache = LlmCache(cache_dir, cache_mode) if cache_dir is not None else None

    def build(env: CrmArenaEnv, seed: int) -> Policy:
        policy = policy_class(model, cache=cache, **options)
        policy.cache_scope = f"episode-seed={seed}"
        return policy

    return build


def _a2a(url: str, options: dict[str, Any]) -> PolicyFactory:
    from crm_gym.agents.a2a_policy import A2APolicy

    return lambda env, seed: A2APolicy(url, **options)


_SIMPLE: dict[str, Callable[[dict[str, Any]], PolicyFactory]] = {
    "baseline": _baseline,
    "oracle": _oracle,
    "guess": _guess,
    "random": _random,
}
_REMOTE: dict[str, Callable[[str, dict[str, Any]], PolicyFactory]] = {
    "openai": _openai,
    "anthropic": _anthropic,
    "a2a": _a2a,
}
