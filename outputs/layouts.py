"""Read-only view of layout descriptions (the geometry contract plus labels and scales).

`outputs` never imports `formkit`; it receives the JSON of `formkit layouts show --json` as dicts.
This module answers the questions exports and reports ask: which fields, in which order, with which
labels, which scale, and how a stored value is shown in the form's language.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from outputs.errors import UnknownLayoutError

Record = dict[str, Any]
LayoutDesc = Mapping[str, Any]


@dataclass(frozen=True)
class Scale:
    """A named answer scale (`scales` in the layout description)."""

    name: str
    order: tuple[str, ...]
    missing: tuple[str, ...]
    labels: dict[str, str]
    shorts: dict[str, str]
    average: str = "never"
    trend: str = "never"
    bands: tuple[dict[str, Any], ...] = ()
    flag_first_observation: str | None = None

    @property
    def may_average(self) -> bool:
        """Only an explicit `average: allowed` permits means/medians; anything else is treated as never."""
        return self.average == "allowed"

    @property
    def may_trend(self) -> bool:
        return self.trend == "allowed"

    def rank(self, value: str) -> int:
        """Position in the order (low → high); for ordering only, never for arithmetic on `never` scales."""
        return self.order.index(value)

    def short(self, value: str) -> str:
        return self.shorts.get(value) or self.labels.get(value, value)

    @classmethod
    def from_desc(cls, name: str, desc: Mapping[str, Any]) -> Scale:
        opts = desc.get("options") or []
        return cls(
            name=name,
            order=tuple(str(v) for v in desc.get("order") or []),
            missing=tuple(str(v) for v in desc.get("missing") or []),
            labels={str(o["value"]): str(o.get("label", o["value"])) for o in opts},
            shorts={str(o["value"]): str(o["short"]) for o in opts if o.get("short")},
            average=str(desc.get("average", "never")),
            trend=str(desc.get("trend", "never")),
            bands=tuple(desc.get("bands") or ()),
            flag_first_observation=desc.get("flag_first_observation"),
        )


@dataclass
class Field:
    """One field of a layout, as outputs need it."""

    id: str
    kind: str
    label: str
    options: list[dict[str, Any]] = field(default_factory=list)
    section: str | None = None
    section_title: str | None = None
    scale: Scale | None = None
    scale_type: str | None = None
    role: str | None = None
    options_from: str | None = None

    @property
    def is_rated(self) -> bool:
        return self.scale is not None

    def option_label(self, value: Any) -> str:
        """Label of a stored option value in the form's language (the value itself if unknown)."""
        if value is None:
            return ""
        for o in self.options:
            if str(o.get("value")) == str(value):
                return str(o.get("label", value))
        if self.scale is not None and str(value) in self.scale.labels:
            return self.scale.labels[str(value)]
        return str(value)

    def option_values(self) -> list[str]:
        return [str(o["value"]) for o in self.options if "value" in o]


@dataclass
class Layout:
    """A layout version with its fields in printed order."""

    layout: str
    version: int
    language: str
    title: str
    subtitle: str
    fields: list[Field]
    scales: dict[str, Scale]
    strings: dict[str, str]

    @property
    def key(self) -> tuple[str, int]:
        return (self.layout, self.version)

    def field(self, field_id: str) -> Field | None:
        for f in self.fields:
            if f.id == field_id:
                return f
        return None

    def rated_fields(self) -> list[Field]:
        return [f for f in self.fields if f.is_rated]

    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "text"]

    def sections(self) -> list[tuple[str | None, str | None, list[Field]]]:
        """Fields grouped by section in printed order: (section id, section title, fields)."""
        out: list[tuple[str | None, str | None, list[Field]]] = []
        for f in self.fields:
            if out and out[-1][0] == f.section:
                out[-1][2].append(f)
            else:
                out.append((f.section, f.section_title, [f]))
        return out

    @classmethod
    def from_desc(cls, desc: LayoutDesc) -> Layout:
        scales = {name: Scale.from_desc(name, s) for name, s in (desc.get("scales") or {}).items()}
        fields = []
        for fd in desc.get("fields") or []:
            scale_name = fd.get("scale")
            fields.append(Field(
                id=str(fd["id"]),
                kind=str(fd.get("kind", "text")),
                label=str(fd.get("label", fd["id"])),
                options=list(fd.get("options") or []),
                section=fd.get("section"),
                section_title=fd.get("section_title"),
                scale=scales.get(scale_name) if scale_name else None,
                scale_type=fd.get("scale_type"),
                role=fd.get("role"),
                options_from=fd.get("options_from"),
            ))
        return cls(
            layout=str(desc["layout"]),
            version=int(desc.get("version", 1)),
            language=str(desc.get("language", "nb")),
            title=str(desc.get("title", desc["layout"])),
            subtitle=str(desc.get("subtitle", "")),
            fields=fields,
            scales=scales,
            strings=dict(desc.get("strings") or {}),
        )


class LayoutIndex:
    """Layouts by (id, version); a record whose version is missing falls back to the newest of its id.

    Falling back is safe for outputs because they only need labels and scales, never box positions.
    """

    def __init__(self, layouts: Iterable[LayoutDesc | Layout] | Mapping[Any, LayoutDesc]) -> None:
        items = layouts.values() if isinstance(layouts, Mapping) and "layout" not in layouts else layouts
        self._by_key: dict[tuple[str, int], Layout] = {}
        for d in items:  # type: ignore[union-attr]
            lay = d if isinstance(d, Layout) else Layout.from_desc(d)
            self._by_key[lay.key] = lay

    def __len__(self) -> int:
        return len(self._by_key)

    def all(self) -> list[Layout]:
        return [self._by_key[k] for k in sorted(self._by_key)]

    def get(self, layout: str, version: int | None = None) -> Layout | None:
        if version is not None and (layout, int(version)) in self._by_key:
            return self._by_key[(layout, int(version))]
        same = [k for k in self._by_key if k[0] == layout]
        return self._by_key[max(same)] if same else None

    def for_record(self, record: Record) -> Layout:
        lay = self.get(str(record.get("layout")), record.get("layout_version"))
        if lay is None:
            raise UnknownLayoutError(str(record.get("layout")), record.get("form_id"))
        return lay

    def versions_of(self, layout: str) -> list[Layout]:
        return [self._by_key[k] for k in sorted(self._by_key) if k[0] == layout]


def as_index(layouts: Iterable[LayoutDesc | Layout] | Mapping[Any, LayoutDesc] | LayoutIndex) -> LayoutIndex:
    """Accept a LayoutIndex, a list of descriptions, or a mapping of them."""
    if isinstance(layouts, LayoutIndex):
        return layouts
    if isinstance(layouts, Mapping) and "layout" in layouts:
        return LayoutIndex([layouts])
    return LayoutIndex(layouts)
