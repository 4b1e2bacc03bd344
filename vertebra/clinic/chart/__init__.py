"""The patient's chart: the staff page that shows every stage of the pathway for one patient.

It reads the tables of patients, evaluation, procedures and audit, so it belongs above them all,
in the composition (docs/architecture.md, "Layers"); the patients app keeps its own pages.
"""
