from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_saved_filters')]

    initial = False

    operations = [
        ops.AddField(
            model_name='HandoffChain',
            name='persona_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='HandoffChain',
            name='qualified_by',
            field=fields.CharField(max_length=16, null=True),
        ),
        ops.AddField(
            model_name='HandoffChain',
            name='touch_window_ends_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='HandoffChain',
            name='touch_attempts_needed',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='StageChange',
            name='persona_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='StageChange',
            name='qualified_by',
            field=fields.CharField(max_length=16, null=True),
        ),
        ops.AddIndex(
            model_name='HandoffChain',
            index=Index(fields=('started_at',), name='handoff_chain_started'),
        ),
        ops.AddIndex(
            model_name='HandoffChain',
            index=Index(fields=('touch_window_ends_at',), name='handoff_chain_window'),
        ),
        ops.AddIndex(
            model_name='StageChange',
            index=Index(fields=('to_stage', 'at'), name='stage_change_to_at'),
        ),
    ]
