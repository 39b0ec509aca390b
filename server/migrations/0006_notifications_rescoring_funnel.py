from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_handoffs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=40)),
                ('subject_type', fields.CharField(max_length=32)),
                ('subject_id', fields.BigIntField()),
                ('title', fields.CharField(max_length=300)),
                ('body', fields.TextField(default='', unique=False)),
                ('link', fields.CharField(default='', max_length=500)),
                ('event_id', fields.BigIntField(null=True)),
                ('dedupe_key', fields.CharField(unique=True, max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at', 'id'], name='notification_user'), Index(fields=['user_id', 'read_at'], name='notification_unread')], 'pk_attr': 'id', 'table_description': 'An in-app notice for one user, made from an outbox event after commit.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notification', fields.ForeignKeyField('models.Notification', source_field='notification_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('to_address', fields.CharField(max_length=320)),
                ('subject', fields.CharField(max_length=300)),
                ('body', fields.TextField(unique=False)),
                ('dedupe_key', fields.CharField(unique=True, max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('retry_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'email_delivery', 'app': 'models', 'indexes': [Index(fields=['sent_at', 'retry_at', 'id'], name='email_pending')], 'pk_attr': 'id', 'table_description': 'One e-mail to send, written with its notification and sent after commit by'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RescoreJob',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reason', fields.CharField(max_length=24)),
                ('model_revision', fields.IntField(null=True)),
                ('requested_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('after_lead_id', fields.BigIntField(default=0)),
                ('total', fields.IntField(default=0)),
                ('done', fields.IntField(default=0)),
                ('promoted', fields.IntField(default=0)),
            ],
            options={'table': 'rescore_job', 'app': 'models', 'indexes': [Index(fields=['finished_at', 'id'], name='rescore_job_open')], 'pk_attr': 'id', 'table_description': 'Rescoring every lead under a new model or persona revision, in chunks.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StageCount',
            fields=[
                ('stage', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=16)),
                ('count', fields.BigIntField(default=0)),
            ],
            options={'table': 'stage_count', 'app': 'models', 'pk_attr': 'stage'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StageCountDelta',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('stage', fields.CharField(max_length=16)),
                ('delta', fields.IntField()),
            ],
            options={'table': 'stage_count_delta', 'app': 'models', 'pk_attr': 'id', 'table_description': '+1/-1 per stage move, insert-only, folded into `StageCount` periodically,'},
            bases=['Model'],
        ),
    ]
