"""Staff pages for patients and referrals. Thin: parse, check permission, call a service or
selector, render. Domain errors become messages next to the fields; nothing is half-saved.

lists.py (worklist, search), patient.py, referral.py, assessment.py (assessment and
antithrombotics), fracture.py; editing.py holds what they share. The chart is in
vertebra/clinic/chart/ (it reads every stage of the pathway).
"""
