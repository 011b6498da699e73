"""Chat-completion and batch outputs: the answer text becomes the attempt's `response`.

Read as OpenAI documents them (API reference, "The chat completion object" and "The request output object"
of the Batch API): a batch output line is `{"id", "custom_id", "response": {"status_code", "request_id",
"body"}, "error"}`, the body a chat completion (`object: "chat.completion"`, `choices[0].message.content`)
or a Responses object (`object: "response"`, `output[].content[]` of type `output_text`). Anthropic's Message
Batches results are read too (API reference, "Retrieve Message Batch results": `{"custom_id", "result":
{"type": "succeeded", "message": {"content": [{"type": "text", "text"}]}}}`). A bare-tui attempt line whose
`response` is one of those objects is read the same way.

A batch line names its task through `custom_id`: the task's id itself, or the task's id followed by one of
`: / | # @` or `__` and anything (`t-017:gpt-4o`). The tasks must be in the session already."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import NATIVE_KEYS, Context, json_lines, source_line

if TYPE_CHECKING:
    from ..importer import SourceLine

SEPARATORS = (":", "/", "|", "#", "@", "__")


class AnswerError(ValueError):
    """An output object with no answer in it; the message says why."""


def read_chat_outputs(path: Path, context: Context) -> Iterator[SourceLine]:
    for number, item in json_lines(path, context.report):
        where = f"{path}:{number}"
        if not isinstance(item, dict):
            context.report.fail(where, "expected a JSON object (a chat completion or a batch output line)")
            continue
        try:
            yield source_line(path, number, attempt_line(item, context.known_task_ids))
        except AnswerError as exc:
            context.report.fail(where, str(exc))


def attempt_line(item: dict[str, Any], known_task_ids: frozenset[str]) -> dict[str, Any]:
    """The bare-tui attempt line an output object stands for."""
    if "custom_id" in item:
        custom_id = item["custom_id"]
        if not isinstance(custom_id, str) or not custom_id:
            raise AnswerError("'custom_id' must be a non-empty string")
        body = _batch_body(item)
        text, model = answer_text(body), body.get("model")
        task_id = task_for(custom_id, known_task_ids)
        if task_id is None:
            raise AnswerError(
                f"custom_id '{custom_id}' names no task in the session: import the tasks first, and let each "
                "request's custom_id be its task's id, or the task's id then ':' and anything (e.g. 't-017:run-2')"
            )
        model = model if isinstance(model, str) and model else "unknown"
        attempt_id = f"{model}/{task_id}" if custom_id == task_id else custom_id
        meta = {"format": "openai-batch", "custom_id": custom_id, "completion_id": body.get("id")}
        return {"attempt_id": attempt_id, "task_id": task_id, "model": model, "response": text, "meta": meta}
    if isinstance(item.get("response"), dict):  # a bare-tui attempt line carrying the output object
        body = item["response"]
        body = _batch_body(body) if "status_code" in body or "body" in body else body
        line = dict(item)
        line["response"] = answer_text(body)
        if not line.get("model") and isinstance(body.get("model"), str):
            line["model"] = body["model"]
        return line
    if item.get("object") in ("chat.completion", "response") or "choices" in item:
        metadata: dict[str, Any] = item["metadata"] if isinstance(item.get("metadata"), dict) else {}
        task_id = metadata.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise AnswerError(
                "a chat completion on its own names no task: give it metadata.task_id, or wrap it "
                'as {"attempt_id": ..., "task_id": ..., "response": <the completion>}'
            )
        model = item.get("model") if isinstance(item.get("model"), str) else "unknown"
        attempt_id = metadata.get("attempt_id") or item.get("id") or f"{model}/{task_id}"
        return {
            "attempt_id": attempt_id,
            "task_id": task_id,
            "model": model,
            "response": answer_text(item),
            "meta": {"format": "chat-completion", "completion_id": item.get("id")},
        }
    if any(key in item for key in NATIVE_KEYS):
        return item  # a task, judgement or attempt line beside the outputs: read as it is
    raise AnswerError("not a chat completion, a Responses object or a batch output line")


def _batch_body(item: dict[str, Any]) -> dict[str, Any]:
    result = item.get("result")
    if isinstance(result, dict):  # Anthropic Message Batches
        if result.get("type") != "succeeded":
            error = result.get("error")
            error = error if isinstance(error, dict) else {}
            detail = error.get("error", {}).get("message") if isinstance(error.get("error"), dict) else None
            raise AnswerError(f"the batch request {result.get('type')}{': ' + detail if detail else ''}")
        if not isinstance(result.get("message"), dict):
            raise AnswerError("a succeeded batch result with no 'message' object")
        return result["message"]
    error = item.get("error")
    if error:
        message = error.get("message") if isinstance(error, dict) else error
        raise AnswerError(f"the batch request failed: {message}")
    response = item.get("response")
    if not isinstance(response, dict):
        raise AnswerError("a batch output line with no 'response' object")
    status = response.get("status_code")
    body = response.get("body")
    if not isinstance(body, dict):
        raise AnswerError("the batch response has no 'body' object")
    if status is not None and status != 200:
        message = body.get("error", {}).get("message") if isinstance(body.get("error"), dict) else None
        raise AnswerError(f"the batch request failed with HTTP {status}{': ' + message if message else ''}")
    return body


def answer_text(body: dict[str, Any]) -> str:
    """The answer of a chat completion (first choice) or a Responses object; a refusal is the answer."""
    if body.get("object") == "response" or "output" in body:
        parts = [
            part.get("text", "")
            for item in body.get("output") or []
            if isinstance(item, dict) and item.get("type") == "message"
            for part in item.get("content") or []
            if isinstance(part, dict) and part.get("type") == "output_text"
        ]
        if parts:
            return "".join(parts)
        if isinstance(body.get("output_text"), str):
            return body["output_text"]
        raise AnswerError("the Responses object has no output_text")
    if body.get("type") == "message" and isinstance(body.get("content"), list):  # an Anthropic Message
        text = "".join(b.get("text", "") for b in body["content"] if isinstance(b, dict) and b.get("type") == "text")
        if text:
            return text
        raise AnswerError("the message has no text content")
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise AnswerError("the chat completion has no choices")
    message = choices[0].get("message")
    if not isinstance(message, dict):
        raise AnswerError("the chat completion's first choice has no message")
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    if isinstance(content, str) and content:
        return content
    refusal = message.get("refusal")
    if isinstance(refusal, str) and refusal:
        return refusal
    raise AnswerError("the chat completion's first choice has no content")


def task_for(custom_id: str, known_task_ids: frozenset[str]) -> str | None:
    """The task a custom_id names: the id itself, else the longest task id followed by a separator."""
    if custom_id in known_task_ids:
        return custom_id
    best: str | None = None
    for index in range(1, len(custom_id)):
        if custom_id.startswith(SEPARATORS, index) and custom_id[:index] in known_task_ids:
            best = custom_id[:index]
    return best
