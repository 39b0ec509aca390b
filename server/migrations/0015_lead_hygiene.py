from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_webhooks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LeadAlias',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='aliases', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('system', fields.CharField(default='', max_length=64)),
                ('value', fields.CharField(max_length=320)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lead_alias', 'app': 'models', 'unique_together': (('kind', 'system', 'value'),), 'indexes': [Index(fields=['lead_id'], name='lead_alias_lead')], 'pk_attr': 'id', 'table_description': 'A key that leads to a lead other than its own columns (SPEC §2.3, §2.9).'},
            bases=['Model'],
        ),
    ]
