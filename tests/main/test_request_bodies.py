"""Request bodies that are not uploads are bounded like multipart ones (issue 13.11).

The bound: a body that is not multipart is refused from its Content-Length alone when over
``BODY_MAX_BYTES`` (1 MiB), before a byte is read; a url-encoded form over ``MAX_FORM_MEMORY_SIZE``
or with more than ``MAX_FORM_PARTS`` fields is refused with no field decoded. Werkzeug itself bounds
a url-encoded body by ``MAX_CONTENT_LENGTH`` only (20 MiB here, for uploads), which let 20 MiB reach
``parse_qsl`` unauthenticated (7 s of CPU).
"""

from __future__ import annotations

import io

import pytest

import lms.security


class CountingInput(io.BytesIO):
    """The WSGI input, counting the bytes the app reads from it."""

    read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        line = super().readline(size)
        self.read_bytes += len(line)
        return line


@pytest.fixture
def fields_parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many fields each url-encoded parse decoded."""
    counts: list[int] = []
    real = lms.security.parse_qsl

    def counting(*args, **kwargs):
        items = real(*args, **kwargs)
        counts.append(len(items))
        return items

    monkeypatch.setattr(lms.security, "parse_qsl", counting)
    return counts


def _post(client, path: str, body: bytes, content_type: str):
    stream = CountingInput(body)
    response = client.post(
        path,
        input_stream=stream,
        content_type=content_type,
        headers={"Content-Length": str(len(body))},
    )
    return response, stream.read_bytes


FORM = "application/x-www-form-urlencoded"


def test_a_20_mib_login_form_is_refused_unread(client, fields_parsed) -> None:
    body = b"username=a&password=" + b"a&" * (10 * 1024 * 1024)
    response, read = _post(client, "/masuk", body, FORM)
    assert response.status_code == 413
    assert "terlalu besar" in response.get_data(as_text=True)
    assert read == 0  # refused from the Content-Length: nothing read
    assert sum(fields_parsed) == 0


def test_many_fields_under_the_byte_limit_are_refused_undecoded(client, fields_parsed) -> None:
    body = b"&".join([b"a=1"] * 50_000)  # 200 KB, 50,000 fields (the limit is 5,000)
    response, read = _post(client, "/masuk", body, FORM)
    assert response.status_code == 413
    assert "isian" in response.get_data(as_text=True)
    assert fields_parsed == []  # parse_qsl counted separators and stopped before decoding
    assert read <= 1_000_001


def test_a_form_between_the_form_and_body_limits_is_refused(client, fields_parsed) -> None:
    body = b"username=" + b"a" * 1_020_000  # over MAX_FORM_MEMORY_SIZE, under BODY_MAX_BYTES
    response, _read = _post(client, "/masuk", body, FORM)
    assert response.status_code == 413
    assert fields_parsed == []


def test_a_large_json_body_is_refused_unread(app) -> None:
    from werkzeug.exceptions import RequestEntityTooLarge

    body = b'{"a": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    stream = CountingInput(body)
    with (
        app.test_request_context(
            "/x",
            method="POST",
            input_stream=stream,
            content_type="application/json",
            headers={"Content-Length": str(len(body))},
        ) as ctx,
        pytest.raises(RequestEntityTooLarge),
    ):
        ctx.request.get_json()
    assert stream.read_bytes == 0


def test_ordinary_forms_still_work(client, fields_parsed) -> None:
    response, _read = _post(client, "/masuk", b"username=x&password=y", FORM)
    assert response.status_code in (200, 400)  # the form (and its CSRF check) ran
    assert fields_parsed == [2]


def test_uploads_keep_the_larger_limit(app) -> None:
    with app.test_request_context(
        "/x", method="POST", content_type="multipart/form-data; boundary=b"
    ) as ctx:
        assert ctx.request.max_content_length == app.config["MAX_CONTENT_LENGTH"]
    with app.test_request_context("/x", method="POST", content_type=FORM) as ctx:
        assert ctx.request.max_content_length == app.config["BODY_MAX_BYTES"]
