"""Client playbooks (the technical assignment): file format, validation with line numbers, export.

The modules here are pure: they import neither Flask nor the database, so the rules they
enforce are tested with plain values. `schema` holds the models, `fields` the constrained
scalar types, `checks` the cross-field rules, `loader` maps every problem to a file line,
`export` writes the canonical file back, `cli` exposes `repapp playbook validate`.
"""
