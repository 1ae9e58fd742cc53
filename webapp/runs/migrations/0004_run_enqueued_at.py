from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("runs", "0003_run_sweep_trials"),
    ]

    operations = [
        migrations.AddField(
            model_name="run",
            name="enqueued_at",
            field=models.DateTimeField(
                blank=True, help_text="when its task was last sent to the broker (webapp/runs/reconcile.py)", null=True
            ),
        ),
    ]
