"""Files through the SDK: upload, retrieve, list, download and delete, as the real API
answers them (field order and values recorded from api.openai.com in 2025)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from openai import AuthenticationError, BadRequestError, NotFoundError, OpenAI

from mock_server import MockServer

from .sdk import httpx, require_parameter

EPOCH = 1_767_225_600
DAY = 86_400
FILE_KEYS = [
    "object", "id", "purpose", "filename", "bytes", "created_at", "expires_at", "status",
    "status_details",
]  # fmt: skip
FILE_ID = re.compile(r"file-[A-Za-z0-9]{22}")
KEY = {"Authorization": "Bearer sk-test"}


def raw_json(response: Any) -> Any:
    return json.loads(response.http_response.text)


def no_such_file(file_id: str) -> dict[str, Any]:
    """The real API's 404 for an unknown file (recorded)."""
    return {
        "message": f"No such File object: {file_id}",
        "type": "invalid_request_error",
        "param": "id",
        "code": None,
    }


def bad_request(message: str, param: str | None = None) -> dict[str, Any]:
    return {"message": message, "type": "invalid_request_error", "param": param, "code": None}


@pytest.fixture
def http(assistants_mock: MockServer) -> Iterator[httpx.Client]:
    """Raw HTTP with an API key and no `OpenAI-Beta` header."""
    with httpx.Client(base_url=assistants_mock.base_url, headers=KEY) as client:
        yield client


def upload(client: OpenAI, name: str, data: bytes, purpose: Any = "assistants") -> str:
    created = client.files.create(file=(name, data), purpose=purpose)
    return created.id


# --- upload ------------------------------------------------------------------------------


def test_upload_returns_every_field_in_the_real_order(assistants_client: OpenAI) -> None:
    response = assistants_client.files.with_raw_response.create(
        file=("notes.txt", b"Penguins are birds."), purpose="assistants"
    )
    body = raw_json(response)
    assert list(body) == FILE_KEYS
    assert body == {
        "object": "file",
        "id": body["id"],
        "purpose": "assistants",
        "filename": "notes.txt",
        "bytes": 19,
        "created_at": EPOCH,
        "expires_at": None,
        "status": "processed",
        "status_details": None,
    }
    assert FILE_ID.fullmatch(body["id"])
    parsed = response.parse()
    assert (parsed.id, parsed.status, parsed.bytes) == (body["id"], "processed", 19)


def test_every_upload_purpose_is_accepted(assistants_client: OpenAI) -> None:
    purposes = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
    made = [assistants_client.files.create(file=("f", b"x"), purpose=p) for p in purposes]  # type: ignore[arg-type]
    assert [f.purpose for f in made] == purposes
    assert [assistants_client.files.retrieve(f.id).purpose for f in made] == purposes


def test_batch_files_expire_after_thirty_days(assistants_client: OpenAI) -> None:
    created = assistants_client.files.create(file=("b.jsonl", b"{}"), purpose="batch")
    assert created.expires_at == EPOCH + 30 * DAY


def test_expires_after_sets_expires_at(assistants_client: OpenAI) -> None:
    require_parameter(assistants_client.files.create, "expires_after")
    created = assistants_client.files.create(
        file=("a.txt", b"x"),
        purpose="assistants",
        expires_after={"anchor": "created_at", "seconds": 7200},
    )
    assert created.expires_at == EPOCH + 7200
    assert assistants_client.files.retrieve(created.id).expires_at == EPOCH + 7200


def test_expires_after_out_of_range_is_rejected(assistants_client: OpenAI) -> None:
    require_parameter(assistants_client.files.create, "expires_after")
    with pytest.raises(BadRequestError) as info:
        assistants_client.files.create(
            file=("a.txt", b"x"),
            purpose="assistants",
            expires_after={"anchor": "created_at", "seconds": 60},
        )
    assert info.value.body == {
        "message": "Invalid 'expires_after.seconds': integer below minimum value. Expected a "
        "value >= 3600, but got 60 instead.",
        "type": "invalid_request_error",
        "param": "expires_after.seconds",
        "code": "integer_below_min_value",
    }


