"""Agreement coefficients on reliability data, with bootstrap confidence intervals.

Reliability data are a ``coders × units`` array of values, ``nan`` where a coder gave no
value (missing data).  Point estimates come from the packages that implement them:
Cohen's κ from scikit-learn (``cohen_kappa_score``) and Krippendorff's α from the
``krippendorff`` package.  What they lack is written here once:

* percent agreement for any number of coders (mean pairwise agreement per unit);
* Fleiss' κ, generalised to units rated by different numbers of coders (the unit's
  pairwise agreement ``P_u = Σ n_uv(n_uv − 1) / (m_u(m_u − 1))`` averaged over units,
  chance from the pooled value proportions; with the same number of coders on every
  unit this is Fleiss (1971));
* bootstrap confidence intervals: every coefficient is also written as a function of
  per-unit *weights*, so a resample of units (drawn with replacement) is one row of a
  weight matrix and ``resamples`` replicates cost one matrix product.  With all weights
  1 these functions give the point estimates (tested against the packages);
* Krippendorff's unitizing α for spans of characters (:func:`unitizing_alpha`).

A coefficient that cannot be computed (no variation: nobody used the code, or everyone
used it on every unit; no unit coded by two coders) is ``nan``, reported as *undefined*:
never 1.0.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence, cast

if TYPE_CHECKING:
    import numpy as np
else:
    from workbench.lazy import lazy_module
    np = lazy_module("numpy")

from workbench.i18n import _

#: Number of bootstrap resamples behind every confidence interval (percentile method).
BOOTSTRAP_RESAMPLES = 1000
#: Seed of the bootstrap's random generator: the same data give the same interval.
BOOTSTRAP_SEED = 12345
#: Confidence level of the intervals.
CONFIDENCE = 0.95
LEVELS = ("nominal", "ordinal", "interval", "ratio")


# ----------------------------------------------------------------------------- counts

def value_counts(data: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """``units × values`` counts of how many coders gave each value to each unit."""
    data = np.asarray(data, dtype=float)
    counts = np.zeros((data.shape[1], len(domain)), dtype=np.int64)
    for k, v in enumerate(domain):
        counts[:, k] = (data == v).sum(axis=0)
    return counts


def _pairable(counts: np.ndarray) -> np.ndarray:
    return counts.sum(axis=1) >= 2


def _delta(level: str, domain: np.ndarray, n_v: np.ndarray | None = None) -> np.ndarray:
    """Squared difference ``δ²(v, k)`` between values (Krippendorff's metrics).

    ``n_v`` (per replicate, shape ``(..., V)``) is needed for the ordinal metric, whose
    distances depend on how often each value was used."""
    d = np.asarray(domain, dtype=float)
    if level == "nominal":
        return 1.0 - np.eye(len(d))
    if level == "interval":
        return (d[:, None] - d[None, :]) ** 2
    if level == "ratio":
        s = d[:, None] + d[None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            out = ((d[:, None] - d[None, :]) / s) ** 2
        return np.nan_to_num(out)
    if level == "ordinal":
        # δ²(v, k) = (Σ_{g=v..k} n_g − (n_v + n_k)/2)², values in rank order
        assert n_v is not None, "the ordinal metric needs the values' counts"
        cum = np.cumsum(n_v, axis=-1)
        v = np.arange(len(d))
        lo, hi = np.minimum.outer(v, v), np.maximum.outer(v, v)
        before = np.where(lo > 0, np.take(cum, np.maximum(lo - 1, 0), axis=-1), 0)
        span = np.take(cum, hi, axis=-1) - before
        n_lo, n_hi = np.take(n_v, lo, axis=-1), np.take(n_v, hi, axis=-1)
        return (span - (n_lo + n_hi) / 2.0) ** 2
    raise ValueError(_("unknown level of measurement {level!r}; expected one of {levels}").format(
            level=level, levels=", ".join(LEVELS)))


# ----------------------------------------------------- coefficients over unit weights
# Each takes ``weights`` of shape (R, U): R replicates (one row of ones = the data) of U
# resampling units.  ``groups`` (one entry per column of ``counts``) says which resampling
# unit each column belongs to (default: column i is unit i); the overall row of several
# codes resamples a unit with all its codes' decisions at once.

def _by_group(values: np.ndarray, groups: np.ndarray | None, n_groups: int) -> np.ndarray:
    """Sum per-column contributions (N × K) into per-resampling-unit rows (U × K)."""
    values = values.reshape(len(values), -1).astype(float)
    if groups is None:
        return values
    return np.column_stack([np.bincount(groups, weights=values[:, k], minlength=n_groups)
                            for k in range(values.shape[1])])


def _pairwise_unit_agreement(counts: np.ndarray) -> np.ndarray:
    m = counts.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (counts * (counts - 1)).sum(axis=1) / (m * (m - 1))


def _prepared(counts, weights, groups):
    ok = _pairable(counts)
    g = np.flatnonzero(ok) if groups is None else np.asarray(groups)[ok]
    return counts[ok].astype(float), g, np.asarray(weights, dtype=float)


def weighted_percent_agreement(counts: np.ndarray, weights: np.ndarray,
                               groups: np.ndarray | None = None) -> np.ndarray:
    c, g, w = _prepared(counts, weights, groups)
    a = _pairwise_unit_agreement(c)
    agg = _by_group(np.column_stack([a, np.ones(len(c))]), g, w.shape[1])
    num, tot = w @ agg[:, 0], w @ agg[:, 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, num / tot, np.nan)


def weighted_fleiss_kappa(counts: np.ndarray, weights: np.ndarray,
                          groups: np.ndarray | None = None) -> np.ndarray:
    c, g, w = _prepared(counts, weights, groups)
    a = _pairwise_unit_agreement(c)
    m = c.sum(axis=1)
    agg = _by_group(np.column_stack([a, np.ones(len(c)), m, c]), g, w.shape[1])
    s = w @ agg                                               # (R, 3 + V)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_obs = s[:, 0] / s[:, 1]
        p_v = s[:, 3:] / s[:, 2:3]
        p_exp = (p_v ** 2).sum(axis=1)
        out = (p_obs - p_exp) / (1.0 - p_exp)
    return np.where((s[:, 1] > 0) & (p_exp < 1.0 - 1e-12), out, np.nan)


def weighted_alpha(counts: np.ndarray, weights: np.ndarray, level: str = "nominal",
                   domain: np.ndarray | None = None,
                   groups: np.ndarray | None = None) -> np.ndarray:
    """Krippendorff's α from coincidences ``o_vk = Σ_u w_u n_uv (n_uk − [v=k]) / (m_u − 1)``."""
    c, g, w = _prepared(counts, weights, groups)
    V = c.shape[1]
    if domain is None:
        domain = np.arange(V, dtype=float)
    m = c.sum(axis=1)
    per_unit = (c[:, :, None] * c[:, None, :] - c[:, :, None] * np.eye(V)[None]) / (m - 1)[:, None, None]
    o = (w @ _by_group(per_unit, g, w.shape[1])).reshape(-1, V, V)      # (R, V, V)
    n_v = o.sum(axis=2)
    n = n_v.sum(axis=1)
    delta = _delta(level, domain, n_v)
    if delta.ndim == 2:
        delta = np.broadcast_to(delta, o.shape)
    d_o = (o * delta).sum(axis=(1, 2))
    d_e = (n_v[:, :, None] * n_v[:, None, :] * delta).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1.0 - (n - 1) * d_o / d_e
    return np.where((n > 1) & (d_e > 1e-12), out, np.nan)


def pair_cells(a: np.ndarray, b: np.ndarray, domain: np.ndarray) -> np.ndarray:
    """One-hot (coder A's value, coder B's value) per unit (zeros where one is missing)."""
    V = len(domain)
    out = np.zeros((len(a), V * V))
    both = ~np.isnan(a) & ~np.isnan(b)
    ia = np.searchsorted(domain, a[both])
    ib = np.searchsorted(domain, b[both])
    out[np.flatnonzero(both), ia * V + ib] = 1.0
    return out


def weighted_cohen_kappa(cells: np.ndarray, weights: np.ndarray,
                         groups: np.ndarray | None = None) -> np.ndarray:
    """Cohen's κ; ``cells`` is ``units × (V·V)`` from :func:`pair_cells`."""
    V = int(round(np.sqrt(cells.shape[1])))
    conf = (weights.astype(float) @ _by_group(cells, groups, weights.shape[1])).reshape(-1, V, V)
    n = conf.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        po = np.trace(conf, axis1=1, axis2=2) / n
        pe = (conf.sum(axis=2) * conf.sum(axis=1)).sum(axis=1) / n ** 2
        out = (po - pe) / (1.0 - pe)
    return np.where((n > 0) & (pe < 1.0 - 1e-12), out, np.nan)


# ------------------------------------------------------------ point estimates (packages)

def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's κ between two coders over the units both coded (scikit-learn)."""
    from sklearn.metrics import cohen_kappa_score
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = ~np.isnan(a) & ~np.isnan(b)
    if not both.any() or len(set(a[both]) | set(b[both])) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a[both], b[both], replace_undefined_by=np.nan))


