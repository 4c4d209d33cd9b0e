"""``<Variables>`` and variable values.

A REFI variable of cases is a participant attribute; one that only sources use (NVivo
"file classifications") is a document field (``documents.extra``) whose definition is
kept to be written back.  Types travel both ways: Text ↔ nominal (ordinal with its
levels in the metadata line), Boolean ↔ boolean, Integer and Float ↔ numeric (the REFI
type read is kept, so Integer stays Integer), Date and DateTime ↔ date.  A value is
written into the project only when it fits the attribute's type.
"""
from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal

from lxml import etree

from workbench.domain import Attribute
from workbench.i18n import _, pgettext
from workbench.identity import guid_key, keep_guid
from workbench.values import parse_bool, parse_date, parse_number

from .common import join_description, kid, kids, q, split_description, text_of
from .context import ImportCtx, ReadCtx, WriteCtx

REFI_TYPES = ("Text", "Boolean", "Integer", "Float", "Date", "DateTime")
TO_ATTRIBUTE = {"text": "nominal", "boolean": "boolean", "integer": "numeric",
                "float": "numeric", "date": "date", "datetime": "date"}
#: attribute types as shown in messages (pgettext context "attribute type")
TYPE_NAMES = ("nominal", "ordinal", "numeric", "date", "boolean")
VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
              "DateTimeValue")


def read(root, ctx: ReadCtx) -> list[dict]:
    """[{guid, key, name, refi_type, type, levels, description, position}]"""
    out, seen = [], set()
    for i, v in enumerate(kids(kid(root, "Variables"), "Variable")):
        g = keep_guid(v.get("guid"))
        name = unicodedata.normalize("NFC", (v.get("name") or "").strip()) or f"variable {i + 1}"
        if g is None or guid_key(g) in seen:
            ctx.warn(_("variable {name!r} without a valid, unique guid skipped (its values "
                       "are not imported)").format(name=name))
            continue
        seen.add(guid_key(g))
        refi = (v.get("typeOfVariable") or "Text").strip()
        refi = next((t for t in REFI_TYPES if t.lower() == refi.lower()), None)
        if refi is None:
            ctx.warn(_("variable {name!r}: unknown type {type!r} read as Text").format(
                name=name, type=v.get("typeOfVariable")))
            refi = "Text"
        free, meta = split_description(text_of(v, "Description"))
        type_ = meta.get("type") if meta.get("type") in ("nominal", "ordinal", "numeric",
                                                         "date", "boolean") else None
        if type_ and TO_ATTRIBUTE[refi.lower()] != type_ and not (
                type_ == "ordinal" and refi == "Text"):
            type_ = None                     # the metadata line contradicts the REFI type
        out.append(dict(guid=g, key=guid_key(g), name=name, refi_type=refi,
                        type=type_ or TO_ATTRIBUTE[refi.lower()],
                        levels=list(meta.get("levels") or []), description=free, position=i,
                        of=meta.get("of")))
    return out


def read_value(vv) -> tuple[str | None, str, str] | None:
    """(variable key, value tag, text) of a ``<VariableValue>``; None without a value."""
    ref = kid(vv, "VariableRef")
    key = guid_key(ref.get("targetGUID")) if ref is not None else None
    for tag in VALUE_TAGS:
        el = kid(vv, tag)
        if el is not None:
            return key, tag, (el.text or "").strip()
    return None


def coerce(attr: dict, tag: str, text: str) -> tuple[str | None, float | None]:
    """The (text, number) stored for a file value in an attribute of ``attr["type"]``;
    ValueError (its message says why) when the value contradicts that type.  Values are
    read by the one definition of yes/no words, numbers and dates
    (:mod:`workbench.values`, :func:`workbench.tables.typed_value`)."""
    from workbench.tables import typed_value

    type_, levels = attr["type"], tuple(attr.get("levels") or ())
    if text == "":
        return None, None
    if tag == "BooleanValue":
        flag = parse_bool(text)
        if flag is None:
            raise ValueError(_("is not a yes/no value"))
        if type_ in ("boolean", "nominal"):
            return ("oui" if flag else "non"), (float(flag) if type_ == "boolean" else None)
        raise ValueError(_("a yes/no value does not fit a {type} attribute").format(
            type=pgettext("attribute type", type_)))
    if tag in ("IntegerValue", "FloatValue"):
        num = parse_number(text)
        if num is None:
            raise ValueError(_("is not a number"))
        canonical = str(int(num)) if num.is_integer() else repr(num)
        if type_ == "numeric":
            return canonical, num
        if type_ == "nominal":
            return text, None
        if type_ == "boolean" and num in (0.0, 1.0):
            return ("oui" if num else "non"), num
        if type_ == "ordinal" and canonical in levels:
            return canonical, float(levels.index(canonical) + 1)
        raise ValueError(_("a number does not fit a {type} attribute").format(
            type=pgettext("attribute type", type_)))
    if tag in ("DateValue", "DateTimeValue"):
        d = parse_date(text)
        if d is None:
            raise ValueError(_("is not a date"))
        if type_ == "date":
            return d.iso(), d.number()
        if type_ == "nominal":
            return text, None
        raise ValueError(_("a date does not fit a {type} attribute").format(
            type=pgettext("attribute type", type_)))
    return typed_value(text, Attribute(attr.get("name") or "", type_, levels))


