"""Explicit unit conversion for quantities of mineral output. Unknown or mismatched units are refused."""

from __future__ import annotations

import re

from maadan.errors import InvalidInput

TROY_OUNCE_G = 31.1034768  # grams in one troy ounce (exact, by definition)

# Unit name -> kilograms. Names as USGS writes them and as project files write them.
_MASS_KG: dict[str, float] = {
    "kg": 1.0, "kilogram": 1.0, "kilograms": 1.0,
    "t": 1e3, "tonne": 1e3, "tonnes": 1e3, "metric ton": 1e3, "metric tons": 1e3,
    "kt": 1e6, "thousand metric tons": 1e6, "thousand tonnes": 1e6,
    "million metric tons": 1e9, "million tonnes": 1e9,
    "oz": TROY_OUNCE_G / 1e3, "troy oz": TROY_OUNCE_G / 1e3,
    "koz": TROY_OUNCE_G, "thousand troy ounces": TROY_OUNCE_G,
    "million troy ounces": TROY_OUNCE_G * 1e3,
}
# Units we recognise but that are not plain mass: adding mass to them is refused with this reason.
_OTHER = {
    "carats": "carats (a gem weight reported by count of carats)",
    "thousand carats": "carats", "million carats": "carats",
    "million cubic meters": "volume (cubic metres)", "cubic meters": "volume (cubic metres)",
    "thousand metric dry tons": "dry tons (a moisture basis the other figure may not share)",
}
_RATE = re.compile(r"\s*(?:/|per\s+)(?:yr|year|a|annum)\s*$", re.I)


def _normalise(unit: str) -> str:
    u = _RATE.sub("", (unit or "").strip()).strip()  # 'kt/yr' -> 'kt': annual rates add to annual output
    if u == "Mt":  # case matters: Mt is a megatonne, mt is ambiguous (metric ton? megatonne?)
        return "million metric tons"
    if u == "Moz":
        return "million troy ounces"
    if u.lower() == "mt":
        raise InvalidInput(f"Ambiguous unit {unit!r}: write 'Mt' (million tonnes) or 't' (metric tons)")
    return u.lower()


def kilograms_per(unit: str) -> float:
    """Kilograms in one `unit` ('kt/yr' counts as 'kt'); refuses units that are not a mass."""
    key = _normalise(unit)
    if key in _MASS_KG:
        return _MASS_KG[key]
    if key in _OTHER:
        raise InvalidInput(f"Unit {unit!r} is {_OTHER[key]}, not a mass: it cannot be converted to tonnes")
    raise InvalidInput(f"Unknown unit {unit!r}; known mass units: {', '.join(sorted(set(_MASS_KG)))}")


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """`value` in `from_unit` expressed in `to_unit`; both must be masses (rates per year allowed)."""
    try:
        src = kilograms_per(from_unit)
    except InvalidInput as exc:
        raise InvalidInput(f"Cannot convert {value:g} {from_unit} to {to_unit}: {exc.message}") from None
    try:
        dst = kilograms_per(to_unit)
    except InvalidInput as exc:
        raise InvalidInput(f"Cannot add {value:g} {from_unit} to figures in {to_unit}: {exc.message}") from None
    return value * src / dst


def is_mass(unit: str) -> bool:
    try:
        kilograms_per(unit)
        return True
    except InvalidInput:
        return False
