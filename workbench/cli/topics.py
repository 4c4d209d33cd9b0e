"""Topic models: run, list, show, compare, promote, review, label, delete."""
from __future__ import annotations

import json

import click

from workbench.cli._base import (ACTOR, Progress, UserError, coder_option, emit, format_option,
                                 handle_errors, main, open_project)
from workbench.i18n import N_, _, decimal, ngettext


def _parse_where(values) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(_("{value!r}: use ATTR=VALUE").format(value=v),
                                     param_hint="--where")
        attr, value = (s.strip() for s in v.split("=", 1))
        out.setdefault(attr, []).append(value)
    return out


def _parse_options(values) -> dict:
    out = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(_("{value!r}: use KEY=VALUE").format(value=v),
                                     param_hint="--option")
        key, raw = (s.strip() for s in v.split("=", 1))
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def _run_summary(run) -> dict:
    return {"run": run.id, "name": run.name or "", "backend": run.backend, "unit": run.unit,
            "seed": run.seed, "units": run.n_units, "skipped": run.n_skipped,
            "topics": run.n_topics, "outliers": run.n_outliers,
            "coherence_cv": run.coherence, "diversity": run.diversity,
            "fit_s": run.timing.get("fit_s"), "total_s": run.timing.get("total_s")}


@main.group("topics")
def topics_group():
    """Topic models (BERTopic, LDA) on the transcripts, compared with the codes."""


@topics_group.command("run")
@click.argument("project")
@click.option("--backend", type=click.Choice(["bertopic", "lda"]), default="bertopic",
              show_default=True)
@click.option("--topics", "n_topics", type=int,
              help="Number of topics (LDA: default 10; BERTopic: reduce to this many).")
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--unit", type=click.Choice(["turn", "paragraph"]), default="turn",
              show_default=True)
@click.option("--window", type=int, default=200, show_default=True,
              help="Cut units longer than this many words into windows (0: never).")
@click.option("--stride", type=int, help="Window step in words (default: the window size).")
@click.option("--programme", "programmes", multiple=True, help="Scope: programme (repeatable).")
@click.option("--actor", "actors", multiple=True, type=ACTOR,
              help="Scope: actor type (repeatable).")
@click.option("--where", "where", multiple=True,
              help="Scope: participant attribute ATTR=VALUE (repeatable).")
@click.option("--doc", "documents", multiple=True, help="Scope: document (repeatable).")
@click.option("--include-interviewer", is_flag=True, help="Also model interviewer turns.")
@click.option("--min-tokens", type=int, default=3, show_default=True,
              help="Skip units with fewer content lemmas.")
@click.option("--stop-word", "stop_words", multiple=True, help="Extra stop word (repeatable).")
@click.option("--embedding", help="BERTopic embedding: tfidf (default), spacy:<model>, or "
                                  "sentence-transformers:<installed model>.")
@click.option("--min-topic-size", type=int, help="BERTopic: smallest topic (HDBSCAN).")
@click.option("--passes", type=int, help="LDA: passes over the corpus.")
@click.option("--option", "options", multiple=True,
              help="Other backend option KEY=VALUE (JSON values), e.g. clusterer=kmeans.")
@click.option("--spacy-model", default="fr_core_news_sm", show_default=True)
@click.option("--name", help="A name for the run.")
@format_option
@coder_option
@handle_errors
def topics_run(project, backend, n_topics, seed, unit, window, stride, programmes, actors, where,
               documents, include_interviewer, min_tokens, stop_words, embedding,
               min_topic_size, passes, options, spacy_model, name, fmt, coder):
    """Fit a topic model on a scope of the corpus and store the run (offline).

    Ctrl-C cancels; nothing is stored then.

    Example: workbench topics run eval.wbproj --backend lda --topics 8 --actor beneficiary
    """
    opts = _parse_options(options)
    if backend == "bertopic":
        if embedding:
            opts["embedding"] = embedding
        if min_topic_size:
            opts["min_topic_size"] = min_topic_size
        if passes:
            raise click.UsageError(_("--passes is an LDA option"))
    else:
        if embedding or min_topic_size:
            raise click.UsageError(_("--embedding and --min-topic-size are BERTopic options"))
        if passes:
            opts["passes"] = passes
    with open_project(project, coder) as p:
        run = p.run_topics(backend, n_topics=n_topics, seed=seed, unit=unit, window=window,
                           stride=stride, programme=programmes or None,
                           actor_type=actors or None, where=_parse_where(where) or None,
                           documents=documents or None, include_interviewer=include_interviewer,
                           min_tokens=min_tokens, stop_words=stop_words,
                           spacy_model=spacy_model, name=name, options=opts,
                           progress=Progress(N_("Topics")))
        info = p.topic_info(run.id)
    if fmt == "table":
        emit([_run_summary(run)], fmt)
        click.echo("")
        emit(info[["topic", "label", "size", "words"]], fmt)
    else:
        emit([_run_summary(run)], fmt)