def krippendorff_alpha(data: np.ndarray, level: str = "nominal",
                       domain: np.ndarray | None = None) -> float:
    """Krippendorff's α (the ``krippendorff`` package); ``nan`` when undefined."""
    import krippendorff
    data = np.asarray(data, dtype=float)
    if domain is None:
        domain = np.unique(data[~np.isnan(data)])
    counts = value_counts(data, domain)
    if len(domain) < 2 or not _pairable(counts).any():
        return float("nan")
    # a single value among pairable units: no variation, α undefined (0/0)
    if np.count_nonzero(counts[_pairable(counts)].sum(axis=0)) < 2:
        return float("nan")
    try:
        with np.errstate(invalid="ignore", divide="ignore"):
            value = float(krippendorff.alpha(reliability_data=data, level_of_measurement=cast(Any, level),
                                             value_domain=list(domain)))
    except (ValueError, ZeroDivisionError):
        return float("nan")
    return value if np.isfinite(value) else float("nan")


def fleiss_kappa(counts: np.ndarray) -> float:
    return float(weighted_fleiss_kappa(np.asarray(counts), np.ones((1, len(counts))))[0])


def percent_agreement(counts: np.ndarray) -> float:
    return float(weighted_percent_agreement(np.asarray(counts), np.ones((1, len(counts))))[0])


