from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "vertebra.clinic"
    label = "clinic"
    verbose_name = "Vertebra clinic (composition)"

    def ready(self) -> None:
        # The composition wires the sibling apps: the pre-procedure checklist reads the
        # referral's booked procedure from scheduling (docs/booking.md, "The checklist").
        from vertebra.procedures.checklist import register_booking_reader
        from vertebra.scheduling.selectors import referral_procedure_booking

        register_booking_reader(referral_procedure_booking)

        # The procedure record finds its booking through the composition (booking_link.py).
        from vertebra.clinic.booking_link import procedure_booking
        from vertebra.procedures.record.booking import register_booking_lookup

        register_booking_lookup(procedure_booking)
