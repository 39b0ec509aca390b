from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Agreement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=32)),
                ('status', fields.CharField(max_length=16)),
                ('pending', fields.CharField(max_length=24)),
                ('title', fields.CharField(max_length=200)),
                ('revision', fields.IntField(default=0)),
                ('terms', fields.TextField(null=True, unique=False)),
                ('pending_terms', fields.TextField(null=True, unique=False)),
                ('content_hash', fields.CharField(null=True, max_length=64)),
                ('proposed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('proposed_by', fields.ForeignKeyField('models.User', source_field='proposed_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('in_force_slot', fields.CharField(null=True, unique=True, max_length=32)),
                ('activated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rejection_reason', fields.TextField(null=True, unique=False)),
                ('rejected_by', fields.ForeignKeyField('models.User', source_field='rejected_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('rejected_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'agreement', 'app': 'models', 'indexes': [Index(fields=['updated_at', 'id'], name='agreement_updated_id'), Index(fields=['kind', 'updated_at', 'id'], name='agreement_kind_updated')], 'pk_attr': 'id', 'table_description': 'A goal, persona, qualification model or SLA: the revision in force and what'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgreementRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agreement', fields.ForeignKeyField('models.Agreement', source_field='agreement_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('terms', fields.TextField(unique=False)),
                ('content_hash', fields.CharField(max_length=64)),
                ('activated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('superseded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'agreement_revision', 'app': 'models', 'unique_together': (('agreement_id', 'number'),), 'pk_attr': 'id', 'table_description': 'A revision that came into force: its terms, hash and when it applied.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AgreementSignOff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('agreement', fields.ForeignKeyField('models.Agreement', source_field='agreement_id', db_constraint=True, to_field='id', related_name='sign_offs', on_delete=OnDelete.CASCADE)),
                ('revision', fields.ForeignKeyField('models.AgreementRevision', source_field='revision_id', null=True, db_constraint=True, to_field='id', related_name='sign_offs', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharField(max_length=16)),
                ('content_hash', fields.CharField(max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('team', fields.CharField(max_length=16)),
                ('role', fields.CharField(max_length=16)),
                ('signed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('role_granted_by', fields.ForeignKeyField('models.User', source_field='role_granted_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('role_granted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('live_key', fields.CharField(null=True, unique=True, max_length=64)),
                ('voided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('void_reason', fields.CharField(null=True, max_length=24)),
            ],
            options={'table': 'agreement_sign_off', 'app': 'models', 'indexes': [Index(fields=['agreement_id', 'signed_at'], name='sign_off_agreement'), Index(fields=['user_id', 'live_key'], name='sign_off_user_live')], 'pk_attr': 'id', 'table_description': "One manager's signature on one proposal, kept after it stops counting."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GoalMeasurement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('goal', fields.ForeignKeyField('models.Agreement', source_field='goal_id', db_constraint=True, to_field='id', related_name='measurements', on_delete=OnDelete.CASCADE)),
                ('value', fields.DecimalField(max_digits=30, decimal_places=6)),
                ('as_of', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(default='', unique=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'goal_measurement', 'app': 'models', 'indexes': [Index(fields=['goal_id', 'as_of', 'id'], name='goal_measurement_latest')], 'pk_attr': 'id', 'table_description': "A manual goal's measured value as of an instant (a level, not an increment)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PersonaEvidence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('persona', fields.ForeignKeyField('models.Agreement', source_field='persona_id', db_constraint=True, to_field='id', related_name='evidence', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(max_length=24)),
                ('note', fields.TextField(unique=False)),
                ('added_by', fields.ForeignKeyField('models.User', source_field='added_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'persona_evidence', 'app': 'models', 'indexes': [Index(fields=['persona_id', 'added_at'], name='evidence_persona')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
