"""A batchable visitor whose method lookup is computed once per class.

libcst's `BatchableCSTVisitor.get_visitors` runs `inspect.getmembers` over the ~900
stub methods of every visitor instance, for every file. With one instance per rule
per file that lookup cost as much as all the rules' own work together, so the names
of the real `visit_*`/`leave_*` methods are cached per class instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import libcst as cst
from libcst._batched_visitor import VisitorMethod


class BatchedVisitor(cst.BatchableCSTVisitor):
    """Base of every visitor the runner batches (rules and scope trackers)."""

    _visitor_names: ClassVar[dict[type, tuple[str, ...]]] = {}

    def get_visitors(self) -> Mapping[str, VisitorMethod]:
        """The non-stub `visit_*`/`leave_*` methods of this visitor, bound to it."""
        cls = type(self)
        names = BatchedVisitor._visitor_names.get(cls)
        if names is None:
            names = tuple(
                name
                for name in dir(cls)
                if name.startswith(("visit_", "leave_"))
                and callable(getattr(cls, name))
                and not getattr(getattr(cls, name), "_is_no_op", False)
            )
            BatchedVisitor._visitor_names[cls] = names
        return {name: getattr(self, name) for name in names}