def test_a_bad_purpose_gets_the_real_wording(assistants_client: OpenAI) -> None:
    with pytest.raises(BadRequestError) as info:
        assistants_client.files.create(file=("a.txt", b"x"), purpose="world_domination")  # type: ignore[arg-type]
    assert info.value.body == bad_request(
        "'world_domination' is not one of ['fine-tune', 'assistants', 'batch', 'user_data', "
        "'vision', 'evals'] - 'purpose'",
        param="purpose",
    )


def test_a_form_without_a_file_is_rejected(http: httpx.Client) -> None:
    response = http.post("/files", data={"purpose": "assistants"})
    assert response.status_code == 400
    assert response.json() == {"error": bad_request("'file' is a required property")}


def test_a_form_without_a_purpose_is_rejected(http: httpx.Client) -> None:
    response = http.post("/files", files={"file": ("a.txt", b"x")})
    assert response.status_code == 400
    assert response.json() == {"error": bad_request("'purpose' is a required property")}


def test_a_json_body_is_not_an_upload(http: httpx.Client) -> None:
    response = http.post("/files", json={"purpose": "assistants", "file": "abc"})
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "'file' is a required property"


def test_an_unknown_form_field_is_rejected(http: httpx.Client) -> None:
    response = http.post(
        "/files", data={"purpose": "assistants", "colour": "blue"}, files={"file": ("a", b"x")}
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Unrecognized request argument supplied: colour"


# --- read back ---------------------------------------------------------------------------


def test_content_is_the_uploaded_bytes(assistants_client: OpenAI) -> None:
    data = bytes(range(256)) * 3
    file_id = upload(assistants_client, "blob.bin", data)
    assert assistants_client.files.content(file_id).content == data
    retrieved = raw_json(assistants_client.files.with_raw_response.retrieve(file_id))
    assert list(retrieved) == FILE_KEYS
    assert (retrieved["filename"], retrieved["bytes"]) == ("blob.bin", 768)


def test_content_is_sent_as_an_attachment(http: httpx.Client, assistants_client: OpenAI) -> None:
    plain = upload(assistants_client, "report.txt", b"hello")
    response = http.get(f"/files/{plain}/content")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="report.txt"'
    assert response.content == b"hello"
    named = upload(assistants_client, "你好.txt", "你好".encode())
    disposition = http.get(f"/files/{named}/content").headers["content-disposition"]
    assert disposition == "attachment; filename*=UTF-8''%E4%BD%A0%E5%A5%BD.txt"


def test_delete_forgets_the_file(assistants_client: OpenAI) -> None:
    kept = upload(assistants_client, "kept.txt", b"a")
    gone = upload(assistants_client, "gone.txt", b"b")
    response = assistants_client.files.with_raw_response.delete(gone)
    body = raw_json(response)
    assert list(body) == ["object", "deleted", "id"]
    assert body == {"object": "file", "deleted": True, "id": gone}
    assert response.parse().deleted is True
    for call in (
        assistants_client.files.retrieve,
        assistants_client.files.content,
        assistants_client.files.delete,
    ):
        with pytest.raises(NotFoundError) as info:
            call(gone)
        assert info.value.body == no_such_file(gone)
    assert [f.id for f in assistants_client.files.list()] == [kept]


@pytest.mark.parametrize("path", ["/files/file-nope", "/files/file-nope/content"])
def test_unknown_files_are_404(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": no_such_file("file-nope")}


# --- lists -------------------------------------------------------------------------------


def test_list_is_newest_first_with_the_real_key_order(assistants_client: OpenAI) -> None:
    ids = [upload(assistants_client, f"f{i}.txt", b"x") for i in range(3)]
    body = raw_json(assistants_client.files.with_raw_response.list())
    assert list(body) == ["object", "data", "has_more", "first_id", "last_id"]
    assert [f["id"] for f in body["data"]] == ids[::-1]
    assert (body["first_id"], body["last_id"], body["has_more"]) == (ids[2], ids[0], False)
    assert all(list(f) == FILE_KEYS for f in body["data"])
    oldest_first = assistants_client.files.list(order="asc")
    assert [f.id for f in oldest_first] == ids


def test_an_empty_list(assistants_client: OpenAI) -> None:
    body = raw_json(assistants_client.files.with_raw_response.list())
    assert body == {
        "object": "list",
        "data": [],
        "has_more": False,
        "first_id": None,
        "last_id": None,
    }


def test_the_sdk_pages_through_every_file(assistants_client: OpenAI) -> None:
    ids = [upload(assistants_client, f"f{i}.txt", b"x") for i in range(5)]
    first = assistants_client.files.list(limit=2, order="asc")
    assert [f.id for f in first.data] == ids[:2]
    assert first.has_more is True
    assert [f.id for f in first] == ids  # auto-paging with `after`
    after = assistants_client.files.list(limit=10, order="asc", after=ids[2])
    assert [f.id for f in after.data] == ids[3:]


def test_list_filters_by_purpose(assistants_client: OpenAI) -> None:
    helper = upload(assistants_client, "a.txt", b"x")
    upload(assistants_client, "b.jsonl", b"{}", purpose="batch")
    other = upload(assistants_client, "c.txt", b"y")
    listed = assistants_client.files.list(purpose="assistants", order="asc")
    assert [f.id for f in listed] == [helper, other]
    assert [f.id for f in assistants_client.files.list(purpose="vision")] == []


@pytest.mark.parametrize(
    ("limit", "message", "code"),
    [
        (0, "integer below minimum value. Expected a value >= 1, but got 0", "below_min"),
        (
            10_001,
            "integer above maximum value. Expected a value <= 10000, but got 10001",
            "above_max",
        ),
    ],
)
def test_list_limit_range(http: httpx.Client, limit: int, message: str, code: str) -> None:
    response = http.get("/files", params={"limit": limit})
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": f"Invalid 'limit': {message} instead.",
        "type": "invalid_request_error",
        "param": "limit",
        "code": f"integer_{code}_value",
    }


def test_limit_may_go_up_to_ten_thousand(http: httpx.Client) -> None:
    assert http.get("/files", params={"limit": 10_000}).status_code == 200


# --- headers, determinism ----------------------------------------------------------------


def test_no_beta_header_is_needed(http: httpx.Client) -> None:
    created = http.post("/files", data={"purpose": "assistants"}, files={"file": ("a", b"x")})
    assert created.status_code == 200
    file_id = created.json()["id"]
    assert http.get("/files").status_code == 200
    assert http.get(f"/files/{file_id}").status_code == 200
    assert http.get(f"/files/{file_id}/content").status_code == 200
    assert http.delete(f"/files/{file_id}").status_code == 200


def test_an_api_key_is_still_needed(assistants_mock: MockServer) -> None:
    response = httpx.get(assistants_mock.base_url + "/files")
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


@pytest.mark.assistants_mock(api_key="sk-right")
def test_the_wrong_key_is_refused(assistants_mock: MockServer) -> None:
    with pytest.raises(AuthenticationError):
        assistants_mock.client(api_key="sk-wrong").files.list()
    assert assistants_mock.client(api_key="sk-right").files.list().data == []


def _file_ids(seed: int) -> list[str]:
    with MockServer(seed=seed) as server:
        client = server.client()
        return [upload(client, f"f{i}.txt", b"x") for i in range(3)]


def test_the_same_seed_gives_the_same_ids() -> None:
    first, again, other = _file_ids(3), _file_ids(3), _file_ids(4)
    assert first == again
    assert first != other
    assert all(FILE_ID.fullmatch(i) for i in first + other)


def test_reset_starts_the_ids_over(assistants_mock: MockServer, assistants_client: OpenAI) -> None:
    before = upload(assistants_client, "a.txt", b"x")
    assistants_mock.reset()
    assert [f.id for f in assistants_client.files.list()] == []
    assert upload(assistants_client, "a.txt", b"x") == before
