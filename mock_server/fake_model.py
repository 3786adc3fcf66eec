"""The default fake model: deterministic, seeded replies derived from the conversation.

Nothing here is random: every choice is a hash of the seed and the conversation, so
the same seed and the same messages always give the same reply, token for token.
A reply reads like a short answer about the words of the latest user message, is as
long as the message asks (`in 100 words or less`, `write 400 words`) and is valid
JSON when a JSON response format asks for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .arithmetic import evaluate

__all__ = [
    "Citation",
    "CodeRun",
    "FunctionCall",
    "Reply",
    "arguments_for",
    "asks_about_files",
    "choose_calls",
    "cited_reply",
    "count_tokens",
    "instance_of",
    "plan_code",
    "reply_with_logs",
    "reply_with_outputs",
    "respond",
    "tokenize",
    "wants_search",
    "with_citations",
]

_TOKEN = re.compile(r"\s*[A-Za-z]{1,9}|\s*\d{1,3}|\s*[^\sA-Za-z\d]|\s+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_LENGTH = re.compile(r"(\d{1,4})\s+words?(\s+or\s+(less|fewer))?", re.IGNORECASE)
_STOPWORDS = frozenset(
    """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its just
    less me more most my no nor not now of off on once only or other our out over own
    please same she should so some such tell than that the their them then there these they
    this those through to too under until up very was we were what when where which while
    who whom why will with would you your write words word explain describe give show
    """.split()  # noqa: SIM905  (a word list reads best as prose)
)
_OPENERS = (
    "{Topic} is a subject with a short, clear answer.",
    "In short, {topic} is best understood through {a} and {b}.",
    "Here is a brief answer about {topic}.",
    "{Topic} comes up often, and the essentials are simple.",
)
_BODY = (
    "It is closely tied to {a}, which shapes most of what follows.",
    "Most accounts start with {a} and then turn to {b}.",
    "The key points are {a}, {b}, and how the two relate.",
    "People usually notice {a} first, and {b} soon after.",
    "A useful way to think about it is in terms of {a}.",
    "Details vary, but {a} and {b} stay central throughout.",
    "Seen from the side of {b}, the picture becomes clearer.",
    "Examples help: {a} shows the idea well, and so does {b}.",
)
_CLOSERS = (
    "That is the core of it.",
    "In summary, {topic} is about {a} and {b}.",
    "That covers the essentials of {topic}.",
)
_ASPECTS = (
    "its main features",
    "the wider context",
    "where it comes from",
    "how it changes over time",
    "the way people use it",
    "its everyday role",
    "a few well-known examples",
    "the common misconceptions",
)
_DEFAULT_WORDS = 60


@dataclass(frozen=True)
class Citation:
    """A `file_citation` annotation: the marker text at `start_index:end_index` of the
    reply cites `file_id`."""

    text: str
    start_index: int
    end_index: int
    file_id: str


@dataclass(frozen=True)
class Reply:
    """What the model says: the text, split into the tokens it streams (a citation's
    marker is one token), and the citations in it."""

    text: str
    tokens: tuple[str, ...]
    citations: tuple[Citation, ...] = ()


def tokenize(text: str) -> list[str]:
    """Split text into token-sized pieces: words of up to nine letters with their
    leading space, short numbers, punctuation. Joining the pieces gives the text back."""
    return _TOKEN.findall(text)


def count_tokens(text: str) -> int:
    return len(tokenize(text))


class _Chooser:
    """Deterministic choices from a hash of the seed and the conversation."""

    def __init__(self, *parts: str) -> None:
        self._key = "\x00".join(parts).encode()
        self._n = 0
        self._pool: list[int] = []

    def index(self, size: int) -> int:
        if not self._pool:  # eight numbers from each digest
            self._n += 1
            digest = hashlib.sha512(self._key + self._n.to_bytes(4, "big")).digest()
            self._pool = [int.from_bytes(digest[i : i + 8], "big") for i in range(56, -8, -8)]
        return self._pool.pop() % size

    def pick(self, options: Sequence[str]) -> str:
        return options[self.index(len(options))]


def _keywords(text: str) -> list[str]:
    """Content words in order of appearance; names keep their capital (`Rome`)."""
    seen: dict[str, str] = {}
    for i, word in enumerate(_WORD.findall(text)):
        lower = word.lower()
        if lower not in _STOPWORDS and len(lower) > 2:
            seen.setdefault(lower, word if i and word[0].isupper() else lower)
    return list(seen.values()) or ["this question"]


def _prose(prompt: str, chooser: _Chooser) -> str:
    keywords = _keywords(prompt)
    topic = keywords[0]
    match = _LENGTH.search(prompt)
    budget = int(match.group(1)) if match else _DEFAULT_WORDS
    at_most = bool(match and match.group(2)) or not match

    aspects = list(_ASPECTS)
    body = list(_BODY)

    def take(pool: list[str]) -> str:
        """Draw without repeating until the pool runs dry, then start over."""
        if not pool:
            pool.extend(_ASPECTS if pool is aspects else _BODY)
        return pool.pop(chooser.index(len(pool)))

    def fill(template: str) -> str:
        a = keywords[chooser.index(len(keywords))] if len(keywords) > 1 else take(aspects)
        return template.format(
            topic=topic, Topic=topic[:1].upper() + topic[1:], a=a, b=take(aspects)
        )

    sentences = [fill(chooser.pick(_OPENERS))]
    closer = fill(chooser.pick(_CLOSERS))
    words = len(sentences[0].split()) + len(closer.split())
    while True:
        sentence = fill(take(body))
        if words + len(sentence.split()) > budget and (at_most or words >= budget):
            break
        sentences.append(sentence)
        words += len(sentence.split())
        if words >= budget:
            break
    return " ".join([*sentences, closer])


def instance_of(schema: Any, words: Sequence[str] = ("value",), depth: int = 0) -> Any:
    """A deterministic value that validates against a (simple) JSON schema."""
    if not isinstance(schema, dict) or depth > 8:
        return words[0]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            return instance_of(schema[key][0], words, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {
            name: instance_of(sub, [*words[i % len(words) :], *words], depth + 1)
            for i, (name, sub) in enumerate(props.items())
        }
    if kind == "array":
        count = max(1, int(schema.get("minItems", 1)))
        return [instance_of(schema.get("items", {}), words, depth + 1) for _ in range(count)]
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1.0))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return words[0]


def respond(
    *,
    seed: int,
    prompt: str,
    context: Sequence[str] = (),
    response_format: Any = "auto",
) -> Reply:
    """The reply to `prompt` (the latest user message), given the rest of the
    conversation (`context`: instructions and earlier messages)."""
    chooser = _Chooser(str(seed), prompt, *context)
    text = _prose(prompt, chooser)
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind == "json_object":
        text = json.dumps({"answer": text}, ensure_ascii=False)
    elif kind == "json_schema":
        schema = response_format.get("json_schema", {}).get("schema") or {}
        text = json.dumps(instance_of(schema, _keywords(prompt)), ensure_ascii=False)
    return Reply(text=text, tokens=tuple(tokenize(text)))


# --- tool calls --------------------------------------------------------------------------

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PLACE_WORDS = ("location", "city", "place", "country", "region", "address", "destination")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_QUOTED = re.compile(r"[\"“']([^\"”']{1,80})[\"”']")
_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten", "eleven", "twelve")  # fmt: skip


@dataclass(frozen=True)
class FunctionCall:
    """A call the model makes: the function's name and its arguments as JSON text (and
    the call's id, when the model gave it one)."""

    name: str
    arguments: str
    call_id: str | None = None


