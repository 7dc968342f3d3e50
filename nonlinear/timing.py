"""Outputs measured with a clock, kept apart from everything else a page shows.

A time (seconds, nanoseconds per element), a ratio of two times, a table or a verdict
built from them depends on the machine and the moment; everything else a page shows is
computed exactly and comes out the same at every run. Every output displayed inside
``with timing.measured():`` (or by ``timing.show(obj)``) carries the output metadata
``{"nonlinear": {"timing": true}}`` and is followed by a visible note, so a reader can
tell measurements of this machine from exact results, and the test that runs every page
a second time and compares its outputs with the build's (tests/test_binder.py) knows
which outputs may differ.

Importing this module (the package does) also gives a pandas ``Styler`` the text form
of its table: its default text is ``<pandas.io.formats.style.Styler at 0x7f…>``, a
memory address that changes at every run.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from typing import Any

METADATA = {"nonlinear": {"timing": True}}
NOTE = "Measured with a clock on the machine that built this page: these numbers change from run to run."
_HIDDEN_GLUE = "application/papermill.record/"  # the MIME prefix of a value glued with display=False


def cpu_model() -> str:
    """The name of the CPU a measurement ran on (Linux's /proc/cpuinfo), else what ``platform`` knows."""
    import platform

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def is_timing(output: dict) -> bool:
    """True for a notebook output marked as measured with a clock."""
    return bool((output.get("metadata") or {}).get("nonlinear", {}).get("timing"))


def _shell():
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


@contextmanager
def measured(note: str = NOTE) -> Iterator[None]:
    """Mark everything displayed or printed inside the block as a timing; then show ``note``.

    Printed text becomes a marked text output (in order with the displays); a value
    glued for the text (``claims.glue``, ``claims.record``) is marked too. Outside
    IPython the block runs unchanged.
    """
    shell = _shell()
    if shell is None:
        yield
        return
    publisher = shell.display_pub
    original = publisher.publish
    printed = io.StringIO()
    visible = []

    def flush_printed() -> None:
        text = printed.getvalue()
        if text:
            printed.seek(0)
            printed.truncate()
            visible.append(True)
            original({"text/plain": text.rstrip("\n")}, metadata=dict(METADATA))

    def publish(data, metadata=None, *args, **kwargs):
        flush_printed()
        if not all(key.startswith(_HIDDEN_GLUE) for key in data):
            visible.append(True)
        return original(data, {**(metadata or {}), **METADATA}, *args, **kwargs)

    sys.stdout.flush()  # what was printed before the block comes before it
    publisher.publish = publish
    try:
        with redirect_stdout(printed):
            yield
    finally:
        flush_printed()
        publisher.publish = original
        if visible:
            original({"text/markdown": f"*{note}*", "text/plain": note}, metadata=dict(METADATA))


def show(obj: Any, note: str = NOTE) -> None:
    """Display ``obj`` (a table, a figure, text) marked as a timing, followed by ``note``."""
    from IPython.display import display

    with measured(note):
        if isinstance(obj, str):
            print(obj)
        else:
            display(obj)


def _styler_text(styler, printer, cycle) -> None:
    printer.text(styler.to_string())


def _register_styler_text() -> None:
    shell = _shell()
    if shell is not None:
        plain = shell.display_formatter.formatters["text/plain"]
        plain.for_type_by_name("pandas.io.formats.style", "Styler", _styler_text)


_register_styler_text()
