"""Which agent hosts an evaluator may reach: an allowlist the operator names, enforced when each connection opens.

Entries: ``*`` (any host whose addresses are all public), a host name (``agent.example.com``), an IP address, or
a network (``10.0.0.0/8``); each may name a port (``127.0.0.1:9009``, ``[::1]:9009``, ``agent.example.com:443``).
A connection to HOST:PORT is allowed when HOST (and PORT) match an entry and every address HOST resolves to is
public or listed as an IP or network entry: private, loopback, link-local (the cloud metadata service at
169.254.169.254), shared, reserved and multicast addresses are refused unless listed as addresses.

The check runs where the connection is made (`AgentUrlGuard.transport`), on the addresses the name resolves to
right then, and the connection goes to the address that was checked: an agent card that points its URL at
another host, a redirect, or a name that re-resolves to an internal address between two requests cannot reach
a host the operator did not allow. Every refusal has the same text, whatever the reason (not listed, private,
not resolving), so the answers tell nothing about the network behind the evaluator.

>>> guard = AgentUrlGuard(["127.0.0.1:9009", "agents.example.com"])
>>> guard.matches("127.0.0.1", 9009), guard.matches("127.0.0.1", 22), guard.matches("169.254.169.254", 80)
(True, False, False)
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from crm_gym.errors import CrmGymError

log = logging.getLogger(__name__)
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_PORTS = {"http": 80, "https": 443}


class AgentUrlRefusedError(CrmGymError, PermissionError):
    """A connection the agent-host allowlist does not allow (the message never says which rule refused it)."""


@dataclass(frozen=True)
class _Entry:
    name: str | None  # a host name, lower case, or None for an address entry
    network: IpNetwork | None
    port: int | None  # None: any port
    public_only: bool = False  # the "*" entry

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.public_only:
            return True
        address = _address(host)
        if self.network is not None:
            return address is not None and address in self.network
        return address is None and host.rstrip(".").lower() == self.name


class AgentUrlGuard:
    """The allowlist of agent hosts: `check_url` before a run, `transport` for every connection during it."""

    def __init__(self, entries: Iterable[str]) -> None:
        """``entries``: see the module docstring.

        Raises:
            CrmGymError: an entry is none of the allowed forms (the message names it).
        """
        self.entries = tuple(entries)
        self._entries = [_parse_entry(entry) for entry in self.entries]

    def matches(self, host: str, port: int) -> bool:
        """Whether HOST:PORT matches an entry (by name or address; the addresses it resolves to are not checked)."""
        return any(entry.matches(host, port) for entry in self._entries)

    async def resolve(self, host: str, port: int) -> str:
        """The address to connect to for HOST:PORT: every address HOST resolves to must be allowed.

        Raises:
            AgentUrlRefusedError: HOST:PORT is not allowed.
        """
        if self.matches(host, port):
            addresses = await _resolve(host, port)
            if addresses and all(self._address_allowed(address, port) for address in addresses):
                return str(addresses[0])
            log.info("Agent host %s:%s refused: it resolves to %s", host, port, addresses or "nothing")
        else:
            log.info("Agent host %s:%s refused: no --allow-agent-host entry matches it", host, port)
        raise AgentUrlRefusedError(refusal(host, port))

    async def check_url(self, url: str) -> None:
        """Check the host of ``url`` (http or https only) as a connection to it would be checked.

        Raises:
            AgentUrlRefusedError: the URL is not allowed.
        """
        parts = urlsplit(url)
        try:
            port = parts.port or DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            port = None
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname or port is None or parts.username is not None:
            raise AgentUrlRefusedError(refusal(parts.hostname or url, port or 0))
        await self.resolve(parts.hostname, port)

    def transport(self) -> httpx.AsyncHTTPTransport:
        """An httpx transport whose every connection is checked and made to the address that was checked."""
        transport = httpx.AsyncHTTPTransport(trust_env=False)
        # httpx takes no network backend; its pool is rebuilt with one that connects through this guard
        transport._pool = httpcore.AsyncConnectionPool(  # noqa: SLF001
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=_GuardedBackend(self)
        )
        return transport

    def _address_allowed(self, address: IpAddress, port: int) -> bool:
        listed = any(e.network is not None and address in e.network and e.port in (None, port) for e in self._entries)
        return listed or (address.is_global and not address.is_multicast)


def refusal(host: str, port: int) -> str:
    """The one text of every refusal."""
    return (
        f"The evaluator may not reach the agent host {host}:{port}: it is not on the operator's list of agent "
        "hosts, or it does not resolve to an allowed address."
    )


def guarded_client(guard: AgentUrlGuard | None, timeout: float) -> httpx.AsyncClient:
    """An HTTP client for talking to agents: redirects are never followed, proxies from the environment are not
    used, and with a ``guard`` every connection must be allowed by it."""
    transport = guard.transport() if guard is not None else None
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False, transport=transport)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to addresses the guard resolved and allowed."""

    def __init__(self, guard: AgentUrlGuard) -> None:
        self._guard, self._inner = guard, httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await self._guard.resolve(host, port)
        return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(self, path: str, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise AgentUrlRefusedError(refusal(path, 0))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


_BRACKETED = re.compile(r"\[(?P<host>[^\]]+)\](?::(?P<port>\d{1,5}))?")  # [v6] or [v6]:port
_PLAIN = re.compile(r"(?P<host>[^:\[\]\s]+)(?::(?P<port>\d{1,5}))?")  # name, v4, v4/cidr, each with :port


def _parse_entry(entry: str) -> _Entry:
    text = entry.strip()
    form = _BRACKETED.fullmatch(text) or _PLAIN.fullmatch(text)
    host, port = (form["host"], int(form["port"]) if form["port"] else None) if form else (text, None)
    if host == "*" and form:
        return _Entry(name=None, network=None, port=port, public_only=True)
    try:
        return _Entry(name=None, network=ipaddress.ip_network(host, strict=False), port=port)
    except ValueError:
        pass
    label = host.rstrip(".").lower()
    if not form or not label or not all(p and p.replace("-", "").isalnum() for p in label.split(".")):
        raise CrmGymError(
            f"Agent host entry {entry!r} is not '*', a host name, an IP address or a network (CIDR), each with an "
            "optional :PORT (e.g. agent.example.com, 127.0.0.1:9009, [::1]:9009, 10.0.0.0/8)."
        )
    return _Entry(name=label, network=None, port=port)


def _address(host: str) -> IpAddress | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


async def _resolve(host: str, port: int) -> Sequence[IpAddress]:
    literal = _address(host)
    if literal is not None:
        return [literal]
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []
    addresses = [_address(str(info[4][0])) for info in found]
    return [a for a in addresses if a is not None]
