"""Charts for reports, drawn with matplotlib's Agg backend into PNG bytes."""
from __future__ import annotations

import io

import pandas as pd


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


def _label(text: str, n: int = 45) -> str:
    return text if len(text) <= n else "…" + text[-(n - 1):]


def frequency_chart(table: pd.DataFrame, title: str, *, top: int = 20) -> bytes | None:
    """Horizontal stacked bars: codings of the ``top`` codes, split by the columns of
    ``table`` (a :func:`workbench.export.data.code_by` result: code, one column per
    group, total)."""
    if table is None or not len(table) or "total" not in table:
        return None
    plt = _plt()
    t = table.nlargest(top, "total").iloc[::-1]
    groups = [c for c in t.columns if c not in ("code", "total")]
    height = max(3.0, 0.32 * len(t) + 1.2)
    fig, ax = plt.subplots(figsize=(8, height))
    left = pd.Series(0, index=t.index, dtype=float)
    cmap = plt.get_cmap("tab10")
    for i, g in enumerate(groups):
        ax.barh([_label(c) for c in t["code"]], t[g], left=left, label=str(g), color=cmap(i % 10))
        left = left + t[g]
    ax.set_xlabel("Nombre de codages")
    ax.set_title(title, fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    ax.tick_params(axis="y", labelsize=7)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def heatmap(matrix: pd.DataFrame, title: str) -> bytes | None:
    """Co-occurrence heat map (square DataFrame, labels on both axes)."""
    if matrix is None or matrix.shape[0] < 2:
        return None
    plt = _plt()
    n = matrix.shape[0]
    size = max(5.0, 0.3 * n + 2.5)
    fig, ax = plt.subplots(figsize=(size, size * 0.85))
    im = ax.imshow(matrix.values, cmap="Blues")
    labels = [_label(str(c), 35) for c in matrix.columns]
    ax.set_xticks(range(n), labels=labels, rotation=90, fontsize=6)
    ax.set_yticks(range(n), labels=labels, fontsize=6)
    if n <= 20:
        for i in range(n):
            for j in range(n):
                v = matrix.values[i, j]
                if v:
                    ax.text(j, i, str(v), ha="center", va="center", fontsize=6,
                            color="white" if v > matrix.values.max() / 2 else "black")
    fig.colorbar(im, ax=ax, shrink=0.6, label="documents")
    ax.set_title(title, fontsize=11)
    return _png(fig)
