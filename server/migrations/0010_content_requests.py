from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_lead_feedback')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContentAsset',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('url', fields.CharField(max_length=2000)),
                ('content_type', fields.CharField(max_length=20)),
                ('persona_keys', fields.CharField(default=',', max_length=1000)),
                ('lead_stage_keys', fields.CharField(default=',', max_length=200)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('rating_sum', fields.IntField(default=0)),
                ('rating_count', fields.IntField(default=0)),
                ('rating_avg', fields.FloatField(default=0)),
            ],
            options={'table': 'content_asset', 'app': 'models', 'indexes': [Index(fields=['created_at', 'id'], name='content_asset_created'), Index(fields=['rating_avg', 'id'], name='content_asset_by_rating')], 'pk_attr': 'id', 'table_description': 'A piece of the content library. ``persona_keys`` and ``lead_stage_keys``'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContentAssetRating',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('asset', fields.ForeignKeyField('models.ContentAsset', source_field='asset_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('rating', fields.SmallIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'content_asset_rating', 'app': 'models', 'unique_together': (('asset', 'user'),), 'pk_attr': 'id', 'table_description': 'One rating of an asset per user, edited in place.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContentRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('content_type', fields.CharField(max_length=20)),
                ('persona', fields.ForeignKeyField('models.Agreement', source_field='persona_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('lead_stage', fields.CharField(null=True, max_length=16)),
                ('priority', fields.CharField(max_length=8)),
                ('priority_rank', fields.SmallIntField()),
                ('requested_due_date', fields.DateField(null=True)),
                ('committed_due_date', fields.DateField(null=True)),
                ('due_sort', fields.IntField()),
                ('requester', fields.ForeignKeyField('models.User', source_field='requester_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharField(max_length=16)),
                ('votes', fields.IntField(default=0)),
                ('comments', fields.IntField(default=0)),
                ('deliverable', fields.ForeignKeyField('models.ContentAsset', source_field='deliverable_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('rating', fields.SmallIntField(null=True)),
                ('rated_by', fields.ForeignKeyField('models.User', source_field='rated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('decline_reason', fields.TextField(null=True, unique=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
            ],
            options={'table': 'content_request', 'app': 'models', 'indexes': [Index(fields=['status', 'due_sort', 'id'], name='content_status_due'), Index(fields=['status', 'created_at', 'id'], name='content_status_new'), Index(fields=['status', 'priority_rank', 'id'], name='content_status_pri'), Index(fields=['status', 'votes', 'id'], name='content_status_votes'), Index(fields=['delivered_at'], name='content_delivered'), Index(fields=['requester_id', 'status'], name='content_requester'), Index(fields=['assignee_id', 'status'], name='content_assignee')], 'pk_attr': 'id', 'table_description': 'A request for content. ``due_sort`` is the binding date (committed, else'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContentComment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.ContentRequest', source_field='request_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'content_comment', 'app': 'models', 'indexes': [Index(fields=['request_id', 'id'], name='content_comment_request')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContentHistory',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.ContentRequest', source_field='request_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=24)),
                ('from_status', fields.CharField(null=True, max_length=16)),
                ('to_status', fields.CharField(max_length=16)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'content_history', 'app': 'models', 'indexes': [Index(fields=['request_id', 'id'], name='content_history_request')], 'pk_attr': 'id', 'table_description': 'Every change of a request: who, when, the action, from and to, a comment.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContentVote',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.ContentRequest', source_field='request_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'content_vote', 'app': 'models', 'unique_together': (('request', 'user'),), 'pk_attr': 'id', 'table_description': 'One vote per user and request: the unique pair makes a double vote one.'},
            bases=['Model'],
        ),
    ]
