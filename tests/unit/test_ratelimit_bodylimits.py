"""Request body limits everywhere: every POST route of the intake process (ingest API, events,
every mounted webhook connector) refuses a body over the limit and never accepts it."""

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from intake.http.app import build_app
from intake.http.auth import TokenEntry, hash_token
from intake.http.settings import IntakeSettings
from omniroute.mount import mount_connectors
from tests.unit.fake_kafka import FakePublisher, fake_kafka_context

TOKEN = "omr_body-limit-token-0000000000000000000"
LIMIT = 4096


def _post_paths(app: web.Application) -> list[str]:
    paths = set()
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter")
        if route.method == "POST" and path:
            paths.add(str(path).replace("{", "x").replace("}", "x"))
    return sorted(paths)


async def test_every_post_route_refuses_an_oversize_body() -> None:
    publisher = FakePublisher()
    settings = IntakeSettings(
        max_body_bytes=LIMIT, tokens=(TokenEntry(name="s", sha256=hash_token(TOKEN)),)
    )
    app = build_app(settings, fake_kafka_context(publisher))
    mount_connectors(app, ["all"])
    paths = _post_paths(app)
    assert "/v1/messages" in paths and len(paths) > 3, paths
    body = b'{"x": "' + b"a" * (LIMIT * 4) + b'"}'
    statuses: dict[str, set[int]] = {}
    async with TestClient(TestServer(app)) as client:
        for path in paths:
            for ctype in ("application/json", "application/octet-stream"):
                headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": ctype}
                resp = await client.post(path, data=body, headers=headers)
                statuses.setdefault(path, set()).add(resp.status)
    for path, seen in statuses.items():
        # 413 when the route reads the body; a route that checks its credentials, signature or
        # media type first refuses earlier. Never accepted, never a 5xx.
        assert seen <= {401, 403, 413, 415}, (path, seen)
    assert statuses["/v1/messages"] == {413, 415}
    assert 413 in statuses["/v1/events"]
    assert publisher.messages == []
