"""FHIR R4 Bundle: parses with fhir.resources (R4B models; Questionnaire/Response are unchanged from R4)."""
from __future__ import annotations

import base64
import json

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from outputs import build_bundle, export_fhir
from outputs.fhir_export import ITEM_WEIGHT


def _by_type(bundle: dict) -> tuple[list[dict], list[dict]]:
    res = [e["resource"] for e in bundle["entry"]]
    return ([r for r in res if r["resourceType"] == "Questionnaire"],
            [r for r in res if r["resourceType"] == "QuestionnaireResponse"])


def test_bundle_validates_and_has_one_questionnaire_per_layout(records, layouts, crops_dir, tmp_path):
    out = export_fhir(records, layouts, tmp_path / "b.json", crops_dir=crops_dir)
    data = json.loads(out.read_text(encoding="utf-8"))
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    qs, qrs = _by_type(data)
    assert [q["id"] for q in qs] == ["minicex-ntnu-nb-v1", "minicex-st-sv-v1"]
    assert len(qrs) == len(records)
    for q in qs:
        Questionnaire.model_validate(q)
    for r in qrs:
        QuestionnaireResponse.model_validate(r)
        assert r["status"] in {"completed", "in-progress"}
        assert r["subject"]["type"] == "Practitioner" and "reference" not in r["subject"]


def test_questionnaire_items_and_weights(records, layouts):
    qs, _ = _by_type(build_bundle(records, layouts))
    nb, sv = qs
    items = {i["linkId"]: i for i in nb["item"]}
    overall = items["overall"]
    assert overall["type"] == "choice"
    weights = {o["valueCoding"]["code"]: o.get("extension") for o in overall["answerOption"]}
    assert weights["7"] == [{"url": ITEM_WEIGHT, "valueDecimal": 7.0}]
    assert weights["not_observed"] is None
    assert items["setting"]["answerOption"][0]["valueCoding"]["display"] == "Poliklinikk"
    assert all("extension" not in o for o in items["setting"]["answerOption"])
    assert items["focus"]["repeats"] is True
    assert items["went_well"]["type"] == "attachment"
    sv_items = {i["linkId"]: i for i in sv["item"]}
    assert all("extension" not in o for o in sv_items["overall"]["answerOption"])  # never weighted
    assert sv_items["subgoals"]["type"] == "open-choice"
    assert sv["language"] == "sv"


def test_response_answers_status_and_pending_omitted(records, layouts, crops_dir):
    _, qrs = _by_type(build_bundle(records, layouts, crops_dir=crops_dir))
    by_id = {r["id"]: r for r in qrs}
    done = by_id["N101-AAAA"]
    assert done["status"] == "completed"
    assert done["questionnaire"] == "https://formkit.invalid/fhir/Questionnaire/minicex-ntnu-nb|1"
    assert done["authored"] == "2026-08-17"
    assert done["subject"]["identifier"]["value"] == "S001"
    answers = {i["linkId"]: i["answer"] for i in done["item"]}
    assert answers["overall"] == [{"valueCoding": {
        "system": "https://formkit.invalid/fhir/CodeSystem/minicex-ntnu-nb/scale/nine_point",
        "code": "4", "display": "4"}}]
    png = base64.b64decode(answers["went_well"][0]["valueAttachment"]["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pending = by_id["N108-AAAA"]
    assert pending["status"] == "in-progress"
    assert "overall" not in {i["linkId"] for i in pending["item"]}
    sv = by_id["S103-BBBB"]
    codes = [a["valueCoding"]["code"] for i in sv["item"] if i["linkId"] == "subgoals" for a in i["answer"]]
    assert codes == ["STb1", "STc3"]


def test_without_handwriting(records, layouts, crops_dir):
    data = build_bundle(records, layouts, crops_dir=crops_dir, include_handwriting=False)
    Bundle.model_validate(data)
    _, qrs = _by_type(data)
    assert not any("valueAttachment" in a for r in qrs for i in r.get("item", []) for a in i["answer"])
