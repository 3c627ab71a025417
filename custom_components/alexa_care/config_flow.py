"""Config flow: log in to Amazon; reauthenticate; reconfigure."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, override

import probatio

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_CODE, CONF_EMAIL, CONF_PASSWORD
from homeassistant.core import callback
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.helpers.aiohttp_client import async_create_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .amazon.client import async_login
from .amazon.library import import_page_encodings
from .amazon.models import (
    AmazonAuthError,
    AmazonConnectionError,
    AmazonMissingCountryError,
    AmazonResponseError,
    LibraryMismatchError,
    LoginResult,
)
from .const import CONF_LOGIN_DATA, DOMAIN, LOGGER
from .options import OPTION_FIELDS
from .util.errors import async_library_mismatch_placeholders
from .util.log_privacy import SECRET_FILTER, secrets_of

_EMAIL_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
_PASSWORD_SELECTOR = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
_CODE_SELECTOR = TextSelector(TextSelectorConfig(autocomplete="one-time-code"))

_PASSWORD_AND_CODE = {
    probatio.Required(CONF_PASSWORD): _PASSWORD_SELECTOR,
    probatio.Required(CONF_CODE): _CODE_SELECTOR,
}
_PASSWORD_AND_CODE_SCHEMA = probatio.Schema(_PASSWORD_AND_CODE)
_LOGIN_SCHEMA = probatio.Schema(
    {probatio.Required(CONF_EMAIL): _EMAIL_SELECTOR} | _PASSWORD_AND_CODE
)


def _number(unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            step=1,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


def masked_email(email: str) -> str:
    """Show enough of an email to recognise it: o***r@example.com."""
    local, _, domain = email.partition("@")
    # The last character is shown only if something is hidden before it.
    last = local[-1] if local[1:-1] else ""
    return f"{local[:1]}***{last}@{domain}"


class AlexaCareConfigFlow(ConfigFlow, domain=DOMAIN):
    """Log in to an Amazon account with email, password and one-time code."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> AlexaCareOptionsFlow:
        """Options: how often to poll Amazon."""
        return AlexaCareOptionsFlow()

    async def _async_login(
        self, email: str, user_input: dict[str, Any], errors: dict[str, str]
    ) -> LoginResult | None:
        """Log in; on failure fill `errors` for the form and return None."""
        # A session of our own for the cookies of this attempt. Home Assistant
        # does not let integrations close its sessions: it closes them when
        # it stops.
        session = async_create_clientsession(self.hass)
        await self.hass.async_add_executor_job(import_page_encodings)
        # The library logs what Amazon answers while signing in.
        SECRET_FILTER.protect(self.flow_id, {email, user_input[CONF_PASSWORD]})
        try:
            login = await async_login(
                session,
                Path(self.hass.config.path(DOMAIN)),
                email=email,
                password=user_input[CONF_PASSWORD],
                one_time_code=user_input[CONF_CODE],
            )
        except AmazonAuthError:
            errors["base"] = "invalid_auth"
        except AmazonConnectionError:
            errors["base"] = "cannot_connect"
        except AmazonResponseError:
            errors["base"] = "cannot_retrieve_data"
        except AmazonMissingCountryError:
            errors["base"] = "missing_country"
        except LibraryMismatchError as err:
            raise AbortFlow(
                "library_mismatch",
                await async_library_mismatch_placeholders(self.hass, err),
            ) from err
        except Exception:  # noqa: BLE001 # the form must survive anything
            LOGGER.exception("Unexpected error while logging in to Amazon")
            errors["base"] = "unknown"
        else:
            SECRET_FILTER.protect(self.flow_id, secrets_of(email, login.login_data))
            return login
        return None

    @callback
    @override
    def async_remove(self) -> None:
        """The flow is over: its secrets need no more protection."""
        SECRET_FILTER.release(self.flow_id)

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Amazon login and log in."""
        errors: dict[str, str] = {}
        if user_input is not None:
            email = user_input[CONF_EMAIL]
            if login := await self._async_login(email, user_input, errors):
                await self.async_set_unique_id(login.customer_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=masked_email(email),
                    # The password is not stored: the tokens are enough.
                    data={CONF_EMAIL: email, CONF_LOGIN_DATA: login.login_data},
                )
        return self.async_show_form(
            step_id="user",
            # The password and code are not offered again after an error.
            data_schema=self.add_suggested_values_to_schema(
                _LOGIN_SCHEMA, {CONF_EMAIL: (user_input or {}).get(CONF_EMAIL)}
            ),
            errors=errors,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Amazon refused the stored tokens: log in again."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the password and a new one-time code."""
        entry = self._get_reauth_entry()
        email = entry.data[CONF_EMAIL]
        errors: dict[str, str] = {}
        if user_input is not None and (
            login := await self._async_login(email, user_input, errors)
        ):
            await self.async_set_unique_id(login.customer_id)
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            return self.async_update_reload_and_abort(
                entry, data_updates={CONF_LOGIN_DATA: login.login_data}
            )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=_PASSWORD_AND_CODE_SCHEMA,
            description_placeholders={"email": masked_email(email)},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Log in again, for example after the account's email changed."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        email = entry.data[CONF_EMAIL]
        if user_input is not None:
            email = user_input[CONF_EMAIL]
            if login := await self._async_login(email, user_input, errors):
                await self.async_set_unique_id(login.customer_id)
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                return self.async_update_reload_and_abort(
                    entry,
                    title=masked_email(email),
                    data_updates={CONF_EMAIL: email, CONF_LOGIN_DATA: login.login_data},
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _LOGIN_SCHEMA, {CONF_EMAIL: email}
            ),
            errors=errors,
        )


class AlexaCareOptionsFlow(OptionsFlowWithReload):
    """How often Alexa Care polls Amazon; how long a reset blocks the next."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the poll interval; the entry reloads with it."""
        # The range is checked here, not by the selector, whose error the
        # frontend shows untranslated and without the range.
        errors = {
            field.key: f"{field.key}_range"
            for field in OPTION_FIELDS
            if user_input is not None
            and not field.low / field.unit
            <= user_input[field.key]
            <= field.high / field.unit
        }
        if user_input is not None and not errors:
            return self.async_create_entry(data=user_input)
        schema = probatio.Schema(
            {
                probatio.Required(
                    field.key, default=field.default / field.unit
                ): _number(field.unit_label)
                for field in OPTION_FIELDS
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or self.config_entry.options
            ),
            errors=errors,
            description_placeholders={
                f"{field.key}_{end}": f"{limit / field.unit:g}"
                for field in OPTION_FIELDS
                for end, limit in (("min", field.low), ("max", field.high))
            },
        )
