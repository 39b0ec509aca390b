from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_notifications_rescoring_funnel')]

    initial = False

    operations = [
        ops.AddField(
            model_name='HandoffChain',
            name='escalated_handoff_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='HandoffChain',
            name='next_timeout_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # Partial indexes for the sweeper (see server/services/sweeper_store.py):
        # only chains whose clocks still run, so a sweep reads the few that are
        # open, never the history. Same SQL on SQLite and PostgreSQL.
        ops.RunSQL(
            [
                "CREATE INDEX handoff_chain_accept_open ON handoff_chain "
                "(accept_at_risk_at) WHERE NOT accept_breach_reported "
                "AND decided_at IS NULL AND withdrawn_at IS NULL",
                "CREATE INDEX handoff_chain_touch_open ON handoff_chain "
                "(first_touch_at_risk_at) WHERE NOT touch_breach_reported "
                "AND first_touch_at IS NULL AND withdrawn_at IS NULL "
                "AND (decision IS NULL OR decision = 'ACCEPTED')",
                "CREATE INDEX handoff_chain_timeout_open ON handoff_chain "
                "(next_timeout_at) WHERE next_timeout_at IS NOT NULL "
                "AND decided_at IS NULL AND withdrawn_at IS NULL",
            ],
            reverse_sql=[
                "DROP INDEX handoff_chain_accept_open",
                "DROP INDEX handoff_chain_touch_open",
                "DROP INDEX handoff_chain_timeout_open",
            ],
        ),
    ]
