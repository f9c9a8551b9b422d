"""The process map's layout and SVG, without a browser."""

import xml.etree.ElementTree as ET

from cxloop.process import processmap
from cxloop.process.processmap import END, START, MapEdge

SVG = "{http://www.w3.org/2000/svg}"


def test_layers_follow_the_flow_and_rework_does_not_push_steps_down():
    edges = [
        MapEdge("register", "check", 10, "10"),
        MapEdge("check", "decide", 10, "10"),
        MapEdge("decide", "check", 3, "3"),
        MapEdge("register", "decide", 2, "2"),
    ]
    placed = processmap.layout(
        {"register": 10, "check": 13, "decide": 13}, edges, {"register": 10}, {"decide": 10}
    )
    layers = {name: node.layer for name, node in placed.nodes.items()}
    assert layers == {START: 0, "register": 1, "check": 2, "decide": 3, END: 4}
    assert all(node.y < placed.height and node.x > 0 for node in placed.nodes.values())


def test_the_svg_is_well_formed_escapes_names_and_links_edges():
    edges = [
        MapEdge("<a & b>", 'c "quoted"', 5, "5", href="/cases/?src=%3Ca&dst=c"),
        MapEdge('c "quoted"', 'c "quoted"', 2, "2"),
    ]
    svg = processmap.render(
        {"<a & b>": 5, 'c "quoted"': 7},
        edges,
        {"<a & b>": 5},
        {'c "quoted"': 5},
        title="Map & more",
    )
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "Map & more"
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "<a & b> (5)" in labels and "▶ start (5)" in labels
    assert root.find(f"{SVG}a").get("href") == "/cases/?src=%3Ca&dst=c"


def test_an_empty_map_still_draws_start_and_end():
    root = ET.fromstring(processmap.render({}, [], {}, {}, title="Nothing"))
    assert len(root.findall(f"{SVG}g")) == 2


def test_durations_read_as_people_read_them():
    assert [processmap.format_seconds(s) for s in (None, 40, 720, 5.5 * 3600, 3.2 * 86400)] == [
        "–",
        "40 s",
        "12 min",
        "5.5 h",
        "3.2 d",
    ]
