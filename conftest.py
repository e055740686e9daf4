"""Collection rules for the whole tree (pyproject.toml's testpaths include kg/ for doctests).

kg/extract is not collected: when it is compiled (kg/native.py) its modules are imported from
the build, not from the files pytest would read, and it has no doctests to lose (a test in
tests/test_native.py checks that). Collecting the same things in both cases keeps the two runs
comparable.
"""

collect_ignore_glob = ["kg/extract/*"]
