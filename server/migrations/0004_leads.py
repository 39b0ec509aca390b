from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_audit_outcome_length')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Lead',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=320)),
                ('first_name', fields.CharField(null=True, max_length=200)),
                ('last_name', fields.CharField(null=True, max_length=200)),
                ('company', fields.CharField(null=True, max_length=200)),
                ('company_size', fields.IntField(null=True)),
                ('industry', fields.CharField(null=True, max_length=200)),
                ('job_title', fields.CharField(null=True, max_length=200)),
                ('seniority', fields.CharField(null=True, max_length=200)),
                ('country', fields.CharField(null=True, max_length=100)),
                ('source', fields.CharField(null=True, max_length=200)),
                ('campaign', fields.CharField(null=True, max_length=200)),
                ('is_customer', fields.BooleanField(default=False)),
                ('products', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('do_not_contact', fields.BooleanField(default=False)),
                ('persona', fields.ForeignKeyField('models.Agreement', source_field='persona_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('persona_by_hand', fields.BooleanField(default=False)),
                ('stage', fields.CharField(max_length=16)),
                ('stage_entered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('score', fields.IntField(default=0)),
                ('fit_score', fields.DecimalField(null=True, max_digits=40, decimal_places=9)),
                ('engagement_score', fields.DecimalField(null=True, max_digits=40, decimal_places=9)),
                ('raw_score', fields.DecimalField(null=True, max_digits=40, decimal_places=9)),
                ('grade', fields.CharField(null=True, max_length=1)),
                ('score_breakdown', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('scored_under', fields.IntField(null=True)),
                ('scored_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('qualified', fields.BooleanField(default=False)),
                ('qualified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('qualified_under', fields.IntField(null=True)),
                ('qualified_by', fields.CharField(null=True, max_length=16)),
                ('cycle_started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('cycle_counts_after', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('amount', fields.DecimalField(null=True, max_digits=20, decimal_places=2)),
                ('recurring', fields.BooleanField(default=False)),
                ('source_updated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lead', 'app': 'models', 'indexes': [Index(fields=['score', 'id'], name='lead_score_id'), Index(fields=['created_at', 'id'], name='lead_created_id'), Index(fields=['stage', 'score', 'id'], name='lead_stage_score_id'), Index(fields=['qualified', 'score', 'id'], name='lead_qualified_score')], 'pk_attr': 'id', 'table_description': 'A person marketing brought in, with its score and place in the waterfall.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeadActivity',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='activities', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=24)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('dedupe_key', fields.CharField(max_length=220)),
                ('external_id', fields.CharField(null=True, max_length=200)),
                ('source', fields.CharField(null=True, max_length=100)),
                ('metadata', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lead_activity', 'app': 'models', 'unique_together': (('lead_id', 'dedupe_key'),), 'indexes': [Index(fields=['lead_id', 'occurred_at', 'id'], name='lead_activity_lead')], 'pk_attr': 'id', 'table_description': 'One buying signal. ``dedupe_key`` (the external id, or a hash of the row'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeadEngagement',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='engagement', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=24)),
                ('weight', fields.FloatField()),
                ('as_of', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('half_life_days', fields.DecimalField(null=True, max_digits=30, decimal_places=9)),
                ('count', fields.IntField()),
                ('latest_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lead_engagement', 'app': 'models', 'unique_together': (('lead_id', 'kind'),), 'pk_attr': 'id', 'table_description': "A lead's decayed activity sum for one kind in its current cycle"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LeadExternalId',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='external_ids', on_delete=OnDelete.CASCADE)),
                ('system', fields.CharField(max_length=64)),
                ('value', fields.CharField(max_length=200)),
            ],
            options={'table': 'lead_external_id', 'app': 'models', 'unique_together': (('system', 'value'), ('lead_id', 'system')), 'pk_attr': 'id', 'table_description': "A lead's id in another system: one per system and lead, unique per system."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StageChange',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='stage_changes', on_delete=OnDelete.CASCADE)),
                ('from_stage', fields.CharField(null=True, max_length=16)),
                ('to_stage', fields.CharField(max_length=16)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('via', fields.CharField(max_length=24)),
                ('reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'stage_change', 'app': 'models', 'indexes': [Index(fields=['lead_id', 'at', 'id'], name='stage_change_lead')], 'pk_attr': 'id', 'table_description': 'One move through the waterfall (the first row of a lead records its'},
            bases=['Model'],
        ),
    ]
