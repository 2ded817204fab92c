"""Report and export wording in the form's language (nb, sv). Field labels come from the layout."""
from __future__ import annotations

import datetime as dt

STRINGS: dict[str, dict[str, str]] = {
    "nb": {
        # export column labels
        "col.form_id": "Skjema-ID", "col.layout": "Skjema", "col.layout_version": "Skjemaversjon",
        "col.trainee_id": "Student / LIS-ID", "col.trainee_name": "Navn", "col.encounter": "Øvelse nr.",
        "col.date": "Dato", "col.assessor": "Veileder / observatør",
        "col.planned_setting": "Planlagt klinisk situasjon", "col.status": "Status",
        "col.review_pending": "Felt som venter på kontroll",
        "col.fields_missing": "Felt på sider som ikke er skannet",
        # status
        "status.complete": "Ferdig", "status.needs_review": "Venter på kontroll",
        "status.incomplete": "Ufullstendig",
        # common
        "pending": "venter på kontroll", "pending_note": "? = lest av maskinen, men ikke kontrollert ennå. "
        "Slike verdier er ikke endelige og er holdt utenfor beregningene.",
        "not_written": "(ikke skrevet)", "crop_missing": "(bildet mangler)", "none": "–",
        "generated": "Laget {date} av formkit", "page": "Side",
        # encounter summary
        "enc.title": "Mini-CEX – oppsummering", "enc.trainee": "Student / LIS", "enc.assessor": "Veileder",
        "enc.date": "Dato", "enc.encounter": "Øvelse nr.", "enc.department": "Sykehus / avdeling",
        "enc.form": "Skjema", "enc.status": "Status", "enc.planned": "Planlagt klinisk situasjon",
        "enc.pending_banner": "Noen verdier er ikke kontrollert ennå og er merket med ?. "
        "Vent med å laste opp til de er kontrollert.",
        "enc.handwriting": "Håndskrevet tekst",
        # trainee report
        "tr.title": "Mini-CEX – samlet oversikt", "tr.provisional": "FORELØPIG",
        "tr.provisional_text": "Profilen er foreløpig: den bygger på {n} øvelse(r) og {a} veileder(e). "
        "Et sikrere bilde krever minst {min_n} øvelser og minst {min_a} ulike veiledere.",
        "tr.no_records": "Ingen innleverte mini-CEX-skjema er registrert for {who}{period}.",
        "tr.summary": "Sammendrag", "tr.n_encounters": "Antall øvelser",
        "tr.n_assessors": "Ulike veiledere", "tr.period": "Periode",
        "tr.n_pending": "Skjema som venter på kontroll",
        "tr.timeline": "Tidslinje", "tr.setting": "Klinisk situasjon", "tr.complexity": "Kompleksitet",
        "tr.focus": "Fokus", "tr.assessor": "Veileder", "tr.date": "Dato", "tr.no": "Nr.",
        "tr.items": "Vurderingene", "tr.items_over_time": "Vurdering per øvelse",
        "tr.item": "Område", "tr.n": "n", "tr.median": "Median", "tr.mean": "Gj.snitt",
        "tr.range": "Spredning (min–maks)", "tr.iqr": "IQR", "tr.not_observed": "Ikke obs.",
        "tr.stats_note": "n = antall øvelser der området ble vurdert. «Ikke observert» regnes som "
        "manglende, aldri som 0. Verdier som venter på kontroll er ikke med.",
        "tr.charts": "Utvikling over tid",
        "tr.same_setting": "Samme kliniske situasjon – første og siste gang",
        "tr.first": "Første", "tr.last": "Siste", "tr.change": "Endring",
        "tr.no_same_setting": "Ingen klinisk situasjon er observert mer enn én gang ennå.",
        "tr.coverage": "Dekning", "tr.observed": "Observert", "tr.not_yet": "Ikke observert ennå",
        "tr.settings": "Settinger", "tr.focus_areas": "Fokusområder", "tr.items_cov": "Vurderingsområder",
        "tr.assessor_div": "Veiledere", "tr.assessor_div_text": "{a} ulike veiledere; den hyppigste står for "
        "{k} av {n} øvelser ({p} %).",
        "tr.narrative": "Tilbakemeldinger (håndskrevet)",
        "tr.flags": "Merknader", "tr.latest": "Siste nivå", "tr.highest": "Høyeste nivå nådd minst 2 ganger",
        "tr.counts": "Antall per nivå",
        # cohort report
        "co.title": "Mini-CEX – kulloversikt", "co.per_trainee": "Per student / LIS",
        "co.trainee": "Student / LIS", "co.returned": "Innlevert", "co.target": "Mål",
        "co.missing": "Mangler", "co.pending": "Til kontroll", "co.not_returned": "Ikke levert",
        "co.overdue_title": "Utdelte skjema som ikke er levert", "co.form": "Skjema-ID",
        "co.due": "Planlagt / utdelt", "co.days_overdue": "Dager over tid", "co.not_due": "ikke forfalt",
        "co.review_title": "Skjema som venter på kontroll", "co.fields": "Felt",
        "co.gaps_title": "Dekningshull", "co.gap_settings": "Settinger ikke observert",
        "co.gap_items": "Områder aldri vurdert", "co.gap_subgoals": "Planlagte delmål ikke observert",
        "co.distribution": "Fordeling av vurderinger per område (hele kullet)",
        "co.no_records": "Ingen skjema passer til utvalget{period}.", "co.none": "Ingen.",
        "co.today": "Per {date}", "co.distribution_note": "Antall vurderinger (andel av observerte). "
        "«Ikke observert» er ikke med i andelene. Ingen rangering mellom studenter.",
    },
    "sv": {
        "col.form_id": "Blankett-ID", "col.layout": "Blankett", "col.layout_version": "Blankettversion",
        "col.trainee_id": "ST-läkarens ID", "col.trainee_name": "Namn", "col.encounter": "Bedömning nr.",
        "col.date": "Datum", "col.assessor": "Bedömare", "col.planned_setting": "Kliniskt sammanhang (plan)",
        "col.status": "Status", "col.review_pending": "Fält som väntar på granskning",
        "col.fields_missing": "Fält på sidor som inte skannats",
        "status.complete": "Klar", "status.needs_review": "Väntar på granskning",
        "status.incomplete": "Ofullständig",
        "pending": "väntar på granskning", "pending_note": "? = avläst maskinellt men inte granskat ännu. "
        "Sådana värden är inte slutliga och ingår inte i sammanställningen.",
        "not_written": "(inget skrivet)", "crop_missing": "(bilden saknas)", "none": "–",
        "generated": "Skapad {date} av formkit", "page": "Sida",
        "enc.title": "Mini-CEX – sammanställning", "enc.trainee": "ST-läkare", "enc.assessor": "Bedömare",
        "enc.date": "Datum", "enc.encounter": "Bedömning nr.", "enc.department": "Klinik / enhet",
        "enc.form": "Blankett", "enc.status": "Status", "enc.planned": "Kliniskt sammanhang (plan)",
        "enc.pending_banner": "Vissa värden är inte granskade ännu och är markerade med ?. "
        "Vänta med att arkivera tills de är granskade.",
        "enc.handwriting": "Handskriven text",
        "tr.title": "Mini-CEX – sammanställning över tid", "tr.provisional": "PRELIMINÄR",
        "tr.provisional_text": "Profilen är preliminär: den bygger på {n} bedömning(ar) och {a} bedömare. "
        "En säkrare bild kräver minst {min_n} bedömningar och minst {min_a} olika bedömare.",
        "tr.no_records": "Inga inlämnade mini-CEX-blanketter är registrerade för {who}{period}.",
        "tr.summary": "Sammanfattning", "tr.n_encounters": "Antal bedömningar",
        "tr.n_assessors": "Olika bedömare", "tr.period": "Period",
        "tr.n_pending": "Blanketter som väntar på granskning",
        "tr.timeline": "Tidslinje", "tr.setting": "Kliniskt sammanhang", "tr.complexity": "Svårighetsgrad",
        "tr.focus": "Fokus", "tr.assessor": "Bedömare", "tr.date": "Datum", "tr.no": "Nr",
        "tr.items": "Bedömda områden", "tr.items_over_time": "Nivå per bedömning",
        "tr.item": "Område", "tr.n": "n", "tr.not_observed": "Ej bedömt",
        "tr.stats_note": "Nivåerna är ordnade kategorier. De räknas per nivå; något medelvärde räknas "
        "aldrig fram. «Ej bedömt» räknas inte. Värden som väntar på granskning ingår inte.",
        "tr.charts": "Nivåer över tid",
        "tr.same_setting": "Samma kliniska sammanhang – första och senaste gången",
        "tr.first": "Första", "tr.last": "Senaste", "tr.change": "Förändring",
        "tr.no_same_setting": "Inget kliniskt sammanhang har bedömts mer än en gång ännu.",
        "tr.coverage": "Täckning", "tr.observed": "Bedömt", "tr.not_yet": "Inte bedömt ännu",
        "tr.settings": "Kliniska sammanhang", "tr.focus_areas": "Fokusområden",
        "tr.items_cov": "Bedömda områden", "tr.subgoals": "Delmål",
        "tr.subgoals_planned": "Planerade men inte markerade",
        "tr.assessor_div": "Bedömare", "tr.assessor_div_text": "{a} olika bedömare; den vanligaste står för "
        "{k} av {n} bedömningar ({p} %).",
        "tr.narrative": "Återkoppling och handlingsplan (handskrivet)",
        "tr.flags": "Att uppmärksamma", "tr.latest": "Senaste nivå",
        "tr.highest": "Högsta nivå nådd minst 2 gånger", "tr.counts": "Antal per nivå",
        "tr.flag_first": "{item}: «{level}» angavs redan vid första bedömningen av området "
        "({date}, {assessor}). "
        "Nivån ska användas först efter att ST-läkaren setts i situationen ett flertal gånger.",
        "co.title": "Mini-CEX – översikt för studierektor", "co.per_trainee": "Per ST-läkare",
        "co.trainee": "ST-läkare", "co.returned": "Inlämnade", "co.target": "Mål", "co.missing": "Saknas",
        "co.pending": "Att granska", "co.not_returned": "Ej inlämnade",
        "co.overdue_title": "Utdelade blanketter som inte lämnats in", "co.form": "Blankett-ID",
        "co.due": "Planerad / utdelad", "co.days_overdue": "Dagar försenad", "co.not_due": "ej förfallen",
        "co.review_title": "Blanketter som väntar på granskning", "co.fields": "Fält",
        "co.gaps_title": "Luckor i täckningen", "co.gap_settings": "Sammanhang ej bedömda",
        "co.gap_items": "Områden aldrig bedömda", "co.gap_subgoals": "Planerade delmål ej markerade",
        "co.distribution": "Fördelning av nivåer per område (hela gruppen)",
        "co.no_records": "Inga blanketter matchar urvalet{period}.", "co.none": "Inga.",
        "co.today": "Per {date}", "co.distribution_note": "Antal bedömningar (andel av bedömda). "
        "«Ej bedömt» ingår inte i andelarna. Ingen rangordning mellan ST-läkare.",
    },
}
STRINGS["nb"].update({"period.both": " i perioden {a} – {b}", "period.from": " fra {a}",
                      "period.to": " til {b}"})
