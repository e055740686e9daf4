"""defense-kg: articles about bilateral defense relations -> an RDF knowledge graph."""

from kg import native as _native

__version__ = "0.1.0"

_native.activate()  # the compiled kg/extract, when built and current (see kg/native.py)