@topics_group.command("list")
@click.argument("project")
@format_option
@handle_errors
def topics_list(project, fmt):
    """List the stored topic-model runs with their metrics.

    Example: workbench topics list eval.wbproj
    """
    with open_project(project) as p:
        df = p.topic_runs()
    if fmt == "table":
        df = df[["id", "name", "backend", "unit", "seed", "n_units", "n_topics", "n_outliers",
                 "coherence_cv", "diversity", "total_s", "scope", "promoted"]]
    emit(df, fmt)


@topics_group.command("show")
@click.argument("project")
@click.argument("run")
@click.option("--topic", type=int, help="One topic: its words and representative excerpts.")
@click.option("--excerpts", type=int, default=3, show_default=True,
              help="Representative excerpts per topic (with --topic).")
@click.option("--by", help="Topic size by actor_type, programme, document, speaker or a "
                           "participant attribute.")
@click.option("--share", type=click.Choice(["topic", "group"]),
              help="With --by: shares instead of counts.")
@click.option("--codes", is_flag=True, help="Topic x code overlap.")
@click.option("--outliers", "show_outliers", is_flag=True, help="Units without a topic.")
@click.option("--units", "show_units", is_flag=True, help="Every unit with its topic.")
@format_option
@handle_errors
def topics_show(project, run, topic, excerpts, by, share, codes, show_outliers, show_units, fmt):
    """Show a run: its topics (default), or one topic, a breakdown, codes, outliers.

    RUN is a run id, a run name, or "last".

    Example: workbench topics show eval.wbproj last --by actor_type --share group
    """
    with open_project(project) as p:
        attrs = p.attributes()
        private = set(attrs.loc[attrs["private"].astype(bool), "name"])
        if by and by.split(".", 1)[-1] in private:
            raise UserError(_("participant attribute {name!r} is private: it is never shown")
                            .format(name=by))
        if by:
            emit(p.topic_by(run, by, normalize=share), fmt)
        elif codes:
            emit(p.topic_code_overlap(run), fmt)
        elif show_outliers:
            emit(p.shareable(p.outliers(run), documents="document_id"), fmt)
        elif show_units:
            emit(p.shareable(p.topic_units(run, topic), documents="document_id"), fmt)
        elif topic is not None:
            shown = p.shareable(p.representative_excerpts(run, topic, excerpts),
                                documents="document_id")
            if fmt != "table":
                emit(shown, fmt)
                return
            words = p.topic_words(run, topic)
            info = p.topic_info(run).set_index("topic")
            if topic not in info.index:
                raise UserError(_("no topic {topic} in this run").format(topic=topic))
            size = int(info.at[topic, "size"])
            click.echo("# " + _("topic {topic}: {label} ({units})").format(
                topic=topic, label=info.at[topic, "label"],
                units=ngettext("{n} unit", "{n} units", size).format(n=size)))
            click.echo(", ".join(f"{w} ({decimal(float(x), 3)})"
                                 for w, x in zip(words["word"], words["weight"])))
            for ex in shown.itertuples():
                click.echo(f"\n[{ex.document} · {ex.speaker or ''} · "
                           f"p={decimal(float(ex.probability), 2)}]")
                click.echo(ex.text)
        else:
            r = p.topic_run(run)
            info = p.topic_info(run)
            if fmt == "table":
                emit([_run_summary(r)], fmt)
                click.echo("")
                emit(info[["topic", "label", "size", "share", "words", "code"]], fmt)
            else:
                emit(info, fmt)


@topics_group.command("compare")
@click.argument("project")
@click.argument("runs", nargs=-1, required=True)
@click.option("--align", is_flag=True, help="With two runs: match each topic of the first "
                                            "to the second's topic sharing most units.")
