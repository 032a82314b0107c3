"""The contract report JSON reads back into the same Report (the store and the API depend on it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jixiao import api
from jixiao.deserialize import report_from_json
from jixiao.errors import InputError
from jixiao.serialize import evaluation_json, report_json

SEED = Path(__file__).parent / "data" / "seed-yueyang-2019.txt"


def test_round_trip_gives_the_same_json_and_scores():
    report = api.load_report(SEED)
    doc = json.loads(json.dumps(report_json(report)))
    again = report_from_json(doc)
    assert report_json(again) == report_json(report)
    first, second = api.evaluate(report), api.evaluate(again)
    assert (second.total, second.grade) == (first.total, first.grade)
    assert [i["score"] for i in evaluation_json(second)["items"]] == [
        i["score"] for i in evaluation_json(first)["items"]
    ]
    assert sorted(f.code for f in second.findings) == sorted(f.code for f in first.findings)


@pytest.mark.parametrize(
    ("edit", "place", "words"),
    [
        (lambda d: d["funds"]["rows"][0].update(planned=152.5), "$.funds.rows[0].planned", "不能是浮点数"),
        (lambda d: d["funds"]["rows"][0].update(spent="四十二"), "$.funds.rows[0].spent", "不是数字"),
        (lambda d: d["funds"]["rows"][0].update(key="mars"), "$.funds.rows[0].key", "未知的资金来源"),
        (lambda d: d["indicators"][0]["target"].update(op=">"), "$.indicators[0].target.op", "比较符"),
        (lambda d: d.update(indicators={}), "$.indicators", "数组"),
        (lambda d: d["funds"].update(unit="美元"), "$.funds.unit", "金额单位"),
        # an exponent beyond anything a form holds: scoring it would overflow the decimal context
        (lambda d: d["funds"]["rows"][0].update(spent="1e400"), "$.funds.rows[0].spent", "超出合理范围"),
        (lambda d: d["funds"]["rows"][0].update(planned=10**20), "$.funds.rows[0].planned", "超出合理范围"),
    ],
)
def test_bad_json_names_the_place(edit, place, words):
    doc = json.loads(json.dumps(report_json(api.load_report(SEED))))
    edit(doc)
    with pytest.raises(InputError) as info:
        report_from_json(doc)
    assert info.value.place == place
    assert words in info.value.message
