"""The agent-host allowlist: entries, the addresses names resolve to, and the check at connect time (real
connections to 127.0.0.1 only)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from a2a_echo_agent import free_port, serving
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from crm_gym.agents.url_guard import AgentUrlGuard, AgentUrlRefusedError, guarded_client
from crm_gym.errors import CrmGymError


def allowed(entries: list[str], url: str) -> bool:
    async def check() -> bool:
        try:
            await AgentUrlGuard(entries).check_url(url)
        except AgentUrlRefusedError:
            return False
        return True

    return asyncio.run(check())


@pytest.mark.parametrize(
    ("entries", "url", "expected"),
    [
        (["127.0.0.1"], "http://127.0.0.1:9009/", True),
        (["127.0.0.1:9009"], "http://127.0.0.1:9009/", True),
        (["127.0.0.1:9009"], "http://127.0.0.1:22/", False),  # another port of a listed host
        (["127.0.0.0/8"], "http://127.0.0.5/", True),
        (["[::1]:9009"], "http://[::1]:9009/", True),
        (["*"], "http://127.0.0.1/", False),  # "*" is public hosts only
        (["*"], "http://169.254.169.254/latest/meta-data/", False),  # cloud metadata: link-local
        (["*"], "http://10.1.2.3/", False),
        (["*"], "http://[::ffff:127.0.0.1]/", False),  # loopback written as IPv4-mapped IPv6
        (["*"], "http://0.0.0.0:9009/", False),
        (["*"], "http://93.184.215.14/", True),  # a public address, never connected to here
        (["localhost"], "http://localhost:9009/", False),  # the name is listed, its loopback address is not
        (["localhost", "127.0.0.1"], "http://localhost:9009/", True),
        (["127.0.0.1"], "http://localhost:9009/", False),  # the address is listed, the name is not
        (["127.0.0.1"], "ftp://127.0.0.1/", False),
        (["127.0.0.1"], "http://user:pw@127.0.0.1/", False),
        (["no-such-host.invalid"], "http://no-such-host.invalid/", False),  # does not resolve
        ([], "http://127.0.0.1/", False),
    ],
)
def test_which_urls_are_allowed(entries: list[str], url: str, expected: bool) -> None:
    assert allowed(entries, url) is expected


def test_every_refusal_has_the_same_text_but_the_host() -> None:
    texts = []
    for url in ("http://10.0.0.1:80/", "http://no-such-host.invalid:80/", "http://localhost:80/"):
        with pytest.raises(AgentUrlRefusedError) as refused:
            asyncio.run(AgentUrlGuard(["localhost"]).check_url(url))
        texts.append(str(refused.value).replace(url.split("//")[1].rstrip("/"), "HOST"))
    assert len(set(texts)) == 1, texts


@pytest.mark.parametrize("entry", ["", "http://x", "a b", "host:port:1", "[::1"])
def test_an_entry_of_no_allowed_form_is_refused_by_name(entry: str) -> None:
    with pytest.raises(CrmGymError, match="is not '\\*', a host name, an IP address or a network"):
        AgentUrlGuard([entry])


def test_the_check_runs_on_every_connection_and_redirects_are_not_followed() -> None:
    port, other = free_port(), free_port()

    async def hello(request: object) -> PlainTextResponse:
        return PlainTextResponse("hello")

    async def elsewhere(request: object) -> PlainTextResponse:
        return PlainTextResponse("", status_code=302, headers={"location": f"http://127.0.0.1:{other}/"})

    app = Starlette(routes=[Route("/", hello), Route("/go", elsewhere)])

    async def fetch(entries: list[str], url: str) -> httpx.Response:
        async with guarded_client(AgentUrlGuard(entries), timeout=5) as http:
            return await http.get(url)

    with serving(app, port), serving(app, other):
        # the client connects through the guard: a listed name whose address is not listed never connects
        with pytest.raises(AgentUrlRefusedError):
            asyncio.run(fetch(["localhost"], f"http://localhost:{port}/"))
        assert asyncio.run(fetch(["localhost", "127.0.0.1"], f"http://localhost:{port}/")).text == "hello"
        with pytest.raises(AgentUrlRefusedError):  # a listed host, another port
            asyncio.run(fetch([f"127.0.0.1:{port}"], f"http://127.0.0.1:{other}/"))
        redirect = asyncio.run(fetch([f"127.0.0.1:{port}"], f"http://127.0.0.1:{port}/go"))
        assert redirect.status_code == 302  # handed back, never followed