# ------------------------------------------------------------------------ bootstrap

def resample_weights(n_units: int, resamples: int = BOOTSTRAP_RESAMPLES,
                     seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """``resamples × n_units`` counts: how often each unit is drawn in each resample."""
    rng = np.random.default_rng(seed)
    if n_units == 0:
        return np.zeros((resamples, 0))
    return rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=resamples).astype(float)


def percentile_interval(replicates: np.ndarray) -> tuple[float, float]:
    """The percentile interval of the defined replicates (nan when most are undefined)."""
    r = replicates[np.isfinite(replicates)]
    if len(r) < 0.5 * len(replicates) or len(r) == 0:
        return float("nan"), float("nan")
    tail = (1 - CONFIDENCE) / 2 * 100
    lo, hi = np.percentile(r, [tail, 100 - tail])
    return float(lo), float(hi)


@dataclass
class Coefficients:
    """Agreement on one variable (a code, a pooled parent, or all codes)."""

    units: int                 # units with values from at least two coders
    agreement: float
    agreement_ci: tuple[float, float]
    cohen_kappa: float | None  # None when not two coders
    cohen_kappa_ci: tuple[float, float] | None
    fleiss_kappa: float
    fleiss_kappa_ci: tuple[float, float]
    alpha: float
    alpha_ci: tuple[float, float]


def coefficients(data: np.ndarray, *, level: str = "nominal", domain: np.ndarray | None = None,
                 weights: np.ndarray | None = None,
                 groups: np.ndarray | None = None) -> Coefficients:
    """Every coefficient for ``coders × units`` data, with bootstrap intervals.

    ``weights`` (resamples × resampling units, from :func:`resample_weights`) may be
    shared between calls on the same units so that all codes are resampled alike;
    ``groups`` maps each column of ``data`` to its resampling unit."""
    data = np.asarray(data, dtype=float)
    if domain is None:
        domain = np.unique(data[~np.isnan(data)])
        if len(domain) < 2:
            domain = np.array(sorted(set(domain.tolist()) | {0.0, 1.0}))
    domain = np.asarray(domain, dtype=float)
    counts = value_counts(data, domain)
    ok = _pairable(counts)
    if weights is None:
        weights = resample_weights(data.shape[1] if groups is None else int(np.max(groups)) + 1)
    nan2 = (float("nan"), float("nan"))
    pa = percent_agreement(counts)
    fk = fleiss_kappa(counts)
    al = krippendorff_alpha(data, level, domain)
    pa_ci = percentile_interval(weighted_percent_agreement(counts, weights, groups))
    fk_ci = percentile_interval(weighted_fleiss_kappa(counts, weights, groups)) \
        if np.isfinite(fk) else nan2
    al_ci = percentile_interval(weighted_alpha(counts, weights, level, domain, groups)) \
        if np.isfinite(al) else nan2
    ck = ck_ci = None
    if data.shape[0] == 2:
        ck = cohen_kappa(data[0], data[1])
        ck_ci = percentile_interval(weighted_cohen_kappa(pair_cells(data[0], data[1], domain),
                                                         weights, groups)) \
            if np.isfinite(ck) else nan2
    return Coefficients(int(ok.sum()), pa, pa_ci, ck, ck_ci, fk, fk_ci, al, al_ci)


