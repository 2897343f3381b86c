"""Hosts simulated on this machine for benchmarks/faults.py's `hosts` run: a network namespace
per host, each joined by a veth pair to a bridge in the host namespace on a private subnet
(10.77.0.0/24 by default). The host namespace is the "database host": its bridge address
(10.77.0.1) is the only address the simulated hosts reach, and a small TCP forwarder run here
(`python benchmarks/netns_hosts.py forward LISTEN=TARGET ...`) relays that address's ports to
servers that listen on 127.0.0.1 only (the machine's PostgreSQL).

Nothing leaves the machine: every address is on the bridge, inside namespaces this run
creates and deletes. Needs root and iproute2's `ip`.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass

PREFIX = "okrf"  # namespaces okrf-web1..., links okrf-web1 and okrf-br0 (15 characters at most)


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and done.returncode:
        raise RuntimeError(f"ip {' '.join(args)}: {done.stderr.strip()}")
    return done


@dataclass(frozen=True)
class Host:
    name: str
    address: str

    @property
    def namespace(self) -> str:
        return f"{PREFIX}-{self.name}"

    @property
    def link(self) -> str:
        """The host namespace's end of the veth pair (the namespace's end is eth0)."""
        return f"{PREFIX}-{self.name}"

    def command(self, *argv: str) -> list[str]:
        """`argv` run inside this host's namespace (ip netns exec execs it: same pid)."""
        return ["ip", "netns", "exec", self.namespace, *argv]


class Network:
    """A bridge with the gateway address and one namespace per host name."""

    def __init__(self, subnet: str, names: list[str]):
        self.subnet = subnet  # the first three octets: "10.77.0"
        self.bridge = f"{PREFIX}-br0"
        self.gateway = f"{subnet}.1"
        self.hosts = {
            name: Host(name, f"{subnet}.{10 + number}") for number, name in enumerate(names, 1)
        }
        self.created = False

    def preflight(self):
        """Refuse to touch what another run (or a leftover) owns."""
        if os.geteuid() != 0:
            raise SystemExit("the hosts run needs root (network namespaces)")
        existing = set(ip("netns", "list").stdout.split())
        taken = [host.namespace for host in self.hosts.values() if host.namespace in existing]
        if ip("link", "show", self.bridge, check=False).returncode == 0:
            taken.append(self.bridge)
        if taken:
            raise SystemExit(
                f"{', '.join(taken)} exist: another run, or a leftover "
                f"(ip netns del {PREFIX}-web1 ...; ip link del {self.bridge})"
            )
        if f" {self.gateway}/" in ip("-o", "-4", "addr", "show").stdout:
            raise SystemExit(f"{self.gateway} is in use on this machine: pass another --subnet")

    def create(self):
        self.created = True
        ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for host in self.hosts.values():
            self._add(host)

    def _add(self, host: Host):
        ns = ["-n", host.namespace]
        ip("netns", "add", host.namespace)
        ip(
            "link",
            "add",
            host.link,
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            host.namespace,
        )
        ip("link", "set", host.link, "master", self.bridge, "up")
        ip(*ns, "link", "set", "lo", "up")
        ip(*ns, "addr", "add", f"{host.address}/24", "dev", "eth0")
        ip(*ns, "link", "set", "eth0", "up")
        ip(*ns, "route", "add", "default", "via", self.gateway)

    def pids(self, host: Host) -> list[int]:
        done = ip("netns", "pids", host.namespace, check=False)
        return [int(pid) for pid in done.stdout.split()]

    def kill(self, host: Host) -> list[int]:
        """SIGKILL every process of the host, as a machine that loses power."""
        pids = self.pids(host)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return pids

    def unplug(self, host: Host):
        """The host's link deleted (both ends of the pair): a partition, processes running."""
        ip("link", "del", host.link)

    def destroy(self):
        """Every process of every host killed, the namespaces and the bridge deleted."""
        if not self.created:
            return
        for host in self.hosts.values():
            self.kill(host)
            # A namespace goes once its last process is gone; deleting it takes its veth.
            ip("netns", "del", host.namespace, check=False)
            ip("link", "del", host.link, check=False)
        ip("link", "del", self.bridge, check=False)
        self.created = False


# --- the forwarder ---------------------------------------------------------------------------


def forwarder_command(pairs: dict[str, str]) -> list[str]:
    """The command that relays each "address:port" key to its "address:port" value."""
    return [sys.executable, os.path.abspath(__file__), "forward"] + [
        f"{listen}={target}" for listen, target in pairs.items()
    ]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def _split(address: str) -> tuple[str, int]:
    host, port = address.rsplit(":", 1)
    return host, int(port)


async def _serve(pairs: list[tuple[str, str]]):
    servers = []
    for listen, target in pairs:
        target_host, target_port = _split(target)

        async def relay(reader, writer, host=target_host, port=target_port):
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(host, port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

        servers.append(await asyncio.start_server(relay, *_split(listen)))
    print("forwarding", flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__" and sys.argv[1:2] == ["forward"]:
    asyncio.run(_serve([tuple(pair.split("=", 1)) for pair in sys.argv[2:]]))
