"""How each độ mật is handled: storable on an Internet-connected system, encrypted at rest, digitised."""

from django.db import migrations


def seed(apps, schema_editor):
    from vanphong.catalogs.seed import seed_secrecy_handling

    seed_secrecy_handling(apps)


class Migration(migrations.Migration):
    dependencies = [("catalogs", "0005_secrecy_handling")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