def same_value(a: tuple[str | None, float | None], b: tuple[str | None, float | None]) -> bool:
    if a[1] is not None and b[1] is not None:
        return abs(a[1] - b[1]) < 1e-9
    return (a[0] or None) == (b[0] or None)


# --------------------------------------------------------------------------- writing
def refi_type(attr: dict, values: list[dict]) -> str:
    kept = attr.get("exchange_type")
    if attr["type"] == "numeric":
        nums = [v["num"] for v in values if v["num"] is not None]
        integral = all(float(n).is_integer() for n in nums)
        if kept == "Float" or not integral:
            return "Float"
        return "Integer"
    if attr["type"] == "date":
        timed = any(v["value"] and "T" in v["value"] for v in values)
        return "DateTime" if (timed or kept == "DateTime") else "Date"
    if attr["type"] == "boolean":
        return "Boolean"
    return "Text"


def value_element(parent, refi: str, value: str | None, num: float | None) -> None:
    """One ``<…Value>`` for a stored (text, number) in a variable of type ``refi``."""
    if refi == "Integer" and num is not None and float(num).is_integer():
        etree.SubElement(parent, q("IntegerValue")).text = str(int(num))
    elif refi in ("Integer", "Float") and num is not None and num == num and abs(num) != float("inf"):
        etree.SubElement(parent, q("FloatValue")).text = format(Decimal(repr(float(num))), "f")
    elif refi == "Boolean" and num is not None:
        etree.SubElement(parent, q("BooleanValue")).text = "true" if num else "false"
    elif refi == "Date" and value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        etree.SubElement(parent, q("DateValue")).text = value
    elif refi == "DateTime" and value and re.fullmatch(
            r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?", value):
        day, _sep, time = value.partition("T")
        time = (time or "00:00") + (":00" if len(time or "00:00") == 5 else "")
        etree.SubElement(parent, q("DateTimeValue")).text = f"{day}T{time}"
    else:
        etree.SubElement(parent, q("TextValue")).text = value or ""


def write(ctx: WriteCtx) -> dict[str, str]:
    """``<Variables>``: participant attributes and the document variables kept from
    another tool; returns variable name -> REFI type."""
    store = ctx.store
    attrs = store.export_attributes()
    values: dict[str, list[dict]] = {}
    for v in store.export_participant_values():
        values.setdefault(v["attribute"], []).append(v)
    known = store.exchange_guids("attribute")
    fields = store.exchange_fields("variable")
    docdefs = [a for a in store.field_defs("document") if not a.private]
    kept_doc = {v.get("name"): v for v in store.exchange_fields("docfield").values()}
    doc_values: dict[str, list[dict]] = {}
    for r in store.field_value_rows("document"):
        doc_values.setdefault(r["field"], []).append(r)
    casedefs = [a for a in store.field_defs("case") if not a.private]
    kept_case = {v.get("name"): v for v in store.exchange_fields("casefield").values()}
    case_values: dict[str, list[dict]] = {}
    for r in store.export_case_values():
        case_values.setdefault(r["field"], []).append({"value": r["value"], "num": r["num"]})
    types: dict[str, str] = {}
    if not attrs and not docdefs and not casedefs:
        return types
    variables = etree.SubElement(ctx.root, q("Variables"))
    for a in attrs:
        guid = known.get(a["name"]) or ctx.derived("attribute", a["name"])
        ctx.var_guid[a["name"]] = guid
        types[a["name"]] = refi = refi_type(a, values.get(a["name"], []))
        el = etree.SubElement(variables, q("Variable"), guid=guid, name=a["name"],
                              typeOfVariable=refi)
        free = fields.get(guid.lower(), {}).get("Description")
        etree.SubElement(el, q("Description")).text = join_description(
            free, {"type": a["type"], "levels": json.loads(a["levels"] or "[]")})
        ctx.exported_guids.add(guid.lower())
    # typed fields of documents and of cases (sites, organisations): variables of sources
    # and of cases, each with the REFI type its values fit and its Workbench type kept
    for kind, of, defs, kept_by_name, field_values in (
            ("doc", "documents", docdefs, kept_doc, doc_values),
            ("case", "cases", casedefs, kept_case, case_values)):
        for a in defs:
            kept = kept_by_name.get(a.name, {})
            guid = kept.get("guid") or ctx.derived(f"{kind}field", a.name)
            ctx.var_guid[f"{kind}:{a.name}"] = guid
            types[f"{kind}:{a.name}"] = refi = refi_type(
                {"type": a.type, "exchange_type": kept.get("refi_type")},
                field_values.get(a.name, []))
            el = etree.SubElement(variables, q("Variable"), guid=guid, name=a.name,
                                  typeOfVariable=refi)
            etree.SubElement(el, q("Description")).text = join_description(
                fields.get(guid.lower(), {}).get("Description"),
                {"type": a.type, "levels": list(a.levels), "of": of})
            ctx.exported_guids.add(guid.lower())
    return types


# --------------------------------------------------------------------------- import
def merge(ctx: ImportCtx) -> None:
    """Variables of cases become attributes (matched by the GUID a previous import
    kept, then by name; the project's type wins, a different type is a conflict);
    variables only sources use are kept as document variables."""
    store = ctx.store
    content = ctx.content
    case_vars = {v[0] for c in content.cases for v in c["values"]}
    source_vars = {v[0] for s in content.sources for v in s["values"]}
    existing = store.attribute_rows()
    owners = {g.lower(): name for name, g in store.exchange_guids("attribute").items()}
    position = max((a["position"] for a in existing.values()), default=-1) + 1
    for var in content.variables:
        if (var["key"] in source_vars or var["of"] == "documents") and \
                var["key"] not in case_vars:
            _merge_document_field(ctx, var)
            continue
        if var["of"] == "cases":
            _merge_case_field(ctx, var)
            continue
        name = owners.get(var["key"])
        row = existing.get(name) if name else existing.get(var["name"])
        if row is not None:
            ctx.report.matched["attributes"] += 1
            if row["type"] != var["type"]:
                ctx.conflict(f"attribute:{row['name']}:type", "attribute", row["name"], "type",
                             row["type"], var["type"], choices=("ours",),
                             reason=_("the project's attribute types are kept"))
            elif not row["exchange_type"]:
                store.exchange_update("attributes", row["name"],
                                      {"exchange_type": var["refi_type"]})
            if row["name"] not in store.exchange_guids("attribute"):
                store.set_exchange_guid("attribute", row["name"], var["guid"])
            attr = dict(name=row["name"], type=row["type"],
                        levels=json.loads(row["levels"] or "[]"))
        else:
            store.exchange_insert("attributes", dict(
                name=var["name"], type=var["type"],
                levels=json.dumps(var["levels"], ensure_ascii=False), position=position,
                private=0, exchange_type=var["refi_type"]))
            store.set_exchange_guid("attribute", var["name"], var["guid"])
            position += 1
            ctx.report.new["attributes"] += 1
            attr = dict(name=var["name"], type=var["type"], levels=var["levels"])
            existing[var["name"]] = dict(attr, position=position, exchange_type=var["refi_type"],
                                         levels=json.dumps(var["levels"]), private=0)
        if var["description"]:
            store.set_exchange_fields("variable", var["guid"], {"Description": var["description"]})
        ctx.attributes[var["key"]] = attr
        ctx.report.map("attribute", var["key"], attr["name"])


def _merge_case_field(ctx: ImportCtx, var: dict) -> None:
    """A variable of Workbench's cases (sites, organisations): a typed case field
    (matched by name; the project's type wins)."""
    store = ctx.store
    defs = {a.name: a for a in store.field_defs("case")}
    row = defs.get(var["name"])
    if row is not None:
        ctx.report.matched["attributes"] += 1
        if row.type != var["type"]:
            ctx.conflict(f"case field:{row.name}:type", "case field", row.name, "type",
                         row.type, var["type"], choices=("ours",),
                         reason=_("the project's field types are kept"))
        attr = dict(name=row.name, type=row.type, levels=list(row.levels), case=True)
    else:
        new = Attribute(var["name"], var["type"], tuple(var["levels"]),
                        max((a.position for a in defs.values()), default=-1) + 1, False)
        with store.transaction() as c:
            store.write_field_defs(c, "case", [new])
        ctx.report.new["attributes"] += 1
        attr = dict(name=var["name"], type=var["type"], levels=var["levels"], case=True)
    store.set_exchange_fields("casefield", var["guid"], {
        "guid": var["guid"], "name": attr["name"], "refi_type": var["refi_type"]})
    if var["description"]:
        store.set_exchange_fields("variable", var["guid"], {"Description": var["description"]})
    ctx.attributes[var["key"]] = attr


def _merge_document_field(ctx: ImportCtx, var: dict) -> None:
    """A variable of sources: a typed document field (matched by name; the project's
    type wins)."""
    store = ctx.store
    defs = {a.name: a for a in store.field_defs("document")}
    row = defs.get(var["name"])
    if row is not None:
        ctx.report.matched["attributes"] += 1
        if row.type != var["type"]:
            ctx.conflict(f"document field:{row.name}:type", "document field", row.name, "type",
                         row.type, var["type"], choices=("ours",),
                         reason=_("the project's field types are kept"))
        attr = dict(name=row.name, type=row.type, levels=list(row.levels), document=True)
    else:
        new = Attribute(var["name"], var["type"], tuple(var["levels"]), len(defs), False)
        with store.transaction() as c:
            store.write_field_defs(c, "document", [new])
        ctx.report.new["attributes"] += 1
        attr = dict(name=var["name"], type=var["type"], levels=var["levels"], document=True)
    store.set_exchange_fields("docfield", var["guid"], {
        "guid": var["guid"], "name": attr["name"], "refi_type": var["refi_type"]})
    if var["description"]:
        store.set_exchange_fields("variable", var["guid"], {"Description": var["description"]})
    ctx.attributes[var["key"]] = attr
