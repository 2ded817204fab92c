"""Declarative layouts: load a YAML form description and check it before anything is drawn.

A layout is data (layouts/*.yaml), so a clinic can fix a label or add its own form without a
release. Every problem names the file, the field and what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from formkit.errors import LayoutError, UnknownLayout

FIELD_KINDS = {"single", "multi", "text", "printed"}
SECTION_KINDS = {"fields", "header", "grid"}
SOURCES = {
    "trainee.name", "trainee.id", "trainee.programme", "trainee.regulation",
    "plan.assessor", "plan.date", "plan.department", "plan.setting", "form.encounter",
}
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LAYOUT_ID_RE = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
MAX_SLOTS = 8


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    short: str | None = None
    help: str | None = None


@dataclass(frozen=True)
class Scale:
    name: str
    type: str
    average: str  # "allowed" | "never"
    trend: str
    order: tuple[str, ...]
    missing: tuple[str, ...]
    options: tuple[Option, ...]
    bands: tuple[dict[str, Any], ...] = ()
    flag_first_observation: str | None = None

    def describe(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "type": self.type, "average": self.average, "trend": self.trend,
            "order": list(self.order), "missing": list(self.missing),
            "options": [_option_dict(o) for o in self.options],
        }
        if self.bands:
            d["bands"] = [dict(b) for b in self.bands]
        if self.flag_first_observation:
            d["flag_first_observation"] = self.flag_first_observation
        return d


@dataclass(frozen=True)
class Field:
    id: str
    kind: str
    label: str
    section: str
    options: tuple[Option, ...] = ()
    required: bool = False
    source: str | None = None
    writable: bool = False
    width: int = 1
    lines: int = 1
    grow: float = 0.0
    role: str | None = None
    scale: str | None = None
    scale_type: str = "nominal"
    options_from: str | None = None
    slots: int = 0
    empty_text: str = ""
    emphasis: bool = False


@dataclass(frozen=True)
class Section:
    id: str
    kind: str
    title: str | None
    fields: tuple[Field, ...]
    scale: str | None = None
    note: str | None = None
    new_page: bool = False


@dataclass(frozen=True)
class Layout:
    id: str
    version: int
    language: str
    title: str
    subtitle: str
    max_pages: int
    strings: dict[str, str]
    scales: dict[str, Scale]
    sections: tuple[Section, ...]
    source: str

    @property
    def fields(self) -> list[Field]:
        return [f for s in self.sections for f in s.fields]

    def field(self, field_id: str) -> Field:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)


def _option_dict(o: Option) -> dict[str, Any]:
    d: dict[str, Any] = {"value": o.value, "label": o.label}
    if o.short:
        d["short"] = o.short
    if o.help:
        d["help"] = o.help
    return d


class _Checker:
    """Small helper so every error message carries the file name and field id."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, problem: str, field: str | None = None) -> LayoutError:
        return LayoutError(self.source, problem, field)

    def text(self, d: dict, key: str, field: str | None, default: str | None = None) -> str:
        v = d.get(key, default)
        if v is None:
            raise self.fail(f"'{key}' is missing", field)
        if not isinstance(v, (str, int, float)) or isinstance(v, bool):
            raise self.fail(f"'{key}' must be text, got {type(v).__name__}", field)
        return str(v)

    def mapping(self, v: Any, what: str, field: str | None = None) -> dict:
        if not isinstance(v, dict):
            raise self.fail(f"{what} must be a mapping (key: value), got {type(v).__name__}", field)
        return v

    def options(self, raw: Any, field: str) -> tuple[Option, ...]:
        if not isinstance(raw, list) or not raw:
            raise self.fail("'options' must be a non-empty list", field)
        seen: set[str] = set()
        out = []
        for o in raw:
            o = self.mapping(o, "each option", field)
            value = self.text(o, "value", field)
            if value in seen:
                raise self.fail(f"duplicate option value '{value}'", field)
            seen.add(value)
            out.append(Option(value, self.text(o, "label", field), o.get("short"), o.get("help")))
        return tuple(out)


