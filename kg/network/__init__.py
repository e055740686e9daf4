"""Network views of the knowledge graph (networkx) and the analyses run on them.

>>> from kg.network import view, centrality  # doctest: +SKIP
>>> rows = centrality(view(store, "states"))  # doctest: +SKIP
"""

from kg.network.analysis import (
    FORMATS,
    centrality,
    communities,
    format_rows,
    neighbors,
    shortest_path,
    simple_undirected,
    timeline,
)
from kg.network.dates import date_key
from kg.network.views import (
    EVENT_TYPES,
    NODE_TYPES,
    NetworkError,
    article_view,
    ego_view,
    full_view,
    officials_view,
    resolve,
    states_view,
    view,
    vocabulary,
)

__all__ = [
    "EVENT_TYPES",
    "FORMATS",
    "NODE_TYPES",
    "NetworkError",
    "article_view",
    "centrality",
    "communities",
    "date_key",
    "ego_view",
    "format_rows",
    "full_view",
    "neighbors",
    "officials_view",
    "resolve",
    "shortest_path",
    "simple_undirected",
    "states_view",
    "timeline",
    "view",
    "vocabulary",
]
