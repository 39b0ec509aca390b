from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0015_lead_hygiene')]

    initial = False

    operations = [
        ops.AddField(
            model_name='LeadActivity',
            name='imported',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
