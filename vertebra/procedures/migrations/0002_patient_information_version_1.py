"""The first version of the patient information text (clinical-reference §6)."""

from django.db import migrations

from vertebra.procedures.information import install_version_1


def add_version_1(apps, schema_editor):
    install_version_1(apps.get_model("procedures", "PatientInformation"))


class Migration(migrations.Migration):
    dependencies = [("procedures", "0001_initial")]

    operations = [migrations.RunPython(add_version_1, migrations.RunPython.noop)]
