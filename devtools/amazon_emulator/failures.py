"""The ways Amazon fails, and what it answers when it does.

Standard library only: the emulator's middleware, its control command line
and the unit tests' fake all read the kinds and answers from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
import json


class Fault(StrEnum):
    """How a request fails."""

    THROTTLED = "throttled"  # HTTP 429
    GRAPHQL_THROTTLED = "graphql_throttled"  # HTTP 200 with Amazon's GraphQL error
    GRAPHQL_ERROR = "graphql_error"  # HTTP 200 with a GraphQL error and no data
    # HTTP 200: the endpoint list null beside its error (GraphQL's partial answer)
    GRAPHQL_PARTIAL = "graphql_partial"
    SERVER_ERROR = "server_error"  # HTTP 500
    SERVICE_UNAVAILABLE = "service_unavailable"  # HTTP 503, Amazon overloaded
    TIMEOUT = "timeout"  # no answer, then the connection closes
    CLOSE = "close"  # the connection closes at once, without an answer
    MALFORMED = "malformed"  # HTTP 200, JSON cut short
    EXPIRED_LOGIN = "expired_login"  # HTTP 401
    HTML_PAGE = "html_page"  # HTTP 200 with a web page (a sign-in or error page)


@dataclass(frozen=True, kw_only=True)
class FailureAnswer:
    """What Amazon sends back for a failed request."""

    status: int
    text: str
    content_type: str = "application/json"


def _json(status: int, body: object) -> FailureAnswer:
    return FailureAnswer(status=status, text=json.dumps(body))


_ANSWERS = {
    Fault.THROTTLED: _json(429, {"message": "Rate exceeded"}),
    # Amazon throttles whole accounts, and says so inside an HTTP 200.
    Fault.GRAPHQL_THROTTLED: _json(
        200,
        {
            "errors": [
                {
                    "message": "Too many requests",
                    "extensions": {
                        "errorCode": "UNOFFICIAL_CLIENT_TOO_MANY_REQUESTS",
                        "isRetryable": False,
                        "classification": "DataFetchingException",
                    },
                }
            ],
            "data": None,
        },
    ),
    Fault.GRAPHQL_ERROR: _json(
        200,
        {
            "errors": [{"message": "Internal error", "path": ["listEndpoints"]}],
            "data": None,
        },
    ),
    Fault.GRAPHQL_PARTIAL: _json(
        200,
        {
            "errors": [{"message": "Internal error", "path": ["listEndpoints"]}],
            "data": {"listEndpoints": None},
        },
    ),
    Fault.SERVER_ERROR: _json(500, {"message": "Internal error"}),
    Fault.SERVICE_UNAVAILABLE: _json(503, {"message": "Service Unavailable"}),
    Fault.MALFORMED: FailureAnswer(
        status=200, text='{"data": {"listEndpoints": {"endp'
    ),
    Fault.EXPIRED_LOGIN: _json(401, {"message": "Unauthorized"}),
    Fault.HTML_PAGE: FailureAnswer(
        status=200,
        text="<!DOCTYPE html><html><body>Something went wrong</body></html>",
        content_type="text/html",
    ),
}


def failure_answer(kind: Fault) -> FailureAnswer | None:
    """Amazon's answer for `kind`; None when no answer comes (a timeout)."""
    return _ANSWERS.get(kind)
