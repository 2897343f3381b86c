"""DRF serializers derived from frozen dataclasses, so a document typed once in a selector
(metrics.selectors.deck.Deck) is not restated field by field for the API and its OpenAPI
schema.

dataclass_serializer(cls, shapes) walks dataclasses.fields() and the type hints once:
str / int / bool / Decimal, `X | None` (nullable), tuple[X, ...] (a list), nested dataclasses
(their own serializer, one class per dataclass so the schema names one component each).
A Shape says what the type hints cannot: fields left out of the document, properties added
to it, where a field is printed when not in declaration order, help texts and choices.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from decimal import Decimal

from rest_framework import serializers


@dataclasses.dataclass(frozen=True)
class Shape:
    exclude: tuple[str, ...] = ()
    # Properties printed as fields (typed by their return annotation), after the fields.
    properties: tuple[str, ...] = ()
    # field -> the field it is printed right after, for documents whose key order predates
    # the dataclass's field order (clients and ETags see the bytes).
    after: dict[str, str] = dataclasses.field(default_factory=dict)
    help_texts: dict[str, str] = dataclasses.field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


def _field_for(kind, shapes, **kwargs) -> serializers.Field:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        (option,) = options
        return _field_for(option, shapes, allow_null=True, **kwargs)
    if origin is tuple:
        item, ellipsis = typing.get_args(kind)
        assert ellipsis is Ellipsis, kind
        if dataclasses.is_dataclass(item):
            return dataclass_serializer(item, shapes)(many=True, **kwargs)
        return serializers.ListField(child=_field_for(item, shapes), **kwargs)
    if dataclasses.is_dataclass(kind):
        return dataclass_serializer(kind, shapes)(**kwargs)
    if kind is bool:
        return serializers.BooleanField(**kwargs)
    if kind is datetime:
        return serializers.DateTimeField(**kwargs)
    if kind is int:
        return serializers.IntegerField(**kwargs)
    if kind is Decimal:
        # Six places, as the observations store them: 92000 prints "92000.000000".
        return serializers.DecimalField(max_digits=20, decimal_places=6, **kwargs)
    if kind is str:
        if "choices" in kwargs:
            return serializers.ChoiceField(**kwargs)
        return serializers.CharField(**kwargs)
    raise TypeError(f"No serializer field for {kind!r}")


_serializers: dict[type, type[serializers.Serializer]] = {}


def dataclass_serializer(cls, shapes: dict[type, Shape]) -> type[serializers.Serializer]:
    """The read-only serializer of dataclass `cls` (and of the dataclasses inside it), named
    `<cls>Serializer`; `shapes` holds the Shape of each class that needs one."""
    if cls in _serializers:
        return _serializers[cls]
    shape = shapes.get(cls, Shape())
    hints = typing.get_type_hints(cls)
    kinds = {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.name not in shape.exclude}
    for name in shape.properties:
        kinds[name] = typing.get_type_hints(getattr(cls, name).fget)["return"]
    order = [name for name in kinds if name not in shape.after]
    for name, before in shape.after.items():
        order.insert(order.index(before) + 1, name)
    declared = {}
    for name in order:
        kwargs = {}
        if name in shape.help_texts:
            kwargs["help_text"] = shape.help_texts[name]
        if name in shape.choices:
            kwargs["choices"] = list(shape.choices[name])
        declared[name] = _field_for(kinds[name], shapes, **kwargs)
    serializer = type(f"{cls.__name__}Serializer", (serializers.Serializer,), declared)
    _serializers[cls] = serializer
    return serializer
