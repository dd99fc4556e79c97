"""One history codec: NaN <-> null, strict types, and the same rows in project files, checkpoints and the autosave."""

import math

import pytest

from playground.errors import CheckpointError
from playground.history_codec import (history_from_json, history_from_lines, history_to_json, report_from_row,
                                      report_line, report_row)
from playground.reports import Report

HISTORY = (Report(50, 0.5, 0.7, lr=0.03, seconds=0.1),
           Report(100, 1.0, 0.6, 0.65, 0.8, 0.75, 0.001, 0.03, 0.2),
           Report(125, 1.25, math.nan, lr=30.0, seconds=0.3, status="diverged", message="Training diverged"))


def test_round_trip_keeps_every_field_and_nan():
    back = history_from_json(history_to_json(HISTORY), "h.json")
    assert back[:2] == HISTORY[:2]
    assert math.isnan(back[2].train_loss) and back[2].status == "diverged" and back[2].message == HISTORY[2].message


def test_nan_and_inf_are_written_as_null():
    row = report_row(Report(1, 0.1, math.inf, test_loss=math.nan))
    assert row["train_loss"] is None and row["test_loss"] is None
    assert "NaN" not in history_to_json(HISTORY) and "Infinity" not in history_to_json([Report(1, 0.1, math.inf)])


def test_lines_stop_at_a_line_cut_short():
    text = "".join(report_line(r) for r in HISTORY[:2]) + report_line(HISTORY[2])[:20]
    assert history_from_lines(text) == list(HISTORY[:2])


@pytest.mark.parametrize("row, words", [
    ({"step": "7", "epoch": 1.0, "train_loss": 0.5}, "'step' must be an integer"),
    ({"step": 7, "epoch": math.nan, "train_loss": 0.5}, "finite"),
    ({"step": 7, "epoch": 1.0}, "lacks 'train_loss'"),
    ({"step": 7, "epoch": 1.0, "train_loss": 0.5, "colour": 1}, "unknown report field 'colour'"),
    ({"step": 7, "epoch": 1.0, "train_loss": 0.5, "status": 3}, "'status' must be text"),
    ({"step": True, "epoch": 1.0, "train_loss": 0.5}, "'step' must be an integer"),
    ([1, 2], "must be an object"),
])
def test_damaged_rows_are_refused_with_the_reason(row, words):
    with pytest.raises(ValueError, match=words):
        report_from_row(row)


def test_a_damaged_file_names_the_source_and_the_report():
    with pytest.raises(CheckpointError, match=r"h.json is not a readable run history: report 2: "):
        history_from_json('{"reports": [{"step": 1, "epoch": 0.1, "train_loss": 1.0}, {"step": "x"}]}', "h.json")
    with pytest.raises(CheckpointError, match="not JSON"):
        history_from_json("{", "h.json")
