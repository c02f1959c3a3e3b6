"""Keys never reach a log: the filter on the server's loggers masks ``?key=`` and raw keys."""

from __future__ import annotations

import logging

import pytest

from threadwise.api.log_redaction import install_key_redaction, redact

KEY = "tw_1a2b3c4d_Zx-9_kLmN0pQ"


def test_redact_masks_query_keys_and_raw_keys_keeping_the_public_id() -> None:
    assert redact(f"POST /v1alpha1/x?key={KEY}&x=1") == "POST /v1alpha1/x?key=[redacted]&x=1"
    assert redact(f"/a?x=1&api_key={KEY}") == "/a?x=1&api_key=[redacted]"
    assert redact(f"failed for {KEY} today") == "failed for tw_1a2b3c4d_[redacted] today"
    assert redact("/v1/threads?limit=5") == "/v1/threads?limit=5"


def test_the_access_logger_never_formats_a_key(caplog: pytest.LogCaptureFixture) -> None:
    install_key_redaction()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(caplog.handler)  # uvicorn's access logger does not propagate to the root
    try:
        with caplog.at_level(logging.INFO, logger="uvicorn.access"):
            access.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5", "POST", f"/v1alpha1/comments:analyze?key={KEY}",
                        "1.1", 200)
    finally:
        access.removeHandler(caplog.handler)
    assert caplog.text and KEY not in caplog.text and "Zx-9" not in caplog.text
    assert "?key=[redacted]" in caplog.text
