"""Readiness by the Kafka wire protocol itself, with the stdlib: ApiVersions to learn which
Metadata version the broker accepts, then Metadata to see the broker listed as alive.

An open port is not enough: the KRaft broker accepts connections before it has caught up with
the metadata log, and a broker still fenced is left out of Metadata responses."""

import socket
import struct

_API_METADATA = 3
_API_VERSIONS = 18
# Versions 9+ of Metadata use the flexible (tagged-field) encoding; 1..8 share a simple layout
# that is enough to count brokers. Kafka 4 dropped the oldest versions, so ask which remain.
_METADATA_SIMPLE = range(1, 9)
_CLIENT_ID = b"omniroute-localkafka"


class ProbeError(Exception):
    """The broker answered, but not with something that shows it is ready."""


def alive_brokers(host: str, port: int, timeout: float) -> list[int]:
    """Node ids of the brokers the broker at host:port reports as alive."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        versions = _api_versions(sock)
        low, high = versions.get(_API_METADATA, (0, -1))
        usable = [v for v in _METADATA_SIMPLE if low <= v <= high]
        if not usable:
            raise ProbeError(f"no simple Metadata version in broker's range {low}..{high}")
        return _metadata_brokers(sock, usable[0])


def is_ready(host: str, port: int, timeout: float = 2.0) -> bool:
    try:
        return len(alive_brokers(host, port, timeout)) > 0
    except (OSError, ProbeError, struct.error):
        return False


def _api_versions(sock: socket.socket) -> dict[int, tuple[int, int]]:
    # v0 stays supported forever: it is how a client discovers what else is.
    body = _roundtrip(sock, _API_VERSIONS, 0, 1, b"")
    error, count = struct.unpack_from(">hi", body)
    if error != 0:
        raise ProbeError(f"ApiVersions error {error}")
    out: dict[int, tuple[int, int]] = {}
    for i in range(count):
        key, low, high = struct.unpack_from(">hhh", body, 6 + 6 * i)
        out[key] = (low, high)
    return out


def _metadata_brokers(sock: socket.socket, version: int) -> list[int]:
    request = struct.pack(">i", 0)  # empty topic list: brokers only (null would mean all topics)
    if version >= 4:
        request += b"\x00"  # allow_auto_topic_creation
    if version >= 8:
        request += b"\x00\x00"  # include cluster / topic authorized operations
    body = _roundtrip(sock, _API_METADATA, version, 2, request)
    offset = 4 if version >= 3 else 0  # throttle_time_ms
    (count,) = struct.unpack_from(">i", body, offset)
    offset += 4
    nodes = []
    for _ in range(count):
        node_id, host_len = struct.unpack_from(">ih", body, offset)
        offset += 6 + host_len + 4  # host, port
        (rack_len,) = struct.unpack_from(">h", body, offset)
        offset += 2 + max(rack_len, 0)
        nodes.append(node_id)
    return nodes


def _roundtrip(sock: socket.socket, api_key: int, version: int, corr: int, body: bytes) -> bytes:
    header = struct.pack(">hhih", api_key, version, corr, len(_CLIENT_ID)) + _CLIENT_ID
    payload = header + body
    sock.sendall(struct.pack(">i", len(payload)) + payload)
    (size,) = struct.unpack(">i", _recv_exact(sock, 4))
    response = _recv_exact(sock, size)
    (got,) = struct.unpack_from(">i", response)
    if got != corr:
        raise ProbeError(f"correlation id {got}, expected {corr}")
    return response[4:]


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 65536))
        if not chunk:
            raise ProbeError("connection closed by broker")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
