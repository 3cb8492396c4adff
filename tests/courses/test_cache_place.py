"""The kept parts' keys name the language and mount point of the request (lms.courses.cache),
worked out once a request: a block in another language inside it gets keys of its own."""

from __future__ import annotations

from flask_babel import force_locale

from lms.courses import cache as course_cache


def test_a_forced_language_inside_a_request_keys_its_own_parts(app) -> None:
    built: list[str] = []

    def build(label: str):
        return lambda: built.append(label) or label

    with app.test_request_context("/pelatihan"):
        assert course_cache.cached("uji", (1,), build("id")) == "id"
        with force_locale("en"):
            assert course_cache.cached("uji", (1,), build("en")) == "en"
            assert course_cache.cached("uji", (1,), build("en again")) == "en"
        assert course_cache.cached("uji", (1,), build("id again")) == "id"
    with app.test_request_context("/aplikasi/pelatihan", base_url="http://localhost/aplikasi"):
        assert course_cache.cached("uji", (1,), build("mounted")) == "mounted"
    assert built == ["id", "en", "mounted"]
