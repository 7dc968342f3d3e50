"""nonlinear.timing: outputs measured with a clock are marked, in order, with a note; a Styler shows its table."""

import subprocess
import sys
from pathlib import Path

from book_notebooks import execute

from nonlinear import timing

PAGE = """# %%
import pandas as pd
from nonlinear import timing
from nonlinear.claims import glue
print("exact")
with timing.measured():
    print("took 1.23 s")
    glue("speed", 1.5, display=False)
print("exact again")
timing.show(pd.DataFrame({"ms": [1.0, 2.0]}))
pd.DataFrame({"x": [0.5]}).style.format("{:.3f}")
"""


def _text(output) -> str:
    return output.get("text") or output.get("data", {}).get("text/plain", "")


def test_measured_outputs_are_marked_in_order_with_a_visible_note(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(PAGE, encoding="utf-8")
    outputs = execute(page).cells[0].outputs
    marks = [(timing.is_timing(o), _text(o).strip()) for o in outputs]
    assert marks[0] == (False, "exact")
    assert marks[1] == (True, "took 1.23 s")
    assert timing.is_timing(outputs[2]) and outputs[2]["metadata"]["scrapbook"]["name"] == "speed"
    assert marks[3] == (True, timing.NOTE)
    assert marks[4] == (False, "exact again")
    assert marks[5][0] and "ms" in marks[5][1] and "2.0" in marks[5][1], marks[5]
    assert marks[6] == (True, timing.NOTE)
    assert [o["output_type"] for o in outputs[7:]] == ["execute_result"]


def test_a_styler_shows_its_table_not_its_address(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(PAGE, encoding="utf-8")
    styler = execute(page).cells[0].outputs[-1]["data"]["text/plain"]
    assert "0x" not in styler and "Styler" not in styler, styler
    assert "0.500" in styler, styler


def test_outside_ipython_the_block_just_runs():
    # In a fresh interpreter: another test in this worker may have started an IPython shell.
    script = 'from nonlinear import timing\nwith timing.measured():\n    print("plain")\ntiming.show("text")\n'
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout == "plain\ntext\n" and done.stderr == ""


def test_every_page_that_reads_a_clock_marks_its_outputs():
    """A page that times something (time_activation, time_per_element, layer_time_share, layer_step_times, perf_counter,
    timeit, best_time) must mark what it shows with nonlinear.timing."""
    root = Path(__file__).resolve().parents[1]
    clocks = (
        "time_activation",
        "time_per_element",
        "layer_time_share",
        "layer_step_times",
        "perf_counter",
        "timeit",
        "best_time(",
    )
    unmarked = []
    for page in sorted([*root.glob("chapters/**/*.md"), *root.glob("notebooks/*.ipynb")]):
        text = page.read_text(encoding="utf-8")
        if any(clock in text for clock in clocks) and "timing.measured" not in text and "timing.show" not in text:
            unmarked.append(page.relative_to(root).as_posix())
    assert not unmarked, f"pages that show clock readings without nonlinear.timing: {unmarked}"


def test_prints_cut_differently_compare_equal():
    from same_outputs import merged_streams

    one = [{"output_type": "stream", "name": "stdout", "text": "Finish exercise 6.6.\n"}]
    two = [
        {"output_type": "stream", "name": "stdout", "text": "Finish exercise 6.6."},
        {"output_type": "stream", "name": "stdout", "text": "\n"},
    ]
    assert merged_streams(one) == merged_streams(two)
    other = [{"output_type": "stream", "name": "stdout", "text": "Finish exercise 6.7.\n"}]
    assert merged_streams(one) != merged_streams(other)


def test_two_runs_are_compared_apart_from_marked_outputs_and_made_up_ids():
    """tests/same_outputs.py's comparison (the Binder test compares each page with the build's run):
    a marked output may differ, an unmarked one may not, and the difference is named by its cell."""
    import nbformat
    from same_outputs import comparable, differences

    def page(seconds: str, exact: str, model_id: str):
        cell = nbformat.v4.new_code_cell("...")
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=exact),
            nbformat.v4.new_output("display_data", data={"text/plain": seconds}, metadata=dict(timing.METADATA)),
            nbformat.v4.new_output(
                "display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": model_id}}
            ),
        ]
        return nbformat.v4.new_notebook(cells=[cell])

    a = page("1.2 s", "0.5", "0" * 32)
    assert comparable(a) == comparable(page("3.4 s", "0.5", "f" * 32)), "clock readings and widget ids may differ"
    assert comparable(a) != comparable(page("1.2 s", "0.6", "0" * 32)), "an exact output may not"
    assert differences(a, page("3.4 s", "0.5", "f" * 32)) == []
    found = differences(a, page("1.2 s", "0.6", "0" * 32))
    assert len(found) == 1 and found[0].startswith("code cell 1:") and "0.6" in found[0], found
    assert differences(a, nbformat.v4.new_notebook(cells=[])) == ["1 code cell(s) in the first run, 0 in the second"]
