"""Source keys and their full citations (clinical-reference §1).

Every rule, threshold and score in this package cites one of these keys, in the code beside the
rule and in the finding's ``source`` field. The table is copied from the reference verbatim so the
UI can show the full citation next to a finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "LCD": (
            "US Medicare Local Coverage Determinations for Percutaneous Vertebral Augmentation, "
            "e.g. L38201, L34228, L33569, L34976, L38737, L38213 (CMS Medicare Coverage "
            "Database). The operational form of the 2018 care pathway."
        ),
        "CCP2018": (
            "Hirsch JA, Beall DP, Chambers MR, et al. Management of vertebral fragility "
            "fractures: a clinical care pathway developed by a multispecialty panel using the "
            "RAND/UCLA Appropriateness Method. Spine J 2018;18(11):2152–2161. "
            "doi:10.1016/j.spinee.2018.07.025"
        ),
        "SIR2014": (
            "Baerlocher MO, Saad WE, Dariushnia S, et al. Quality improvement guidelines for "
            "percutaneous vertebroplasty. J Vasc Interv Radiol 2014;25(2):165–170. "
            "doi:10.1016/j.jvir.2013.09.004"
        ),
        "ACRPP": (
            "ACR–ASNR–ASSR–SIR–SNIS Practice Parameter for the Performance of Vertebral "
            "Augmentation (revised 2017)."
        ),
        "CIRSE2017": (
            "Tsoumakidou G, Too CW, Koch G, et al. CIRSE guidelines on percutaneous vertebral "
            "augmentation. Cardiovasc Intervent Radiol 2017;40(3):331–342. "
            "doi:10.1007/s00270-017-1574-8"
        ),
        "SIR2019COAG": (
            "Patel IJ, Rahim S, Davidson JC, et al. SIR consensus guidelines for periprocedural "
            "management of thrombotic and bleeding risk, part II. J Vasc Interv Radiol "
            "2019;30(8):1168–1184.e1"
        ),
        "ASRA2018": (
            "Narouze S, Benzon HT, Provenzano D, et al. Interventional spine and pain procedures "
            "in patients on antiplatelet and anticoagulant medications (2nd ed.). Reg Anesth Pain "
            "Med 2018;43(3):225–262. doi:10.1097/AAP.0000000000000700"
        ),
        "GENANT1993": (
            "Genant HK, Wu CY, van Kuijk C, Nevitt MC. Vertebral fracture assessment using a "
            "semiquantitative technique. J Bone Miner Res 1993;8(9):1137–1148. "
            "doi:10.1002/jbmr.5650080915"
        ),
        "OF2018": (
            "Schnake KJ, Blattert TR, Hahn P, et al. Classification of osteoporotic "
            "thoracolumbar spine fractures. Global Spine J 2018;8(2S):46S–49S. "
            "doi:10.1177/2192568217717972"
        ),
        "OFSCORE2018": (
            "Blattert TR, Schnake KJ, Gonschorek O, et al. Nonsurgical and surgical management "
            "of osteoporotic vertebral body fractures: recommendations of the Spine Section of "
            "the DGOU. Global Spine J 2018;8(2S):50S–55S. doi:10.1177/2192568217745823"
        ),
        "SINS2010": (
            "Fisher CG, DiPaola CP, Ryken TC, et al. A novel classification system for spinal "
            "instability in neoplastic disease. Spine 2010;35(22):E1221–E1229. "
            "doi:10.1097/BRS.0b013e3181e16ae2 (validation: Fourney DR et al. J Clin Oncol "
            "2011;29:3072–3077)"
        ),
        "YEOM2003": (
            "Yeom JS, Kim WJ, Choy WS, et al. Leakage of cement in percutaneous transpedicular "
            "vertebroplasty. J Bone Joint Surg Br 2003;85(1):83–89. "
            "doi:10.1302/0301-620x.85b1.13026"
        ),
        "LEAK2017": (
            "Risk factors for cement leakage after vertebroplasty or kyphoplasty: a "
            "meta-analysis. World Neurosurg 2017;101:633–642. doi:10.1016/j.wneu.2017.01.124"
        ),
        "PCE2021": (
            "Pulmonary cement embolism after vertebral augmentation, CT-screened cohort. "
            "J Orthop Surg Res 2021. doi:10.1186/s13018-021-02472-9"
        ),
        "REFX2022": (
            "New vertebral fractures after vertebral augmentation, meta-analysis. J Orthop Surg "
            "Res 2022. doi:10.1186/s13018-022-03038-z"
        ),
        "SIRAE2017": (
            "Khalilzadeh O, Baerlocher MO, Shyn PB, et al. Proposal of a new adverse event "
            "classification by the SIR Standards of Practice Committee. J Vasc Interv Radiol "
            "2017;28(10):1432–1437.e3. doi:10.1016/j.jvir.2017.06.019"
        ),
        "CIRSEAE2017": (
            "Filippiadis DK, Binkert C, Pellerin O, et al. CIRSE quality assurance document and "
            "standards for classification of complications. Cardiovasc Intervent Radiol "
            "2017;40(8):1141–1146. doi:10.1007/s00270-017-1703-4"
        ),
        "RMDQ1983": (
            "Roland M, Morris R. A study of the natural history of back pain. Spine 1983;8:141–144."
        ),
        "ODI2000": (
            "Fairbank JC, Pynsent PB. The Oswestry Disability Index. Spine 2000;25(22):2940–2952."
        ),
        "MCID2008": (
            "Ostelo RW, Deyo RA, Stratford P, et al. Interpreting change scores for pain and "
            "functional status in low back pain. Spine 2008;33(1):90–94. "
            "doi:10.1097/BRS.0b013e31815e3a10"
        ),
        "CDC2022": (
            "Dowell D, Ragan KR, Jones CM, et al. CDC clinical practice guideline for prescribing "
            "opioids for pain, 2022. MMWR Recomm Rep 2022;71(RR-3). doi:10.15585/mmwr.rr7103a1"
        ),
        "WHO1994": (
            "WHO Study Group. Assessment of fracture risk and its application to screening for "
            "postmenopausal osteoporosis. Technical Report Series 843, 1994."
        ),
        "VERTOS2": (
            "Klazen CA, Lohle PN, de Vries J, et al. Lancet 2010;376:1085–1092. "
            "doi:10.1016/S0140-6736(10)60954-3"
        ),
        "VERTOS4": (
            "Firanescu CE, de Vries J, Lodder P, et al. BMJ 2018;361:k1551. doi:10.1136/bmj.k1551"
        ),
        "VAPOUR": (
            "Clark W, Bird P, Gonski P, et al. Lancet 2016;388:1408–1416. "
            "doi:10.1016/S0140-6736(16)31341-1"
        ),
        "INVEST": (
            "Kallmes DF, Comstock BA, Heagerty PJ, et al. N Engl J Med 2009;361:569–579. "
            "doi:10.1056/NEJMoa0900563"
        ),
        "BUCHBINDER2009": (
            "Buchbinder R, Osborne RH, Ebeling PR, et al. N Engl J Med 2009;361:557–568. "
            "doi:10.1056/NEJMoa0900429"
        ),
        "STECKER2009": (
            "Stecker MS, Balter S, Towbin RB, et al. Guidelines for patient radiation dose "
            "management. J Vasc Interv Radiol 2009;20(7S):S263–S273."
        ),
    }
)


def cite(*keys: str) -> str:
    """``cite("LCD", "SIR2014")`` → ``"[LCD], [SIR2014]"``; unknown keys fail at import time."""
    for key in keys:
        if key not in SOURCES:
            raise KeyError(f"unknown source key {key!r}")
    return ", ".join(f"[{key}]" for key in keys)
