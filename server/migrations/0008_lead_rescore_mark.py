from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0007_sweeper')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Lead',
            name='rescore_job',
            field=fields.BigIntField(null=True),
        ),
    ]
