from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0016_backfill')]

    initial = False

    operations = [
        # The sales SLA figure counts each accepted chain's follow-ups before
        # its touch window closed: without this, one scan of follow_up per chain.
        ops.AddIndex(
            model_name='FollowUp',
            index=Index(fields=('chain_id', 'counts_at'), name='follow_up_chain'),
        ),
    ]
