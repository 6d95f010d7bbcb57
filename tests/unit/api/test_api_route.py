"""`ApiRoute` answers a plain `def` route in one trip to the thread pool: what it sends must be what
FastAPI alone would send (status, headers, body bytes, errors, OpenAPI), only sooner."""

from __future__ import annotations

import anyio.to_thread
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import Field

from maadan.api.schemas import ApiRoute, Out


class ThingOut(Out):
    name: str
    size_km2: float | None = Field(default=None, alias="sizeKm2")
    note: str | None = None


async def stamped(response: Response) -> None:
    """A dependency that sets a header on the injected response, as the per-client limits do (a
    coroutine, as the app's are, so that it takes no trip of its own)."""
    response.headers["X-Stamp"] = "dep"


def app_with(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(route_class=route_class)

    @router.get("/thing", dependencies=[Depends(stamped)], summary="One thing")
    def thing(size: float | None = None) -> ThingOut:
        """A thing, its size only when asked."""
        return {"name": "Ä-1", "sizeKm2": size} if size is not None else {"name": "Ä-1"}  # type: ignore[return-value]

    @router.post("/things", status_code=201)
    def make(response: Response) -> ThingOut:
        response.headers["Location"] = "/thing"
        return {"name": "new", "extra": [1, 2]}  # type: ignore[return-value]

    @router.post("/things/accepted", status_code=201)
    def accepted(response: Response) -> ThingOut:
        response.status_code = 202
        return {"name": "later"}  # type: ignore[return-value]

    @router.get("/raw")
    def raw() -> ThingOut:
        return Response(b"as is", media_type="text/plain")  # type: ignore[return-value]

    @router.delete("/thing", status_code=204)
    def gone() -> None:
        return None

    @router.get("/broken")
    def broken() -> ThingOut:
        return {"size": "no name"}  # type: ignore[return-value]

    @router.get("/async")
    async def in_loop() -> ThingOut:
        return {"name": "loop"}  # type: ignore[return-value]

    app = FastAPI()
    app.include_router(router)
    return app


@pytest.fixture
def hops(monkeypatch) -> list[str]:
    ran: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):
        ran.append(getattr(getattr(func, "func", func), "__qualname__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    return ran


REQUESTS = [("get", "/thing"), ("get", "/thing?size=2.5"), ("post", "/things"), ("post", "/things/accepted"),
            ("get", "/raw"), ("delete", "/thing"), ("get", "/async")]


@pytest.mark.parametrize("method,path", REQUESTS)
def test_the_answer_is_the_one_fastapi_gives_byte_for_byte(method, path):
    ours = TestClient(app_with(ApiRoute)).request(method, path)
    plain = APIRoute
    theirs = TestClient(app_with(type("Plain", (plain,), {"__init__": _exclude_unset_init}))).request(method, path)
    assert (ours.status_code, ours.content) == (theirs.status_code, theirs.content)
    wanted = {"content-type", "content-length", "location", "x-stamp"}
    assert {k: v for k, v in ours.headers.items() if k in wanted} == \
        {k: v for k, v in theirs.headers.items() if k in wanted}


def _exclude_unset_init(self, *args, **kwargs):
    kwargs["response_model_exclude_unset"] = True
    APIRoute.__init__(self, *args, **kwargs)


def test_status_headers_and_body_are_those_set_by_the_route_and_its_dependencies():
    client = TestClient(app_with(ApiRoute))
    r = client.get("/thing")
    assert r.status_code == 200 and r.headers["x-stamp"] == "dep"
    assert r.content == '{"name":"Ä-1"}'.encode()  # unset fields left out, UTF-8 as it is
    assert client.get("/thing?size=2.5").json() == {"name": "Ä-1", "sizeKm2": 2.5}  # by alias
    made = client.post("/things")
    assert (made.status_code, made.headers["location"]) == (201, "/thing")
    assert made.json() == {"name": "new", "extra": [1, 2]}  # an open body keeps the fields it was given
    assert client.post("/things/accepted").status_code == 202  # the injected response's code wins
    assert client.delete("/thing").content == b""
    assert client.get("/raw").content == b"as is"


def test_a_plain_route_hops_once_and_a_coroutine_not_at_all(hops):
    client = TestClient(app_with(ApiRoute))
    assert client.get("/thing").status_code == 200
    assert hops == ["_run_sync_endpoint"]
    hops.clear()
    assert client.post("/things").status_code == 201
    assert hops == ["_run_sync_endpoint"]
    hops.clear()
    assert client.get("/async").json() == {"name": "loop"}
    assert hops == []


def test_fastapi_alone_hops_twice_for_the_same_route(hops):
    """What ApiRoute saves: without it the answer goes back to the pool to be validated."""
    assert TestClient(app_with(APIRoute)).get("/thing").status_code == 200
    assert len(hops) == 2, hops


def test_an_answer_that_breaks_its_model_is_fastapis_response_validation_error():
    with pytest.raises(ResponseValidationError) as e:
        TestClient(app_with(ApiRoute)).get("/broken")
    assert [err["loc"][-1] for err in e.value.errors()] == ["name"]


def test_the_openapi_document_does_not_show_the_injected_response():
    ours = app_with(ApiRoute).openapi()["paths"]
    theirs = app_with(APIRoute).openapi()["paths"]
    assert ours["/thing"]["get"]["parameters"] == theirs["/thing"]["get"]["parameters"]
    assert [p["name"] for p in ours["/thing"]["get"]["parameters"]] == ["size"]
    assert ours["/thing"]["get"]["operationId"] == theirs["/thing"]["get"]["operationId"]
    assert ours["/thing"]["get"]["summary"] == "One thing"
    assert ours["/things"]["post"]["responses"].keys() == theirs["/things"]["post"]["responses"].keys()


@pytest.mark.parametrize("store,warm,trips", [("sqlite", True, 0), ("sqlite", False, 1), ("postgresql", True, 1)])
def test_work_runs_on_the_loop_only_on_the_embedded_store_after_the_warm_up(hops, store, warm, trips):
    """`http.on_the_loop.on_the_loop_or_pool`, which the check and a title by number use."""
    from sqlalchemy import create_engine

    from maadan.http.on_the_loop import on_the_loop_or_pool

    app = FastAPI()
    app.state.engine = create_engine("sqlite://" if store == "sqlite" else "postgresql+psycopg://nobody@127.0.0.1:1/none")
    app.state.spatial_index, app.state.warm_up = ("warm", "done") if warm else ("warming", None)

    @app.get("/work/{name}")
    async def work(name: str, request: Request) -> dict:
        return {"name": await on_the_loop_or_pool(request, str.upper, name),
                "keywords": await on_the_loop_or_pool(request, dict, a=1)}

    assert TestClient(app).get("/work/%C3%A4-1").json() == {"name": "Ä-1", "keywords": {"a": 1}}
    assert len(hops) == 2 * trips, hops
