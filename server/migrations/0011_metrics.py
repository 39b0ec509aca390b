from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0009_lead_feedback')]

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
            model_name='StageChange',
            name='persona_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='StageChange',
            name='qualified_by',
            field=fields.CharField(max_length=16, null=True),
        ),
    ]
