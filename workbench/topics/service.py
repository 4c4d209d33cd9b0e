"""Topic models as a mixin of the :class:`workbench.project.Project` facade.

    >>> run = project.run_topics("lda", n_topics=8, seed=42, actor_type="beneficiary")
    >>> project.topic_info(run.id)                     # topics, sizes, top words
    >>> project.topic_by(run.id, "programme")          # topic size by programme
    >>> project.topic_code_overlap(run.id)             # which codes each topic meets
    >>> project.promote_topic(run.id, 3, name="Mobilité")   # candidate codings
    >>> project.accept_topic_candidates(run.id, 3)

A run is stored whole, in one transaction, when it is complete: a cancelled or failed
run leaves nothing behind (except the lemma cache, which only speeds up the next run).
"""
from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.facade import Capability
from workbench.domain import NotFoundError, ValidationError
from workbench.i18n import N_, _
from workbench.topics._base import (OUTLIER, CancelledFn, ProgressFn, PromotionResult,
                                    TopicModelError, TopicRun, TopicRunCancelled, get_backend)
from workbench.topics.metrics import COHERENCE_TOP_N, coherence_of, topic_diversity
from workbench.topics.preprocess import DEFAULT_SPACY_MODEL, lemmatise, make_filter
from workbench.topics.units import DEFAULT_WINDOW, UNIT_KINDS, build_units, unit_tokens

RULE_PREFIX = "topic-run:"
#: a unit whose topic probability is under this is an outlier of a model that places
#: every unit (LDA); BERTopic says itself which units it could not place (topic -1)
LOW_TOPIC_PROBABILITY = 0.3
#: backends that mark their own outliers (no probability threshold needed)
_OWN_OUTLIERS = ("bertopic",)
_AUTO: Any = object()
GROUPINGS = ("actor_type", "programme", "document", "speaker")


def topic_rule(run_id: int, topic: int) -> str:
    return f"{RULE_PREFIX}{run_id}:{topic}"


def _listify(value) -> list[str]:
    if value is None or value == "" or value == ():
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _never() -> bool:
    return False


def _silent(done: int, total: int, label: str = "") -> None:
    pass


