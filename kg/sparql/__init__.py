"""SPARQL text handling: the parsed-query safety wall and the sandbox queries run in.

- :mod:`kg.sparql.safety` parses a query or update with a real SPARQL 1.1 parser (rdflib's,
  to the algebra) and refuses, on the parsed form, everything that could reach the network or
  a graph outside this project. Nothing is evaluated to decide.
- :mod:`kg.sparql.sandbox` runs the check and the query in a child process with a time limit,
  a memory limit, no network (a new network namespace where the OS allows it) and a tie to
  its parent, so that the child dies with it.
"""
