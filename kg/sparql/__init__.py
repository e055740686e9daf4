"""SPARQL text handling: the lexer, the parsed-query safety wall and the sandbox queries run in.

- :mod:`kg.sparql.lexer` splits SPARQL into the tokens that may hide syntax (IRIs, strings,
  comments, names) and measures nesting.
- :mod:`kg.sparql.subset` parses the local, read-only sub-grammar of SPARQL 1.1 queries
  (no ``SERVICE``, ``GRAPH``, ``FROM``, no update): a query it accepts is safe by its parse.
- :mod:`kg.sparql.safety` parses any query or update with a complete SPARQL 1.1 parser
  (rdflib's, to the algebra) and refuses, on the parsed form, everything that could reach
  the network or a graph outside this project. Nothing is evaluated to decide.
- :mod:`kg.sparql.sandbox` runs the complete check and the embedded store's queries in a
  child process with a time limit, a memory limit, no network (a new network namespace where
  the OS allows it) and a tie to its parent, so that the child dies with it.
- :mod:`kg.sparql.text` edits text (escapes, masking, binding parameters as ``VALUES``).
"""
