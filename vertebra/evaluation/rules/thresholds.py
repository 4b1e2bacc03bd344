"""Fixed thresholds the reference states without a "(check)" mark, named once with their source.

Values marked "(check)" or disputed between sources are settings instead (settings.py).
"""

from __future__ import annotations

# §2.3 IND-PAIN-SEVERITY [LCD], [CCP2018], [SIR2014]
NRS_SEVERE = 8  # met in or out of hospital; the inpatient threshold
NRS_OUTPATIENT = 5  # met when not hospitalized
# §2.3 IND-PAIN-COURSE [LCD], [CCP2018], [SIR2014]
COURSE_NRS = 5  # stable pain needs at least this NRS
COURSE_ITEMS_NEEDED = 2
RMDQ_ITEM_ABOVE = 17  # RMDQ > 17 [RMDQ1983 scale]
HEIGHT_ITEM_GRADE = 2  # "height loss > 25 %" is Genant grade ≥ 2 [GENANT1993]
# §2.3 RC-AGE-UNDER-18
ADULT_AGE = 18
# §2.4 RC-LEVELS [LCD]
MAX_LEVELS_PER_SESSION = 3
# §2.5 PRE-PREGNANCY-TEST: test below this age when pregnancy is unknown
PREGNANCY_TEST_BELOW_AGE = 55
# §2.6 [PCE2021]: ≥ 3 treated levels; procedure < 2 weeks after the fracture
EMBOLISM_LEVELS = 3
RECENT_FRACTURE_DAYS = 14
# §3.4 SINS bands [SINS2010]: 0–6 stable, 7–12 indeterminate, 13–18 unstable; ≥ 7 surgical consult
SINS_STABLE_MAX = 6
SINS_INDETERMINATE_MAX = 12
SINS_CONSULT = 7
# §3.5 [CCP2018]: 0–3 low, 4–6 intermediate, ≥ 7 high
VCF_LOW_MAX = 3
VCF_INTERMEDIATE_MAX = 6
