"""Keeping Amazon secrets out of log lines, ours and the library's.

Users paste their logs into public bug reports. aioamazondevices logs the
tokens, the device's private key and cookies while signing in ("Register
device: {…}" at INFO) and answers at DEBUG. While an entry is loaded, or a
sign-in flow is open, a filter on both loggers rewrites every record: the
secrets it was given (tokens, cookies, email, customer ids, the password
during a flow) and whatever has the shape of one (Amazon's tokens, private
keys, cookie and token fields) become a marker, in the message and its
arguments, whatever the level. The same filter keeps each record on the
lines its message means: a line break in a text argument (a device name
from Amazon, an error) is written escaped, as repr() writes it, so that a
name cannot forge a log line of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
import json
import logging
import re
from typing import Any, override
from urllib.parse import quote

from ..const import LOGGER

MARKER = "**REDACTED**"
PROTECTED_LOGGERS = ("aioamazondevices", LOGGER.name)
# Shorter values ("NA", "com") are not secrets, and replacing them would
# garble every line.
_MIN_SECRET_LENGTH = 6

# Secrets the library hands out before we can know them (the first sign-in).
# Every pattern starts where a word starts and repeats a bounded number of
# times: a long answer in a debug line must not cost quadratic time.
_SHAPE_PATTERNS = (
    # Amazon's OAuth tokens and "at-main" cookies: Atna|…, Atnr|…, Atza|…
    r"(?<![\w-])At[a-z]{2}\|[^\s'\",;}\]]+",
    r"\{enc:[^}]*\}(?:\{[a-z]+:[^}]*\})*",  # the ADP token
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----",
    r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+",  # email addresses
    # Who the account is, as the sign-in's answer says; and its customer id,
    # also inside the URL Amazon signs in to (where it follows "%2F").
    r"""(?<![\w-])['"]?customer_info['"]?\s*:\s*\{[^{}]*\}""",
    r"amzn1\.account\.[0-9A-Z]{1,64}",
)
_SHAPES = re.compile("|".join(_SHAPE_PATTERNS), re.DOTALL)
# A quoted value, in JSON or in a dict's repr (x-main's value is itself quoted).
_QUOTED = r"""(?P<value>'(?:[^'\\]|\\.){0,4096}'|"(?:[^"\\]|\\.){0,4096}")"""
# Secrets whose field name says nothing, known by their neighbours. The
# sign-in's register answer lists the website cookies (session-id,
# ubid-main, x-main, at-main, sess-at-main, session-token) as
# {"Name": …, "Value": …} pairs; users/me names the customer ("A" and 13
# capitals or digits) as its plain "id", before we know it. Case matters:
# GraphQL's lowercase "value" fields are no cookies.
_NEIGHBOURS = re.compile(
    r"""(?P<name>(?P<q1>['"])Name(?P=q1)\s*:\s*(?P<q2>['"])[\w.-]{1,64}(?P=q2)"""
    r"""\s*,\s*(?P<q3>['"])Value(?P=q3)\s*:\s*)"""
    + _QUOTED
    + r"""|(?P<id>(?P<q4>['"])id(?P=q4)\s*:\s*)(?P<q5>['"])A[0-9A-Z]{13}(?P=q5)"""
    # The library's line about the csrf cookie Amazon sets: "… value: <…>".
    + r"""|(?P<csrf>CSRF cookie value: <)[^>]{0,4096}"""
)
# The value of a field whose name says it is secret, in a dict, JSON or header.
_FIELDS = re.compile(
    r"""(?P<name>(?<![\w-])['"]?(?:[\w-]{0,40}token|[\w-]{0,40}private_key|cookies?|csrf|"""
    r"""session-id|ubid-main|x-main|at-main|sess-at-main|user_id|device_serial(?:_number)?|"""
    # The sign-in's OAuth code and its verifier, the device's fingerprint,
    # and its client id (its serial number, in hex).
    r"""authorization_code|authcode|code_verifier|frc|client_id|"""
    # Spaces, not line breaks: "…/auth/token :" ends a line of its own.
    r"""[\w-]{0,40}customer_id|customerId|password|otp_?code)['"]?[ \t]*[:=][ \t]*)"""
    r"""(?P<value>'[^']*'|"[^"]*"|[^\s,;}\]]+)""",
    re.IGNORECASE,
)


