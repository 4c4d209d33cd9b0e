"""What every screen shares: back/quit keys, refresh when stale, a title line, the
current language (:class:`workbench.tui.lang.Localised`)."""
from __future__ import annotations

from textual.binding import Binding

from workbench.domain import programme_label
from workbench.i18n import N_
from workbench.tui.lang import Localised


class BaseScreen(Localised):
    BINDINGS = [Binding("q", "back", N_("Back"))]
    stale = False

    @property
    def project(self):
        return self.app.project

    def on_screen_resume(self) -> None:
        self.refresh_bindings()
        if self.stale:
            self.stale = False
            self.app.attempt(self.refresh_data)

    def refresh_data(self) -> None:
        """Reload what the screen shows from the project."""

    def relabel(self) -> None:
        """Show the screen again in the current language (after a switch)."""
        super().relabel()
        self.refresh_data()

    def programme(self, programme, wide: int | None = None) -> str:
        """A programme's name for a table cell: cut at 26 cells under 100 columns, at
        ``wide`` cells (whole when None) above (one long name must not push every other
        column off screen)."""
        label = programme_label(cell(programme))
        return cell(label, 26 if self.app.size.width < 100 else wide)

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
