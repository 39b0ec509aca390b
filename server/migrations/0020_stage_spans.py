from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# What each move's successors say, worked out for the moves already there
# (`lead_store.settle_stage_history` keeps them from now on): the same
# statement as the settling, over every lead.
_LATER = (
    "n.lead_id = stage_change.lead_id AND (n.at > stage_change.at "
    "OR (n.at = stage_change.at AND n.id > stage_change.id))"
)
_SETTLE = (
    "UPDATE stage_change SET "
    f"left_at = (SELECT MIN(n.at) FROM stage_change n WHERE {_LATER}), "
    "advanced = EXISTS (SELECT 1 FROM stage_change n "
    f"WHERE {_LATER} AND n.to_stage = CASE stage_change.to_stage "
    "WHEN 'MQL' THEN 'SAL' WHEN 'SAL' THEN 'SQL' WHEN 'SQL' THEN 'OPPORTUNITY' "
    "WHEN 'OPPORTUNITY' THEN 'WON' END)"
)


class Migration(migrations.Migration):
    dependencies = [('models', '0019_chain_figures')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StageChange',
            name='left_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='StageChange',
            name='advanced',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunSQL([_SETTLE], reverse_sql=ops.RunSQL.noop),
        # Conversion reads the entries into a stage in a period with their
        # flag from the index alone. It starts as the index it replaces did.
        ops.RemoveIndex(model_name='StageChange', name='stage_change_entries'),
        ops.AddIndex(
            model_name='StageChange',
            index=Index(
                fields=(
                    'to_stage', 'at', 'lead_id', 'via', 'qualified_by',
                    'persona_id', 'advanced',
                ),
                name='stage_change_entries',
            ),
        ),
        # The funnel at an instant: the moves standing then are the lead's
        # last moves made before it (standing) and the moves made before it
        # that were left at or after it. Same SQL on SQLite and PostgreSQL.
        ops.RunSQL(
            [
                "CREATE INDEX stage_change_standing ON stage_change (to_stage, at) "
                "WHERE left_at IS NULL",
                "CREATE INDEX stage_change_left ON stage_change "
                "(left_at, at, to_stage) WHERE left_at IS NOT NULL",
            ],
            reverse_sql=[
                "DROP INDEX stage_change_standing",
                "DROP INDEX stage_change_left",
            ],
        ),
    ]
