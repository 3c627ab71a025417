"""The demo login, and the tokens and cookies Amazon hands out for it.

The refresh token, the website cookies and the voice history page's token
are derived from the email, so what Home Assistant stored or cached keeps
working after the emulator restarts, as it would with Amazon. Access tokens
are random and expire after an hour; the library refreshes one before each
call that carries it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import hashlib
import secrets
import time

from aiohttp import web

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the emulator's published demo login
DEMO_CODE = "123456"
ACCESS_TOKEN_SECONDS = 3600
# The cookie that proves a signed-in session on *.amazon.com.
AUTH_COOKIE = "at-main"


def _derived(email: str, purpose: str) -> str:
    return hashlib.sha256(f"{purpose}:{email}".encode()).hexdigest()[:40]


@dataclass(kw_only=True)
class Credentials:
    """Who may sign in, and the tokens the account has handed out."""

    email: str = DEMO_EMAIL
    password: str = DEMO_PASSWORD
    code: str = DEMO_CODE
    given_name: str = "Demo"
    name: str = "Demo User"
    user_id: str = "amzn1.account.AEMULATORDEMOACCOUNT0000000"
    customer_id: str = "A2EMULATORDEMO"
    _access_tokens: dict[str, float] = field(default_factory=dict)

    @property
    def refresh_token(self) -> str:
        """The long-lived token that buys access tokens and cookies."""
        return f"Atnr|{_derived(self.email, 'refresh')}"

    @property
    def session_token(self) -> str:
        """The store authentication cookie (Amazon's session-token)."""
        return _derived(self.email, "session")

    @property
    def history_csrf_token(self) -> str:
        """The token of the voice history page (kept by clients for hours)."""
        return _derived(self.email, "anti-csrf")

    def website_cookies(self) -> dict[str, str]:
        """The .amazon.com cookies of a signed-in session."""
        return {
            "session-id": "135-0000000-0000000",
            "session-id-time": "2082787201l",
            "ubid-main": "131-0000000-0000000",
            "x-main": _derived(self.email, "x-main"),
            AUTH_COOKIE: f"Atza|{_derived(self.email, 'at-main')}",
            "sess-at-main": _derived(self.email, "sess-at-main"),
        }

    def issue_access_token(self) -> str:
        """A new bearer token, valid for an hour."""
        token = f"Atna|{secrets.token_hex(20)}"
        self._access_tokens[token] = time.time() + ACCESS_TOKEN_SECONDS
        return token

    def has_session(self, request: web.Request) -> bool:
        """Whether the request carries the signed-in session's cookie."""
        return request.cookies.get(AUTH_COOKIE) == self.website_cookies()[AUTH_COOKIE]

    def has_bearer(self, request: web.Request) -> bool:
        """Whether the request carries an access token that has not expired."""
        return self.is_valid_bearer(request.headers.get("Authorization", ""))

    def is_valid_bearer(self, authorization: str) -> bool:
        """Whether an Authorization header holds an access token not expired."""
        scheme, _, token = authorization.partition(" ")
        expiry = self._access_tokens.get(token)
        return (
            scheme.lower() == "bearer" and expiry is not None and expiry > time.time()
        )

    def revoke_access_tokens(self) -> None:
        """Amazon stops accepting every access token handed out so far."""
        self._access_tokens.clear()