class TopicsAPI(Capability):
    # -- running -------------------------------------------------------------------------
    def run_topics(self, backend: str = "bertopic", *, n_topics: int | None = None,
                   seed: int = 42, unit: str = "turn",
                   programme: str | Sequence[str] | None = None,
                   actor_type: str | Sequence[str] | None = None,
                   where: dict[str, str | Sequence[str]] | None = None,
                   documents: Sequence[int | str] | None = None,
                   include_interviewer: bool = False, window: int = DEFAULT_WINDOW,
                   stride: int | None = None, min_tokens: int = 3,
                   stop_words: Iterable[str] = (), keep_pos: Sequence[str] | None = None,
                   spacy_model: str = DEFAULT_SPACY_MODEL, top_n: int = 10,
                   coherence: bool = True, name: str | None = None,
                   options: dict[str, Any] | None = None,
                   progress: ProgressFn | None = None,
                   cancelled: CancelledFn | None = None) -> TopicRun:
        """Fit a topic model on a scope of the corpus and store the run.

        ``backend``: ``bertopic`` or ``lda``; ``options``: backend settings (e.g.
        ``{"embedding": "tfidf", "min_topic_size": 10}`` for BERTopic, ``{"passes": 10}``
        for LDA).  ``unit``: ``turn`` or ``paragraph``; units longer than ``window``
        words are cut into windows (step ``stride``).  Scope: ``programme``,
        ``actor_type`` (one or several), ``where`` participant attributes
        ({attribute: value or values}), ``documents``.  Units with fewer than
        ``min_tokens`` lemmas left after filtering are skipped.  Raises
        :class:`TopicRunCancelled` (nothing stored) when ``cancelled()`` turns true.
        """
        progress = progress or _silent
        cancelled = cancelled or _never
        if unit not in UNIT_KINDS:
            raise ValidationError(_("unit must be one of {units}").format(
                units=", ".join(UNIT_KINDS)))
        if n_topics is not None and int(n_topics) < 2:
            raise ValidationError(_("ask for at least 2 topics"))
        model = get_backend(backend, **(options or {}))
        model.check()
        t0 = time.perf_counter()

        scope = {"programme": _listify(programme), "actor_type": _listify(actor_type),
                 "where": {k: _listify(v) for k, v in (where or {}).items()},
                 "documents": [str(d) for d in documents or []]}
        doc_ids = self._topic_scope_documents(scope)
        segments = self.store.topic_segments(doc_ids)
        units = build_units(segments, unit=unit, include_interviewer=include_interviewer,
                            window=window, stride=stride)
        if not units:
            raise TopicModelError(_("no text to model in this scope (interviewer turns are "
                                    "left out unless include_interviewer is set)"))
        seg_by_id = {s["segment_id"]: s for s in segments}
        needed = list({u.segment_id: seg_by_id[u.segment_id] for u in units}.values())
        tokens = lemmatise(self.store, needed, model=spacy_model, progress=progress,
                           cancelled=cancelled, meanwhile=model.prepare,
                           meanwhile_words=model.prepare_words())
        keep = make_filter(stop_words, keep_pos)
        kept, docs, texts = [], [], []
        for u in units:
            seg = seg_by_id[u.segment_id]
            lemmas = keep(unit_tokens(u, seg["start"], tokens[u.segment_id]), seg["text"])
            if len(lemmas) >= min_tokens:
                kept.append(u)
                docs.append(lemmas)
                texts.append(seg["text"][u.start - seg["start"]:u.end - seg["start"]])
        if len(kept) < 10:
            raise TopicModelError(_("only {n} units with at least {min} content words in this "
                                    "scope: too few for a topic model").format(
                                        n=len(kept), min=min_tokens))
        if n_topics is not None and int(n_topics) > len(kept) // 2:
            raise ValidationError(_("{k} topics for {n} units is too many").format(
                k=n_topics, n=len(kept)))
        if cancelled():
            raise TopicRunCancelled()

        from workbench.topics._interruptible import run_interruptible   # (multiprocessing)
        t_pre = time.perf_counter()
        fit = run_interruptible(model.fit, docs, texts, units=len(docs), progress=progress,
                                cancelled=cancelled, n_topics=n_topics, seed=int(seed),
                                top_n=int(top_n))
        t_fit = time.perf_counter()
        if cancelled():
            raise TopicRunCancelled()

        topic_ids = sorted(fit.topic_words)
        word_lists = [[w for w, _weight in fit.topic_words[t]] for t in topic_ids]
        metrics: dict[str, Any] = {"diversity": topic_diversity(word_lists, COHERENCE_TOP_N),
                                   "top_n": COHERENCE_TOP_N}
        if coherence:
            progress(0, 1, N_("coherence"))
            metrics["coherence_cv"] = run_interruptible(
                coherence_of, word_lists, docs, units=len(docs), progress=progress,
                cancelled=cancelled)
            progress(1, 1, N_("coherence"))
        metrics.update({k: v for k, v in fit.details.items()
                        if isinstance(v, (int, float, str))})
        t_metrics = time.perf_counter()
        if cancelled():
            raise TopicRunCancelled()

        sizes: dict[int, int] = {}
        for t in fit.assignments:
            sizes[t] = sizes.get(t, 0) + 1
        topics = []
        for t in sorted(set(topic_ids) | set(sizes)):
            words = [w for w, _weight in fit.topic_words.get(t, [])]
            label = fit.labels.get(t) or ("outliers" if t == OUTLIER
                                          else f"{t}_" + "_".join(words[:3]))
            topics.append({"topic": t, "label": label, "size": sizes.get(t, 0)})
        word_rows = [(t, rank, w, round(float(x), 6))
                     for t in topic_ids for rank, (w, x) in enumerate(fit.topic_words[t])]
        unit_rows = [(i, u.document_id, u.segment_id, u.speaker, u.start, u.end, int(t),
                      float(p)) for i, (u, t, p)
                     in enumerate(zip(kept, fit.assignments, fit.probabilities))]
        digest = hashlib.sha1()
        for u, d in zip(kept, docs):
            digest.update(f"{u.document_id}:{u.start}:{u.end}:{' '.join(d)}\n".encode())
        params = {"n_topics": n_topics, "top_n": int(top_n), "min_tokens": min_tokens,
                  "window": window, "stride": stride or window,
                  "include_interviewer": include_interviewer, "spacy_model": spacy_model,
                  "keep_pos": list(keep.keep_pos), "stop_words": sorted(set(stop_words)),
                  "backend": model.params}
        timing = {"preprocess_s": round(t_pre - t0, 3), "fit_s": round(t_fit - t_pre, 3),
                  "metrics_s": round(t_metrics - t_fit, 3),
                  "total_s": round(time.perf_counter() - t0, 3)}
        run_row = {"name": name, "backend": model.name, "params": params, "seed": int(seed),
                   "unit": unit, "scope": scope, "n_units": len(kept),
                   "n_skipped": len(units) - len(kept),
                   "n_topics": len([t for t in topic_ids if t != OUTLIER]),
                   "n_outliers": sizes.get(OUTLIER, 0), "metrics": metrics, "timing": timing,
                   "corpus_hash": digest.hexdigest()}
        progress(0, 1, N_("saving"))
        run_id = self.store.insert_topic_run(run_row, topics, word_rows, unit_rows,
                                             coder=self.coder)
        progress(1, 1, N_("saving"))
        return self.topic_run(run_id)

    def _topic_scope_documents(self, scope: dict) -> list[int]:
        docs = self.documents()
        # private documents are never modelled: their words would come out in the
        # topics' words, labels and excerpts
        mask = ~docs["private"].astype(bool)
        if scope["programme"]:
            mask &= docs["programme"].isin(scope["programme"])
        if scope["actor_type"]:
            mask &= docs["actor_type"].isin(scope["actor_type"])
        if scope["documents"]:
            wanted = {self.document_id(d) for d in scope["documents"]}
            mask &= docs["id"].isin(wanted)
        ids = set(docs.loc[mask, "id"].astype(int))
        for attr, values in scope["where"].items():
            if attr not in {a.name for a in self.store.attributes() if not a.private}:
                raise NotFoundError(_("no participant attribute {name!r} (or it is private)")
                                    .format(name=attr))
            match: set[int] = set()
            for v in values:
                match |= set(self.documents(attribute=(attr, v))["id"].astype(int))
            ids &= match
        if not ids:
            raise TopicModelError(_("no document in this scope"))
        return sorted(ids)

    # -- runs ----------------------------------------------------------------------------
    def topic_run_id(self, ref: int | str) -> int:
        """A run id, ``last``, or a run name (the latest run of that name)."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            self.store.get_topic_run(int(ref))
            return int(ref)
        if str(ref) in ("last", "latest"):
            runs = self.store.topic_runs()
            if not runs:
                raise NotFoundError(_("no topic run yet"))
            return runs[-1]["id"]
        found = self.store.topic_run_by_name(str(ref))
        if found is None:
            raise NotFoundError(_("no topic run {ref!r}").format(ref=ref))
        return found

    def topic_run(self, ref: int | str) -> TopicRun:
        return TopicRun(**self.store.get_topic_run(self.topic_run_id(ref)))

    def topic_runs(self) -> pd.DataFrame:
        cols = ["id", "name", "backend", "unit", "seed", "n_units", "n_skipped", "n_topics",
                "n_outliers", "coherence_cv", "diversity", "fit_s", "total_s", "scope",
                "promoted", "created_at", "coder"]
        rows = []
        for r in self.store.topic_runs():
            scope = ", ".join(f"{k}={'|'.join(v)}" for k, v in r["scope"].items()
                              if v and k != "where")
            scope = ", ".join(filter(None, [scope] + [f"{a}={'|'.join(v)}"
                                                      for a, v in r["scope"].get("where", {}).items()]))
            rows.append({**r, "coherence_cv": r["metrics"].get("coherence_cv"),
                         "diversity": r["metrics"].get("diversity"),
                         "fit_s": r["timing"].get("fit_s"), "total_s": r["timing"].get("total_s"),
                         "scope": scope or "all"})
        return pd.DataFrame(rows, columns=cols)

    def delete_topic_run(self, ref: int | str) -> None:
        """Delete a run (its candidate or accepted codings stay: they are codings)."""
        self.store.delete_topic_run(self.topic_run_id(ref), coder=self.coder)

    def label_topic(self, run: int | str, topic: int, label: str) -> None:
        self.store.set_topic_label(self.topic_run_id(run), int(topic), label.strip() or None,
                                   coder=self.coder)

    # -- reading topics --------------------------------------------------------------------
    def topic_info(self, run: int | str) -> pd.DataFrame:
        """One row per topic: label, size, share of units, top words, mean probability,
        documents, and the code it was promoted to."""
        rid = self.topic_run_id(run)
        rows = self.store.topic_rows(rid)
        words: dict[int, list[str]] = {}
        for w in self.store.topic_word_rows(rid):
            words.setdefault(w["topic"], []).append(w["word"])
        total = sum(r["size"] for r in rows) or 1
        paths = self.code_paths()
        out = [{"topic": r["topic"], "label": r["label"], "size": r["size"],
                "share": round(r["size"] / total, 4),
                "words": ", ".join(words.get(r["topic"], [])[:10]),
                "mean_probability": None if r["mean_probability"] is None
                else round(r["mean_probability"], 4),
                "documents": r["documents"], "code_id": r["code_id"],
                "code": paths.get(r["code_id"], "") if r["code_id"] else ""} for r in rows]
        df = pd.DataFrame(out, columns=["topic", "label", "size", "share", "words",
                                        "mean_probability", "documents", "code_id", "code"])
        df["code_id"] = df["code_id"].astype("Int64")
        return df

    def topic_words(self, run: int | str, topic: int | None = None) -> pd.DataFrame:
        rid = self.topic_run_id(run)
        return pd.DataFrame(self.store.topic_word_rows(rid, topic),
                            columns=["topic", "rank", "word", "weight"])

    def topic_units(self, run: int | str, topic: int | None = None, *,
                    with_text: bool = True) -> pd.DataFrame:
        """Each modelled unit with its document, speaker, span, topic and probability."""
        rid = self.topic_run_id(run)
        cols = ["unit", "document_id", "document", "programme", "actor_type", "segment_id",
                "speaker", "start", "end", "topic", "probability"] + (["text"] if with_text else [])
        return pd.DataFrame(self.store.topic_unit_rows(rid, topic, with_text=with_text),
                            columns=cols)

    def _unit_attribute(self, units: pd.DataFrame, attribute: str) -> pd.Series:
        """The participant attribute of each unit's speaker (or of the document's
        single participant)."""
        if attribute not in {a.name for a in self.store.attributes()}:
            raise NotFoundError(_("no participant attribute {name!r} (known: {known})").format(
                name=attribute, known=", ".join(a.name for a in self.store.attributes())))
        values = self.participants()
        by_pid = dict(zip(values["participant_id"], values[attribute].astype(object)))
        links: dict[int, list[tuple[str, str]]] = {}
        for link in self.store.participant_documents():
            links.setdefault(link["document_id"], []).append((link["speaker"],
                                                              link["participant_id"]))
        out = []
        for doc, speaker in zip(units["document_id"], units["speaker"]):
            cands = links.get(int(doc), [])
            pid = next((p for s, p in cands if s and s == speaker), None)
            if pid is None:
                plain = sorted(p for s, p in cands if not s)
                pid = plain[0] if plain else None
            v = by_pid.get(pid) if pid else None
            out.append("(none)" if v is None or (isinstance(v, float) and v != v)
                       or v is pd.NA else str(v))
        return pd.Series(out, index=units.index)

    def topic_by(self, run: int | str, by: str = "actor_type", *,
                 normalize: str | None = None, outliers: bool = True) -> pd.DataFrame:
        """Topic sizes (units) broken down by ``actor_type``, ``programme``,
        ``document``, ``speaker`` or a participant attribute: one row per topic, one
        column per group.  ``normalize="topic"`` gives row shares, ``"group"`` column
        shares (how much of a group's talk goes to each topic)."""
        units = self.topic_units(run, with_text=False)
        if not outliers:
            units = units[units["topic"] != OUTLIER]
        if by in GROUPINGS:
            key = units[by].astype(object).where(units[by].notna(), "(none)").astype(str)
        else:
            key = self._unit_attribute(units, by)
        table = pd.crosstab(units["topic"], key)
        if normalize == "topic":
            table = table.div(table.sum(axis=1), axis=0).round(4)
        elif normalize == "group":
            table = table.div(table.sum(axis=0), axis=1).round(4)
        elif normalize is not None:
            raise ValidationError(_("normalize must be 'topic', 'group' or None"))
        table.columns.name = None
        info = self.topic_info(run).set_index("topic")["label"]
        table.insert(0, "label", [info.get(t, "") for t in table.index])
        return table.reset_index()

    def topic_code_overlap(self, run: int | str, *, status: str = "accepted",
                           include_promoted: bool = False, min_units: int = 1) -> pd.DataFrame:
        """Which codes each topic meets: units of the topic overlapping a coding of the
        code, as a share of the topic and of the code's units in this run, and their
        Jaccard index.  Codings made from this run's topics are left out unless
        ``include_promoted``."""
        rid = self.topic_run_id(run)
        counts = self.store.topic_code_counts(
            rid, status, None if include_promoted else f"{RULE_PREFIX}{rid}:")
        info = self.topic_info(rid).set_index("topic")
        code_units = self.store.code_unit_totals(rid, status)
        paths = self.code_paths()
        rows = []
        for r in counts:
            if r["units"] < min_units:
                continue
            size = int(info.at[r["topic"], "size"]) if r["topic"] in info.index else 0
            cu = code_units.get(r["code_id"], r["units"])
            rows.append({"topic": r["topic"], "label": info.at[r["topic"], "label"]
                         if r["topic"] in info.index else "", "code_id": r["code_id"],
                         "code": paths.get(r["code_id"], ""), "units": r["units"],
                         "topic_size": size, "share_of_topic": round(r["units"] / size, 4)
                         if size else None, "code_units": cu,
                         "share_of_code": round(r["units"] / cu, 4) if cu else None,
                         "jaccard": round(r["units"] / (size + cu - r["units"]), 4)
                         if size + cu - r["units"] else None})
        return pd.DataFrame(rows, columns=["topic", "label", "code_id", "code", "units",
                                           "topic_size", "share_of_topic", "code_units",
                                           "share_of_code", "jaccard"])

    def representative_excerpts(self, run: int | str, topic: int, n: int = 5, *,
                                per_document: int = 2) -> pd.DataFrame:
        """The units that best represent a topic: highest probability, then most of
        the topic's words, at most ``per_document`` from one document."""
        rid = self.topic_run_id(run)
        rows = self.store.topic_unit_rows(rid, int(topic), with_text=True)
        words = [w["word"] for w in self.store.topic_word_rows(rid, int(topic))][:10]
        for r in rows:
            low = r["text"].lower()
            r["word_hits"] = sum(1 for w in words if w[:max(4, len(w) - 2)] in low)
        rows.sort(key=lambda r: (-round(r["probability"], 3), -r["word_hits"], r["unit"]))
        out: list[dict] = []
        per_doc: dict[int, int] = {}
        for r in rows:
            if per_doc.get(r["document_id"], 0) >= per_document:
                continue
            per_doc[r["document_id"]] = per_doc.get(r["document_id"], 0) + 1
            out.append(r)
            if len(out) >= n:
                break
        return pd.DataFrame(out, columns=["unit", "document_id", "document", "programme",
                                          "actor_type", "speaker", "start", "end",
                                          "probability", "word_hits", "text"])

    def outlier_threshold(self, run: int | str) -> float | None:
        """The topic probability under which a unit of this run counts as an outlier:
        None for a backend that marks its own (BERTopic's topic -1),
        :data:`LOW_TOPIC_PROBABILITY` for one that places every unit (LDA)."""
        backend = self.topic_run(run).backend
        return None if backend in _OWN_OUTLIERS else LOW_TOPIC_PROBABILITY

    def outliers(self, run: int | str, *, below: float | None = _AUTO) -> pd.DataFrame:
        """Units the model could not place (topic -1), and with ``below`` also those
        whose topic probability is under that threshold (by default the run's
        :meth:`outlier_threshold`; ``below=None``: topic -1 only)."""
        rid = self.topic_run_id(run)
        if below is _AUTO:
            below = self.outlier_threshold(rid)
        rows = self.store.topic_unit_rows(rid, OUTLIER, with_text=True)
        if below is not None:
            rows += [r for r in self.store.topic_unit_rows(rid, with_text=True,
                                                           max_probability=below)
                     if r["topic"] != OUTLIER]
        cols = ["unit", "document_id", "document", "programme", "actor_type", "speaker",
                "start", "end", "topic", "probability", "text"]
        return pd.DataFrame(rows, columns=cols)

    # -- comparing ---------------------------------------------------------------------
    def compare_topic_runs(self, runs: Sequence[int | str]) -> pd.DataFrame:
        """Runs side by side: backend, units, topics, outliers, coherence, diversity, time."""
        out = []
        for ref in runs:
            r = self.topic_run(ref)
            sizes = [s for t, s in self.topic_info(r.id)[["topic", "size"]].itertuples(
                index=False) if t != OUTLIER]
            out.append({"run": r.id, "name": r.name, "backend": r.backend, "unit": r.unit,
                        "seed": r.seed, "units": r.n_units, "topics": r.n_topics,
                        "outliers": r.n_outliers,
                        "outlier_share": round(r.n_outliers / r.n_units, 4) if r.n_units else None,
                        "largest_topic_share": round(max(sizes) / r.n_units, 4)
                        if sizes and r.n_units else None,
                        "coherence_cv": r.coherence, "diversity": r.diversity,
                        "fit_s": r.timing.get("fit_s"), "total_s": r.timing.get("total_s")})
        return pd.DataFrame(out)

    def align_topics(self, run_a: int | str, run_b: int | str) -> pd.DataFrame:
        """For each topic of run A, the topic of run B sharing most units (same spans),
        with the Jaccard index of their units and their shared top words."""
        a, b = self.topic_run_id(run_a), self.topic_run_id(run_b)
        ua = self.store.topic_unit_rows(a)
        ub = {(r["document_id"], r["start"], r["end"]): r["topic"]
              for r in self.store.topic_unit_rows(b)}
        sets_a: dict[int, set] = {}
        for r in ua:
            sets_a.setdefault(r["topic"], set()).add((r["document_id"], r["start"], r["end"]))
        sets_b: dict[int, set] = {}
        for key, t in ub.items():
            sets_b.setdefault(t, set()).add(key)
        wa = self.topic_info(a).set_index("topic")
        wb = self.topic_info(b).set_index("topic")
        rows = []
        for t, units in sorted(sets_a.items()):
            best, best_j, best_n = None, 0.0, 0
            for t2, units2 in sets_b.items():
                n = len(units & units2)
                j = n / len(units | units2) if units | units2 else 0.0
                if j > best_j:
                    best, best_j, best_n = t2, j, n
            shared = ""
            if best is not None and t in wa.index and best in wb.index:
                sa = wa.at[t, "words"].split(", ")
                sb = set(wb.at[best, "words"].split(", "))
                shared = ", ".join(w for w in sa if w and w in sb)
            rows.append({"topic_a": t, "label_a": wa.at[t, "label"] if t in wa.index else "",
                         "topic_b": best, "label_b": wb.at[best, "label"]
                         if best is not None and best in wb.index else "",
                         "shared_units": best_n, "jaccard": round(best_j, 4),
                         "shared_words": shared})
        df = pd.DataFrame(rows, columns=["topic_a", "label_a", "topic_b", "label_b",
                                         "shared_units", "jaccard", "shared_words"])
        df["topic_b"] = df["topic_b"].astype("Int64")
        return df

    # -- from topic to code -----------------------------------------------------------------
    def promote_topic(self, run: int | str, topic: int, *, code: int | str | None = None,
                      name: str | None = None, parent: int | str | None = None,
                      colour: str | None = None, min_probability: float = 0.0) -> PromotionResult:
        """Turn a topic into a code: a new code (``name``, default its top words; under
        ``parent``) or an existing one (``code``).  The topic's units (with probability
        at least ``min_probability``) become *candidate* codings of origin ``topic``
        and rule ``topic-run:<run>:<topic>``, to review with
        :meth:`accept_topic_candidates` / :meth:`reject_topic_candidates`."""
        rid = self.topic_run_id(run)
        topic = int(topic)
        if topic == OUTLIER:
            raise ValidationError(_("outliers are not a topic: promote a real topic"))
        info = self.topic_info(rid).set_index("topic")
        if topic not in info.index:
            raise NotFoundError(_("no topic {topic} in topic run {run}").format(topic=topic,
                                                                                run=rid))
        if code is not None and name is not None:
            raise ValidationError(_("give either an existing code or a new code name, not both"))
        with self.store.grouped("topics.promote", self.coder,
                                details={"topic_run": rid, "topic": topic}):
            r = self.topic_run(rid)
            words = info.at[topic, "words"].split(", ")
            created = code is None
            if code is not None:
                code_id = self.code_id(code)
            else:
                label = str(info.at[topic, "label"] or "")
                default = (label if label and not label.startswith(f"{topic}_")
                           else ", ".join(words[:3]))
                name = (name or default).replace("/", "-")
                code_id = self.create_code(
                    name, parent, colour=colour,
                    definition=f"From topic {topic} of topic run {rid} ({r.backend}); "
                               f"top words: {', '.join(words[:10])}.")
            rule = topic_rule(rid, topic)
            units = [u for u in self.store.topic_unit_rows(rid, topic)
                     if u["probability"] >= min_probability]
            by_doc: dict[int, list[tuple[int, int]]] = {}
            for u in units:
                by_doc.setdefault(u["document_id"], []).append((u["start"], u["end"]))
            n = 0
            for doc_id, spans in by_doc.items():
                n += len(self.apply_code_spans(doc_id, code_id, spans, origin="topic",
                                               status="candidate", rule=rule,
                                               label="topics.promote"))
            self.store.set_topic_code(rid, topic, code_id)
            self.store.log_change(self.coder, "topics.promote", "topic_run", rid,
                                  {"topic": topic, "code": code_id, "candidates": n})
        return PromotionResult(rid, topic, code_id, self.code_paths()[code_id], created, n, rule)

    def topic_candidates(self, run: int | str | None = None, topic: int | None = None, *,
                         status: str | None = "candidate") -> pd.DataFrame:
        """Codings made from topics (of one run, or one topic), with their text."""
        if run is None:
            prefix = RULE_PREFIX
        else:
            prefix = f"{RULE_PREFIX}{self.topic_run_id(run)}:"
        rows = self.store.topic_candidate_rows(prefix, status)
        if topic is not None:
            rows = [r for r in rows if r["rule"] == prefix + str(int(topic))]
        df = pd.DataFrame(rows, columns=["id", "document_id", "document", "code_id", "code",
                                         "start", "end", "status", "rule", "coder", "text"])
        paths = self.code_paths()
        df["code"] = [paths.get(c, n) for c, n in zip(df["code_id"], df["code"])]
        return df

    def _candidate_ids(self, run, topic, ids) -> list[int]:
        pool = self.topic_candidates(run, topic)
        if ids is None:
            return [int(i) for i in pool["id"]]
        ids = [int(i) for i in ids]
        stray = sorted(set(ids) - set(int(i) for i in pool["id"]))
        if stray:
            raise ValidationError(_("codings {ids} are not topic candidates here").format(
                ids=stray))
        return ids

    def accept_topic_candidates(self, run: int | str | None = None, topic: int | None = None,
                                ids: Iterable[int] | None = None) -> int:
        """Accept candidate codings from topics: the given ``ids``, or all of a run/topic."""
        return self.accept_codings(self._candidate_ids(run, topic, ids))

    def reject_topic_candidates(self, run: int | str | None = None, topic: int | None = None,
                                ids: Iterable[int] | None = None) -> int:
        """Reject (remove) candidate codings from topics, one undoable step."""
        return self.reject_codings(self._candidate_ids(run, topic, ids))
