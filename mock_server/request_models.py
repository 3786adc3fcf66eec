"""Request bodies and query strings as strict pydantic models with the spec's limits.

`extra="forbid"` rejects unknown fields, `strict=True` rejects `"1"` for an integer,
and every nullable field of the spec accepts an explicit `null`. Errors become the
real API's 400s in `validation.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypeAliasType

from .deferred import DEFER_BUILD
from .filters import Filter

__all__ = [
    "Attachment",
    "CreateAssistant",
    "CreateMessage",
    "CreateRun",
    "CreateThread",
    "CreateThreadAndRun",
    "ImageFilePart",
    "ImageUrlPart",
    "ListQuery",
    "MessageListQuery",
    "ModifyAssistant",
    "ModifyMessage",
    "ModifyRun",
    "ModifyThread",
    "RequestModel",
    "StepListQuery",
    "StepQuery",
    "SubmitToolOutputs",
    "TextPart",
    "ToolIn",
    "ToolResourcesIn",
    "one_of",
]

METADATA_MAX_PAIRS = 16
METADATA_KEY_MAX = 64
METADATA_VALUE_MAX = 512


class RequestModel(BaseModel):
    """Base of every request model: strict, closed."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=DEFER_BUILD)


def one_of(
    name: str, *members: type[BaseModel], key: str = "type", strings: tuple[str, ...] = ()
) -> Any:
    """A union told apart by its `key` field, with the real API's errors for a bad member.

    `strings` are bare string values the union also accepts (`"auto"`). Members are
    tagged `#<value>` so that `validation.param_path` drops the tag from error locations.
    The union is a named type alias, which keeps it hashable inside `X | None`.
    """
    values = [m.model_fields[key].annotation.__args__[0] for m in members]  # type: ignore[union-attr]

    def choose(value: Any) -> str | None:
        if isinstance(value, str):
            return f"#{value}" if value in strings else None
        tag = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
        return f"#{tag}" if tag in values else None

    tagged: list[Any] = [Annotated[m, Tag(f"#{v}")] for m, v in zip(members, values, strict=True)]
    tagged += [Annotated[Literal[s], Tag(f"#{s}")] for s in strings]
    return TypeAliasType(
        name,
        Annotated[
            Union[tuple(tagged)],  # noqa: UP007  (a runtime tuple of members)
            Discriminator(
                choose,
                custom_error_type="one_of",
                custom_error_message="no member of the union fits",
                custom_error_context={
                    "key": key,
                    "supported": ",".join(values),
                    "strings": ",".join(strings),
                },
            ),
        ],
    )


def _check_metadata(metadata: dict[str, str]) -> dict[str, str]:
    if len(metadata) > METADATA_MAX_PAIRS:
        raise PydanticCustomError(
            "object_above_max_properties",
            "Invalid 'metadata': too many properties. Expected an object with at most "
            f"{METADATA_MAX_PAIRS} properties, but got an object with {len(metadata)} "
            "properties instead.",
        )
    for key, value in metadata.items():
        if len(key) > METADATA_KEY_MAX:
            raise PydanticCustomError(
                "invalid_property_name",
                f"Invalid property name in 'metadata': '{key}' is too long. Expected a string "
                f"with maximum length {METADATA_KEY_MAX}, but got a string with length "
                f"{len(key)} instead.",
                {"code": "string_above_max_length"},
            )
        if len(value) > METADATA_VALUE_MAX:
            raise PydanticCustomError(
                "invalid_value",
                f"Invalid 'metadata.{key}': string too long. Expected a string with maximum "
                f"length {METADATA_VALUE_MAX}, but got a string with length {len(value)} "
                "instead.",
                {"code": "string_above_max_length"},
            )
    return metadata


def _count_metadata(value: Any) -> Any:
    """Too many pairs are refused before each one is validated (bounded work)."""
    if isinstance(value, dict) and len(value) > METADATA_MAX_PAIRS:
        _check_metadata(value)
    return value


