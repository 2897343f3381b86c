"""Frozen dataclasses as plain JSON and back: any frozen dataclass of str / int / bool / None /
Decimal / date / datetime / tuples / dicts / nested dataclasses goes to plain JSON data and back
to an equal object, guided by the dataclass's type hints (Decimals as strings, so 92000.000000
stays exactly that). What a held session's snapshot stores (metrics.selectors.snapshots) and
every reader of a part of it (threads, the session's pages) turns back into objects.

Imports nothing of metrics, so any selector can use it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from functools import cache


def to_data(value):
    """A dataclass (or anything inside one) as JSON-ready data."""
    convert = _TO_DATA.get(value.__class__)
    if convert is None:
        convert = _to_data_converter(value.__class__)
    return convert(value)


# How each class is turned into data, found once per class: the generic test of each value
# (is it a dataclass? which fields?) was most of holding a session at scale 100, where a
# snapshot is ~2M values.
_TO_DATA: dict = {}
_PLAIN = (str, int, bool, float, type(None))


def _to_data_converter(cls):
    if dataclasses.is_dataclass(cls):
        convert = _dataclass_converter(cls)
    elif issubclass(cls, tuple | list):

        def convert(value):
            return [
                item
                if item.__class__ in _PLAIN
                else (_TO_DATA.get(item.__class__) or _to_data_converter(item.__class__))(item)
                for item in value
            ]

    elif issubclass(cls, dict):

        def convert(value):
            return {str(key): to_data(item) for key, item in value.items()}

    elif issubclass(cls, Decimal):
        convert = str
    elif issubclass(cls, datetime | date):
        convert = cls.isoformat
    else:

        def convert(value):
            return value

    _TO_DATA[cls] = convert
    return convert


def _dataclass_converter(cls):
    """One function per dataclass that builds its dict in one expression: a field declared as
    a date or a Decimal (or None) is converted in place, a plain one copied, anything else
    goes through to_data (and so does a value whose class is not the declared one)."""
    hints = _hints(cls)
    items = []
    for index, field in enumerate(dataclasses.fields(cls)):
        kinds = _declared_kinds(hints.get(field.name))
        item = f"(v{index} := value.{field.name})"
        if kinds and kinds <= {str, int, bool, float}:
            expression = f"v{index} if {item}.__class__ in _PLAIN else to_data(v{index})"
        elif kinds == {date}:
            expression = f"v{index}.isoformat() if {item}.__class__ is date else to_data(v{index})"
        elif kinds == {Decimal}:
            expression = f"str(v{index}) if {item}.__class__ is Decimal else to_data(v{index})"
        else:
            expression = f"to_data(value.{field.name})"
        items.append(f"{field.name!r}: ({expression})")
    source = "def convert(value):\n    return {" + ", ".join(items) + "}\n"
    namespace = {"_PLAIN": _PLAIN, "date": date, "Decimal": Decimal, "to_data": to_data}
    exec(source, namespace)  # noqa: S102 - built from the dataclass's own field names
    return namespace["convert"]


def _declared_kinds(hint) -> set | None:
    """The classes a field's type hint allows besides None, or None when it is not simple."""
    if hint is None:
        return None
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    options = typing.get_args(hint) if union else (hint,)
    kinds = {option for option in options if option is not type(None)}
    return kinds if all(isinstance(kind, type) for kind in kinds) else None


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def from_data(kind, data):
    """The object of type `kind` that to_data() turned into `data`."""
    origin = typing.get_origin(kind)
    if origin is not None and (convert := _FROM_GENERIC.get(origin)) is not None:
        return convert(kind, data)
    if dataclasses.is_dataclass(kind):
        return _dataclass_from_data(kind, data)
    if data is None:
        return None
    convert = _FROM_TEXT.get(kind)
    return data if convert is None else convert(data)


def _union_from_data(kind, data):
    """`X | None`: None, or the first of its other options."""
    options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
    if data is None:
        return None
    return from_data(options[0], data)


def _tuple_from_data(kind, data) -> tuple:
    args = typing.get_args(kind)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(from_data(args[0], item) for item in data)
    return tuple(from_data(arg, item) for arg, item in zip(args, data, strict=True))


def _dict_from_data(kind, data) -> dict:
    key_kind, value_kind = typing.get_args(kind)
    return {from_data(key_kind, key): from_data(value_kind, item) for key, item in data.items()}


def _dataclass_from_data(kind, data):
    hints = _hints(kind)
    return kind(
        **{
            f.name: from_data(hints[f.name], data[f.name])
            for f in dataclasses.fields(kind)
            if f.init and f.name in data
        }
    )


# How from_data reads the value of a generic type, by its origin.
_FROM_GENERIC = {
    typing.Union: _union_from_data,
    types.UnionType: _union_from_data,
    tuple: _tuple_from_data,
    dict: _dict_from_data,
}
# The plain types stored as text (or a number that may need to be an int), and how each is
# read back; any other plain value is stored as it is.
_FROM_TEXT = {
    Decimal: Decimal,
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    int: int,
}
