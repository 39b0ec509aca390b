from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_content_requests')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SavedFilter',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('screen', fields.CharField(max_length=40)),
                ('name', fields.CharField(max_length=80)),
                ('criteria', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'saved_filter', 'app': 'models', 'unique_together': (('user', 'screen', 'name'),), 'pk_attr': 'id', 'table_description': "A user's named filters per list screen of the web client."},
            bases=['Model'],
        ),
    ]
