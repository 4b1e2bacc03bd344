# ruff: noqa: E501 - the text is data: one paragraph per line, as it is shown.
"""The patient information text shown at consent (clinical-reference §6), version 1.

Plain language, one page. Each consent keeps the version it showed; a changed text is a new
version (a new row), never an edit of a text a patient has already signed against."""

TOPIC = "vertebroplasty"
VERSION_1_TITLE = "Vertebroplasty: information for you"
VERSION_1_BODY = """\
What it is. Vertebroplasty treats a painful broken bone in your back (a compression fracture of a vertebra). The doctor injects medical bone cement into the broken bone through a thin needle, guided by live X-ray. The cement hardens within minutes and steadies the bone.

Why it is offered. Vertebrae can break because the bones are thin (osteoporosis), because of a tumour, or after an injury. Most fractures heal with rest, pain medicine and physiotherapy. Vertebroplasty is offered when the pain stays bad despite that care.

The day of the procedure.
- Preparation: you lie on your front. The skin is numbed and you get medicine to help you relax.
- Live X-ray: the doctor guides the needle into the broken bone.
- Cement: a small amount of cement is injected. It hardens in minutes.
- Rest: you lie still for a few hours while we watch you. Most people go home the same day.

What it may do for you. Many people have less pain, often quickly. Moving and exercise get easier and they need less pain medicine. Some studies compared it with a pretend (sham) procedure and found smaller differences, so your doctor will talk with you about what to expect.

The risks.
- Cement can leak out of the bone. Most leaks cause no problem; fewer than 1 in 100 press on a nerve.
- A little cement can travel to the lungs. Scans find this in about 2 in 100 people; most never notice it.
- Infection, bleeding, and allergy to the cement or the X-ray dye are possible but rare.
- Another bone in your back can break later: about 13 in 100 people.
- The X-rays are a small dose of radiation.

After the procedure. Do light activities in the first 24 to 48 hours. Follow your pain plan and your exercise programme. Treatment for your bones (for osteoporosis) helps prevent new fractures. We will see you again at your follow-up visits.

Get help urgently if you notice new weakness or numbness in your legs, loss of control of your bladder or bowel, chest pain or breathlessness, a fever, or problems with the needle wound.
"""


def install_version_1(model: type) -> object:
    """The version-1 text (for migrations and for tests that flush the tables)."""
    import datetime as dt

    return model.objects.get_or_create(  # type: ignore[attr-defined]
        topic=TOPIC,
        version=1,
        defaults={
            "title": VERSION_1_TITLE,
            "body": VERSION_1_BODY,
            "published_on": dt.date(2026, 11, 24),
        },
    )[0]
