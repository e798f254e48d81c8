"""Quantities with units for building models in Python.

A quantity is written as in a model file, as a string: "20 ms", "-70 mV",
"0.5 nS". This module is the small helper for computing them:

    from ranvier.units import ms, mV, nS
    tau = 20 * ms                    # Quantity(20, 'ms'), str(tau) == "20 ms"
    weights = np.full(100, 0.1) * mV # an array quantity, for Network.connect

The unit symbols and their dimensions are the model file's
(docs/model-file.md, "Quantities and units"); Ranvier checks them where the
quantity is used, with the model file's messages. Nothing is converted here:
the number and the symbol reach Ranvier as written.
"""

import numpy as np


class Quantity:
    """A number (or a numpy array of numbers) with a unit symbol."""

    __array_ufunc__ = None  # `array * mV` makes a Quantity, not an array of objects

    def __init__(self, value, unit):
        self.value = value
        self.unit = unit

    def __str__(self):
        if isinstance(self.value, np.ndarray):
            raise TypeError(f"an array quantity ({self.value.size} values in {self.unit}) has no "
                            f"single text form; it can be given where arrays are accepted "
                            f"(Network.connect weight and delay)")
        return f"{float(self.value)!r} {self.unit}"  # repr: reads back as the same double

    def __repr__(self):
        return f"Quantity({self.value!r}, {self.unit!r})"

    def __neg__(self):
        return Quantity(-self.value, self.unit)

    def __mul__(self, factor):
        if isinstance(factor, (Quantity, Unit)):
            raise TypeError("products of units are not supported: write the quantity in one unit")
        return Quantity(self.value * factor, self.unit)

    __rmul__ = __mul__

    def __truediv__(self, divisor):
        return Quantity(self.value / divisor, self.unit)

    def __eq__(self, other):
        return (isinstance(other, Quantity) and other.unit == self.unit
                and np.array_equal(self.value, other.value))

    __hash__ = None


class Unit:
    """A unit symbol: `20 * ms`, `np.arange(3) * mV`."""

    __array_ufunc__ = None

    def __init__(self, symbol):
        self.symbol = symbol

    def __rmul__(self, value):
        if isinstance(value, (list, tuple)):
            value = np.asarray(value, dtype=float)
        return Quantity(value, self.symbol)

    def __repr__(self):
        return f"Unit({self.symbol!r})"

    def __str__(self):
        return self.symbol


# The model file's unit symbols (src/model/units.cpp), as Python names.
s, ms, us = Unit("s"), Unit("ms"), Unit("us")
V, mV, uV = Unit("V"), Unit("mV"), Unit("uV")
mA, uA, nA, pA = Unit("mA"), Unit("uA"), Unit("nA"), Unit("pA")
uF, nF, pF = Unit("uF"), Unit("nF"), Unit("pF")
S, mS, uS, nS, pS = Unit("S"), Unit("mS"), Unit("uS"), Unit("nS"), Unit("pS")
Hz, kHz = Unit("Hz"), Unit("kHz")
m, cm, mm, um, nm = Unit("m"), Unit("cm"), Unit("mm"), Unit("um"), Unit("nm")
uF_per_cm2 = Unit("uF/cm2")
S_per_cm2, mS_per_cm2, uS_per_cm2 = Unit("S/cm2"), Unit("mS/cm2"), Unit("uS/cm2")
ohm_cm = Unit("ohm*cm")
degC, K = Unit("degC"), Unit("K")
M, mM, uM, nM = Unit("M"), Unit("mM"), Unit("uM"), Unit("nM")


def as_model_value(value):
    """A value as the model file writes it: quantities become "<number> <unit>"
    strings, numpy scalars Python numbers, containers are converted inside."""
    if isinstance(value, Quantity):
        if np.ndim(value.value) > 0:  # e.g. times = np.arange(3) * ms: a list of quantities
            return [f"{float(x)!r} {value.unit}" for x in np.ravel(value.value).tolist()]
        return str(value)
    if isinstance(value, dict):
        return {k: as_model_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [as_model_value(v) for v in value]
    if isinstance(value, np.ndarray):
        return [as_model_value(v) for v in value.tolist()]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def array_and_unit(value, what, example="mV"):
    """(numpy float array, unit symbol) of an array quantity: `array * mV` or
    (array, "mV"); None if `value` is a single quantity (or None). `example`
    is the unit the error message suggests."""
    if isinstance(value, Quantity) and np.ndim(value.value) > 0:
        return np.ascontiguousarray(value.value, dtype=np.float64), value.unit
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], (str, Unit)):
        return np.ascontiguousarray(value[0], dtype=np.float64), str(value[1])
    if isinstance(value, np.ndarray):
        raise TypeError(f"{what}: an array needs a unit: write `array * ranvier.units.{example}` "
                        f"or (array, \"{example}\")")
    return None
