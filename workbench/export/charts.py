"""Charts for reports, drawn with matplotlib's Agg backend into PNG bytes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import io

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")


def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def _png(fig) -> bytes:
    plt = _plt()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _label(text: str, width: int = 38) -> str:
    """The whole label, wrapped on several lines (never cut)."""
    import textwrap
    return "\n".join(textwrap.wrap(str(text), width, break_long_words=False,
                                    break_on_hyphens=False)) or str(text)


def frequency_chart(table: pd.DataFrame, title: str, *, top: int = 20,
                    xlabel: str = "Passages") -> bytes | None:
    """Horizontal stacked bars: the ``top`` codes, split by the columns of ``table``
    (code, one column per group, total); full labels, an integer count axis."""
    if table is None or not len(table) or "total" not in table:
        return None
    plt = _plt()
    from matplotlib.ticker import MaxNLocator
    t = table.nlargest(top, "total").iloc[::-1]
    groups = [c for c in t.columns if c not in ("code", "total")]
    labels = [_label(c) for c in t["code"]]
    lines = sum(lab.count("\n") + 1 for lab in labels)
    height = max(3.0, 0.22 * lines + 0.12 * len(t) + 1.4)
    fig, ax = plt.subplots(figsize=(9, height))
    left = pd.Series(0, index=t.index, dtype=float)
    cmap = plt.get_cmap("tab10")
    for i, g in enumerate(groups):
        ax.barh(labels, t[g], left=left, label=str(g), color=cmap(i % 10))
        left = left + t[g]
    ax.set_xlabel(xlabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def heatmap(matrix: pd.DataFrame, title: str, *, unit: str = "documents") -> bytes | None:
    """Co-occurrence heat map (square DataFrame): rows carry the full, numbered labels,
    columns their numbers; an integer colour scale."""
    if matrix is None or matrix.shape[0] < 2:
        return None
    from matplotlib.ticker import MaxNLocator
    plt = _plt()
    n = matrix.shape[0]
    labels = [f"{i + 1}. " + _label(str(c), 44) for i, c in enumerate(matrix.columns)]
    lines = sum(lab.count("\n") + 1 for lab in labels)
    height = max(4.0, 0.2 * lines + 2.0)
    fig, ax = plt.subplots(figsize=(10, height))
    im = ax.imshow(matrix.values, cmap="Blues", aspect="auto")
    ax.set_xticks(range(n), labels=[str(i + 1) for i in range(n)], fontsize=8)
    ax.set_yticks(range(n), labels=labels, fontsize=7)
    if n <= 20:
        for i in range(n):
            for j in range(n):
                v = matrix.values[i, j]
                if v:
                    ax.text(j, i, str(v), ha="center", va="center", fontsize=6,
                            color="white" if v > matrix.values.max() / 2 else "black")
    bar = fig.colorbar(im, ax=ax, shrink=0.6, label=unit)
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    ax.set_title(title, fontsize=11)
    return _png(fig)


def saturation_chart(table: pd.DataFrame, title: str, *, xlabel: str | None = None,
                     ylabel: str | None = None) -> bytes | None:
    """Saturation curves: for each group of :func:`workbench.query.saturation.saturation`'s
    table, the distinct codes met so far (line) against the interview's rank, and the new
    codes of each interview (bars of the first group only when there is one group)."""
    from workbench.i18n import _
    if table is None or not len(table):
        return None
    plt = _plt()
    from matplotlib.ticker import MaxNLocator
    fig, ax = plt.subplots(figsize=(9, 4.5))
    cmap = plt.get_cmap("tab10")
    groups = list(dict.fromkeys(table["group"]))
    for i, g in enumerate(groups):
        sub = table[table["group"] == g]
        ax.plot(sub["rank"], sub["cumulative"], marker="o", markersize=3, label=_label(g, 30),
                color=cmap(i % 10))
        if len(groups) == 1:
            ax.bar(sub["rank"], sub["new"], alpha=0.35, color=cmap(i % 10),
                   label=_("new codes in the interview"))
    ax.set_xlabel(xlabel or _("Interviews, in interview-date order"))
    ax.set_ylabel(ylabel or _("Distinct codes met so far"))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(alpha=0.3)
    return _png(fig)