STRINGS["sv"].update({"period.both": " under perioden {a} – {b}", "period.from": " från {a}",
                      "period.to": " till {b}"})
STRINGS["nb"].update({"co.basis_planned": "planlagt", "co.basis_issued": "utdelt",
                      "co.no_forms": "Ingen skjema levert ennå"})
STRINGS["sv"].update({"co.basis_planned": "planerad", "co.basis_issued": "utdelad",
                      "co.no_forms": "Inga blanketter inlämnade ännu"})
STRINGS["nb"].update({"tr.chart_note": "Vannrett akse: øvelse nr. Åpen sirkel = venter på kontroll. "
                      "Brudd i linjen = ikke observert.", "tr.shaded": "Skyggelagt"})
STRINGS["sv"].update({"tr.chart_note": "Vågrät axel: bedömning nr. Ofylld cirkel = väntar på granskning.",
                      "tr.shaded": "Skuggat"})
STRINGS["nb"]["enc.signatures"] = "Signaturer"
STRINGS["sv"]["enc.signatures"] = "Underskrifter"
STRINGS["nb"]["tr.subgoals"] = "Delmål"
STRINGS["nb"]["tr.subgoals_planned"] = "Planlagt, men ikke krysset av"
STRINGS["nb"]["tr.flag_first"] = ("{item}: «{level}» ble gitt allerede første gang området ble vurdert "
                                  "({date}, {assessor}).")


def t(lang: str, key: str, **kw: object) -> str:
    """Look up a string; unknown languages fall back to nb, unknown keys to the key (visible, not a crash)."""
    table = STRINGS.get(lang, STRINGS["nb"])
    s = table.get(key) or STRINGS["nb"].get(key) or key
    return s.format(**kw) if kw else s


def fmt_date(d: dt.date | None, lang: str) -> str:
    """22.11.2026 for Norwegian, 2026-11-22 for Swedish (local conventions)."""
    if d is None:
        return "–"
    return d.strftime("%d.%m.%Y") if lang == "nb" else d.isoformat()


def fmt_num(x: float, lang: str, digits: int = 1) -> str:
    """Decimal comma for both nb and sv; integers without decimals."""
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.{digits}f}".replace(".", ",")


def fmt_pct(k: int, n: int) -> str:
    return f"{round(100 * k / n)}" if n else "0"
