"""`bare-tui serve`: the review app in a browser for a team, one link per reviewer (textual-serve underneath).

Every reviewer gets a link with a token of their own, printed at start. A connection on that link runs
`bare-tui review SESSION --reviewer NAME` in a process of its own, so each person labels as themselves (and a
second tab of the same reviewer opens read-only, as a second terminal does). Without a valid token there is
nothing to connect to: the index says so, the websocket is refused.
"""

from __future__ import annotations

import secrets
import shlex
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .store import SessionError

TOKEN_BYTES = 18  # 144 bits: a link cannot be guessed


@dataclass(frozen=True)
class ReviewerLink:
    """One reviewer's way in: their name and the secret token in their link."""

    reviewer: str
    token: str


def make_links(reviewers: Iterable[str]) -> list[ReviewerLink]:
    """A fresh token for each reviewer named (names trimmed, each once, in the order given)."""
    names = list(dict.fromkeys(name.strip() for name in reviewers if name.strip()))
    if not names:
        raise SessionError("name the reviewers who may connect, e.g. --reviewers ana,ben")
    return [ReviewerLink(name, secrets.token_urlsafe(TOKEN_BYTES)) for name in names]


def reviewer_for(token: str, links: Iterable[ReviewerLink]) -> str | None:
    """The reviewer whose token this is (compared in constant time), or None."""
    found = None
    for link in links:
        if secrets.compare_digest(link.token.encode(), token.encode()):
            found = link.reviewer
    return found


def review_command(session: Path, reviewer: str, extra: Iterable[str] = ()) -> str:
    """The shell command a connection runs: this Python's bare-tui, reviewing as that reviewer."""
    parts = [sys.executable, "-m", "bare_tui.cli", "review", str(session), "--reviewer", reviewer, *extra]
    return " ".join(shlex.quote(part) for part in parts)


def make_server(
    session: Path,
    links: list[ReviewerLink],
    host: str = "127.0.0.1",
    port: int = 8000,
    extra: Iterable[str] = (),
) -> Any:
    """A textual-serve Server whose pages and websockets live under each reviewer's token."""
    import aiohttp_jinja2
    from aiohttp import web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    extra_args = tuple(extra)

    class ReviewServer(Server):
        """textual-serve with one route per token: /r/TOKEN serves the page, /ws/TOKEN runs that reviewer's app."""

        async def _make_app(self) -> web.Application:
            app = web.Application()
            aiohttp_jinja2.setup(app, loader=_template_loader(self.templates_path))
            app.add_routes(
                [
                    web.get("/", self.handle_root, name="root"),
                    web.get("/r/{token}", self.handle_reviewer_index, name="index"),
                    web.get("/ws/{token}", self.handle_reviewer_websocket, name="websocket"),
                    web.get("/download/{key}", self.handle_download, name="download"),
                    web.static("/static", self.statics_path, show_index=False, name="static"),
                ]
            )
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        async def on_startup(self, app: web.Application) -> None:
            self.console.print(f"bare-tui serve: {session} on {self.public_url}; one link per reviewer:")
            for link in links:
                self.console.print(f"  {link.reviewer}: {self.public_url}/r/{link.token}", highlight=False)
            self.console.print("Ctrl+C stops the server.")

        async def handle_root(self, request: web.Request) -> web.Response:
            return web.Response(text="bare-tui: open the link printed for you when the server started.\n", status=404)

        async def handle_reviewer_index(self, request: web.Request) -> web.Response:
            token = request.match_info["token"]
            reviewer = reviewer_for(token, links)
            if reviewer is None:
                return web.Response(text="bare-tui: no reviewer has this link.\n", status=403)
            router = request.app.router
            scheme = "wss" if self.public_url.startswith("https") else "ws"
            context = {
                "font_size": to_int(request.query.get("fontsize", "16"), 16),
                # The page's websocket carries the token: the connection runs this reviewer's app.
                "app_websocket_url": f"{scheme}:{self.public_url.split(':', 1)[1]}"
                f"{router['websocket'].url_for(token=token)}",
                "config": {
                    "static": {"url": f"{self.public_url}{router['static'].url_for(filename='/')}".rstrip("/") + "/"}
                },
                "application": {"name": f"bare-tui · {reviewer}"},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        async def handle_reviewer_websocket(self, request: web.Request) -> web.StreamResponse:
            reviewer = reviewer_for(request.match_info["token"], links)
            if reviewer is None:
                return web.Response(text="bare-tui: no reviewer has this link.\n", status=403)
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            await websocket.prepare(request)

            async def close() -> None:  # AppService awaits a close that returns nothing
                await websocket.close()

            service = AppService(
                review_command(session, reviewer, extra_args),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            try:
                await service.start(width, height)
                await self._process_messages(websocket, service)
            finally:
                await service.stop()
            return websocket

    return ReviewServer("bare-tui review", host=host, port=port, title="bare-tui")


def _template_loader(path: Path) -> Any:
    import jinja2

    return jinja2.FileSystemLoader(path)


def links_text(links: Iterable[ReviewerLink], public_url: str) -> Mapping[str, str]:
    """reviewer -> their link, as printed at start."""
    return {link.reviewer: f"{public_url}/r/{link.token}" for link in links}
