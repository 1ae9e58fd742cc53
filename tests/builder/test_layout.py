"""The automatic layered layout."""

from builder.layout import X_GAP, Y_GAP, layout


def test_layers_follow_the_longest_path():
    pos = layout(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "c"), ("c", "d")])
    assert [pos[n]["y"] for n in "abcd"] == [0, Y_GAP, 2 * Y_GAP, 3 * Y_GAP]


def test_siblings_are_spread_and_centred():
    pos = layout(["in", "l", "r", "out"], [("in", "l"), ("in", "r"), ("l", "out"), ("r", "out")])
    assert pos["l"]["y"] == pos["r"]["y"] == Y_GAP
    assert abs(pos["l"]["x"] - pos["r"]["x"]) == X_GAP
    assert pos["l"]["x"] + pos["r"]["x"] == 0
    assert pos["in"]["x"] == pos["out"]["x"] == 0


def test_barycentric_ordering_removes_a_crossing():
    # a1 -> b2 and a2 -> b1 cross if b keeps document order
    pos = layout(["a1", "a2", "b1", "b2"], [("a1", "b2"), ("a2", "b1")])
    assert (pos["a1"]["x"] < pos["a2"]["x"]) == (pos["b2"]["x"] < pos["b1"]["x"])


def test_cycles_and_unknown_nodes_do_not_break_it():
    pos = layout(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "b"), ("a", "ghost"), ("a", "a")])
    assert set(pos) == {"a", "b", "c"}
    assert pos["a"]["y"] == 0
    assert len({(p["x"], p["y"]) for p in pos.values()}) == 3