Metadata = Annotated[
    dict[str, str], BeforeValidator(_count_metadata), AfterValidator(_check_metadata)
]
Name = Annotated[str, StringConstraints(max_length=256)]
Description = Annotated[str, StringConstraints(max_length=512)]
Instructions = Annotated[str, StringConstraints(max_length=256_000)]
Temperature = Annotated[float, Field(ge=0, le=2)]
TopP = Annotated[float, Field(ge=0, le=1)]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
Detail = Literal["auto", "low", "high"]


# --- tools -------------------------------------------------------------------------------


class FunctionDefinitionIn(RequestModel):
    name: Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-zA-Z0-9_-]+$")]
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FunctionToolIn(RequestModel):
    type: Literal["function"]
    function: FunctionDefinitionIn


class CodeInterpreterToolIn(RequestModel):
    type: Literal["code_interpreter"]


class RankingOptionsIn(RequestModel):
    score_threshold: Annotated[float, Field(ge=0, le=1)]
    ranker: Literal["auto", "default_2024_08_21"] | None = None


class FileSearchOptionsIn(RequestModel):
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    ranking_options: RankingOptionsIn | None = None


class FileSearchToolIn(RequestModel):
    type: Literal["file_search"]
    file_search: FileSearchOptionsIn | None = None


class FileSearchTypeOnly(RequestModel):
    type: Literal["file_search"]


if TYPE_CHECKING:  # what the checker sees; at run time the unions are tagged (`one_of`)
    ToolIn = CodeInterpreterToolIn | FileSearchToolIn | FunctionToolIn
    AttachmentToolIn = CodeInterpreterToolIn | FileSearchTypeOnly
else:
    ToolIn = one_of("ToolIn", CodeInterpreterToolIn, FileSearchToolIn, FunctionToolIn)
    AttachmentToolIn = one_of("AttachmentToolIn", CodeInterpreterToolIn, FileSearchTypeOnly)


# --- tool resources ----------------------------------------------------------------------


class StaticChunkingIn(RequestModel):
    max_chunk_size_tokens: Annotated[int, Field(ge=100, le=4096)]
    chunk_overlap_tokens: Annotated[int, Field(ge=0)]

    @model_validator(mode="after")
    def _overlap_at_most_half(self) -> StaticChunkingIn:
        if self.chunk_overlap_tokens > self.max_chunk_size_tokens // 2:
            raise PydanticCustomError(
                "chunk_overlap",
                "'chunk_overlap_tokens' must not exceed half of 'max_chunk_size_tokens'",
            )
        return self


class AutoChunkingStrategyIn(RequestModel):
    type: Literal["auto"]


class StaticChunkingStrategyIn(RequestModel):
    type: Literal["static"]
    static: StaticChunkingIn


if TYPE_CHECKING:
    ChunkingStrategyIn = AutoChunkingStrategyIn | StaticChunkingStrategyIn
else:
    ChunkingStrategyIn = one_of(
        "ChunkingStrategyIn", AutoChunkingStrategyIn, StaticChunkingStrategyIn
    )


class CodeInterpreterResourcesIn(RequestModel):
    file_ids: Annotated[list[str], Field(max_length=20)] = []


class VectorStoreHelperIn(RequestModel):
    file_ids: Annotated[list[str], Field(max_length=10_000)] | None = None
    chunking_strategy: ChunkingStrategyIn | None = None
    metadata: Metadata | None = None


class FileSearchResourcesIn(RequestModel):
    vector_store_ids: Annotated[list[str], Field(max_length=1)] | None = None
    vector_stores: Annotated[list[VectorStoreHelperIn], Field(max_length=1)] | None = None


class FileSearchResourceIdsIn(RequestModel):
    vector_store_ids: Annotated[list[str], Field(max_length=1)] | None = None


class ToolResourcesIn(RequestModel):
    """Tool resources on create: ids, or the `vector_stores` helper."""

    code_interpreter: CodeInterpreterResourcesIn | None = None
    file_search: FileSearchResourcesIn | None = None


