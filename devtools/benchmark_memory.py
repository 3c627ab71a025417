"""Where setup's memory goes: tracemalloc inside a benchmark run.

With `python -m devtools.benchmark --trace-memory N`, each run traces the
Python allocations made between the baseline and the end of setup (the
config flow, the entry's setup, everything it started) and reports the `N`
largest still alive, three ways:

- imports: allocations made while a module was imported (its code
  objects, its module-level tables) are charged to the integration's own
  line that asked for it, so `library.py:20 → bs4` is bs4 with everything
  bs4 imported in turn;
- the rest, by file: the source file whose line allocated the memory;
- the rest, by the integration's own innermost line that led to it
  (Home Assistant's entity machinery allocating for an entity it adds is
  charged to the line that added the entity);
- new modules: how many modules the setup imported, by top-level package.

Tracing costs memory and time of its own: the RSS figures of a traced run
are not comparable with those of an untraced one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
import os
import sys
import sysconfig
import tracemalloc
from typing import Any

type Json = dict[str, Any]

# Enough frames to get from an allocation inside a module being imported
# out to the `import` statement that started it (bs4 imports its builders,
# which import html5lib…).
TRACE_FRAMES = 60
IMPORT_MACHINERY = ("<frozen importlib", "<frozen zipimport")
# importlib.import_module: the line that called it asked for the import.
IMPORT_FUNCTION = f"importlib{os.sep}__init__.py"
MIB = 1024 * 1024
SYSTEM_LIBRARY = sysconfig.get_paths()["stdlib"] + "/"


def _short(filename: str) -> str:
    """`site-packages/x/y.py` → `x/y.py`; our files from the project down."""
    for marker in ("site-packages/", "custom_components/", "devtools/"):
        if marker in filename:
            tail = filename.rpartition(marker)[2]
            return tail if marker == "site-packages/" else marker + tail
    return filename


def _import_site(frames: list[tracemalloc.Frame], package: str) -> str | None:
    """The import a trace's allocation happened under, if any.

    `frames` go from the oldest to the allocating one. An import shows as a
    frame outside importlib followed by importlib's frames, then the
    imported module's. The innermost such import asked for by a file of
    the integration's `package` is the one charged (the integration's own
    line, whatever that module imported in turn), else the innermost one.
    """
    imports: list[tuple[tracemalloc.Frame, tracemalloc.Frame | None]] = []
    for index in range(1, len(frames)):
        asker, frame = frames[index - 1], frames[index]
        if _is_machinery(asker) or not _is_machinery(frame):
            continue
        # None: the allocation loads the imported module's code, before any
        # line of it runs.
        imported = next(
            (inner for inner in frames[index:] if not _is_machinery(inner)), None
        )
        imports.append((asker, imported))
    if not imports:
        return None
    ours = [pair for pair in imports if f"/{package}/" in pair[0].filename]
    asker, imported = (ours or imports)[-1]
    return f"{_short(asker.filename)}:{asker.lineno} → {_module(imported, package)}"


def _is_machinery(frame: tracemalloc.Frame) -> bool:
    return frame.filename.startswith(IMPORT_MACHINERY) or frame.filename.endswith(
        IMPORT_FUNCTION
    )


def _module(frame: tracemalloc.Frame | None, package: str) -> str:
    """The integration's own files by name, any other by its top-level package."""
    if frame is None:
        return "(its code)"
    short = _short(frame.filename)
    if f"/{package}/" in frame.filename or short.startswith("<"):
        return short
    top = short.removeprefix(SYSTEM_LIBRARY).partition("/")[0]
    return top.removesuffix(".py")


class MemoryTrace:
    """tracemalloc from `start()` to `report()`; nothing when not asked for."""

    def __init__(self, top: int, package: str) -> None:
        """Report the `top` largest entries of each kind; 0: do not trace.

        `package`: the integration's directory name, whose imports are
        charged to its own lines.
        """
        self.top = top
        self._package = package
        self._modules_before: set[str] = set()

    def start(self) -> None:
        """Begin tracing (after the baseline was measured)."""
        if not self.top:
            return
        self._modules_before = set(sys.modules)
        tracemalloc.start(TRACE_FRAMES)

    def _own_line(self, frames: list[tracemalloc.Frame]) -> str | None:
        """The innermost line of the integration's own files that led to it."""
        for frame in reversed(frames):
            if f"/{self._package}/" in frame.filename:
                return f"{_short(frame.filename)}:{frame.lineno}"
        return None

    def report(self) -> Json | None:
        """The allocations alive now, grouped; tracing stops."""
        if not self.top:
            return None
        peak = tracemalloc.get_traced_memory()[1]
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(inclusive=False, filename_pattern=tracemalloc.__file__)]
        )
        tracemalloc.stop()
        by_file: Counter[str] = Counter()
        by_import: Counter[str] = Counter()
        by_own_line: Counter[str] = Counter()
        for trace in snapshot.traces:
            frames = list(trace.traceback)  # oldest first
            if site := _import_site(frames, self._package):
                by_import[site] += trace.size
            else:
                by_file[_short(frames[-1].filename)] += trace.size
                if line := self._own_line(frames):
                    by_own_line[line] += trace.size
        new_modules = sorted(set(sys.modules) - self._modules_before)
        packages = Counter(name.partition(".")[0] for name in new_modules)
        return {
            "traced_mib": (sum(by_file.values()) + sum(by_import.values())) / MIB,
            "imports_mib": sum(by_import.values()) / MIB,
            "peak_mib": peak / MIB,
            "by_file_mib": _top(by_file, self.top),
            "by_import_mib": _top(by_import, self.top),
            "by_own_line_mib": _top(by_own_line, self.top),
            "new_modules": len(new_modules),
            "new_modules_by_package": dict(packages.most_common(self.top)),
            "new_module_names": new_modules,
        }


def _top(counts: Counter[str], top: int) -> dict[str, float]:
    return {key: size / MIB for key, size in counts.most_common(top)}


def markdown_lines(label: str, trace: Json) -> Iterable[str]:
    """A run's trace as a few lines of the report."""
    yield (
        f"- {label}: {trace['traced_mib']:.1f} MiB traced"
        f" ({trace['peak_mib']:.1f} MiB at the peak),"
        f" {trace['new_modules']} modules imported"
    )
    for title, key in (
        ("imports", "by_import_mib"),
        ("the rest, by file", "by_file_mib"),
        ("the rest, by the integration's innermost line", "by_own_line_mib"),
    ):
        listed = ", ".join(f"`{k}` {v:.2f}" for k, v in trace[key].items())
        yield f"  - {title} (MiB): {listed}"
    listed = ", ".join(f"{k} {v}" for k, v in trace["new_modules_by_package"].items())
    yield f"  - new modules by package: {listed}"
