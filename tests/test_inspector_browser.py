"""The inspector in a real browser: the system's Chromium, driven by Playwright for Python
(its own browser download is never used). The seed workflow runs through the official
SDK; the page must show the thread, the run's steps and its event timeline, and a new
request must appear without a reload. A screenshot lands in the test's tmp dir.

Skipped, saying how to install one, where there is no browser: `python3 tasks.py test`
installs Chromium when it runs as root (see `tasks.ensure_browser`).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openai import OpenAI

from mock_server import MockServer

INSTALL = "apt-get update && apt-get install -y chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    """The system's Chromium, or a skip that says how to install it."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found is not None:
            return found
    pytest.skip(f"no Chromium on this machine: install it with `{INSTALL}` (as root)")


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    executable = chromium()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is missing: pip install -e '.[dev]'"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh --user-data-dir
            executable_path=executable,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


def seed_workflow(client: OpenAI) -> tuple[str, str]:
    assistant = client.beta.assistants.create(
        model="gpt-4o", name="Penguin expert", instructions="You are a helpful assistant."
    )
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": "Tell me what a penguin is in 100 words or less."}]
    )
    with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as s:
        s.until_done()
        run = s.get_final_run()
    return thread.id, run.id


def test_the_inspector_in_chromium(browser_page: Any, tmp_path: Path) -> None:
    with MockServer() as server, server.client() as client:
        thread_id, run_id = seed_workflow(client)
        page = browser_page
        page.goto(f"http://127.0.0.1:{server.port}/")  # redirects to /assistants-mock/
        assert page.url.endswith("/assistants-mock/")
        thread = page.locator(f'[data-thread="{thread_id}"]')
        assert "Tell me what a penguin is" in thread.inner_text()
        run = page.locator(f'[data-run="{run_id}"]')
        assert "completed" in run.locator("summary").inner_text()
        assert "message_creation" in run.locator(".steps").inner_text()
        timeline = run.locator(".timeline").inner_text()
        assert "thread.run.created" in timeline
        assert "thread.message.delta" in timeline
        assert "thread.run.completed" in timeline
        page.screenshot(path=str(tmp_path / "inspector.png"), full_page=True)

        calls = page.locator("#journal tbody tr")
        before = calls.count()
        client.beta.threads.messages.list(thread_id)  # a new request, and no reload
        page.wait_for_function(
            "count => document.querySelectorAll('#journal tbody tr').length > count",
            arg=before,
            timeout=10_000,
        )
        newest = page.locator("#journal tbody tr").first.inner_text()
        assert f"/v1/threads/{thread_id}/messages" in newest
        assert (tmp_path / "inspector.png").stat().st_size > 10_000


def test_without_a_browser_the_skip_says_how_to_install_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install -y chromium"):
        chromium()
