from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_lead_rescore_mark')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LeadFeedback',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='feedback', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('rating', fields.SmallIntField()),
                ('reasons', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'lead_feedback', 'app': 'models', 'unique_together': (('lead', 'user'),), 'pk_attr': 'id', 'table_description': "Sales' lead-quality feedback: one per user and lead, edited in place."},
            bases=['Model'],
        ),
    ]
