"""Seed the default review and approval flow (thẩm định, duyệt) — quy chế làm việc [U], editable."""

from django.db import migrations


def seed(apps, schema_editor):
    from vanphong.catalogs.seed import seed_review_steps

    seed_review_steps(apps)


class Migration(migrations.Migration):
    dependencies = [("catalogs", "0003_reviewstep")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