# ----------------------------------------------------------------- unitizing alpha

def _sections(spans: list[tuple[int, int]], begin: int, end: int):
    """A coder's continuum ``[begin, end)`` cut into units (merged spans) and gaps."""
    units, gaps = [], []
    pos = begin
    for s, e in _merge(spans):
        s, e = max(s, begin), min(e, end)
        if e <= s:
            continue
        if s > pos:
            gaps.append((pos, s))
        units.append((s, e))
        pos = e
    if pos < end:
        gaps.append((pos, end))
    return units, gaps


def _merge(spans):
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def section_distance(unit_a: bool, a: tuple[int, int], unit_b: bool, b: tuple[int, int]) -> int:
    """Krippendorff's (2004) δ² between a section of one coder and one of another.

    Two units that overlap: (b_a − b_b)² + (e_a − e_b)²; a unit lying inside the other
    coder's gap: its length²; anything else 0."""
    (ba, ea), (bb, eb) = a, b
    la, lb = ea - ba, eb - bb
    diff = ba - bb
    if unit_a and unit_b and -la < diff < lb:
        return diff * diff + (ea - eb) ** 2
    if unit_a and not unit_b and bb <= ba and ea <= eb:
        return la * la
    if not unit_a and unit_b and ba <= bb and eb <= ea:
        return lb * lb
    return 0


@dataclass
class UnitizingResult:
    alpha: float
    observed: float
    expected: float
    length: int


@dataclass
class UnitizingParts:
    """The sections of every coder on one continuum and what αu needs of them."""

    observed: float            # Σ_{i≠j} Σ_g Σ_h δ² on this continuum
    units: np.ndarray          # lengths of every coder's units
    gaps: np.ndarray           # lengths of every coder's gaps
    length: int
    coders: int
    agreeing: int              # characters where all coders agree (coded or not)


def unitizing_parts(codings: list[list[tuple[int, int]]], begin: int, end: int) -> UnitizingParts:
    """The sections of every coder on one continuum ``[begin, end)`` and their distances."""
    m = len(codings)
    units, gaps = [], []
    for spans in codings:
        u, g = _sections([sp for sp in spans if sp[0] < end and sp[1] > begin], begin, end)
        units.append(u)
        gaps.append(g)
    observed = 0
    if any(units):
        for i in range(m):
            sec_i = [(True, u) for u in units[i]] + [(False, g) for g in gaps[i]]
            for j in range(m):
                if i == j:
                    continue
                sec_j = sorted([(True, u) for u in units[j]] + [(False, g) for g in gaps[j]],
                               key=lambda x: x[1])
                starts = [s[1][0] for s in sec_j]
                for ua, a in sec_i:
                    # only the sections of j that overlap a can be at a non-zero distance
                    k = max(int(np.searchsorted(starts, a[0], side="right")) - 1, 0)
                    while k < len(sec_j) and sec_j[k][1][0] < a[1]:
                        observed += section_distance(ua, a, sec_j[k][0], sec_j[k][1])
                        k += 1
    covered = np.zeros(max(end - begin, 0), dtype=np.int32)
    for u in units:
        for s, e in u:
            covered[s - begin:e - begin] += 1
    agreeing = int(((covered == 0) | (covered == m)).sum())
    return UnitizingParts(float(observed),
                          np.array([e - s for u in units for s, e in u], dtype=float),
                          np.array([e - s for g in gaps for s, e in g], dtype=float),
                          end - begin, m, agreeing)