def _stem(word: str) -> str:
    word = word.lower()
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _mentions(function: dict[str, Any], prompt_words: set[str]) -> int:
    """How strongly the prompt mentions a function: words of its name count double, and
    a weekday counts when the function takes a day ("What should I eat on Thursday?")."""
    name_words = {_stem(w) for w in _NAME_PARTS.findall(function.get("name", ""))}
    name_words = {w for w in name_words if len(w) > 2 and w not in _STOPWORDS and w != "get"}
    description = function.get("description") or ""
    described = {_stem(w) for w in _WORD.findall(description) if len(w) > 3}
    described -= _STOPWORDS
    score = 2 * len(name_words & prompt_words) + len(described & prompt_words)
    properties = (function.get("parameters") or {}).get("properties") or {}
    if prompt_words & set(_WEEKDAYS) and any("day" in str(p).lower() for p in properties):
        score += 1  # the prompt names the weekday the function takes
    return score


def _string_for(name: str, schema: dict[str, Any], prompt: str) -> str:
    lowered = prompt.lower()
    if schema.get("enum"):
        options = [str(o) for o in schema["enum"]]
        return next((o for o in options if o.lower() in lowered), options[0])
    key = name.lower()
    if "day" in key:
        day = next((d for d in _WEEKDAYS if d in lowered), None)
        if day:
            return day.capitalize()
    if any(w in key for w in _PLACE_WORDS):
        words = _WORD.findall(prompt)
        names = [
            w for i, w in enumerate(words) if i and w[0].isupper() and w.lower() not in _WEEKDAYS
        ]
        if names:
            return " ".join(names)
    quoted = _QUOTED.search(prompt)
    if quoted:
        return quoted.group(1)
    keywords = _keywords(prompt)
    return keywords[0] if keywords != ["this question"] else name


