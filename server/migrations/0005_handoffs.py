from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_leads')]

    initial = False

    operations = [
        ops.CreateModel(
            name='HandoffChain',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='handoff_chains', on_delete=OnDelete.CASCADE)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sla', fields.ForeignKeyField('models.Agreement', source_field='sla_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('sla_revision', fields.IntField(null=True)),
                ('accept_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('accept_at_risk_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('first_touch_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('first_touch_at_risk_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision', fields.CharField(null=True, max_length=16)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decision_business_hours', fields.DecimalField(null=True, max_digits=20, decimal_places=6)),
                ('auto_accepted', fields.BooleanField(default=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('first_touch_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('first_touch_business_hours', fields.DecimalField(null=True, max_digits=20, decimal_places=6)),
                ('touch_attempts', fields.IntField(default=0)),
                ('sweeper_reassignments', fields.IntField(default=0)),
                ('accept_at_risk_reported', fields.BooleanField(default=False)),
                ('accept_breach_reported', fields.BooleanField(default=False)),
                ('touch_at_risk_reported', fields.BooleanField(default=False)),
                ('touch_breach_reported', fields.BooleanField(default=False)),
            ],
            options={'table': 'handoff_chain', 'app': 'models', 'indexes': [Index(fields=['lead_id', 'started_at'], name='handoff_chain_lead'), Index(fields=['accept_due_at'], name='handoff_chain_accept_due'), Index(fields=['first_touch_due_at'], name='handoff_chain_touch_due')], 'pk_attr': 'id', 'table_description': "A lead's handoff and its reassignments: the SLA clocks fixed at the first"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowUp',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.CASCADE)),
                ('chain', fields.ForeignKeyField('models.HandoffChain', source_field='chain_id', db_constraint=True, to_field='id', related_name='follow_ups', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('channel', fields.CharField(max_length=16)),
                ('outcome', fields.CharField(max_length=16)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('counts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'follow_up', 'app': 'models', 'indexes': [Index(fields=['lead_id', 'occurred_at', 'id'], name='follow_up_lead')], 'pk_attr': 'id', 'table_description': 'A sales touch on a lead. ``counts_at`` is when it counts for the clocks'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Handoff',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('chain', fields.ForeignKeyField('models.HandoffChain', source_field='chain_id', db_constraint=True, to_field='id', related_name='handoffs', on_delete=OnDelete.CASCADE)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', db_constraint=True, to_field='id', related_name='handoffs', on_delete=OnDelete.CASCADE)),
                ('previous', fields.ForeignKeyField('models.Handoff', source_field='previous_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('from_user', fields.ForeignKeyField('models.User', source_field='from_user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(max_length=16)),
                ('open_lead', fields.BigIntField(null=True, unique=True)),
                ('handed_off_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sort_due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('note', fields.TextField(null=True, unique=False)),
                ('override_reason', fields.TextField(null=True, unique=False)),
                ('reassign_cause', fields.CharField(null=True, max_length=16)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('rejection_reason', fields.CharField(null=True, max_length=24)),
                ('rejection_comment', fields.TextField(null=True, unique=False)),
                ('disposition', fields.CharField(null=True, max_length=16)),
            ],
            options={'table': 'handoff', 'app': 'models', 'indexes': [Index(fields=['lead_id', 'handed_off_at'], name='handoff_lead'), Index(fields=['chain_id', 'id'], name='handoff_chain_order'), Index(fields=['assignee_id', 'status', 'sort_due_at'], name='handoff_queue'), Index(fields=['status', 'sort_due_at', 'id'], name='handoff_status_due'), Index(fields=['handed_off_at', 'id'], name='handoff_created_id'), Index(fields=['sort_due_at', 'id'], name='handoff_due_id')], 'pk_attr': 'id', 'table_description': "One assignment of a lead to a sales user. ``open_lead`` holds the lead's"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoutingCursor',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('last_user_id', fields.IntField(null=True)),
            ],
            options={'table': 'routing_cursor', 'app': 'models', 'pk_attr': 'name', 'table_description': 'Whom round-robin routing served last. Its row lock serialises routing.'},
            bases=['Model'],
        ),
    ]
