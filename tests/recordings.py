"""Real recordings replayed against our server, and the structural differ that judges them.

A recording is a sequence of interactions with api.openai.com: the openai-dotnet session
records (`*.json`: `Entries` of request and response) or vcrpy cassettes (`*.yaml`).
`replay` sends each recorded request to a running server, with the recorded ids swapped
for the ones our server gave the same objects (`IdMap`, learnt while comparing replies),
and `compare` walks each recorded reply beside ours: key sets and order at every depth,
null against absent, types, id shapes, enum values, status codes. Content (texts, ids,
timestamps, scores, counts, list lengths) is not compared.

Where the recorded model chose a tool ours does not, or a recorded request names an
object our run never made, the rest of the recording cannot be replayed: `Replay.stopped`
says why.
"""

from __future__ import annotations

import fnmatch
import gzip
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .sdk import httpx

__all__ = [
    "RECORDED",
    "Deviation",
    "Difference",
    "IdMap",
    "Interaction",
    "Recording",
    "Replay",
    "compare",
    "compare_events",
    "load",
    "load_deviations",
    "polls",
    "recordings",
    "replay",
    "sse_events",
]

RECORDED = Path(__file__).resolve().parents[2] / "shared" / "reference" / "recorded"
HEADERS = {"Authorization": "Bearer sk-test", "OpenAI-Beta": "assistants=v2"}

ID = re.compile(r"^(asst_|thread_|msg_|run_|step_|call_|file-|vsfb_|vs_)([A-Za-z0-9]{12,})$")
ID_IN_TEXT = re.compile(
    r"\b(?:asst_|thread_|msg_|run_|step_|call_|file-|vsfb_|vs_)[A-Za-z0-9]{12,}\b"
)
"""An object id: a known prefix and 12 or more letters and digits (`step_details` is not)."""
ENUM_KEYS = frozenset(
    {"object", "type", "status", "role", "ranker", "purpose", "reason", "code", "param"}
)
"""String values compared for equality: what kind of thing, in what state."""
ENUM_WHEN_STRING = frozenset({"tool_choice", "response_format", "truncation"})
"""Keys whose value is an enum when it is a string (`"auto"`), an object otherwise."""
IN_PROGRESS = frozenset({"queued", "in_progress"})
MAX_POLLS = 20


# --- recordings --------------------------------------------------------------------------


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its reply."""

    method: str
    target: str
    """Path and query, from `/v1/…`, as sent."""
    body: Any
    """The JSON body, or None (no body, or a multipart upload the recording left out)."""
    multipart: bool
    status: int
    reply: Any
    """The JSON reply, or None for a stream."""
    events: tuple[tuple[str, Any], ...] = ()
    """A stream's events: (name, data), data parsed when it is JSON."""

    @property
    def route(self) -> str:
        """`METHOD /path` with every id as `{id}` and no query."""
        path = self.target.split("?", 1)[0]
        return f"{self.method} {ID_IN_TEXT.sub('{id}', path)}"


@dataclass(frozen=True)
class Recording:
    name: str
    interactions: tuple[Interaction, ...]


def recordings(folder: Path = RECORDED) -> list[Recording]:
    """Every recording in `folder`: `*.json` (openai-dotnet, or vcrpy) and `*.yaml` (vcrpy)."""
    paths = sorted([*folder.glob("*.json"), *folder.glob("*.yaml"), *folder.glob("*.yml")])
    return [load(path) for path in paths]


def load(path: Path) -> Recording:
    """A recording: an openai-dotnet session record (`Entries`) or a vcrpy cassette
    (`interactions`, in YAML or in JSON)."""
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    if "Entries" in data:
        return Recording(path.stem, tuple(_dotnet(e) for e in data["Entries"]))
    return Recording(path.stem, tuple(_vcr(i) for i in data["interactions"]))


def _target(uri: str) -> str:
    return "/" + uri.split("://", 1)[-1].split("/", 1)[1]