class UnitizingData:
    """αu's ingredients per document, so that resampled documents (bootstrap) cost one
    matrix product: with ``k_d`` copies of document d in a resample,

        L = Σ k_d L_d,  N_c = Σ k_d n_d,  D_o = Σ k_d O_d / (m(m−1)L²)
        D_e = (2/L) [(N_c − 1) Σ k_d F_d + Σ_d Σ_e k_d G_de k_e] / (mL(mL−1) − Σ k_d S_d)

    with F_d = Σ (2l³−3l²+l)/3 and S_d = Σ l(l−1) over d's units, and
    G_de = Σ_{units u of d} l_u² Σ_{gaps g of e, l_g ≥ l_u} (l_g − l_u + 1)."""

    def __init__(self, documents: list[list[UnitizingParts]], coders: int):
        self.m = coders
        D = len(documents)
        self.L = np.zeros(D)
        self.O = np.zeros(D)
        self.n = np.zeros(D)
        self.F = np.zeros(D)
        self.S = np.zeros(D)
        self.agreeing = np.zeros(D)
        units, gaps = [], []
        for d, parts in enumerate(documents):
            u = np.concatenate([p.units for p in parts]) if parts else np.zeros(0)
            g = np.sort(np.concatenate([p.gaps for p in parts])) if parts else np.zeros(0)
            self.L[d] = sum(p.length for p in parts)
            self.O[d] = sum(p.observed for p in parts)
            self.agreeing[d] = sum(p.agreeing for p in parts)
            self.n[d] = len(u)
            self.F[d] = ((2 * u ** 3 - 3 * u ** 2 + u) / 3.0).sum()
            self.S[d] = (u * (u - 1)).sum()
            units.append(u)
            gaps.append(g)
        self.G = np.zeros((D, D))
        for e, g in enumerate(gaps):
            if not len(g):
                continue
            suffix = np.concatenate([np.cumsum(g[::-1])[::-1], [0.0]])
            for d, u in enumerate(units):
                if not len(u):
                    continue
                first = np.searchsorted(g, u, side="left")
                fits = suffix[first] - (u - 1) * (len(g) - first)
                self.G[d, e] = (u ** 2 * fits).sum()

    def estimate(self, k: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(α, D_o, D_e) for each row of document weights ``k`` (R × D)."""
        k = np.atleast_2d(np.asarray(k, dtype=float))
        m = self.m
        L = k @ self.L
        n_c = k @ self.n
        with np.errstate(invalid="ignore", divide="ignore"):
            d_o = (k @ self.O) / (m * (m - 1) * L * L)
            num = (n_c - 1) * (k @ self.F) + ((k @ self.G) * k).sum(axis=1)
            den = m * L * (m * L - 1) - k @ self.S
            d_e = 2.0 / L * num / den
            alpha = 1.0 - d_o / d_e
        defined = (m >= 2) & (L > 1) & (n_c > 0) & (d_e > 0)
        return np.where(defined, alpha, np.nan), d_o, np.where(defined, d_e, np.nan)


def unitizing_alpha(codings: list[list[tuple[int, int]]],
                    continua: list[tuple[int, int]]) -> UnitizingResult:
    """Krippendorff's unitizing α (αu) for one category, any number of coders.

    ``codings[i]`` are coder i's spans; ``continua`` the regions of text every coder
    read (not overlapping).  Follows Krippendorff (2004), *Content Analysis* 2nd ed.,
    ch. 11 (unitizing continua; worked example p. 254), with m coders:

        D_o = Σ_{i≠j} Σ_g Σ_h δ²(s_ig, s_jh) / (m(m−1)L²)
        D_e = (2/L) · Σ_units [(N_c−1)(2l³−3l²+l)/3 + l²·Σ_{gaps ≥ l}(l_gap−l+1)]
                      / (mL(mL−1) − Σ_units l(l−1))
        αu  = 1 − D_o / D_e

    where L is the total length, N_c the number of units (all coders), gaps are every
    coder's uncoded stretches, and a gap never runs across two continua.  Undefined
    (nan) when no coder marked anything.
    """
    parts = [unitizing_parts(codings, b, e) for b, e in continua]
    data = UnitizingData([parts], len(codings))
    alpha, d_o, d_e = data.estimate(np.ones((1, 1)))
    return UnitizingResult(float(alpha[0]), float(d_o[0]), float(d_e[0]), int(data.L.sum()))


def pooled_unitizing(observed: Sequence[np.ndarray], expected: Sequence[np.ndarray]) -> np.ndarray:
    """αu over several categories: 1 − Σ_c D_o,c / Σ_c D_e,c (Krippendorff 2004), per
    replicate; categories whose αu is undefined are left out."""
    o = np.vstack(observed)
    e = np.vstack(expected)
    ok = np.isfinite(e)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1.0 - np.where(ok, o, 0).sum(axis=0) / np.where(ok, e, 0).sum(axis=0)
    return np.where(ok.any(axis=0), out, np.nan)
