"""`bare-tui serve` driven from a real headless browser (Debian's chromium, over the DevTools protocol): two
reviewers open their own links, each labels an attempt with the keyboard, and the session holds both labels
under their names. Also: a link without a valid token reaches nothing."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import pytest

from bare_tui import cli
from bare_tui.model import FIELDS
from bare_tui.serve import make_links, reviewer_for
from bare_tui.store import SessionError, Store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DEADLINE = 90.0  # seconds for the whole browser round trip on a loaded machine


def test_each_reviewer_has_an_unguessable_link_and_a_wrong_token_is_nobody() -> None:
    links = make_links(["ana", " ben", "ana", ""])
    assert [link.reviewer for link in links] == ["ana", "ben"]
    assert len({link.token for link in links}) == 2 and all(len(link.token) >= 24 for link in links)
    assert reviewer_for(links[1].token, links) == "ben"
    assert reviewer_for(links[1].token[:-1], links) is None and reviewer_for("", links) is None
    with pytest.raises(SessionError, match="--reviewers"):
        make_links([" "])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(session: Path, port: int) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = {**os.environ, "COLUMNS": "300"}
    server = subprocess.Popen(
        [sys.executable, "-m", "bare_tui.cli", "serve", str(session), "--reviewers", "ana,ben", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    links: dict[str, str] = {}
    assert server.stdout is not None
    started = time.monotonic()
    while len(links) < 2 and time.monotonic() - started < 30:
        line = server.stdout.readline()
        if not line:
            break
        name, _, url = line.strip().partition(": ")
        if name in ("ana", "ben") and "/r/" in url:
            links[name] = url
    return server, links


def start_chromium(profile: Path) -> tuple[subprocess.Popen[bytes], str]:
    assert CHROMIUM is not None
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    active = profile / "DevToolsActivePort"
    started = time.monotonic()
    while time.monotonic() - started < 30:
        if active.exists() and len(active.read_text().splitlines()) >= 2:
            port, path = active.read_text().splitlines()[:2]
            return browser, f"ws://127.0.0.1:{port}{path}"
        time.sleep(0.1)
    browser.kill()
    raise AssertionError("chromium did not open its DevTools port")


class DevTools:
    """The smallest DevTools-protocol client: numbered calls over one websocket, flattened target sessions."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.next_id = 0

    async def call(self, method: str, session: str | None = None, **params: object) -> dict:  # type: ignore[type-arg]
        self.next_id += 1
        message: dict[str, object] = {"id": self.next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        await self.socket.send_str(json.dumps(message))
        while True:
            reply = json.loads((await self.socket.receive()).data)
            if reply.get("id") == self.next_id:
                assert "error" not in reply, reply
                return reply.get("result", {})  # type: ignore[no-any-return]


def labels_of(session: Path) -> dict[str, set[str]]:
    with Store.open(session, readonly=True) as store:
        found: dict[str, set[str]] = {}
        for j in store.judgements():
            found.setdefault(j.reviewer, set()).add(f"{j.attempt_id}:{j.stage}:{j.label.value}")
        return found


async def drive(devtools_url: str, links: dict[str, str], session: Path) -> dict[str, set[str]]:
    async with aiohttp.ClientSession() as http, http.ws_connect(devtools_url, max_msg_size=0) as ws:
        tools = DevTools(ws)
        pages: dict[str, str] = {}
        for reviewer, url in links.items():
            target = await tools.call("Target.createTarget", url=url)
            attached = await tools.call("Target.attachToTarget", targetId=target["targetId"], flatten=True)
            pages[reviewer] = attached["sessionId"]
            await tools.call("Emulation.setFocusEmulationEnabled", pages[reviewer], enabled=True)
        started = time.monotonic()
        pending = set(pages)
        while pending and time.monotonic() - started < DEADLINE:
            await asyncio.sleep(1.0)
            for reviewer in sorted(pending):
                page = pages[reviewer]
                # The app has started for this reviewer once it holds the reviewer's claim on the session.
                if not any(session.parent.glob(f"{session.name}.reviewer-{reviewer}-*.lock")):
                    continue
                await asyncio.sleep(2.0)  # the review screen mounts and shows the first attempt
                found = await tools.call(
                    "Runtime.evaluate", page, expression="!!document.querySelector('.xterm-helper-textarea')"
                )
                if not found.get("result", {}).get("value"):
                    continue
                await tools.call(
                    "Runtime.evaluate", page, expression="document.querySelector('.xterm-helper-textarea').focus()"
                )
                await tools.call("Input.insertText", page, text="A")  # every field pass, and save
                pending.discard(reviewer)
        while time.monotonic() - started < DEADLINE:
            labels = labels_of(session)
            if all(len(labels.get(reviewer, ())) == len(FIELDS) for reviewer in links):
                return labels
            await asyncio.sleep(0.5)
        return labels_of(session)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium; .ci/run installs it)")
def test_two_reviewers_in_a_browser_each_label_under_their_own_name(demo_session: Path) -> None:
    port = free_port()
    server, links = start_server(demo_session, port)
    profile = Path(tempfile.mkdtemp(prefix="bare-tui-chromium-"))
    browser = None
    try:
        assert set(links) == {"ana", "ben"}, links
        browser, devtools_url = start_chromium(profile)
        labels = asyncio.run(drive(devtools_url, links, demo_session))
    finally:
        server.terminate()
        if browser is not None:
            browser.terminate()
        for process in (server, browser):
            if process is not None:
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(profile, ignore_errors=True)
    assert labels.get("ana") == {f"a-1:{field}:pass" for field in FIELDS}
    assert labels.get("ben") == {f"a-1:{field}:pass" for field in FIELDS}


def test_a_link_without_a_valid_token_reaches_nothing(demo_session: Path) -> None:
    port = free_port()
    server, links = start_server(demo_session, port)
    try:
        assert set(links) == {"ana", "ben"}

        async def fetch() -> tuple[int, int, int]:
            async with aiohttp.ClientSession() as http:
                for _ in range(100):  # the links are printed as the server starts, a moment before it listens
                    try:
                        async with http.get(f"http://127.0.0.1:{port}/"):
                            break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                base = f"http://127.0.0.1:{port}"
                async with (
                    http.get(f"{base}/r/not-a-token") as wrong,
                    http.get(f"{base}/") as root,
                    http.get(links["ana"]) as right,
                ):
                    text = await right.text()
                    assert f"/ws/{links['ana'].rsplit('/', 1)[1]}" in text  # the page's socket is ana's
                    return wrong.status, root.status, right.status

        assert asyncio.run(fetch()) == (403, 404, 200)
    finally:
        server.terminate()
        server.wait(10)


def test_with_a_plan_each_reviewer_s_app_walks_their_assignments(demo_session: Path) -> None:
    from bare_tui.plans import PlanSpec, draw_plan, save_drawn
    from bare_tui.serve import review_command

    with Store.open(demo_session) as store:
        save_drawn(store, draw_plan(store, PlanSpec("p1", 2, reviewers=("ana",), seed=4)))
    assert cli.main(["serve", str(demo_session), "--reviewers", "ana,zed", "--plan", "p1"]) == 2  # zed has none
    command = review_command(demo_session, "ana", ["--plan", "p1"])
    assert command.endswith("--reviewer ana --plan p1")