_COUNT = re.compile(r"\b(\d{1,4}|" + "|".join(_NUMBER_WORDS) + r")\s+([A-Za-z][A-Za-z-]*)", re.I)
_MAX_ITEMS = 100
"""The most items an array argument gets when the prompt asks for more."""


def _count_of(name: str, schema: dict[str, Any], prompt: str) -> int | None:
    """How many items the prompt asks for in the array argument `name` ("a quiz with
    2 questions" gives `questions` 2), within the schema's `minItems`/`maxItems`."""
    wanted = {_stem(w) for w in _NAME_PARTS.findall(name)}
    for number, noun in _COUNT.findall(prompt):
        if _stem(noun) in wanted:
            count = int(number) if number.isdigit() else _NUMBER_WORDS.index(number.lower())
            low = int(schema.get("minItems", 0))
            high = min(int(schema.get("maxItems", _MAX_ITEMS)), _MAX_ITEMS)
            return max(low, min(count, high))
    return None


def without_names(prompt: str, names: Sequence[str]) -> str:
    """`prompt` without the words that name a function ("Use WeatherPlugin-get_weather:
    weather in Nairobi?" leaves "Use weather in Nairobi?"), so no argument quotes them."""
    lowered = [n.lower() for n in names if len(n) > 2]
    kept = [w for w in prompt.split() if not any(n in w.lower() for n in lowered)]
    return " ".join(kept)