def parse_layout(data: Any, source: str) -> Layout:
    """Turn parsed YAML into a checked Layout, or raise LayoutError naming file and field."""
    c = _Checker(source)
    data = c.mapping(data, "the layout file")
    layout_id = c.text(data, "layout", None)
    if not LAYOUT_ID_RE.match(layout_id):
        raise c.fail(f"layout id '{layout_id}' must be lower-case letters, digits and '-'")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise c.fail("'version' must be a whole number ≥ 1")
    max_pages = data.get("max_pages", 2)
    if not isinstance(max_pages, int) or not 1 <= max_pages <= 4:
        raise c.fail("'max_pages' must be 1–4")
    strings = {k: str(v) for k, v in c.mapping(data.get("strings", {}), "'strings'").items()}
    scales = {}
    for name, raw in c.mapping(data.get("scales", {}), "'scales'").items():
        raw = c.mapping(raw, f"scale '{name}'")
        opts = c.options(raw.get("options"), f"scale:{name}")
        values = [o.value for o in opts]
        order = tuple(str(v) for v in raw.get("order", []))
        missing = tuple(str(v) for v in raw.get("missing", []))
        for v in (*order, *missing):
            if v not in values:
                raise c.fail(f"scale '{name}' names '{v}' in order/missing but has no such option")
        average = str(raw.get("average", "never"))
        if average not in ("allowed", "never"):
            raise c.fail(f"scale '{name}': 'average' must be 'allowed' or 'never'")
        flag = raw.get("flag_first_observation")
        if flag is not None and flag not in values:
            raise c.fail(f"scale '{name}': flag_first_observation '{flag}' is not an option")
        scales[name] = Scale(
            name, str(raw.get("type", "ordinal")), average, str(raw.get("trend", average)), order,
            missing, opts, tuple(raw.get("bands", []) or []), flag,
        )

    sections: list[Section] = []
    seen_ids: set[str] = set()
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise c.fail("'sections' must be a non-empty list")
    for i, rs in enumerate(raw_sections):
        rs = c.mapping(rs, f"section {i + 1}")
        sid = str(rs.get("id", f"section{i + 1}"))
        kind = str(rs.get("kind", "fields"))
        if kind not in SECTION_KINDS:
            raise c.fail(f"section '{sid}': unknown kind '{kind}' (use one of {sorted(SECTION_KINDS)})")
        fields: list[Field] = []
        if kind == "grid":
            scale = rs.get("scale")
            if scale not in scales:
                raise c.fail(f"section '{sid}': grid needs a 'scale' defined under 'scales', got '{scale}'")
            for item in rs.get("items") or []:
                item = c.mapping(item, f"an item of section '{sid}'")
                fid = c.text(item, "id", None)
                fields.append(Field(
                    id=fid, kind="single", label=c.text(item, "label", fid), section=sid,
                    options=scales[scale].options, required=bool(item.get("required", rs.get("required", True))),
                    scale=scale, scale_type=scales[scale].type, emphasis=bool(item.get("emphasis", False)),
                ))
            if not fields:
                raise c.fail(f"section '{sid}': a grid needs 'items'")
        else:
            for rf in rs.get("fields") or []:
                fields.append(_parse_field(c, c.mapping(rf, f"a field of section '{sid}'"), sid, kind))
            if not fields:
                raise c.fail(f"section '{sid}' has no fields")
        for f in fields:
            if not ID_RE.match(f.id):
                raise c.fail("field id must be lower-case letters, digits and '_' (max 40)", f.id)
            if f.id in seen_ids:
                raise c.fail("duplicate field id", f.id)
            seen_ids.add(f.id)
        sections.append(Section(sid, kind, rs.get("title"), tuple(fields), rs.get("scale"),
                                rs.get("note"), bool(rs.get("new_page", False))))

    return Layout(
        id=layout_id, version=version, language=c.text(data, "language", None),
        title=c.text(data, "title", None), subtitle=str(data.get("subtitle", "")), max_pages=max_pages,
        strings=strings, scales=scales, sections=tuple(sections), source=source,
    )


def _parse_field(c: _Checker, rf: dict, section: str, section_kind: str) -> Field:
    fid = c.text(rf, "id", None)
    kind = str(rf.get("kind", "printed" if section_kind == "header" else ""))
    if kind not in FIELD_KINDS:
        raise c.fail(f"unknown kind '{kind}' (use one of {sorted(FIELD_KINDS)})", fid)
    source = rf.get("source")
    if source is not None and source not in SOURCES:
        raise c.fail(f"unknown source '{source}' (use one of {sorted(SOURCES)})", fid)
    if kind == "printed" and source is None:
        raise c.fail("a printed header field needs a 'source'", fid)
    options: tuple[Option, ...] = ()
    slots = 0
    options_from = rf.get("options_from")
    if kind in ("single", "multi"):
        if options_from is not None:
            if options_from != "plan.subgoals":
                raise c.fail("'options_from' can only be 'plan.subgoals'", fid)
            slots = rf.get("slots", 6)
            if not isinstance(slots, int) or not 1 <= slots <= MAX_SLOTS:
                raise c.fail(f"'slots' must be 1–{MAX_SLOTS}", fid)
            options = tuple(Option(f"slot{i + 1}", f"slot {i + 1}") for i in range(slots))
        else:
            options = c.options(rf.get("options"), fid)
    elif "options" in rf:
        raise c.fail(f"a '{kind}' field cannot have options", fid)
    width = rf.get("width", 1)
    lines = rf.get("lines", 1)
    if not isinstance(width, int) or not 1 <= width <= 3:
        raise c.fail("'width' must be 1–3 (columns)", fid)
    if not isinstance(lines, int) or not 1 <= lines <= 20:
        raise c.fail("'lines' must be 1–20", fid)
    return Field(
        id=fid, kind=kind, label=c.text(rf, "label", fid), section=section, options=options,
        required=bool(rf.get("required", False)), source=source, writable=bool(rf.get("writable", False)),
        width=width, lines=lines, grow=float(rf.get("grow", 0)), role=rf.get("role"),
        scale_type=str(rf.get("scale_type", "nominal")), options_from=options_from, slots=slots,
        empty_text=str(rf.get("empty_text", "")),
    )


def load_layout_file(path: Path) -> Layout:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise LayoutError(str(path), f"not UTF-8 text ({e.reason} at byte {e.start})") from None
    except OSError as e:
        raise LayoutError(str(path), f"cannot read: {e.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise LayoutError(str(path), f"not valid YAML: {e}") from None
    return parse_layout(data, str(path))


def builtin_layout_dir() -> Path:
    return Path(str(resources.files("layouts")))


def layout_paths(extra_dirs: list[Path] | None = None) -> dict[str, Path]:
    """Layout files by id: built-in first, then a workspace's own `layouts/` (which may override)."""
    found: dict[str, Path] = {}
    for d in [builtin_layout_dir(), *(extra_dirs or [])]:
        if d.is_dir():
            for p in sorted(d.glob("*.y*ml")):
                found[p.stem] = p
    return found


def load_layout(name: str, extra_dirs: list[Path] | None = None) -> Layout:
    paths = layout_paths(extra_dirs)
    if name not in paths:
        raise UnknownLayout(name, sorted(paths))
    layout = load_layout_file(paths[name])
    if layout.id != name:
        raise LayoutError(str(paths[name]), f"file name says '{name}' but 'layout:' says '{layout.id}'")
    return layout
