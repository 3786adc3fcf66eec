"""The web inspector: `GET /assistants-mock/` (and `/`, which redirects to it).

One server-rendered page (Jinja2, `templates/inspector.html`) of what the server holds
and saw: assistants; threads with their messages and runs (status, usage, steps, the
event timeline); the request journal; scripted rules with turns left; active faults.
A tiny script (`static/inspector.js`, shipped in the package: no CDN, no build step)
fetches the panels again every second (`GET /assistants-mock/panels`) and swaps them in
when they changed, so the page follows requests as they arrive. Read-only: nothing on
the page changes the server.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .dependencies import BackendDep, path_param
from .errors import APIError
from .state import snapshot

if TYPE_CHECKING:
    from jinja2 import Environment

    from .backend import Backend

__all__ = ["PAGE_CALLS", "PAGE_THREADS", "render_page", "router"]

HERE = Path(__file__).parent
PAGE_THREADS = 50
"""Threads shown, newest last."""
PAGE_CALLS = 100
"""Journal entries shown, newest first."""
STATIC = {
    "inspector.js": "text/javascript; charset=utf-8",
    "inspector.css": "text/css; charset=utf-8",
}

router = APIRouter()


@cache
def _environment() -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["pretty"] = _pretty
    return environment


def _pretty(value: Any) -> str:
    """JSON arguments and outputs, indented when they parse."""
    if isinstance(value, str):
        text = value
        try:
            value = json.loads(text)
        except ValueError:
            return text
    return json.dumps(value, indent=2, ensure_ascii=False)


def _context(backend: Backend) -> dict[str, Any]:
    try:
        state = snapshot(backend)
        error = None
    except APIError as exc:  # pragma: no cover - snapshot without a thread filter does not raise
        state, error = {"assistants": [], "threads": [], "files": [], "vector_stores": []}, str(exc)
    threads = state["threads"]
    calls = list(backend.journal.calls(limit=PAGE_CALLS))
    calls.reverse()
    return {
        "settings": backend.settings,
        "now": backend.clock.now(),
        "state": state,
        "threads": threads[-PAGE_THREADS:],
        "hidden_threads": max(len(threads) - PAGE_THREADS, 0),
        "calls": calls,
        "total_calls": backend.journal.count,
        "journal_on": backend.journal.enabled,
        "rules": backend.script.unused(),
        "faults": backend.faults.listed(),
        "error": error,
    }


def render_page(backend: Backend, *, panels_only: bool = False) -> str:
    """The page (or only its panels, for the live update)."""
    name = "panels.html" if panels_only else "inspector.html"
    rendered: str = _environment().get_template(name).render(**_context(backend))
    return rendered


@router.get("/", include_in_schema=False)
async def root() -> Response:
    return RedirectResponse("/assistants-mock/", status_code=307)


@router.get("/assistants-mock/", include_in_schema=False)
async def page(backend: BackendDep) -> Response:
    return HTMLResponse(render_page(backend))


@router.get("/assistants-mock/panels", include_in_schema=False)
async def panels(backend: BackendDep) -> Response:
    return HTMLResponse(render_page(backend, panels_only=True))


@router.get("/assistants-mock/static/{name}", include_in_schema=False)
async def static(name: Annotated[str, path_param("name")]) -> Response:
    media_type = STATIC.get(name)
    if media_type is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response((HERE / "static" / name).read_bytes(), media_type=media_type)
