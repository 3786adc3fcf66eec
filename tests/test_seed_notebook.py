"""The notebook our users start from runs verbatim against the server.

Its code cells are kept in `tests/seed/cells.json`, copied character for character from
`shared/seed/`; a test checks the copy against the original whenever it is beside us.
The cells run in a fresh interpreter that knows the server only through
`OPENAI_BASE_URL` and `OPENAI_API_KEY`, as a user's would.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openai import OpenAI

from mock_server import MockServer

HERE = Path(__file__).parent
CELLS = json.loads((HERE / "seed" / "cells.json").read_text())
ORIGINAL = HERE.parent.parent / "shared" / "seed" / "000_bc743f5f5ded2a60.txt"


def test_the_cells_are_the_notebooks_own() -> None:
    if not ORIGINAL.exists():
        pytest.skip(f"{ORIGINAL} is not beside this checkout")
    text = ORIGINAL.read_text()
    for cell in CELLS["cells"]:
        assert f"{cell['cell']}:\n{cell['code']}\n" in text, cell["cell"]


def test_the_notebook_runs_verbatim(assistants_mock: MockServer, assistants_client: OpenAI) -> None:
    program = "\n\n".join(cell["code"] for cell in CELLS["cells"])
    env = {
        **os.environ,
        "OPENAI_BASE_URL": assistants_mock.base_url,
        "OPENAI_API_KEY": "sk-seed-notebook",
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }
    done = subprocess.run(
        [sys.executable, "-c", program],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout

    thread_id = re.search(r"Thread\(id='(thread_\w+)'", out)
    assert thread_id is not None, out
    messages = assistants_client.beta.threads.messages.list(thread_id.group(1)).data
    reply, question = messages
    assert question.content[0].type == "text"
    assert question.content[0].text.value == "Tell me what a penguin is in 100 words or less."
    assert reply.content[0].type == "text"
    text = reply.content[0].text.value
    # The handler printed the streamed text, delta by delta.
    assert f"\nassistant text > {text}\n" in out
    assert "Collected results: [Text(annotations=[], value=" in out
    # One completed message_creation step with usage, listed and retrieved.
    assert out.count("step_details=MessageCreationStepDetails(") == 2
    assert re.search(r"\ncompleted\nUsage\(completion_tokens=\d+, prompt_tokens=\d+", out)
    assert f"MessageCreation(message_id='{reply.id}')" in out
    # The step's message retrieved, and the runs list walked.
    assert out.count(f"\n{text}\n") >= 2
    assert "====== Begin Run Step ======" in out
    assert "====== End Run Step ======" in out
