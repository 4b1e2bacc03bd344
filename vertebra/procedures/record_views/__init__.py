"""Procedure record pages: the gate ("start procedure", start.py), the record with one form per
section (page.py), its sections and entries, signing and addenda (edits.py), the report (HTML and
PDF) and the discharge instructions (PDF) (reports.py).

Thin: each POST parses one form, calls one service and redirects; a refusal re-renders the
record with the form's errors beside its fields (status 422) and nothing saved.
"""
