"""The console's SVG bar charts, read back as XML: one titled bar per value above zero, heights in proportion,
a labelled image whatever the data, and a width that follows the page (a 360 px phone included)."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from webapp import charts

SVG = "{http://www.w3.org/2000/svg}"
DAYS = ["2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"]


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def bars(svg: ET.Element) -> list[ET.Element]:
    """The bars: the rects that have a title (the legend's swatches and the hatch pattern have none)."""
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]


def title_of(element: ET.Element) -> str:
    return element.find(f"{SVG}title").text


@pytest.mark.parametrize(("values", "expected_heights"), [
    ([1, 2, 4, 8], [15, 30, 60, 120]),
    ([5, 0, 5, 10], [60, 60, 120]),  # no bar for a zero
    ([3, 3, 3, 3], [120, 120, 120, 120]),
    ([0, 0, 0, 7], [120]),
])
def test_one_bar_per_value_above_zero_in_proportion_to_the_largest(values, expected_heights):
    svg = parse(charts.bar_chart(DAYS, [("sent", values)], title="Reminders sent", chart_id="c"))
    assert [float(bar.get("height")) for bar in bars(svg)] == expected_heights
    assert charts.PLOT_HEIGHT == 120
    # Every bar stands on the same axis, and says what it is.
    assert {float(bar.get("y")) + float(bar.get("height")) for bar in bars(svg)} == {charts.TOP + charts.PLOT_HEIGHT}
    shown = [f"{day}: {value} sent" for day, value in zip(DAYS, values, strict=True) if value]
    assert [title_of(bar) for bar in bars(svg)] == shown


def test_stacked_series_share_one_scale_and_the_second_is_hatched():
    svg = parse(charts.bar_chart(DAYS[:2], [("out", [2, 1]), ("in", [2, 0])], title="SMS", chart_id="sms"))
    drawn = [(title_of(bar), float(bar.get("y")), float(bar.get("height")), bar.get("fill")) for bar in bars(svg)]
    assert drawn == [("2026-03-28: 2 out", 68, 60, None),
                     ("2026-03-28: 2 in", 8, 60, "url(#sms-hatch)"),  # on top of the first
                     ("2026-03-29: 1 out", 98, 30, None)]
    assert svg.find(f"{SVG}defs/{SVG}pattern").get("id") == "sms-hatch"
    # The legend names both series in text: no meaning rests on colour or pattern alone.
    assert [text.text for text in svg.iter(f"{SVG}text")][-2:] == ["out", "in"]


@pytest.mark.parametrize("values", [[0, 0, 0, 0], [0] * 31])
def test_an_empty_series_draws_no_bar_but_a_labelled_image(values):
    labels = [f"day {i}" for i in range(len(values))]
    svg = parse(charts.bar_chart(labels, [("", values)], title="Opt-outs per day", chart_id="optouts"))
    assert bars(svg) == []
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "optouts-title"
    assert svg.find(f"{SVG}title").get("id") == "optouts-title"
    assert svg.find(f"{SVG}title").text == "Opt-outs per day"
    # The axis still shows where zero is, and the days the chart covers.
    assert [text.text for text in svg.iter(f"{SVG}text")] == ["0", labels[0], labels[-1]]


@pytest.mark.parametrize("labels", [DAYS, [f"2026-03-{d:02}" for d in range(1, 32)], ["21610"]])
def test_it_scales_to_the_page_width(labels):
    svg = parse(charts.bar_chart(labels, [("", [1] * len(labels))], title="t", chart_id="w"))
    assert svg.get("width") == "100%"
    assert svg.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}"
    assert charts.WIDTH <= 360
    # Every bar inside the drawing.
    assert all(0 <= float(bar.get("x")) and float(bar.get("x")) + float(bar.get("width")) <= charts.WIDTH
               for bar in bars(svg))
    assert len(bars(svg)) == len(labels)


def test_every_label_names_each_bar_under_the_axis():
    codes = ["30003", "21610", "42"]
    svg = parse(charts.bar_chart(codes, [("", [4, 2, 1])], title="Send errors by code", chart_id="e",
                                 every_label=True))
    assert [text.text for text in svg.iter(f"{SVG}text")] == ["0", "4", *codes]
    assert [title_of(bar) for bar in bars(svg)] == ["30003: 4", "21610: 2", "42: 1"]


def test_text_is_escaped():
    svg = parse(charts.bar_chart(["<b>"], [("a & b", [1])], title="x < y", chart_id="esc"))
    assert svg.find(f"{SVG}title").text == "x < y"
    assert title_of(bars(svg)[0]) == "<b>: 1 a & b"


@pytest.mark.parametrize("series", [[], [("a", [1, 2])]])
def test_a_series_must_match_the_labels(series):
    with pytest.raises(ValueError, match="one value per label"):
        charts.bar_chart(DAYS, series, title="t", chart_id="bad")
