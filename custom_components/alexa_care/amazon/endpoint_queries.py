"""Which GraphQL queries read the endpoints: ours, or the library's two.

Our queries ask for every endpoint's names, reachability and plug power at
once, one of them with the endpoints' descriptions too. An Amazon that
refuses ours (a validation error, say) still answers the queries
aioamazondevices sends: its device query, then its state query for those
endpoints. Their texts are taken from the installed library, so that they
are what Amazon has seen from it. Once Amazon refused one of ours, neither is
sent again for the life of the account object: until a restart or a reload.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPMethod
import re
from typing import Any

from aioamazondevices.const import http as library_http, queries as library_queries

from . import graphql
from .library import URI_GRAPHQL, LibraryRequests, reading_answer
from .models import LOGGER, AmazonResponseError

type Endpoint = dict[str, Any]


def _library_query(*names: str) -> str:
    """The first of the library's query texts this version has.

    "" when it has none: the setup's check of the library (touchpoints.py)
    then says so, before any poll.
    """
    return next(
        (
            str(query)
            for name in names
            if (query := getattr(library_queries, name, None)) is not None
        ),
        "",
    )


def _operation_name(query: str) -> str:
    """The operation a query text defines: what the library names it."""
    match = re.search(r"^\s*query\s+(\w+)", query, re.MULTILINE)
    return match[1] if match else ""


QUERY_DEVICES = _library_query("QUERY_DEVICE_DATA")
OPERATION_DEVICES = _operation_name(QUERY_DEVICES)
# 17.x reads reachability and plug power in its feature query; 16.3.2 has only
# its sensor-state query, which asks for reachability but not for power.
QUERY_STATE = _library_query("QUERY_DEVICE_FEATURES", "QUERY_SENSOR_STATE")
OPERATION_STATE = _operation_name(QUERY_STATE)
STATE_READS_PLUG_POWER = re.search(r"\.\.\.\s*on\s+Power\b", QUERY_STATE) is not None

COMBINED = "combined"
LIBRARY_FALLBACK = "library fallback"


def _endpoints(answer: Mapping[str, Any]) -> list[Endpoint]:
    with reading_answer():
        graphql.raise_for_graphql_errors(answer)
        return list(answer["data"]["listEndpoints"]["endpoints"])


def _batched(answer: Mapping[str, Any]) -> Mapping[str, Any]:
    """The one answer inside the list a batched request gets back.

    An error for the whole request (throttling) comes as one answer, unlisted.
    """
    batch = answer.get(library_http.ARRAY_WRAPPER)
    if batch is None:
        return answer
    if not isinstance(batch, list) or not batch or not isinstance(batch[0], Mapping):
        raise AmazonResponseError("The batched query's answer holds no answer")
    first: Mapping[str, Any] = batch[0]
    return first


def with_states(devices: list[Endpoint], states: list[Endpoint]) -> list[Endpoint]:
    """The device query's endpoints, each with the features the state query read."""
    with reading_answer():
        features = {state["endpointId"]: state.get("features") for state in states}
        return [
            device | {"features": features.get(device["endpointId"]) or []}
            for device in devices
        ]


class EndpointQueries:
    """Reads every endpoint, with our queries until Amazon refuses one."""

    def __init__(self, requests: LibraryRequests) -> None:
        """Start with our queries."""
        self._requests = requests
        # Amazon's message when it refused our query; None while it answers.
        self.refusal: str | None = None

    @property
    def in_use(self) -> str:
        """Which queries the poll sends: COMBINED or LIBRARY_FALLBACK."""
        return COMBINED if self.refusal is None else LIBRARY_FALLBACK

    async def async_read(self) -> list[Endpoint]:
        """Every endpoint with its description, reachability and plug power."""
        return await self._read(graphql.OPERATION_ENDPOINTS, graphql.QUERY_ENDPOINTS)

    async def async_read_states(self) -> list[Endpoint]:
        """Every endpoint's id, name, reachability and plug power.

        Each has its description too when the library's queries stand in.
        """
        return await self._read(
            graphql.OPERATION_ENDPOINT_STATES, graphql.QUERY_ENDPOINT_STATES
        )

    async def _read(self, operation: str, query: str) -> list[Endpoint]:
        if self.refusal is None:
            try:
                return _endpoints(
                    await self._graphql({"operationName": operation, "query": query})
                )
            except graphql.GraphQLRefusedError as err:
                self.refusal = str(err)
                LOGGER.warning(
                    "Amazon refused Alexa Care's endpoint query (%s); polling with "
                    "the library's own two queries until Home Assistant restarts "
                    "or the entry is reloaded",
                    self.refusal,
                )
        return await self._read_with_library_queries()

    async def _graphql(self, payload: object) -> dict[str, Any]:
        return await self._requests.json(
            HTTPMethod.POST, self._requests.url(URI_GRAPHQL), payload
        )

    async def _read_with_library_queries(self) -> list[Endpoint]:
        # Sent as the library sends them: the device query alone, the state
        # query batched in a list with the endpoint ids the device query gave.
        devices = _endpoints(
            await self._graphql(
                {"operationName": OPERATION_DEVICES, "query": QUERY_DEVICES}
            )
        )
        endpoint_ids = [
            str(device["endpointId"]) for device in devices if device.get("endpointId")
        ]
        if not endpoint_ids:
            return devices
        answer = await self._graphql(
            [
                {
                    "operationName": OPERATION_STATE,
                    "variables": {"endpointIds": endpoint_ids},
                    "query": QUERY_STATE,
                }
            ]
        )
        return with_states(devices, _endpoints(_batched(answer)))
