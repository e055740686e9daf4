"""defense-kg: articles about bilateral defense relations -> an RDF knowledge graph."""

__version__ = "0.1.0"