class ToolResourceIdsIn(RequestModel):
    """Tool resources on modify: ids only."""

    code_interpreter: CodeInterpreterResourcesIn | None = None
    file_search: FileSearchResourceIdsIn | None = None


# --- response format ---------------------------------------------------------------------


class TextFormatIn(RequestModel):
    type: Literal["text"]


class JsonObjectFormatIn(RequestModel):
    type: Literal["json_object"]


class JsonSchemaIn(RequestModel):
    name: Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-zA-Z0-9_-]+$")]
    description: str | None = None
    schema_: Annotated[dict[str, Any] | None, Field(alias="schema")] = None
    strict: bool | None = None


class JsonSchemaFormatIn(RequestModel):
    type: Literal["json_schema"]
    json_schema: JsonSchemaIn


if TYPE_CHECKING:
    ResponseFormatIn = Literal["auto"] | TextFormatIn | JsonObjectFormatIn | JsonSchemaFormatIn
else:
    ResponseFormatIn = one_of(
        "ResponseFormatIn", TextFormatIn, JsonObjectFormatIn, JsonSchemaFormatIn, strings=("auto",)
    )


# --- assistants --------------------------------------------------------------------------


class CreateAssistant(RequestModel):
    model: str
    name: Name | None = None
    description: Description | None = None
    instructions: Instructions | None = None
    reasoning_effort: ReasoningEffort | None = None
    tools: Annotated[list[ToolIn], Field(max_length=128)] | None = None
    tool_resources: ToolResourcesIn | None = None
    metadata: Metadata | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    response_format: ResponseFormatIn | None = None


class ModifyAssistant(RequestModel):
    """Every field optional; only the fields sent (`model_fields_set`) change."""

    model: str | None = None
    name: Name | None = None
    description: Description | None = None
    instructions: Instructions | None = None
    reasoning_effort: ReasoningEffort | None = None
    tools: Annotated[list[ToolIn], Field(max_length=128)] | None = None
    tool_resources: ToolResourceIdsIn | None = None
    metadata: Metadata | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    response_format: ResponseFormatIn | None = None


# --- messages ----------------------------------------------------------------------------


class TextPart(RequestModel):
    type: Literal["text"]
    text: str


class ImageFileIn(RequestModel):
    file_id: str
    detail: Detail | None = None


class ImageFilePart(RequestModel):
    type: Literal["image_file"]
    image_file: ImageFileIn


class ImageUrlIn(RequestModel):
    url: Annotated[str, StringConstraints(pattern=r"^(https?|data):")]
    detail: Detail | None = None


class ImageUrlPart(RequestModel):
    type: Literal["image_url"]
    image_url: ImageUrlIn


if TYPE_CHECKING:
    ContentPartIn = TextPart | ImageFilePart | ImageUrlPart
else:
    ContentPartIn = one_of("ContentPartIn", TextPart, ImageFilePart, ImageUrlPart)


def _content_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "#string"
    return "#array" if isinstance(value, list) else None


ContentIn = Annotated[
    Annotated[str, Tag("#string")]
    | Annotated[Annotated[list[ContentPartIn], Field(min_length=1)], Tag("#array")],
    Discriminator(
        _content_kind,
        custom_error_type="one_of",
        custom_error_message="content is a string or an array",
        custom_error_context={"expected": "a string or an array of content parts"},
    ),
]


class Attachment(RequestModel):
    file_id: str
    tools: list[AttachmentToolIn]


class CreateMessage(RequestModel):
    role: Literal["user", "assistant"]
    content: ContentIn
    attachments: list[Attachment] | None = None
    metadata: Metadata | None = None


class ModifyMessage(RequestModel):
    metadata: Metadata | None = None


# --- threads -----------------------------------------------------------------------------


class CreateThread(RequestModel):
    messages: list[CreateMessage] | None = None
    tool_resources: ToolResourcesIn | None = None
    metadata: Metadata | None = None


