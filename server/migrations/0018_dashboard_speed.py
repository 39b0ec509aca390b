from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0017_metrics_speed')]

    initial = False

    operations = [
        # The dashboard reads the moves into a stage in a period (qualified
        # leads, conversion) from the index alone: it carries what they count
        # and filter by. It starts as the index it replaces did.
        ops.RemoveIndex(model_name='StageChange', name='stage_change_to_at'),
        ops.AddIndex(
            model_name='StageChange',
            index=Index(
                fields=('to_stage', 'at', 'lead_id', 'via', 'qualified_by', 'persona_id'),
                name='stage_change_entries',
            ),
        ),
        # Each lead's history in order with its stages: the funnel at the
        # period's end (each lead's last move) and the moves after another
        # (conversion), read from the index alone. It starts as the index it
        # replaces did, so every read of a lead's history keeps its order.
        ops.RemoveIndex(model_name='StageChange', name='stage_change_lead'),
        ops.AddIndex(
            model_name='StageChange',
            index=Index(fields=('lead_id', 'at', 'id', 'to_stage'), name='stage_change_history'),
        ),
    ]
