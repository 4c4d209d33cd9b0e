"""Type aliases shared by the query engine's signatures."""
from __future__ import annotations

from typing import Sequence, Union

#: which coders' codings count: None (every coder, merged), a name, names, or
#: :data:`workbench.domain.CONSENSUS_CODER`
Coders = Union[str, Sequence[str], None]
#: codes by id or path ("Parent/Child"); None for every code
CodeRefs = Union[Sequence[Union[int, str]], None]
#: the actors triangulation compares, in its columns' order
TRIANGULATED_ACTORS = ("beneficiary", "trainer", "operator")