class ModifyThread(RequestModel):
    tool_resources: ToolResourceIdsIn | None = None
    metadata: Metadata | None = None


# --- list queries ------------------------------------------------------------------------


class ListQuery(RequestModel):
    """The cursor parameters every list endpoint takes."""

    limit: Annotated[int, Field(ge=1, le=100)] = 20
    order: Literal["asc", "desc"] = "desc"
    after: str | None = None
    before: str | None = None


class MessageListQuery(ListQuery):
    run_id: str | None = None


# --- runs --------------------------------------------------------------------------------

TokenLimit = Annotated[int, Field(ge=256)]
CompletionLimit = Annotated[int, Field(ge=1)]
"""`max_completion_tokens`: the spec says at least 256, but the real API accepted 16
(a 2024 recording), so only a positive count is asked for."""
RunTools = Annotated[list[ToolIn], Field(max_length=20)]


class TruncationStrategyIn(RequestModel):
    type: Literal["auto", "last_messages"]
    last_messages: Annotated[int, Field(ge=1)] | None = None


class ToolChoiceFunctionIn(RequestModel):
    name: str


class ToolChoiceIn(RequestModel):
    type: Literal["function", "code_interpreter", "file_search"]
    function: ToolChoiceFunctionIn | None = None


ToolChoiceOptionIn = Literal["none", "auto", "required"] | ToolChoiceIn


class _RunOptions(RequestModel):
    """What createRun and createThreadAndRun share."""

    assistant_id: str
    model: str | None = None
    instructions: Instructions | None = None
    tools: RunTools | None = None
    metadata: Metadata | None = None
    temperature: Temperature | None = None
    top_p: TopP | None = None
    stream: bool | None = None
    max_prompt_tokens: TokenLimit | None = None
    max_completion_tokens: CompletionLimit | None = None
    truncation_strategy: TruncationStrategyIn | None = None
    tool_choice: ToolChoiceOptionIn | None = None
    parallel_tool_calls: bool | None = None
    response_format: ResponseFormatIn | None = None


class CreateRun(_RunOptions):
    reasoning_effort: ReasoningEffort | None = None
    additional_instructions: str | None = None
    additional_messages: list[CreateMessage] | None = None


class CreateThreadAndRun(_RunOptions):
    thread: CreateThread | None = None
    tool_resources: ToolResourceIdsIn | None = None


class ToolOutputIn(RequestModel):
    tool_call_id: str
    output: str


class SubmitToolOutputs(RequestModel):
    tool_outputs: list[ToolOutputIn]
    stream: bool | None = None


class ModifyRun(RequestModel):
    metadata: Metadata | None = None


Includable = Literal["step_details.tool_calls[*].file_search.results[*].content"]


class StepQuery(RequestModel):
    """`include[]` on a run step and on createRun."""

    include: list[Includable] = []


class StepListQuery(ListQuery):
    """The list of a run's steps also takes `include[]`."""

    include: list[Includable] = []


# --- files -------------------------------------------------------------------------------

UPLOAD_PURPOSES = ("fine-tune", "assistants", "batch", "user_data", "vision", "evals")
"""What `POST /files` takes as `purpose`, in the order the real API's error lists them."""


class FileExpiresAfterIn(RequestModel):
    anchor: Literal["created_at"]
    seconds: Annotated[int, Field(ge=3600, le=2_592_000)]


class FileForm(RequestModel):
    """The text fields of an upload (`multipart/form-data`); the file itself comes apart.

    Parsed like a query string (form values are strings); `purpose` is checked by the
    library, which words its error as the real API does.
    """

    purpose: str
    expires_after: FileExpiresAfterIn | None = None


class FileListQuery(ListQuery):
    """`GET /files`: a limit up to 10,000 (the default), and a purpose filter."""

    limit: Annotated[int, Field(ge=1, le=10_000)] = 10_000
    purpose: str | None = None


# --- vector stores -----------------------------------------------------------------------


