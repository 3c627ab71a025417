"""Tests of which errors count as Amazon's answer being unusable."""

from __future__ import annotations

import pytest

from custom_components.alexa_care.amazon.library import amazon_errors, reading_answer
from custom_components.alexa_care.amazon.models import AmazonResponseError


@pytest.mark.parametrize(
    "error", [KeyError("data"), TypeError("'NoneType' object is not subscriptable")]
)
def test_an_answer_that_lacks_a_field_is_unusable(error: Exception) -> None:
    """Raised while an answer is read, they blame the answer."""
    with (
        pytest.raises(AmazonResponseError, match=type(error).__name__),
        reading_answer(),
    ):
        raise error


@pytest.mark.parametrize("error", [AttributeError("_http_wrapper"), TypeError("x")])
async def test_a_library_call_that_breaks_is_not_blamed_on_amazon(
    error: Exception,
) -> None:
    """Raised by a call into the library, they stay what they are: a bug."""
    with pytest.raises(type(error)):
        async with amazon_errors():
            raise error
