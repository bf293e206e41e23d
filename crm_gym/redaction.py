"""Keep secrets out of every output: API keys and bearer tokens are replaced by ``[redacted]`` in configs, error
texts and records before anything is stored, printed or reported.

Three nets, from the most to the least precise:

* by name: a config value whose key names a secret (``api_key``, ``token``, ``password``, ``authorization``, ...)
  is redacted whatever it holds, at any depth;
* by value: a known secret (a policy's own key, the provider keys in the environment) is cut out of any text;
* by shape: texts that look like a key (``sk-...``, ``Bearer ...``, credentials in a URL) are redacted in error
  texts and configs, where a provider may echo them.

>>> redact_config({"model": "gpt-4.1", "api_key": "sk-live-123", "headers": {"Authorization": "Bearer abc"}})
{'model': 'gpt-4.1', 'api_key': '[redacted]', 'headers': {'Authorization': '[redacted]'}}
>>> redact_text("401: Incorrect API key provided: sk-proj-abcdefgh1234.")
'401: Incorrect API key provided: [redacted].'
>>> redact_text("GET https://user:hunter22@host/v1?key=abc&x=1")
'GET https://[redacted]@host/v1?key=[redacted]&x=1'
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"
#: Environment variables whose values are provider keys: cut out of every stored text.
KEY_VARIABLES = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "CRM_GYM_SERVE_TOKEN")
#: A known secret shorter than this is not searched for in texts (it would match ordinary words).
MIN_SECRET_LENGTH = 8

# whole words of a snake_case name: "api_key", "x_api_key", "access_token" (but not "max_tokens")
_SECRET_NAME = re.compile(
    r"^key$|(?:^|_)(?:api_?key|token|secret|passw(?:or)?d|authorization|credentials?|cookie|bearer)(?:$|_)"
)
# (pattern, replacement): the secret is the whole match, or what follows the kept group 1
_SECRET_SHAPES = (
    (re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}"), REDACTED),  # OpenAI, Anthropic (sk-ant-...), look-alikes
    (re.compile(r"\b(?:AIza|ghp_|gho_|xox[abp]-)[A-Za-z0-9_\-]{10,}"), REDACTED),  # Google, GitHub, Slack keys
    (re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/\-=]{8,}", re.I), rf"\g<1>{REDACTED}"),
    (re.compile(r"(://)[^/@\s:]+:[^/@\s]+@"), rf"\g<1>{REDACTED}@"),  # user:password@ in a URL
    (
        re.compile(r"([?&](?:key|api_key|apikey|token|access_token|secret|password|sig)=)[^&#\s]+", re.I),
        rf"\g<1>{REDACTED}",
    ),
)


def is_secret_name(name: str) -> bool:
    """Whether a config key names a secret (``api_key``, ``x-api-key``, ``apiKey``, ``Authorization``, ``token``).

    >>> [is_secret_name(n) for n in ("api_key", "X-Api-Key", "apiKey", "max_tokens", "base_url")]
    [True, True, True, False, False]
    """
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().replace("-", "_")
    return bool(_SECRET_NAME.search(snake))


def known_secrets(options: dict[str, Any] | None = None) -> list[str]:
    """The secret values to cut out of texts: those of ``options`` under a secret name, and the provider keys set
    in the environment (at least `MIN_SECRET_LENGTH` characters each)."""
    found = [os.environ.get(name, "") for name in KEY_VARIABLES]
    found += [str(value) for name, value in _named_values(options or {}) if is_secret_name(name)]
    return sorted({s for s in found if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every known secret and every key-shaped string replaced by ``[redacted]``."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, REDACTED)
    for shape, replacement in _SECRET_SHAPES:
        text = shape.sub(replacement, text)
    return text


def redact_url(url: str) -> str:
    """``url`` without credentials (``user:password@``) or secret query parameters (``?key=...``).

    >>> redact_url("https://me:pw@llm.example.com/v1?api_key=abc123&x=1")
    'https://[redacted]@llm.example.com/v1?api_key=[redacted]&x=1'
    """
    return redact_text(url)


def redact_config(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like config with secret-named values redacted and secrets cut out of its texts."""
    secrets = list(secrets)
    if isinstance(value, dict):
        return {k: REDACTED if is_secret_name(str(k)) else redact_config(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_config(v, secrets) for v in value]
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value


def cut_secrets(value: Any, secrets: Iterable[str]) -> Any:
    """A copy of a JSON-like value with the known ``secrets`` (and nothing else) replaced in every text: safe on
    agent actions, whose other texts must stay as they were."""
    secrets = [s for s in secrets if len(s) >= MIN_SECRET_LENGTH]
    if not secrets:
        return value
    if isinstance(value, dict):
        return {cut_secrets(k, secrets): cut_secrets(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [cut_secrets(v, secrets) for v in value]
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, REDACTED)
    return value


def _named_values(value: Any, name: str = "") -> Iterable[tuple[str, Any]]:
    """Every (key, scalar value) pair of a nested config."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _named_values(item, str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _named_values(item, name)
    elif value is not None:
        yield name, value
