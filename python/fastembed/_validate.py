"""Parameter checks run before anything reaches the C++ core: a bad value raises ValueError
(or TypeError) naming the parameter, the value and what is allowed."""
from __future__ import annotations

import math
import numbers
from typing import Any, Optional


def _describe(value: Any) -> str:
    return repr(value)


def check_int(name: str, value: Any, low: Optional[int] = None, high: Optional[int] = None,
              allow_none: bool = False) -> Optional[int]:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {_describe(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be in {_range(low, high)}, got {value}")
    return value


def check_float(name: str, value: Any, low: Optional[float] = None, high: Optional[float] = None,
                low_open: bool = False, allow_none: bool = False) -> Optional[float]:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {_describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}{_upper(high)}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def check_flag(name: str, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return int(value)
    raise ValueError(f"{name} must be 0 or 1 (or a bool), got {_describe(value)}")


def check_choice(name: str, value: Any, choices: tuple) -> Any:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {_describe(value)}")
    return value


def _range(low: Optional[int], high: Optional[int]) -> str:
    return f"[{'-inf' if low is None else low}, {'inf' if high is None else high}]"


def _upper(high: Optional[float]) -> str:
    return "" if high is None else f" and <= {high}"
