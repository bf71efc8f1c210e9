"""Seed the catalogues (document types, authority matrix, urgency, secrecy, retention, holidays, 2025 swaps)."""

from django.db import migrations


def seed(apps, schema_editor):
    from vanphong.catalogs.seed import seed_catalogs

    seed_catalogs(apps)


class Migration(migrations.Migration):
    dependencies = [("catalogs", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
