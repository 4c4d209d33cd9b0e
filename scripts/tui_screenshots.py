"""The French screenshots of docs/user-guide-tui.md, taken from the real interface on the
demo project (``python scripts/tui_screenshots.py``; they are SVG, like the snapshot
tests').  Each is a screen a sociologist sees in a coding day, at 100×30."""
from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workbench import i18n  # noqa: E402
from workbench.demo import build_demo  # noqa: E402
from workbench.tui.app import WorkbenchApp  # noqa: E402

OUT = ROOT / "docs" / "images"
SIZE = (100, 30)


async def shoot(project: Path) -> list[Path]:
    app = WorkbenchApp(project, coder="Claire Martin", poll=False)
    written = []

    async def save(name: str, pilot) -> None:
        await pilot.pause(0.3)
        path = OUT / f"tui-fr-{name}.svg"
        path.write_text(app.export_screenshot(title=f"Workbench — {name}"), encoding="utf-8")
        written.append(path)

    async with app.run_test(size=SIZE) as pilot:
        await save("accueil", pilot)
        await pilot.press("d")
        await save("documents", pilot)
        await pilot.press("enter")                       # AV-BEN-01
        await pilot.press("down", "down", "v")           # the interviewer's first question
        await pilot.press("c")
        await save("choix-du-code", pilot)
        await pilot.press(*"canal", "enter")
        await pilot.press("down", "down", "v")           # Karima's answer
        await save("codage", pilot)
        await pilot.press("q", "q", "b")
        await save("grille", pilot)
        await pilot.press("q", "r")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await save("extraits", pilot)
        await pilot.press("q", "a")
        await save("analyse", pilot)
    return written


def main() -> None:
    i18n.set_language("fr")
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp())
    try:
        project = folder / "demo.wbproj"
        build_demo(project)
        for path in asyncio.run(shoot(project)):
            print(path.relative_to(ROOT))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
