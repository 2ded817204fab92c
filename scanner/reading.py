"""What `read` returns for one page: field decisions, text areas and what the page shows of its writer."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.decide import FieldDecision
from scanner.handwriting import TextArea


@dataclass
class PageReading:
    fields: dict[str, FieldDecision] = field(default_factory=dict)
    texts: dict[str, TextArea] = field(default_factory=dict)
    registration_quality: str = ""
    fingerprint: str = ""
    print_verified: bool = False  # a poor marker fit, but every printed box was found where it maps to
    writer_seen: bool = False  # the page shows its writer's pen: an inked box or writing in a text area
    faint_writer: float = 0.0  # ... and that pen is faint: its ink strength (0: not a faint writer)
    clipped: bool = False  # 1-bit, dithered or whitened: whatever was lighter than the scanner's level is gone

    @property
    def review(self) -> dict[str, str]:
        """{field_id: reason} for everything a person must look at."""
        out = {k: v.reason or "review" for k, v in self.fields.items() if v.status == "review"}
        out.update({k: v.reason or "review" for k, v in self.texts.items() if v.status == "review"})
        return out

    @property
    def values(self) -> dict[str, object]:
        out: dict[str, object] = {k: v.value for k, v in self.fields.items()}
        out.update({k: v.value for k, v in self.texts.items()})
        return out

    def to_dict(self) -> dict:
        """JSON-able audit record (text crops are not included: save them with `texts[id].crop`)."""
        return {"registration_quality": self.registration_quality, "print_verified": self.print_verified,
                "fingerprint": self.fingerprint, "writer_seen": self.writer_seen, "faint_writer": self.faint_writer,
                "clipped": self.clipped,
                "fields": {k: v.to_dict() for k, v in self.fields.items()},
                "texts": {k: v.to_dict() for k, v in self.texts.items()}}
