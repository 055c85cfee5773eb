"""Parameter validation messages are part of the contract: pinned here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from wfm.errors import InvalidInput
from wfm.validation import (
    check_array,
    check_in_range,
    check_non_negative_int,
    check_positive,
    check_probability,
)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: check_positive("aht_seconds", -5), "aht_seconds must be a positive number, got -5"),
    (lambda: check_positive("aht_seconds", True), "aht_seconds must be a number, got True"),
    (lambda: check_positive("aht_seconds", "300"), "aht_seconds must be a number, got '300'"),
    (lambda: check_positive("aht_seconds", math.nan),
     "aht_seconds must be a finite number, got nan"),
    (lambda: check_positive("aht_seconds", math.inf),
     "aht_seconds must be a finite number, got inf"),
    (lambda: check_probability("level", 1.0), "level must be in (0, 1), got 1.0"),
    (lambda: check_in_range("shrinkage", 1.0, 0, 1, high_inclusive=False),
     "shrinkage must be in [0, 1), got 1.0"),
    (lambda: check_non_negative_int("agents", 2.5), "agents must be an integer, got 2.5"),
    (lambda: check_non_negative_int("agents", -1), "agents must be a non-negative integer, got -1"),
    (lambda: check_array("traffic", [1.0, -2.0], minimum=0.0),
     "traffic must be finite and >= 0, got -2.0 at position 1"),
])
def test_messages_name_the_parameter_and_echo_the_value(call, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        call()
    assert str(error.value) == message


def test_valid_values_pass_through() -> None:
    assert check_positive("x", np.float64(2.5)) == 2.5
    assert check_probability("p", 0.8) == 0.8
    assert check_non_negative_int("n", np.int64(3)) == 3
    np.testing.assert_array_equal(check_array("a", [0, 1]), [0.0, 1.0])


def test_invalid_input_is_a_value_error_with_location() -> None:
    error = InvalidInput("bad", file="f.csv", line=3, field="contacts")
    assert isinstance(error, ValueError)
    assert str(error) == "f.csv, line 3, field 'contacts': bad"
