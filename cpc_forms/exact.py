"""Exact sums of float columns per group, a batch at a time: the same total whatever the batches or their order.

A float is an integer times a power of two, so a sum of floats is exact in fixed point. Each value is cut into
five 30-bit limbs of a fixed point from 2**-100 to 2**50 (any score, index or fraction); NumPy sums each limb per
group (exactly: a limb is below 2**30), and only the totals become Python integers. The rare value outside that
range is summed as a Fraction. The mean of a group is then float(exact sum) / n: statistics.fmean's own result,
bit for bit, as fmean divides the correctly rounded sum (math.fsum) by n.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Dict, Optional

import numpy as np

LIMB, LIMBS, LOW = 30, 5, -100  # limb k holds the bits of weight 2**(LOW + LIMB*k) .. 2**(LOW + LIMB*k + 29)
MASK = (1 << LIMB) - 1


def limbs(values: np.ndarray):
    """(LIMBS x n int64 limbs, per value whether it fits the fixed point); a value that does not has zero limbs."""
    mantissa, exponent = np.frexp(values)
    whole = np.ldexp(mantissa, 53).astype(np.int64)  # values == whole * 2**(exponent - 53), exactly
    sign, whole = np.sign(whole), np.abs(whole)
    lowest = exponent.astype(np.int64) - 53 - LOW  # where the lowest bit of whole lands in the fixed point
    fits = (whole == 0) | ((lowest >= 0) & (lowest + 53 <= LIMB * LIMBS))
    whole, lowest = np.where(fits, whole, 0), np.where(fits, lowest, 0)
    out = np.empty((LIMBS, len(values)), dtype=np.int64)
    for k in range(LIMBS):
        start = LIMB * k - lowest  # the bit of whole that becomes this limb's lowest bit
        down = (whole >> np.clip(start, 0, 63)) & MASK
        up = np.clip(-start, 0, LIMB)
        out[k] = np.where(start >= 0, down, (whole & (MASK >> up)) << up) * sign
    return out, fits


class Sums:
    """Exact sums and counts of one measure per group id."""

    def __init__(self):
        self.limbs = np.zeros((LIMBS, 0), dtype=np.int64)
        self.counts = np.zeros(0, dtype=np.int64)
        self.odd: Dict[int, Fraction] = {}  # group -> sum of the values outside the fixed point
        self._wholes: Optional[list] = None  # per group, its limbs as one integer (made when first asked)

    def add(self, groups: np.ndarray, values: np.ndarray, size: int) -> None:
        """Add values (NaN: no value) of rows in groups (ids below size)."""
        if size > len(self.counts):
            grow = size - len(self.counts)
            self.limbs = np.pad(self.limbs, ((0, 0), (0, grow)))
            self.counts = np.pad(self.counts, (0, grow))
        self._wholes = None
        valued = ~np.isnan(values)
        groups, values = groups[valued], values[valued]
        self.counts[:size] += np.bincount(groups, minlength=size)
        parts, fits = limbs(values)
        for k in range(LIMBS):  # float64 sums of limbs below 2**30 stay exact for batches below 2**23 rows
            self.limbs[k, :size] += np.bincount(groups, weights=parts[k], minlength=size).astype(np.int64)
        for g, v in zip(groups[~fits].tolist(), values[~fits].tolist()):
            self.odd[g] = self.odd.get(g, Fraction(0)) + Fraction(v)

    def _whole(self, group: int) -> int:
        """The sum of one group's values in the fixed point, as an integer (units of 2**LOW)."""
        if self._wholes is None or len(self._wholes) != self.limbs.shape[1]:
            columns = self.limbs.T.tolist()  # once: Python integers of every group's limbs
            self._wholes = [sum(part << (LIMB * k) for k, part in enumerate(parts)) for parts in columns]
        return self._wholes[group]

    def total(self, group: int) -> Fraction:
        """The exact sum of one group's values."""
        return Fraction(self._whole(group), 1 << -LOW) + self.odd.get(group, Fraction(0))

    def count(self, group: int) -> int:
        """How many values one group has."""
        return int(self.counts[group]) if group < len(self.counts) else 0

    def mean(self, *groups: int) -> Optional[float]:
        """The mean of the values of these groups together, as statistics.fmean gives it; None without values.
        (An int / int is correctly rounded, as float() of a Fraction is: the same float, without the Fraction.)"""
        n = sum(self.count(g) for g in groups)
        if not n:
            return None
        if any(g in self.odd for g in groups):
            return float(sum((self.total(g) for g in groups), Fraction(0))) / n
        return sum(self._whole(g) for g in groups) / (1 << -LOW) / n
