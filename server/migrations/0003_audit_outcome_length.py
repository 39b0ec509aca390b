from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_agreements')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='AuditEntry',
            name='outcome',
            field=fields.CharField(default='OK', max_length=32),
        ),
    ]
