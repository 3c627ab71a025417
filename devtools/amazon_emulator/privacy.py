"""www.amazon.com/alexa-privacy: the voice history, as the library reads it.

GET apd/rvh is the review page; its `csrf-token` meta is the token the POST
must carry as `anti-csrftoken-a2z`, with the access token as bearer.
"""

from __future__ import annotations

from aiohttp import web

from . import payloads
from .state import AmazonState, Hosts, json_error, read_json


class Privacy:
    """The voice history pages of one account."""

    def __init__(self, state: AmazonState) -> None:
        """Serve the history of the account in `state`."""
        self._state = state

    def register(self, hosts: Hosts) -> None:
        """Add the routes to www.amazon.com."""
        hosts.www.router.add_get("/alexa-privacy/apd/rvh", self._review_page)
        hosts.www.router.add_post(
            "/alexa-privacy/apd/rah/alexa-history-records-v2", self._records
        )

    async def _review_page(self, request: web.Request) -> web.Response:
        credentials = self._state.credentials
        if not credentials.has_session(request):
            return json_error(401, "Unauthorized")
        return web.Response(
            text=payloads.history_review_page(credentials.history_csrf_token),
            content_type="text/html",
        )

    async def _records(self, request: web.Request) -> web.Response:
        credentials = self._state.credentials
        if not credentials.has_session(request) or not credentials.has_bearer(request):
            return json_error(401, "Unauthorized")
        if request.headers.get("anti-csrftoken-a2z") != credentials.history_csrf_token:
            return json_error(403, "Forbidden")
        try:
            start = int(request.query["startTime"])
            end = int(request.query["endTime"])
        except KeyError, ValueError:
            return json_error(400, "startTime and endTime are required")
        body = await read_json(request)
        token = body.get("previousRequestToken") if isinstance(body, dict) else None
        records = self._state.history.between(start, end)
        return web.json_response(
            payloads.history_page(records, token, payloads.HISTORY_PAGE_SIZE)
        )