def _part(login_data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    # A part of another shape (a damaged entry) holds no secret we can tell.
    part = login_data.get(key)
    return part if isinstance(part, Mapping) else {}


def secrets_of(email: str | None, login_data: Mapping[str, Any]) -> set[str]:
    """The secret values of an account's login: every token, cookie and id."""
    found = {email} if email else set()
    for key in ("adp_token", "device_private_key", "access_token", "refresh_token"):
        found.add(str(login_data.get(key) or ""))
    for cookies in ("website_cookies", "store_authentication_cookie"):
        found.update(str(value) for value in _part(login_data, cookies).values())
    customer = _part(login_data, "customer_info")
    found.update(str(customer.get(key) or "") for key in ("user_id", "name"))
    found.add(str(login_data.get("account_customer_id") or ""))
    device = _part(login_data, "device_info")
    found.add(str(device.get("device_serial_number") or ""))
    return {value for value in found if len(value) >= _MIN_SECRET_LENGTH}


def _written_forms(secret: str) -> set[str]:
    # As written in a message, in repr() or JSON (escaped), or in a URL.
    return {secret, repr(secret)[1:-1], json.dumps(secret)[1:-1], quote(secret)}


class _OneLine:
    """A text argument shown on one line; its repr() is unchanged (escaped)."""

    __slots__ = ("_value",)

    def __init__(self, value: object) -> None:
        self._value = value

    def __str__(self) -> str:
        return str(self._value).replace("\r", "\\r").replace("\n", "\\n")

    def __repr__(self) -> str:
        return repr(self._value)


def _on_one_line(args: Any) -> Any:  # noqa: ANN401 # a record's args, as logging keeps them
    """The arguments, texts and errors among them shown on one line each.

    Only they can carry a line break from outside; numbers are left as they
    are, for %d and its kin.
    """

    def one_line(arg: object) -> object:
        return _OneLine(arg) if isinstance(arg, str | BaseException) else arg

    if isinstance(args, tuple):
        return tuple(one_line(arg) for arg in args)
    if isinstance(args, Mapping):
        return {key: one_line(value) for key, value in args.items()}
    return args


class SecretFilter(logging.Filter):
    """Rewrites log records so that no known or recognisable secret is left."""

    def __init__(self) -> None:
        """Start knowing no secret."""
        super().__init__()
        self._by_owner: dict[str, set[str]] = {}
        # Each owner's latest secrets as renewed, kept with the next ones.
        self._last: dict[str, set[str]] = {}
        self._known: list[str] = []

    def protect(self, owner: str, secrets: Iterable[str]) -> None:
        """Add the secrets of an entry or a flow; attach the filter if need be.

        Once attached it stays: a request still under way when its entry
        unloaded is logged after, and the secrets' shapes and field names
        are still recognised then.
        """
        for name in PROTECTED_LOGGERS:
            logging.getLogger(name).addFilter(self)  # once: a filter is not added twice
        self._by_owner.setdefault(owner, set()).update(secrets)
        self._last[owner] = set(self._by_owner[owner])
        self._compile()

    def renew(self, owner: str, secrets: Iterable[str]) -> None:
        """An owner's secrets changed (a token refreshed): these and the last ones.

        Not every token ever issued: an entry refreshes its access token
        every hour, and each secret kept is searched for in every line. The
        last ones stay, for a line about a request sent just before.
        """
        secrets = set(secrets)
        previous = self._last.get(owner, set())
        self._by_owner.pop(owner, None)
        self.protect(owner, secrets | previous)
        self._last[owner] = secrets

    def release(self, owner: str) -> None:
        """Forget an owner's secrets (the filter stays on the loggers)."""
        self._last.pop(owner, None)
        if self._by_owner.pop(owner, None) is not None:
            self._compile()

    def _compile(self) -> None:
        forms = {
            form
            for owned in self._by_owner.values()
            for secret in owned
            for form in _written_forms(secret)
        }
        # Longest first, so that a secret inside another goes with it.
        self._known = sorted(forms, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """The text without any secret."""
        for form in self._known:
            if form in text:
                text = text.replace(form, MARKER)
        text = _SHAPES.sub(MARKER, text)
        text = _NEIGHBOURS.sub(
            lambda match: f"{match['name'] or match['id'] or match['csrf']}{MARKER}",
            text,
        )
        return _FIELDS.sub(lambda match: f"{match['name']}{MARKER}", text)

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        record.args = _on_one_line(record.args)
        try:
            message = record.getMessage()
        except TypeError, ValueError:  # a broken format string: keep it as it is
            message = str(record.msg)
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


SECRET_FILTER = SecretFilter()
