from django.db import migrations


class Migration(migrations.Migration):
    """
    Index runs by (job, id desc) so "latest run of each job" (Marquez job and lineage responses) is one index
    probe per job. Declared in SQL because ``Run`` belongs to the foundation's ``graph.py``; move it into
    ``Run.Meta.indexes`` (with ``SeparateDatabaseAndState``) when that file is next touched.
    """

    dependencies = [
        ("lineage", "0002_openlineage"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX IF NOT EXISTS lineage_run_job_latest_idx ON lineage_run (job_id, id DESC)",
            reverse_sql="DROP INDEX IF EXISTS lineage_run_job_latest_idx",
        ),
    ]
