"""Property-based fuzzing of every operation in the OpenAPI spec (schemathesis, bounded).

The real app and Assistant over a copy of the samples store (uploads and deletes here must
not change the session's shared samples store), served over real HTTP.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from api.app import create_app
from api.server import BackgroundServer
from tests.conftest import copy_store, make_settings

# Rules a JSON schema cannot state, answered 422 on purpose: whether an uploaded file's bytes
# are a readable document, and whether the user's message has any text. What the schema does
# state is never refused (checked below): a file name without an extension (its type is read
# from its content), and turns after the last user message (a tool's result) are accepted.
SEMANTIC_RULES = {("POST", "/documents"), ("POST", "/v1/chat/completions")}
# A multipart file part is bytes whatever the generator meant by it ("true" as a "boolean"
# file is a four-byte text file), so "wrong type" file parts cannot be told apart and refused.
UNTYPED_BODIES = {("POST", "/documents")}
LIMITS = {"max_question_chars": 300, "max_upload_mb": 0.05}

# The spec does not depend on the store, so it is read from an app that is never started.
_SPEC = create_app(make_settings(Path(tempfile.gettempdir()) / "igr-unused", **LIMITS)).openapi()
schema = schemathesis.openapi.from_dict(_SPEC)


@pytest.fixture(scope="module")
def fuzz_url(samples_settings, tmp_path_factory) -> Iterator[str]:
    from assistant.assistant import Assistant

    store = tmp_path_factory.mktemp("fuzz") / "store"
    copy_store(samples_settings.store_dir, store)
    fuzz_settings = make_settings(store, **LIMITS)
    with BackgroundServer(create_app(fuzz_settings, Assistant(fuzz_settings))) as server:
        yield server.url


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_breaks_the_api(case, fuzz_url) -> None:
    excluded = []
    if (case.method, case.path) in SEMANTIC_RULES:
        excluded.append(positive_data_acceptance)
    if (case.method, case.path) in UNTYPED_BODIES:
        excluded.append(negative_data_rejection)
    response = case.call_and_validate(base_url=fuzz_url, timeout=120, excluded_checks=excluded)
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and (case.method, case.path) == ("POST", "/documents"):
        assert response.status_code != 415, response.text
    if positive and (case.method, case.path) == ("POST", "/v1/chat/completions"):
        users = [m for m in case.body["messages"] if m.get("role") == "user"]
        if isinstance(users[-1].get("content"), str) and users[-1]["content"].strip():
            assert response.status_code != 422 or "question" in response.text, response.text
