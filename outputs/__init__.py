"""formkit outputs: exports (CSV, XLSX, JSON, FHIR R4) and PDF reports from scanned mini-CEX records.

This package never imports `formkit` or `scanner`: it takes records (contracts.md §3), layout
descriptions (§1 plus labels/scales) and, for the cohort report, the issued-forms list (§4).
"""
from outputs.cohort_report import cohort_report
from outputs.csv_export import export_csv
from outputs.encounter_pdf import encounter_summary
from outputs.errors import (
    AveragingNotAllowedError,
    FontNotFoundError,
    NothingSelectedError,
    OutputError,
    OutputPathError,
    UnknownLayoutError,
    UnknownTraineeError,
)
from outputs.fhir_export import build_bundle, export_fhir
from outputs.json_export import export_json
from outputs.trainee_report import trainee_report
from outputs.xlsx_export import export_xlsx

__all__ = [
    "AveragingNotAllowedError", "FontNotFoundError", "NothingSelectedError", "OutputError", "OutputPathError",
    "UnknownLayoutError", "UnknownTraineeError", "build_bundle", "cohort_report", "encounter_summary",
    "export_csv", "export_fhir", "export_json", "export_xlsx", "trainee_report",
]