@format_option
@handle_errors
def topics_compare(project, runs, align, fmt):
    """Compare runs: units, topics, outliers, coherence (c_v), diversity, time.

    Example: workbench topics compare eval.wbproj 1 2 --align
    """
    with open_project(project) as p:
        if align:
            if len(runs) != 2:
                raise click.UsageError(_("--align needs exactly two runs"))
            emit(p.align_topics(runs[0], runs[1]), fmt)
        else:
            emit(p.compare_topic_runs(list(runs)), fmt)


@topics_group.command("promote")
@click.argument("project")
@click.argument("run")
@click.argument("topic", type=int)
@click.option("--name", help="Name (or Parent/Child path) of a new code; default: top words.")
@click.option("--code", help="Attach to this existing code instead of creating one.")
@click.option("--parent", help="Parent of the new code.")
@click.option("--colour", help="Colour of the new code (#RRGGBB).")
@click.option("--min-probability", type=float, default=0.0, show_default=True,
              help="Only units at least this probable.")
@format_option
@coder_option
@handle_errors
def topics_promote(project, run, topic, name, code, parent, colour, min_probability, fmt, coder):
    """Turn a topic into a code: its units become candidate codings (origin "topic").

    Review them with `workbench topics review`.

    Example: workbench topics promote eval.wbproj last 3 --name "Mobilité"
    """
    with open_project(project, coder) as p:
        res = p.promote_topic(run, topic, code=code, name=name, parent=parent, colour=colour,
                              min_probability=min_probability)
    emit([{"run": res.run_id, "topic": res.topic, "code_id": res.code_id, "code": res.code_path,
           "created": res.created, "candidates": res.candidates, "rule": res.rule}], fmt)


@topics_group.command("review")
@click.argument("project")
@click.argument("run", required=False)
@click.argument("topic", type=int, required=False)
@click.option("--accept", "accept_ids", multiple=True, type=int, help="Accept this candidate.")
@click.option("--reject", "reject_ids", multiple=True, type=int, help="Reject this candidate.")
@click.option("--accept-all", is_flag=True, help="Accept every candidate of the run/topic.")
@click.option("--reject-all", is_flag=True, help="Reject every candidate of the run/topic.")
@format_option
@coder_option
@handle_errors
def topics_review(project, run, topic, accept_ids, reject_ids, accept_all, reject_all, fmt,
                  coder):
    """List candidate codings from topics, or accept / reject them (one by one or all).

    Example: workbench topics review eval.wbproj last 3 --accept 12 --reject 13
    """
    if accept_all and reject_all:
        raise click.UsageError(_("--accept-all and --reject-all exclude each other"))
    if (accept_all or reject_all) and run is None:
        raise click.UsageError(_("name the run (and topic) to accept or reject all of"))
    with open_project(project, coder) as p:
        acted = False
        if accept_ids:
            n = p.accept_topic_candidates(run, topic, accept_ids)
            click.echo(ngettext("{n} coding accepted", "{n} codings accepted", n).format(n=n),
                       err=True)
            acted = True
        if reject_ids:
            n = p.reject_topic_candidates(run, topic, reject_ids)
            click.echo(ngettext("{n} coding removed", "{n} codings removed", n).format(n=n),
                       err=True)
            acted = True
        if accept_all:
            n = p.accept_topic_candidates(run, topic)
            click.echo(ngettext("{n} coding accepted", "{n} codings accepted", n).format(n=n),
                       err=True)
            acted = True
        if reject_all:
            n = p.reject_topic_candidates(run, topic)
            click.echo(ngettext("{n} coding removed", "{n} codings removed", n).format(n=n),
                       err=True)
            acted = True
        if not acted:
            df = p.topic_candidates(run, topic)
            if fmt == "table":
                df = df[["id", "document", "code", "rule", "start", "end", "text"]]
            emit(df, fmt)


@topics_group.command("label")
@click.argument("project")
@click.argument("run")
@click.argument("topic", type=int)
@click.argument("label")
@coder_option
@handle_errors
def topics_label(project, run, topic, label, coder):
    """Give a topic a readable label.

    Example: workbench topics label eval.wbproj last 2 "Garde d'enfants"
    """
    with open_project(project, coder) as p:
        p.label_topic(run, topic, label)


@topics_group.command("delete")
@click.argument("project")
@click.argument("run")
@coder_option
@handle_errors
def topics_delete(project, run, coder):
    """Delete a run (codings made from it stay).

    Example: workbench topics delete eval.wbproj 3
    """
    with open_project(project, coder) as p:
        p.delete_topic_run(run)
