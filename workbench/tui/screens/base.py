"""What every screen shares: back/quit keys, refresh when stale, a title line."""
from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from workbench.tui.i18n import t


class BaseScreen(Screen):
    BINDINGS = [Binding("q", "back", t("key.back"))]
    stale = False
    section = ""

    @property
    def project(self):
        return self.app.project

    def on_screen_resume(self) -> None:
        from workbench.tui.localise import localise_bindings
        localise_bindings(self)                 # footer labels in the current language
        if self.stale:
            self.stale = False
            self.app.attempt(self.refresh_data)

    def refresh_data(self) -> None:
        """Reload what the screen shows from the project."""

    def relabel(self) -> None:
        """Redraw labels after a language switch."""
        self.refresh_data()
        if self.section:
            self.title = t(f"screen.{self.section}")

    def action_back(self) -> None:
        if len(self.app.screen_stack) <= 2:
            self.app.exit()
        else:
            self.app.pop_screen()


def cell(value, width: int | None = None) -> str:
    """A table cell: None/NaN as blank, long text cut with an ellipsis."""
    if value is None:
        return ""
    try:
        if value != value:        # NaN
            return ""
    except Exception:
        pass
    s = str(value).replace("\n", " ")
    if width and len(s) > width:
        s = s[: width - 1] + "…"
    return s