def _dotnet(entry: Mapping[str, Any]) -> Interaction:
    kind = str(entry["RequestHeaders"].get("Content-Type", ""))
    reply = entry["ResponseBody"]
    events: tuple[tuple[str, Any], ...] = ()
    if isinstance(reply, list):
        events, reply = tuple(sse_events("".join(reply))), None
    return Interaction(
        method=entry["RequestMethod"],
        target=_target(entry["RequestUri"]),
        body=entry["RequestBody"] if not kind.startswith("multipart") else None,
        multipart=kind.startswith("multipart"),
        status=int(entry["StatusCode"]),
        reply=reply,
        events=events,
    )


def _header(headers: Mapping[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return str(value[0] if isinstance(value, list) else value)
    return ""


def _vcr(interaction: Mapping[str, Any]) -> Interaction:
    request, response = interaction["request"], interaction["response"]
    kind = _header(request.get("headers") or {}, "content-type")
    raw = request.get("body")
    raw = raw.decode() if isinstance(raw, bytes) else raw
    body = json.loads(raw) if raw and not kind.startswith("multipart") else None
    payload = response["body"]["string"]
    if isinstance(payload, bytes):
        if _header(response["headers"], "content-encoding") == "gzip":
            payload = gzip.decompress(payload)
        payload = payload.decode()
    streamed = _header(response["headers"], "content-type").startswith("text/event-stream")
    return Interaction(
        method=request["method"],
        target=_target(request["uri"]),
        body=body,
        multipart=kind.startswith("multipart"),
        status=int(response["status"]["code"]),
        reply=None if streamed else json.loads(payload),
        events=tuple(sse_events(payload)) if streamed else (),
    )


def sse_events(text: str) -> Iterator[tuple[str, Any]]:
    """(name, data) of each event; data parsed as JSON unless it is `[DONE]`."""
    name = ""
    for line in text.splitlines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
            yield name, data if data == "[DONE]" else json.loads(data)


# --- the differ --------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """Where our reply is not shaped as the recorded one."""

    route: str
    """The request, `METHOD /path` with ids as `{id}`."""
    path: str
    """Where in the reply: `$.data[].status`; an event's data starts with its name."""
    kind: str
    """missing | extra | order | null | type | enum | id | items | event | status_code"""
    detail: str

    def __str__(self) -> str:
        return f"{self.route} {self.path}: {self.kind} ({self.detail})"


class IdMap:
    """Recorded ids → ours, learnt where a recorded reply and ours hold an id at the same place."""

    def __init__(self) -> None:
        self.ours: dict[str, str] = {}

    def learn(self, recorded: str, ours: str) -> None:
        self.ours.setdefault(recorded, ours)

    def swap(self, value: Any) -> Any:
        """`value` (a target or a JSON body) with every known recorded id replaced."""
        if isinstance(value, str):
            return ID_IN_TEXT.sub(lambda m: self.ours.get(m.group(0), m.group(0)), value)
        if isinstance(value, list):
            return [self.swap(v) for v in value]
        if isinstance(value, dict):
            return {k: self.swap(v) for k, v in value.items()}
        return value

    def unknown(self, value: Any) -> list[str]:
        """Recorded ids in `value` that have no counterpart of ours."""
        text = value if isinstance(value, str) else json.dumps(value)
        return [i for i in dict.fromkeys(ID_IN_TEXT.findall(text)) if i not in self.ours]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _id_shape(value: str) -> str:
    match = ID.match(value)
    if match is None:
        return "text"
    body = match.group(2)
    charset = "hex" if re.fullmatch(r"[0-9a-f]+", body) and len(body) >= 16 else "base62"
    return f"{match.group(1)}<{len(body)} {charset}>"


@dataclass
class _Walk:
    route: str
    ids: IdMap
    out: list[Difference] = field(default_factory=list)
    keys: int = 0

    def diff(self, path: str, kind: str, detail: str) -> None:
        self.out.append(Difference(self.route, path, kind, detail))

    def value(self, recorded: Any, ours: Any, path: str, key: str) -> None:
        if _kind(recorded) != _kind(ours):
            if recorded is None or ours is None:
                self.diff(path, "null", f"recorded {_kind(recorded)}, ours {_kind(ours)}")
            else:
                self.diff(path, "type", f"recorded {_kind(recorded)}, ours {_kind(ours)}")
            return
        if isinstance(recorded, dict):
            self.object(recorded, ours, path)
        elif isinstance(recorded, list):
            if recorded and not ours:
                self.diff(path, "items", f"recorded {len(recorded)} items, ours none")
            for item, mine in zip(recorded, ours, strict=False):  # lengths are content
                self.value(item, mine, f"{path}[]", key)
        elif isinstance(recorded, str):
            self.string(recorded, ours, path, key)

    def string(self, recorded: str, ours: str, path: str, key: str) -> None:
        if ID.match(recorded):
            if _id_shape(recorded) != _id_shape(ours):
                self.diff(path, "id", f"recorded {_id_shape(recorded)}, ours {_id_shape(ours)}")
            else:
                self.ids.learn(recorded, ours)
        elif (key in ENUM_KEYS or key in ENUM_WHEN_STRING) and recorded != ours:
            self.diff(path, "enum", f"recorded {recorded!r}, ours {ours!r}")

    def object(self, recorded: Mapping[str, Any], ours: Mapping[str, Any], path: str) -> None:
        missing = [k for k in recorded if k not in ours]
        extra = [k for k in ours if k not in recorded]
        for k in missing:
            self.diff(f"{path}.{k}", "missing", "recorded, not in ours")
        for k in extra:
            self.diff(f"{path}.{k}", "extra", "in ours, not recorded")
        common = [k for k in recorded if k in ours]
        if common != [k for k in ours if k in recorded]:
            order = [k for k in ours if k in recorded]
            self.diff(path, "order", f"recorded {common}, ours {order}")
        self.keys += len(common)
        for k in common:
            self.value(recorded[k], ours[k], f"{path}.{k}", k)


def compare(
    recorded: Any, ours: Any, *, route: str = "", path: str = "$", ids: IdMap | None = None
) -> tuple[list[Difference], int]:
    """The differences of `ours` from `recorded`, and how many keys were compared."""
    walk = _Walk(route, ids or IdMap())
    walk.value(recorded, ours, path, "")
    return walk.out, walk.keys


def _collapsed(names: Sequence[str]) -> list[str]:
    """Event names with runs of the same name (deltas) counted once."""
    return [n for i, n in enumerate(names) if i == 0 or names[i - 1] != n]


def compare_events(
    recorded: Sequence[tuple[str, Any]],
    ours: Sequence[tuple[str, Any]],
    *,
    route: str,
    ids: IdMap,
) -> tuple[list[Difference], int]:
    """A stream beside a recorded one: the order of event names (a run of deltas counts
    once), then each recorded event's data beside the one of ours of the same name that
    differs least (deltas carry different keys: an input delta is compared with one)."""
    out: list[Difference] = []
    keys = 0
    names, our_names = [n for n, _ in recorded], [n for n, _ in ours]
    if _collapsed(names) != _collapsed(our_names):
        out.append(
            Difference(route, "events", "event", f"recorded {_collapsed(names)}, "
                       f"ours {_collapsed(our_names)}")
        )  # fmt: skip
    by_name: dict[str, list[Any]] = {}
    for name, data in ours:
        by_name.setdefault(name, []).append(data)
    for name, data in recorded:
        mine = by_name.get(name)
        if not mine or data == "[DONE]":
            continue  # a missing name is reported with the order of names
        path = f"{name}$"
        closest = min(mine, key=lambda m: len(compare(data, m, path=path)[0]))
        found, counted = compare(data, closest, route=route, path=path, ids=ids)
        out += found
        keys += counted
    return out, keys


# --- deliberate deviations ---------------------------------------------------------------


@dataclass(frozen=True)
class Deviation:
    """A difference docs/fidelity.md lists as deliberate."""

    recording: str
    """Glob on the recording's name."""
    route: str
    """Glob on `METHOD /path` (ids as `{id}`)."""
    paths: tuple[str, ...]
    """Globs on the difference's path (any may match)."""
    kind: str
    """Glob on the kind of difference."""
    why: str

    def covers(self, recording: str, difference: Difference) -> bool:
        return (
            fnmatch.fnmatchcase(recording, self.recording)
            and fnmatch.fnmatchcase(difference.route, self.route)
            and any(fnmatch.fnmatchcase(difference.path, _glob(p)) for p in self.paths)
            and fnmatch.fnmatchcase(difference.kind, self.kind)
        )


def _glob(pattern: str) -> str:
    """A path glob for `fnmatch`: `[]` (any list item) means the two characters."""
    return pattern.replace("[]", "[[][]]")


def load_deviations(markdown: Path) -> list[Deviation]:
    """The entries of the ```yaml block under the heading `## Deliberate differences`."""
    text = markdown.read_text(encoding="utf-8")
    section = text.split("## Deliberate differences", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    out = []
    for entry in yaml.safe_load(block):
        unknown = set(entry) - {"recording", "route", "path", "kind", "why"}
        if unknown or not str(entry.get("why", "")).strip():
            raise ValueError(f"a deviation needs path, kind and why, and nothing else: {entry}")
        path = entry["path"]
        out.append(
            Deviation(
                recording=str(entry.get("recording", "*")),
                route=str(entry.get("route", "*")),
                paths=tuple(path) if isinstance(path, list) else (str(path),),
                kind=str(entry["kind"]),
                why=str(entry["why"]),
            )
        )
    return out


# --- replay ------------------------------------------------------------------------------


@dataclass
class Replay:
    """What replaying one recording covered and found."""

    recording: str
    sent: int = 0
    """Requests sent to our server (a recorded poll that our last reply already answers
    is not sent again)."""
    replies: int = 0
    """Recorded requests replayed: their replies (JSON or streams) compared with ours."""
    keys: int = 0
    differences: list[Difference] = field(default_factory=list)
    stopped: str | None = None
    """Why the rest of the recording could not be replayed, if it could not."""


def polls(recording: Recording) -> bool:
    """Whether the recording saw an object still in progress on a read: then it is
    replayed with `run_progression="per_poll"`, so ours can be seen in each state too."""
    return any(
        i.method == "GET" and isinstance(i.reply, dict) and i.reply.get("status") in IN_PROGRESS
        for i in recording.interactions
    )


def _uploads(recording: Recording) -> dict[str, str]:
    """What each uploaded file held, where the recording shows it: the text of its
    file_search results (recorded with `include[]`)."""
    texts: dict[str, list[str]] = {}

    def visit(value: Any) -> None:
        if isinstance(value, dict):
            if "file_id" in value and isinstance(value.get("content"), list):
                parts = [c.get("text", "") for c in value["content"] if isinstance(c, dict)]
                known = texts.setdefault(value["file_id"], [])
                known += [p for p in parts if p not in known]
            for item in value.values():
                visit(item)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    for interaction in recording.interactions:
        visit(interaction.reply)
        for _, data in interaction.events:
            visit(data)
    return {file_id: "\n\n".join(parts) for file_id, parts in texts.items()}


def _choices(value: Any) -> list[str]:
    """The tools a run used, as its steps show them (`tool_calls:file_search`)."""
    found: list[str] = []

    def visit(item: Any) -> None:
        if isinstance(item, dict):
            if item.get("status") == "requires_action" and "tool_calls:function" not in found:
                found.append("tool_calls:function")
            details = item.get("step_details")
            if isinstance(details, dict) and details.get("type") == "tool_calls":
                for call in details.get("tool_calls") or []:
                    tag = f"tool_calls:{call.get('type')}"
                    if tag not in found:
                        found.append(tag)
            for sub in item.values():
                visit(sub)
        elif isinstance(item, list):
            for sub in item:
                visit(sub)

    visit(value)
    return sorted(found)


class _Player:
    def __init__(self, http: httpx.Client, recording: Recording) -> None:
        self.http = http
        self.recording = recording
        self.ids = IdMap()
        self.result = Replay(recording.name)
        self.texts = _uploads(recording)
        self.last: dict[str, Any] = {}
        """Our latest JSON reply for each of our object ids (a streamed event is not a
        read: a step's `expires_at` is cleared once its run ends, as recorded)."""

    def play(self) -> Replay:
        for n, interaction in enumerate(self.recording.interactions, 1):
            unknown = self.ids.unknown(interaction.target) + self.ids.unknown(interaction.body)
            if unknown:
                self.result.stopped = (
                    f"request {n} ({interaction.route}) names {unknown[0]}, which our "
                    "replay never made: the recorded model chose differently"
                )
                break
            stop = self.step(interaction)
            if stop:
                self.result.stopped = f"request {n} ({interaction.route}): {stop}"
                break
        return self.result

    def send(self, interaction: Interaction) -> httpx.Response:
        self.result.sent += 1
        target = self.ids.swap(interaction.target)
        if interaction.multipart:
            return self.http.request(interaction.method, target, **self._upload(interaction))
        body = self.ids.swap(interaction.body)
        if body is None:
            return self.http.request(interaction.method, target)
        return self.http.request(interaction.method, target, json=body)

    def _upload(self, interaction: Interaction) -> dict[str, Any]:
        reply = interaction.reply if isinstance(interaction.reply, dict) else {}
        recorded_id = str(reply.get("id", ""))
        name = str(reply.get("filename", "upload.txt"))
        text = self.texts.get(recorded_id) or f"The recorded upload {name}.\n"
        return {
            "files": {"file": (name, text.encode(), "text/plain")},
            "data": {"purpose": str(reply.get("purpose", "assistants"))},
        }

    def step(self, interaction: Interaction) -> str | None:
        route = interaction.route
        reply = interaction.reply
        polled = (
            interaction.method == "GET"
            and isinstance(reply, dict)
            and isinstance(reply.get("status"), str)
            and isinstance(reply.get("id"), str)
            and reply["id"] in self.ids.ours
        )
        if polled:
            ours = self._poll(interaction)
            status, streamed = 200, None
        else:
            response = self.send(interaction)
            status = response.status_code
            if response.headers.get("content-type", "").startswith("text/event-stream"):
                streamed, ours = list(sse_events(response.text)), None
            else:
                streamed, ours = None, response.json()
        if status != interaction.status:
            self.result.differences.append(
                Difference(route, "$", "status_code", f"recorded {interaction.status}, "
                           f"ours {status}: {json.dumps(ours)[:300]}")
            )  # fmt: skip
            return None
        if interaction.events:
            if streamed is None:
                self.result.differences.append(
                    Difference(route, "$", "event", "recorded a stream, ours is JSON")
                )
                return None
            found, keys = compare_events(interaction.events, streamed, route=route, ids=self.ids)
            recorded_choice = _choices([d for _, d in interaction.events])
            our_choice = _choices([d for _, d in streamed])
        else:
            found, keys = compare(reply, ours, route=route, ids=self.ids)
            recorded_choice, our_choice = _choices(reply), _choices(ours)
            self._remember(ours)
        self.result.replies += 1
        if recorded_choice != our_choice:
            used, mine = recorded_choice or "no tool", our_choice or "no tool"
            return f"the recorded model used {used}, ours {mine}"
        self.result.differences += found
        self.result.keys += keys
        return None

    def _remember(self, ours: Any) -> None:
        if isinstance(ours, dict) and isinstance(ours.get("id"), str) and "status" in ours:
            self.last[ours["id"]] = ours

    def _poll(self, interaction: Interaction) -> Any:
        """Our object in the recorded status: our last reply if it is in that status
        already, else retrieves (each moves it one status on) until it is, or ends."""
        reply = interaction.reply
        ours = self.last.get(self.ids.ours[reply["id"]])
        tries = 0
        while ours is None or ours.get("status") != reply["status"]:
            if tries == MAX_POLLS or (ours is not None and _ended(ours, reply)):
                break
            ours = self.send(interaction).json()
            self._remember(ours)
            tries += 1
        return ours


def _ended(ours: Mapping[str, Any], recorded: Mapping[str, Any]) -> bool:
    """Whether ours can no longer reach the recorded status by polling."""
    order = ["queued", "in_progress", "requires_action", "cancelling"]
    status, wanted = ours.get("status"), recorded.get("status")
    if status not in order:
        return True
    return wanted in order and order.index(str(wanted)) < order.index(str(status))


def replay(base_url: str, recording: Recording) -> Replay:
    """Send the recording's requests to the server at `base_url`, comparing every reply."""
    root = base_url.removesuffix("/").removesuffix("/v1")  # recorded targets start at /v1
    with httpx.Client(base_url=root, headers=HEADERS, timeout=30) as http:
        return _Player(http, recording).play()
