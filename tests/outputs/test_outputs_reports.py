"""PDF reports: text extracted with pypdf must hold the expected sections and hand-computed numbers."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from outputs import UnknownTraineeError
from outputs.encounter_pdf import encounter_summary
from outputs.errors import AveragingNotAllowedError
from outputs.layouts import Layout
from outputs.stats import highest_repeated, numeric, numeric_summary
from outputs.trainee_report import trainee_report

TODAY = __import__("datetime").date(2026, 11, 22)


def text_of(path: Path) -> str:
    reader = PdfReader(str(path))
    return "\n".join(p.extract_text() or "" for p in reader.pages)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_trainee_report_nb_numbers(records, layouts, crops_dir, tmp_path):
    out = trainee_report(records, layouts, "S001", tmp_path / "s001.pdf", crops_dir=crops_dir, today=TODAY)
    txt = _squash(text_of(out))
    for heading in ("Sammendrag", "Tidslinje", "Vurdering per øvelse", "Vurderingene", "Utvikling over tid",
                    "Samme kliniske situasjon", "Dekning", "Tilbakemeldinger (håndskrevet)"):
        assert heading in txt
    assert "9 Antall øvelser" in txt or "9 3" in txt  # 9 encounters, 3 assessors
    assert "17.08.2026 – 28.10.2026" in txt
    # overall, trusted and observed: 4,5,5,6,6,7,7 (not_observed dropped, pending 6 excluded)
    # n=7, median 6, mean 40/7 = 5,7, range 4–7, IQR (inclusive) 5–6,5, not observed 1
    assert "Helhetsvurdering (samlet klinisk kompetanse) 7 6 5,7 4–7 5–6,5 1" in txt
    assert "FORELØPIG" not in txt  # 9 encounters, 3 assessors
    assert "3 ulike veiledere; den hyppigste står for 4 av 9 øvelser (44 %)" in txt
    assert "Håndleddsbrudd, poliklinikk" in txt
    assert "Behandling / rådgivning" in txt  # focus area never ticked → coverage gap
    assert "?6" in txt


def test_trainee_report_nb_provisional(records, layouts, tmp_path):
    txt = _squash(text_of(trainee_report(records, layouts, "S002", tmp_path / "s002.pdf", today=TODAY)))
    assert "FORELØPIG" in txt
    assert "2 øvelse(r) og 1 veileder(e)" in txt


def test_trainee_report_sv_never_averages(records, layouts, crops_dir, tmp_path):
    out = trainee_report(records, layouts, "T001", tmp_path / "t001.pdf", crops_dir=crops_dir, today=TODAY)
    raw = text_of(out)
    txt = _squash(raw)
    assert "PRELIMINÄR" in txt
    assert "2026-03-02 – 2026-06-30" in txt
    assert "Antal per nivå" in txt and "Senaste nivå" in txt
    # Sammantagen: reactive, reactive, independent, independent, supervises → P0 R2 S2 K1, 0 Ej bedömt
    assert "Sammantagen bedömning av aktiviteten 0 2 2 1 0 Kan själv handleda Självständigt" in txt
    assert "Anamnes: «Kan själv handleda» angavs redan vid första bedömningen" in txt
    assert "(2026-04-01, Dr. Ek)" in txt
    assert "Delmål" in txt and "STa4" in txt  # planned, never ticked
    # no average anywhere: no decimal numbers, no mean/median words except the sentence saying we never do it
    assert not re.search(r"\d[.,]\d", txt.replace("2021:8", ""))
    for word in ("median", "mean", "snitt", "genomsnitt"):
        assert word not in txt.lower()
    for line in raw.lower().splitlines():
        if "medel" in line:
            assert "aldrig" in line


def test_averaging_guard_raises_for_sv_scale(layouts):
    sv = Layout.from_desc(layouts[1])
    scale = sv.scales["supervision_level"]
    with pytest.raises(AveragingNotAllowedError):
        numeric_summary(["reactive", "independent"], scale)
    with pytest.raises(AveragingNotAllowedError):
        numeric(["reactive"], scale)
    assert highest_repeated(["reactive", "independent", "supervises"], scale) == "independent"
    assert highest_repeated(["supervises"], scale) is None


def test_trainee_without_records_and_unknown_trainee(records, layouts, issued, tmp_path):
    out = trainee_report(records, layouts, "T002", tmp_path / "t002.pdf", issued=issued, today=TODAY)
    txt = _squash(text_of(out))
    assert "Inga inlämnade mini-CEX-blanketter är registrerade för Johan Berg (T002)" in txt
    out = trainee_report(records, layouts, "S001", tmp_path / "none.pdf", date_from="2030-01-01", today=TODAY)
    assert "Ingen innleverte mini-CEX-skjema er registrert for Kari Nordmann (S001) fra 01.01.2030." in \
        _squash(text_of(out))
    with pytest.raises(UnknownTraineeError):
        trainee_report(records, layouts, "ZZZ", tmp_path / "z.pdf", issued=issued)


def test_encounter_summary_nb_pending_and_crops(records, layouts, crops_dir, tmp_path):
    rec = next(r for r in records if r["form_id"] == "N108-AAAA")
    out = encounter_summary(rec, layouts, tmp_path / "e.pdf", crops_dir=crops_dir, today=TODAY)
    txt = _squash(text_of(out))
    assert "Kari Nordmann (S001)" in txt and "19.10.2026" in txt and "Dr. Eide" in txt
    assert "Helhetsvurdering (samlet klinisk kompetanse) ? 6 (venter på kontroll)" in txt
    assert "Klinisk undersøkelse" in txt and "Sengepost" in txt
    reader = PdfReader(str(out))
    n_images = sum(len(p.images) for p in reader.pages)
    assert n_images == 5  # problem, went_well, improve, agreed_actions, signature_assessor


def test_encounter_summary_sv(records, layouts, crops_dir, tmp_path):
    rec = next(r for r in records if r["form_id"] == "S101-BBBB")
    txt = _squash(text_of(encounter_summary(rec, layouts, tmp_path / "e.pdf", crops_dir=crops_dir)))
    assert "Sara Lind (T001)" in txt and "2026-03-02" in txt
    assert "Sammantagen bedömning av aktiviteten Behöver reaktiv handledning" in txt
    assert "ST-läkarens egen handlingsplan" in txt


def test_cohort_report(records, layouts, issued, tmp_path):
    from outputs.cohort_report import cohort_report

    out = cohort_report(records, layouts, issued, tmp_path / "c.pdf", today=TODAY)
    txt = _squash(text_of(out))
    for heading in ("Per student / LIS", "Utdelte skjema som ikke er levert", "Skjema som venter på kontroll",
                    "Dekningshull", "Fordeling av vurderinger per område"):
        assert heading in txt
    # returned, target, missing, pending, not returned, oldest overdue days
    assert "Kari Nordmann (S001) 9 8 – 1 – –" in txt
    assert "Ola Hansen (S002) 2 8 6 1 2 20" in txt
    assert "Johan Berg (T002) 0 8 8 – 1 21" in txt
    assert "X001-CCCC Johan Berg (T002) 1 01.11.2026 (planlagt) Dr. Ek 21" in txt
    assert "X002-CCCC Ola Hansen (S002) 3 01.12.2026 (planlagt) Dr. Berg ikke forfalt" in txt
    assert "X003-CCCC Ola Hansen (S002) 4 02.11.2026 (utdelt) – 20" in txt
    assert "N202-AAAA Ola Hansen (S002) 05.10.2026 Setting; Fokus" in txt
    # cohort overall (nb): trusted 4,5,5,6,6,7,7 (S001) + 3,5 (S002) → n=9; 1–3: 1 (11 %), 4–6: 6 (67 %), 7–9: 2
    assert "Helhetsvurdering (samlet klinisk kompetanse) 0 0 1 1 3 2 2 0 0 9 1 11 % 67 % 22 %" in txt
    # sv overall: reactive 2, independent 2, supervises 1 of 5
    assert "Sammantagen bedömning av aktiviteten 0 (0 %) 2 (40 %) 2 (40 %) 1 (20 %) 0 5" in txt
    assert "Ingen skjema levert ennå" in txt


def test_cohort_report_target_and_empty_selection(records, layouts, issued, tmp_path):
    from outputs.cohort_report import cohort_report

    txt = _squash(text_of(cohort_report(records, layouts, issued, tmp_path / "c.pdf", target=5, today=TODAY)))
    assert "Kari Nordmann (S001) 9 5 –" in txt and "Sara Lind (T001) 5 5 –" in txt
    out = cohort_report(records, layouts, [], tmp_path / "e.pdf", date_from="2031-01-01", language="sv")
    assert "Inga blanketter matchar urvalet från 2031-01-01." in _squash(text_of(out))


def test_trend_chart_refuses_sv_scale(layouts):
    from outputs.charts import item_trend_chart

    sv = Layout.from_desc(layouts[1])
    with pytest.raises(AveragingNotAllowedError):
        item_trend_chart("x", [("1", "reactive", False)], sv.scales["supervision_level"], "Helvetica", "Helvetica")


def test_subgoal_titles_and_pending_in_timeline(records, layouts, crops_dir, tmp_path):
    titles = {"STb1": "Kommunikation med patienter och närstående", "STa4": "Etik"}
    out = trainee_report(records, layouts, "T001", tmp_path / "t.pdf", today=TODAY, subgoal_titles=titles)
    txt = _squash(text_of(out))
    assert "STb1 Kommunikation med patienter och närstående; STc3" in txt
    assert "Planerade men inte markerade: STa4 Etik" in txt
    assert "Dr. Ek (3), Dr. Holm (1), Dr. Ström (1)" in txt
    rec = next(r for r in records if r["form_id"] == "S103-BBBB")
    enc = encounter_summary(rec, layouts, tmp_path / "e.pdf", crops_dir=crops_dir, subgoal_titles=titles)
    assert "STb1 Kommunikation med patienter och närstående; STc3" in _squash(text_of(enc))
    nb = _squash(text_of(trainee_report(records, layouts, "S002", tmp_path / "s.pdf", today=TODAY)))
    assert "Astma (?Poliklinikk)" in nb  # pending setting of encounter 2 is marked