def arguments_for(parameters: dict[str, Any] | None, prompt: str) -> dict[str, Any]:
    """Arguments that validate against a function's JSON schema, taken from the prompt
    where they obviously fit (a city, a weekday, a number, an enum value mentioned),
    deterministic placeholders otherwise."""
    schema = parameters or {}
    properties: dict[str, Any] = schema.get("properties") or {}
    required = schema.get("required")
    names = [n for n in properties if required is None or n in required]
    numbers = _NUMBER.findall(prompt)
    out: dict[str, Any] = {}
    for name in names:
        sub = properties[name] if isinstance(properties[name], dict) else {}
        kind = sub.get("type", "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        if kind == "string":
            out[name] = _string_for(name, sub, prompt)
        elif kind in ("integer", "number") and numbers and not sub.get("enum"):
            value = float(numbers.pop(0))
            out[name] = int(value) if kind == "integer" else value
        elif kind == "array" and (count := _count_of(name, sub, prompt)) is not None:
            item = instance_of(sub.get("items", {}), _keywords(prompt))
            out[name] = [item for _ in range(count)]
        else:
            out[name] = instance_of(sub, _keywords(prompt))
    return out


def choose_calls(
    *,
    prompt: str,
    tools: Sequence[dict[str, Any]],
    tool_choice: Any,
    parallel: bool,
) -> tuple[FunctionCall, ...]:
    """The function calls the model makes for `prompt`, or none (it replies in text).

    `tool_choice` is honoured exactly: `none` never calls, `required` always calls (the
    best-matching function, else the first), a named function calls that one, `auto`
    calls the functions the prompt mentions (words of their names or descriptions); with
    `parallel` every mentioned function is called, in the order the tools are declared.
    """
    functions = [t["function"] for t in tools if t.get("type") == "function"]
    if tool_choice == "none" or not functions:
        return ()
    if isinstance(tool_choice, dict):
        if tool_choice.get("type") != "function":
            return ()
        name = (tool_choice.get("function") or {}).get("name")
        chosen = [f for f in functions if f["name"] == name] or [{"name": name}]
    else:
        words = {_stem(w) for w in _WORD.findall(prompt)}
        scored = [(score, i) for i, f in enumerate(functions) if (score := _mentions(f, words))]
        ranked = [functions[i] for _, i in sorted(scored, key=lambda s: (-s[0], s[1]))]
        if tool_choice == "required" and not ranked:
            ranked = functions[:1]
        # Parallel calls come in the order the tools are declared; a single call is the
        # best-matching function.
        chosen = [f for f in functions if f in ranked] if parallel else ranked[:1]
    names = [f["name"] for f in functions]
    return tuple(
        FunctionCall(
            name=f["name"],
            arguments=json.dumps(
                arguments_for(f.get("parameters"), without_names(prompt, names)),
                ensure_ascii=False,
                separators=(",", ":"),
            ),
        )
        for f in chosen
    )


def reply_with_outputs(outputs: Sequence[tuple[str, str]]) -> Reply:
    """The reply after tool outputs came back: it says what they were."""
    parts = [f"{name} returned {output}" for name, output in outputs]
    text = "Based on the results: " + "; ".join(parts) + "."
    return Reply(text=text, tokens=tuple(tokenize(text)))


# --- code interpreter --------------------------------------------------------------------

_CODE_WORDS = frozenset(
    {"calculate", "compute", "code", "python", "solve", "plot", "chart", "equation", "sum"}
)
_ARITHMETIC = re.compile(r"\d[\d.\s]*(?:[-+*/%^]\s*[\d.(][\d.\s()]*)+")


@dataclass(frozen=True)
class CodeRun:
    """What the model "runs" in the code interpreter: generated, never executed."""

    input: str
    logs: str


def plan_code(*, prompt: str, tools: Sequence[dict[str, Any]], tool_choice: Any) -> CodeRun | None:
    """The code the model writes for `prompt`, or None (it does not use the tool).

    It does when `tool_choice` names `code_interpreter`, or under `auto`/`required`
    when the tool is enabled and the prompt asks for a calculation (an arithmetic
    expression, or words like "calculate", "python", "plot"). An arithmetic expression
    in the prompt is computed for the logs; otherwise the program prints its findings.
    """
    if not any(t.get("type") == "code_interpreter" for t in tools):
        return None
    named = isinstance(tool_choice, dict) and tool_choice.get("type") == "code_interpreter"
    expression = _ARITHMETIC.search(prompt)
    words = {w.lower() for w in _WORD.findall(prompt)}
    wanted = bool(expression) or bool(words & _CODE_WORDS)
    if not named and (tool_choice not in ("auto", "required") or not wanted):
        return None
    if expression:
        text = expression.group(0).strip()
        value = evaluate(text)  # bounded work; a log saying why when it cannot
        if value is not None:
            return CodeRun(input=f"result = {text.replace('^', '**')}\nprint(result)", logs=value)
    keywords = [k for k in _keywords(prompt) if k.lower() not in _CODE_WORDS | {"this question"}]
    keywords = keywords[:3] or ["answer"]
    listing = ", ".join(repr(k) for k in keywords)
    return CodeRun(
        input=f"findings = [{listing}]\nfor item in findings:\n    print(item)",
        logs="\n".join(keywords),
    )


def reply_with_logs(logs: str) -> Reply:
    """The reply after the code ran: it reports the output."""
    text = f"I ran the code and it printed: {logs}"
    return Reply(text=text, tokens=tuple(tokenize(text)))


# --- file search -------------------------------------------------------------------------

_SEARCH_WORDS = frozenset(
    {"search", "file", "files", "document", "documents", "according", "find", "look"}
)


def asks_about_files(prompt: str) -> bool:
    """Whether the prompt points at the files ("Using the files you have available, …",
    "search the documents"): then the model searches even when nothing matches."""
    return any(w.lower() in _SEARCH_WORDS for w in _WORD.findall(prompt))


def wants_search(*, prompt: str, tools: Sequence[dict[str, Any]], tool_choice: Any) -> bool:
    """Whether the model searches its files for `prompt`: when `tool_choice` names
    `file_search`, or under `auto`/`required` when the tool is enabled (the caller
    then searches, and uses the tool only if something matches)."""
    if not any(t.get("type") == "file_search" for t in tools):
        return False
    if isinstance(tool_choice, dict):
        return tool_choice.get("type") == "file_search"
    return tool_choice in ("auto", "required")


def with_citations(text: str, cited: Sequence[tuple[str, str]], step_index: int = 4) -> Reply:
    """`text` followed by a citation marker for each `(file_id, file_name)`."""
    tokens = tokenize(text)
    citations: list[Citation] = []
    for i, (file_id, file_name) in enumerate(cited):
        marker = f"【{step_index}:{i}†{file_name}】"
        citations.append(Citation(marker, len(text), len(text) + len(marker), file_id))
        text += marker
        tokens.append(marker)
    return Reply(text=text, tokens=tuple(tokens), citations=tuple(citations))


def cited_reply(parts: Sequence[tuple[str, str, str]], step_index: int = 4) -> Reply:
    """A reply that quotes search hits, each followed by its citation marker.

    `parts` are `(passage, file_id, file_name)`. The marker reads as the real API's
    (`【4:0†notes.txt】`) and streams as one token carrying its annotation.
    """
    text = "According to the files, "
    tokens = tokenize(text)
    citations: list[Citation] = []
    for i, (passage, file_id, file_name) in enumerate(parts):
        words = passage.split()
        quote = " ".join(words[:30]) + (" …" if len(words) > 30 else "")
        piece = ("" if i == 0 else " ") + quote
        text += piece
        tokens += tokenize(piece)
        marker = f"【{step_index}:{i}†{file_name}】"
        citations.append(Citation(marker, len(text), len(text) + len(marker), file_id))
        text += marker
        tokens.append(marker)
    return Reply(text=text, tokens=tuple(tokens), citations=tuple(citations))
