from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0018_dashboard_speed')]

    initial = False

    operations = [
        # The dashboard reads the chains started in a period (chain counts,
        # first touch) from the index alone: it carries what they count and
        # filter by. It starts as the index it replaces did.
        ops.RemoveIndex(model_name='HandoffChain', name='handoff_chain_started'),
        ops.AddIndex(
            model_name='HandoffChain',
            index=Index(
                fields=(
                    'started_at', 'persona_id', 'first_touch_at', 'withdrawn_at',
                    'decision', 'qualified_by', 'lead_id', 'auto_accepted',
                    'first_touch_business_hours',
                ),
                name='handoff_chain_figures',
            ),
        ),
    ]
