"""Waves, cases, and the views that follow people and sites over time: the capability of
the :class:`workbench.project.Project` facade.

    >>> p.set_waves(["entrée", "sortie", "6 mois"])
    >>> p.update_document("AV-BEN-01", wave="sortie")
    >>> p.import_cases("sites.csv", kind="site")
    >>> p.link_case("S-EVR", document="AV-BEN-01")
    >>> p.query('Freins WHERE wave = sortie AND site.region = Normandie')
    >>> p.matrix("wave", count="participants")
    >>> p.trajectory(codes=["Freins"], participants=["P0001"])
    >>> p.wave_changes("sortie", "6 mois", codes=["Freins"])
    >>> p.sampling_frame(["programme", "groupe"])
    >>> p.saturation(by=("programme", "actor_type"))

Counts come from the query engine (:mod:`workbench.query`), with its rules: passages,
coders, interviewer speech left out, sub-codes rolled up, private documents and
attributes out.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:
    import pandas as pd
else:
    from workbench.lazy import lazy_module
    pd = lazy_module("pandas")

from workbench.domain import NotFoundError, ValidationError
from workbench.facade import Capability
from workbench.i18n import _, ngettext
from workbench.waves.naming import check_kind, clean_name, existing_wave, resolve_wave


class WavesAPI(Capability):
    # -- waves ---------------------------------------------------------------------------
    def waves(self) -> pd.DataFrame:
        """The project's waves in order: name, position (1, 2, ...), description,
        documents (interviews of the wave)."""
        return pd.DataFrame(self.store.wave_rows(),
                            columns=["name", "position", "description", "documents"])

    def wave_names(self) -> list[str]:
        return self.store.wave_names()

    def set_waves(self, names: Sequence[str], *,
                  descriptions: Mapping[str, str] | None = None) -> list[str]:
        """Define the project's waves, in order (``["entrée", "sortie", "6 mois"]``): waves
        already there are put in this order (names matched case aside, the project's
        spelling kept), new ones added, and waves left out deleted -- unless interviews
        belong to them, which is an error naming them.  Returns the order."""
        wanted = [clean_name(n) for n in names if clean_name(n)]
        folded = [n.casefold() for n in wanted]
        dupes = sorted({n for n in wanted if folded.count(n.casefold()) > 1})
        if dupes:
            raise ValidationError(ngettext("wave named twice: {names}", "waves named twice: {names}",
                                           len(dupes)).format(names=", ".join(dupes)))
        current = self.store.wave_rows()
        by_key = {w["name"].casefold(): w["name"] for w in current}
        order = [by_key.get(n.casefold(), n) for n in wanted]
        dropped = [w for w in current if w["name"].casefold() not in set(folded)]
        used = [f"{w['name']} ({w['documents']})" for w in dropped if w["documents"]]
        if used:
            raise ValidationError(ngettext(
                "interviews belong to a wave left out of the list: {waves}; move them to "
                "another wave first (or keep the wave)",
                "interviews belong to waves left out of the list: {waves}; move them to "
                "another wave first (or keep the waves)", len(used))
                .format(waves=", ".join(used)))
        self.store.write_waves(order, descriptions=dict(descriptions or {}),
                               delete=[w["name"] for w in dropped], coder=self.coder)
        return order

    def add_wave(self, name: str, *, after: str | None = None,
                 description: str | None = None) -> list[str]:
        """Add a wave at the end, or just after the wave ``after``; returns the order."""
        order = self.store.wave_names()
        name = clean_name(name)
        if not name:
            raise ValidationError(_("a wave needs a name"))
        if name.casefold() in {w.casefold() for w in order}:
            raise ValidationError(_("the project already has a wave {name!r}").format(name=name))
        at = len(order)
        if after is not None:
            at = order.index(existing_wave(after, order)) + 1
        order.insert(at, name)
        self.store.write_waves(order, descriptions={name: description} if description else None,
                               coder=self.coder, action="wave.add")
        return order

    def rename_wave(self, old: str, new: str) -> None:
        """Rename a wave; its interviews follow."""
        order = self.store.wave_names()
        old = existing_wave(old, order)
        new = clean_name(new)
        if not new:
            raise ValidationError(_("a wave needs a name"))
        if new.casefold() in {w.casefold() for w in order if w != old}:
            raise ValidationError(_("the project already has a wave {name!r}").format(name=new))
        self.store.rename_wave(old, new, coder=self.coder)

    def delete_wave(self, name: str, *, force: bool = False) -> None:
        """Delete a wave; refused while interviews belong to it, unless ``force`` (they
        are then left without a wave)."""
        rows = {w["name"]: w for w in self.store.wave_rows()}
        name = existing_wave(name, list(rows))
        if rows[name]["documents"] and not force:
            n = rows[name]["documents"]
            raise ValidationError(ngettext(
                "{n} interview belongs to wave {name!r}: move it first, or delete the wave "
                "anyway (--force) and leave it without a wave",
                "{n} interviews belong to wave {name!r}: move them first, or delete the wave "
                "anyway (--force) and leave them without a wave", n).format(n=n, name=name))
        order = [w for w in rows if w != name]
        self.store.write_waves(order, delete=[name], coder=self.coder, action="wave.delete")

    def resolve_wave(self, name: str | None, *, new: bool = False) -> str | None:
        """The project's wave ``name`` names (case aside), or ``name`` itself when ``new``."""
        return resolve_wave(name, self.store.wave_names(), new=new)

    # -- cases ---------------------------------------------------------------------------
    def import_cases(self, path: str | Path, kind: str, *, id_column: str | None = None,
                     types: dict[str, tuple[str, tuple[str, ...]]] | None = None,
                     sheet: str | None = None) -> dict:
        """Import or update cases of one ``kind`` (``site``, ``organisation``...) from a
        CSV/XLSX table read like the participant table: an ID column, optional ``name``,
        ``parent`` (the ID of the case it belongs to) and ``description`` columns, typed
        attributes in the others (types belong to the project; ``types`` overrides them
        explicitly, as for participants).  Every problem is listed with its line and
        nothing is written when there is one.

        Returns ``inserted``, ``updated``, ``kind``, ``fields`` [(name, type)],
        ``id_column``, ``new``, ``retyped``, ``notes``, ``warnings``."""
        from workbench.waves.cases import plan_case_import
        kind = check_kind(kind)
        plan = plan_case_import(self.store, path, kind, id_column=id_column, types=types,
                                sheet=sheet)
        typed = plan.keyed.typed
        result: dict[str, Any] = {"inserted": 0, "updated": 0}
        if not plan.keyed.empty:
            result = self.store.upsert_cases(
                kind, typed.fields, plan.rows(), coder=self.coder, retyped=typed.restored,
                details={"file": Path(path).name, "new": typed.new})
        result.update(kind=kind, fields=[(a.name, a.type) for a in typed.fields],
                      id_column=plan.keyed.key_column, new=list(typed.new),
                      retyped=list(typed.retyped), notes=list(typed.notes),
                      warnings=list(plan.keyed.table.warnings))
        return result

    def case_kinds(self) -> list[str]:
        return self.store.case_kinds()

    def case_fields(self) -> pd.DataFrame:
        """The typed fields of cases: name, type, levels, position, private."""
        return pd.DataFrame([a.__dict__ for a in self.store.field_defs("case")],
                            columns=["name", "type", "levels", "position", "private"])

    def cases(self, kind: str | None = None, *, typed: bool = True,
              include_private: bool = True) -> pd.DataFrame:
        """One row per case: case_id, kind, name, parent, description, one column per field
        (typed like participant attributes; only the fields some case of ``kind`` has),
        documents and participants linked.  ``include_private=False`` (outputs) leaves
        private fields out."""
        rows = self.store.case_rows(check_kind(kind) if kind else None)
        base = pd.DataFrame({"case_id": [r["id"] for r in rows],
                             "kind": [r["kind"] for r in rows],
                             "name": [r["name"] for r in rows],
                             "parent": [r["parent_id"] for r in rows],
                             "description": [r["description"] for r in rows]})
        defs = [a for a in self.store.field_defs("case") if include_private or not a.private]
        long = pd.DataFrame(self.store.field_value_rows("case"),
                            columns=["owner", "field", "value", "num"])
        long = long[long["owner"].isin(set(base["case_id"]))]
        present = set(long["field"])
        for a in defs:
            if a.name not in present:
                continue
            sub = long[long["field"] == a.name].set_index("owner")
            if typed and a.type == "numeric":
                col = sub["num"]
            elif typed and a.type == "boolean":
                col = sub["num"].map({1.0: True, 0.0: False}).astype("boolean")
            elif typed and a.type == "date":
                col = pd.to_datetime(sub["value"], errors="coerce", format="ISO8601")
            elif typed and a.type == "ordinal":
                col = pd.Series(pd.Categorical(sub["value"], categories=list(a.levels),
                                               ordered=True), index=sub.index)
            else:
                col = sub["value"]
            base[a.name] = base["case_id"].map(col)
        base["documents"] = [r["documents"] for r in rows]
        base["participants"] = [r["participants"] for r in rows]
        return base

    def case_links(self, case_id: str | None = None, *,
                   include_private: bool = True) -> pd.DataFrame:
        """Every link of cases (or of one case): case_id, kind, document, speaker,
        participant_id; ``include_private=False`` (outputs) leaves out the links to
        private documents."""
        kinds = self.store.case_kind_of()
        rows = self.store.query_documents()
        names = {r[0]: r[1] for r in rows}
        hidden = set() if include_private else {r[0] for r in rows if r[8]}
        recs = [dict(case_id=c, kind=kinds.get(c), document=names.get(d), speaker=s or "",
                     participant_id="") for d, c, s in self.store.document_case_links()
                if d not in hidden]
        recs += [dict(case_id=c, kind=kinds.get(c), document="", speaker="", participant_id=p)
                 for p, c in self.store.participant_case_links()]
        df = pd.DataFrame(recs, columns=["case_id", "kind", "document", "speaker",
                                         "participant_id"])
        if case_id is not None:
            df = df[df["case_id"] == self._case_id(case_id)]
        return df.sort_values(["kind", "case_id", "document", "speaker", "participant_id"],
                              kind="stable").reset_index(drop=True)

    def _case_id(self, ref: str) -> str:
        kinds = self.store.case_kind_of()
        if ref in kinds:
            return ref
        folded = {k.casefold(): k for k in kinds}
        if str(ref).casefold() in folded:
            return folded[str(ref).casefold()]
        raise NotFoundError(_("no case {id!r}").format(id=ref))

    def link_case(self, case_id: str, *, document: int | str | None = None, speaker: str = "",
                  participant: str | None = None) -> bool:
        """Link a case to a document (the whole interview, or one ``speaker`` of it: a
        trainer to the training body) or to a participant (a trainee to a site)."""
        cid = self._case_id(case_id)
        if (document is None) == (participant is None):
            raise ValidationError(_("link a case to a document or to a participant"))
        if participant is not None:
            if self.store.unknown_participants([participant]):
                raise NotFoundError(_("unknown participant ID {id!r}").format(id=participant))
            return bool(self.store.write_case_links(participants=[(participant, cid)],
                                                    coder=self.coder))
        assert document is not None                 # (one of the two, checked above)
        doc_id = self.document_id(document)
        if speaker:
            labels = {s["speaker"] for s in self.store.speakers(doc_id)}
            if speaker not in labels:
                raise ValidationError(_("no speaker {speaker!r} in {document} (speakers: "
                                        "{labels})").format(speaker=speaker,
                                                            document=self.document(doc_id).name,
                                                            labels=", ".join(sorted(labels))))
        return bool(self.store.write_case_links(documents=[(doc_id, cid, speaker or "")],
                                                coder=self.coder))

    def unlink_case(self, case_id: str, *, document: int | str | None = None,
                    speaker: str | None = None, participant: str | None = None) -> int:
        cid = self._case_id(case_id)
        if (document is None) == (participant is None):
            raise ValidationError(_("unlink a case from a document or from a participant"))
        return self.store.delete_case_links(
            cid, document_id=None if document is None else self.document_id(document),
            speaker=speaker, participant_id=participant, coder=self.coder)

    def import_case_links(self, path: str | Path, *, sheet: str | None = None) -> dict:
        """Links from a table (``case`` + ``document`` [``speaker``] or ``participant`` on
        each row); returns ``added`` (links already there are left alone) and ``rows``."""
        from workbench.waves.cases import plan_case_links
        plan = plan_case_links(self.store, path, sheet=sheet)
        added = self.store.write_case_links(plan.documents, plan.participants,
                                            coder=self.coder,
                                            details={"file": Path(path).name})
        return {"added": added, "rows": len(plan.documents) + len(plan.participants)}

    def delete_case(self, case_id: str) -> None:
        self.store.delete_case(self._case_id(case_id), coder=self.coder)

    # -- views over waves and cases --------------------------------------------------------
    def trajectory(self, codes: Sequence | None = None, *,
                   questions: Sequence[str] | str | None = None,
                   participants: Sequence[str] | None = None, where: str | None = None,
                   waves: Sequence[str] | None = None, layout: str = "long",
                   descendants: bool = True, status: str = "accepted", coders=None,
                   max_chars: int | None = None) -> pd.DataFrame:
        """What each wave's interview says on a code (with its sub-codes) or an evaluation
        question, for one participant, a list, or every interviewed participant passing
        ``where``, side by side (see :mod:`workbench.query.waves`).  ``layout`` long (one
        row per participant, theme and wave) or wide (one column per wave)."""
        from workbench.query.waves import trajectory
        data = self.query_data()
        rows = self._theme_rows(data, codes, questions, descendants)
        return trajectory(data, rows, participants=participants, where=where, waves=waves,
                          status=self._status(status), coders=coders, max_chars=max_chars,
                          layout=layout)

    def followed_participants(self, *, where: str | None = None,
                              min_waves: int = 2) -> list[str]:
        """The participants interviewed (coded or not) at ``min_waves`` waves or more: the
        people a trajectory follows."""
        from workbench.query.waves import followed
        return followed(self.query_data(), where, min_waves)

    def wave_changes(self, first: str, second: str, codes: Sequence | None = None, *,
                     questions: Sequence[str] | str | None = None, where: str | None = None,
                     descendants: bool = True, status: str = "accepted", coders=None,
                     who: bool = False) -> pd.DataFrame:
        """Per theme, the participants interviewed at both waves whose words carry it at
        the first, at the second, and whether it appears, disappears, persists or stays
        absent (see :mod:`workbench.query.waves`); ``attrs["definition"]`` says what
        "has the theme" means and who is counted.  ``who``: list their IDs too."""
        from workbench.query.waves import change_definition, wave_changes
        data = self.query_data()
        rows = self._theme_rows(data, codes, questions, descendants)
        out = wave_changes(data, rows, first, second, where=where, status=self._status(status),
                           coders=coders, who=who)
        a = out.attrs
        out.attrs["definition"] = change_definition(a["first"], a["second"], a["panel"],
                                                    a["lost"], a["joined"],
                                                    descendants=descendants)
        return out

    def _theme_rows(self, data, codes, questions, descendants):
        if codes is None and questions is None:
            raise ValidationError(_("name a code or an evaluation question"))
        if isinstance(codes, str):
            codes = [codes]
        if isinstance(questions, str) and questions != "all":
            questions = [questions]
        return self._rows(data, codes, questions, descendants)

    def sampling_frame(self, strata: Sequence[str] | str, *, where: str | None = None,
                       by_wave: bool = False, bins: int = 4,
                       scope: str | None = None) -> pd.DataFrame:
        """Who was interviewed against who was sampled (the participant table), by
        stratum: counts, shares and the gaps (see :mod:`workbench.query.sampling`);
        ``by_wave``: one row per stratum value and wave, with who was followed and lost.
        ``where`` filters the frame on participant attributes; ``scope`` (a filter on
        interviews) narrows what counts as an interview."""
        from workbench.query import sampling
        data = self.query_data()
        fn = sampling.sampling_by_wave if by_wave else sampling.sampling_frame
        return fn(data, strata, where=where, bins=bins, scope=scope)

    def sampling_losses(self, *, where: str | None = None,
                        scope: str | None = None) -> pd.DataFrame:
        """The sampled participants interviewed at a wave and not at a later one."""
        from workbench.query.sampling import losses
        return losses(self.query_data(), where=where, scope=scope)

    def saturation(self, by: Sequence[str] | str | None = ("programme", "actor_type"), *,
                   codes: Sequence | None = None, where: str | None = None,
                   status: str = "accepted", coders=None) -> pd.DataFrame:
        """New codes (and sub-codes) per successive interview in interview-date order, by
        group of interviews (see :mod:`workbench.query.saturation`)."""
        from workbench.query.saturation import saturation
        return saturation(self.query_data(), by, codes=codes, where=where,
                          status=self._status(status), coders=coders)
