from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_metrics')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Meeting',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=16)),
                ('title', fields.CharField(max_length=200)),
                ('scheduled_for', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('period_from', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('period_to', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('timezone', fields.CharField(max_length=64)),
                ('attendees', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('topics', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('agenda', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('notes', fields.TextField(default='', unique=False)),
                ('decisions', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharField(max_length=16)),
                ('snapshot', fields.TextField(null=True, unique=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_by', fields.ForeignKeyField('models.User', source_field='completed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'meeting', 'app': 'models', 'indexes': [Index(fields=['scheduled_for', 'id'], name='meeting_scheduled'), Index(fields=['kind', 'status', 'completed_at'], name='meeting_completed')], 'pk_attr': 'id', 'table_description': 'A lead or content review. ``attendees`` lists user ids, ``agenda`` holds'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ActionItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('meeting', fields.ForeignKeyField('models.Meeting', source_field='meeting_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('description', fields.TextField(unique=False)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('due_date', fields.DateField(null=True)),
                ('due_sort', fields.IntField(default=99991231)),
                ('status', fields.CharField(max_length=8)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('overdue_notified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'meeting_action_item', 'app': 'models', 'indexes': [Index(fields=['meeting_id', 'id'], name='action_item_meeting'), Index(fields=['owner_id', 'due_sort', 'id'], name='action_item_owner'), Index(fields=['status', 'due_date'], name='action_item_due')], 'pk_attr': 'id', 'table_description': 'An owned action from a meeting. ``due_sort`` is the due date as YYYYMMDD'},
            bases=['Model'],
        ),
    ]
