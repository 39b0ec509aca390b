from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='SubjectSequence',
            fields=[
                ('subject', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('last_sequence', fields.IntField(default=0)),
            ],
            options={'table': 'subject_sequence', 'app': 'models', 'pk_attr': 'subject', 'table_description': "Last event sequence number per subject, bumped in the event's transaction."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=320)),
                ('name', fields.CharField(max_length=200)),
                ('team', fields.CharField(max_length=16)),
                ('role', fields.CharField(max_length=16)),
                ('active', fields.BooleanField(default=True)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('out_of_office', fields.BooleanField(default=False)),
                ('accepts_leads', fields.BooleanField(default=True)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('role_granted_by', fields.ForeignKeyField('models.User', source_field='role_granted_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('role_granted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('credentials_issued_by', fields.ForeignKeyField('models.User', source_field='credentials_issued_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('credentials_issued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'app_user', 'app': 'models', 'indexes': [Index(fields=['name', 'id'], name='app_user_name_id'), Index(fields=['created_at', 'id'], name='app_user_created_id'), Index(fields=['team', 'role', 'active'], name='app_user_team_role')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='api_tokens', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=200)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(max_length=16)),
                ('scopes', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_by', fields.ForeignKeyField('models.User', source_field='revoked_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'api_token', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at'], name='api_token_user')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('credential', fields.CharField(default='', max_length=32)),
                ('action', fields.CharField(max_length=64)),
                ('outcome', fields.CharField(default='OK', max_length=16)),
                ('entity_type', fields.CharField(default='', max_length=32)),
                ('entity_id', fields.BigIntField(null=True)),
                ('changes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('request_id', fields.CharField(default='', max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'indexes': [Index(fields=['at', 'id'], name='audit_entry_at_id'), Index(fields=['entity_type', 'entity_id'], name='audit_entry_entity')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('operation', fields.CharField(max_length=64)),
                ('request_hash', fields.CharField(max_length=64)),
                ('result', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_record', 'app': 'models', 'unique_together': (('user_id', 'key'),), 'indexes': [Index(fields=['created_at'], name='idempotency_created')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=40)),
                ('subject_type', fields.CharField(max_length=32)),
                ('subject_id', fields.BigIntField()),
                ('sequence', fields.IntField()),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('payload', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('dispatched_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('retry_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'outbox_event', 'app': 'models', 'unique_together': (('subject_type', 'subject_id', 'sequence'),), 'indexes': [Index(fields=['dispatched_at', 'id'], name='outbox_event_pending')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('user_agent', fields.CharField(default='', max_length=300)),
                ('client_address', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'user_session', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at'], name='user_session_user')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SetPasswordLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='set_password_links', on_delete=OnDelete.CASCADE)),
                ('secret_hash', fields.CharField(unique=True, max_length=64)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'set_password_link', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
