"""The branch's one percentile and median: the board, the reports and the CLI all use these.

Definition (**nearest rank**): the p-th percentile of n sorted values is the value of
rank ``ceil(p / 100 * n)``, rank at least 1; the median is the 50th percentile. So the
median of 2, 4, 10, 20 is 4 (rank 2), not 7 as an interpolating median would say.

Why nearest rank: every figure it gives is one real response time that happened today
("half the calls were claimed within 20 s": one of them took exactly 20 s), which is
what the reports have always printed; an interpolated figure can be a time no customer
waited. And one definition means the board's live figures and the day's report read
the same on the same signals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T", int, float)


def percentile(sorted_values: Sequence[T], p: float) -> T:
    """The ``p``-th percentile (0-100) of ``sorted_values``, by nearest rank.

    ``sorted_values`` must be sorted ascending (not checked: the reports pass lists of a
    month's values they have just sorted or merged). Raises ValueError when it is empty
    (there is no figure: callers show None) or when ``p`` is outside 0-100.
    """
    if not sorted_values:
        raise ValueError("no values: no percentile")
    if not 0 <= p <= 100:
        raise ValueError(f"percentile {p} is outside 0-100")
    # p * n first: exact for a whole p (p / 100 * n makes the 7th percentile of 100
    # values rank 8, since 0.07 * 100 is 7.000000000000001 in floating point).
    return sorted_values[max(1, math.ceil(p * len(sorted_values) / 100)) - 1]


def median(sorted_values: Sequence[T]) -> T:
    """The median of ``sorted_values``: their 50th percentile by nearest rank (see above)."""
    return percentile(sorted_values, 50)
