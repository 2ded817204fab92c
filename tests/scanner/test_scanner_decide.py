import pytest

from scanner.decide import BoxDecision, decide_field


def boxes(*states, conf=0.9):
    return [BoxDecision(f"v{i}", s, 0.3 if s == "uncertain" else conf, "") for i, s in enumerate(states)]


@pytest.mark.parametrize("kind,required,states,value,status,reason", [
    ("single", True, ["empty", "marked", "empty"], "v1", "accepted", None),
    ("single", True, ["filled", "marked", "empty"], "v1", "accepted", None),  # cancelled box ignored
    ("single", True, ["empty", "empty", "empty"], None, "review", "no_mark"),
    ("single", False, ["empty", "empty", "empty"], None, "accepted", None),
    ("single", False, ["empty", "uncertain", "empty"], None, "review", "uncertain_mark"),
    ("single", True, ["marked", "marked", "empty"], None, "review", "multiple_marks"),
    ("single", True, ["marked", "uncertain", "empty"], "v0", "review", "uncertain_mark"),
    ("single", True, ["filled", "empty", "empty"], None, "review", "all_cancelled"),
    ("single", False, ["filled", "filled", "empty"], None, "review", "all_cancelled"),
    ("multi", False, ["marked", "empty", "marked"], ["v0", "v2"], "accepted", None),
    ("multi", False, ["empty", "empty", "empty"], [], "accepted", None),
    ("multi", True, ["empty", "empty", "empty"], [], "review", "no_mark"),
    ("multi", False, ["marked", "uncertain", "empty"], ["v0"], "review", "uncertain_mark"),
    ("multi", False, ["filled", "empty", "empty"], [], "review", "all_cancelled"),
    ("multi", False, ["filled", "marked", "empty"], ["v1"], "accepted", None),
])
def test_field_rules(kind, required, states, value, status, reason):
    fd = decide_field("f", kind, required, boxes(*states))
    assert (fd.value, fd.status, fd.reason) == (value, status, reason)


def test_confidence_is_weakest_box_and_capped_on_review():
    b = boxes("empty", "marked", "empty")
    b[0].confidence = 0.62
    assert decide_field("f", "single", True, b).confidence == 0.62
    assert decide_field("f", "single", True, boxes("marked", "uncertain")).confidence <= 0.5