def _check_attributes(
    attributes: dict[str, str | bool | int | float],
) -> dict[str, str | bool | int | float]:
    if len(attributes) > METADATA_MAX_PAIRS:
        raise PydanticCustomError(
            "object_above_max_properties",
            "Invalid 'attributes': too many properties. Expected an object with at most "
            f"{METADATA_MAX_PAIRS} properties, but got an object with {len(attributes)} "
            "properties instead.",
        )
    for key, value in attributes.items():
        if len(key) > METADATA_KEY_MAX:
            raise PydanticCustomError(
                "invalid_property_name",
                f"Invalid property name in 'attributes': '{key}' is too long. Expected a "
                f"string with maximum length {METADATA_KEY_MAX}, but got a string with length "
                f"{len(key)} instead.",
                {"code": "string_above_max_length"},
            )
        if isinstance(value, str) and len(value) > METADATA_VALUE_MAX:
            raise PydanticCustomError(
                "invalid_value",
                f"Invalid 'attributes.{key}': string too long. Expected a string with maximum "
                f"length {METADATA_VALUE_MAX}, but got a string with length {len(value)} "
                "instead.",
                {"code": "string_above_max_length"},
            )
    return attributes


Attributes = Annotated[dict[str, str | bool | int | float], AfterValidator(_check_attributes)]


class VectorStoreExpiresAfterIn(RequestModel):
    anchor: Literal["last_active_at"]
    days: Annotated[int, Field(ge=1, le=365)]


class CreateVectorStore(RequestModel):
    file_ids: Annotated[list[str], Field(max_length=500)] | None = None
    name: str | None = None
    description: str | None = None
    expires_after: VectorStoreExpiresAfterIn | None = None
    chunking_strategy: ChunkingStrategyIn | None = None
    metadata: Metadata | None = None


class ModifyVectorStore(RequestModel):
    """Only the fields sent (`model_fields_set`) change; `null` clears `name` and
    `expires_after`."""

    name: str | None = None
    expires_after: VectorStoreExpiresAfterIn | None = None
    metadata: Metadata | None = None


class CreateVectorStoreFile(RequestModel):
    file_id: str
    chunking_strategy: ChunkingStrategyIn | None = None
    attributes: Attributes | None = None


class UpdateVectorStoreFile(RequestModel):
    attributes: Attributes | None


class CreateFileBatch(RequestModel):
    """`file_ids` (with shared `attributes`/`chunking_strategy`) or `files`, not both."""

    file_ids: Annotated[list[str], Field(min_length=1, max_length=2000)] | None = None
    files: Annotated[list[CreateVectorStoreFile], Field(min_length=1, max_length=2000)] | None = (
        None
    )
    chunking_strategy: ChunkingStrategyIn | None = None
    attributes: Attributes | None = None


FileStatus = Literal["in_progress", "completed", "failed", "cancelled"]


class VectorStoreFileListQuery(ListQuery):
    """The files of a vector store or of a batch, optionally only those in one status."""

    filter: FileStatus | None = None


class SearchRankingOptionsIn(RequestModel):
    ranker: Literal["none", "auto", "default-2024-11-15"] | None = None
    score_threshold: Annotated[float, Field(ge=0, le=1)] | None = None


class SearchVectorStore(RequestModel):
    """`POST /vector_stores/{id}/search`; a list of queries is searched as one."""

    query: str | Annotated[list[str], Field(min_length=1)]
    rewrite_query: bool | None = None
    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    filters: Filter | None = None
    ranking_options: SearchRankingOptionsIn | None = None


__all__ += [
    "UPLOAD_PURPOSES",
    "ChunkingStrategyIn",
    "CreateFileBatch",
    "CreateVectorStore",
    "CreateVectorStoreFile",
    "FileForm",
    "FileListQuery",
    "ModifyVectorStore",
    "SearchVectorStore",
    "UpdateVectorStoreFile",
    "VectorStoreFileListQuery",
]
