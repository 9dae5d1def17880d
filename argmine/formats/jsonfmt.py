"""argmine's own JSON: :meth:`Document.to_dict` as text, and its published JSON Schema.

The schema (JSON Schema draft 2020-12) ships inside the package as
``argmine/schema/document.schema.json``, so other tools can validate argmine's output
without argmine; :func:`schema` loads it. The module is named ``jsonfmt`` so that it
never shadows the standard library's :mod:`json`.

Example:
    >>> from argmine import Document
    >>> doc = Document.build("Act now. It is late.",
    ...                      spans=[(0, 8, "conclusion"), (9, 20, "premise")],
    ...                      links=[(1, 0, "support")])
    >>> Document.from_json(to_json(doc)) == doc
    True
    >>> schema()["$schema"]
    'https://json-schema.org/draft/2020-12/schema'
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from argmine.document import Document

__all__ = ["SCHEMA_FILE", "schema", "to_json"]

#: Where the schema lies, relative to the ``argmine`` package.
SCHEMA_FILE = "schema/document.schema.json"


def to_json(doc: Document, *, indent: int | None = 2) -> str:
    """``doc`` as JSON text in argmine's schema, UTF-8 characters kept, newline-terminated.

    Example:
        >>> from argmine import Document
        >>> to_json(Document("Hi."), indent=None)[-30:]
        '"units": [], "relations": []}\\n'
    """
    return doc.to_json(indent=indent) + "\n"


def schema() -> dict[str, Any]:
    """The JSON Schema of :meth:`Document.to_dict`'s layout, as a fresh dict.

    Example:
        >>> sorted(schema()["required"])
        ['id', 'metadata', 'relations', 'schema_version', 'text', 'units']
    """
    with resources.files("argmine").joinpath(SCHEMA_FILE).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data
