"""Delmål catalogues (Swedish ST regulations) as data files, looked up by regulation name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from formkit.errors import LayoutError


@dataclass(frozen=True)
class Catalogue:
    regulation: str
    codes: dict[str, str]
    specialty_prefix: str
    specialty_max: int
    specialty_title: str

    def title(self, code: str) -> str | None:
        """The title of a code, or None if the code does not exist in this regulation."""
        if code in self.codes:
            return self.codes[code]
        m = re.fullmatch(re.escape(self.specialty_prefix) + r"([1-9][0-9]?)", code)
        if m and int(m.group(1)) <= self.specialty_max:
            return self.specialty_title
        return None


@lru_cache(maxsize=4)
def catalogues() -> dict[str, Catalogue]:
    folder = Path(str(resources.files("layouts"))) / "catalogues"
    out = {}
    for p in sorted(folder.glob("*.yaml")):
        try:
            d = yaml.safe_load(p.read_text(encoding="utf-8"))
            sp = d.get("specialty_pattern") or {}
            cat = Catalogue(str(d["regulation"]), {str(k): str(v) for k, v in d["codes"].items()},
                            str(sp.get("prefix", "")), int(sp.get("max", 0)), str(sp.get("title", "")))
        except (yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as e:
            raise LayoutError(str(p), f"not a valid delmål catalogue ({e})") from None
        out[cat.regulation] = cat
    return out


def subgoal_titles() -> dict[str, str]:
    """Every known delmål code → title, across regulations (codes do not collide: a1 vs STa1)."""
    out: dict[str, str] = {}
    for cat in catalogues().values():
        out.update(cat.codes)
        for i in range(1, cat.specialty_max + 1):
            out.setdefault(f"{cat.specialty_prefix}{i}", cat.specialty_title)
    return out
