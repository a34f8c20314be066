"""``ledger_stagedline_truncate_alone(job)``: empty the import staging table by TRUNCATE, as its
owner, when the confirming job's lines are the only ones in it; replaces the post-staging
``ledger_stagedline_analyze()`` (0019), which the confirmation no longer needs.

Deleting a confirmed million-line job's staged lines row by row took about a second of the
confirmation (every row marked, every page dirtied, and autovacuum to follow); TRUNCATE swaps in
an empty file. But TRUNCATE empties the whole table, takes an ACCESS EXCLUSIVE lock until the
confirmation commits, and is not MVCC-safe, so it runs only when that is harmless: the lock is
taken without waiting (NOWAIT: a preview writing or a confirmation reading staged lines holds a
lock, and then nothing is truncated), and only once the lock is held is the table checked for
any other job's lines (committed before the lock; none can be added while it is held). Otherwise
the function returns false and the caller deletes the job's lines. The app's role owns no table
(audit.roles) and may not TRUNCATE; this function runs with its owner's rights and can only
empty that one table, and only in that case.
"""

from django.db import migrations


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        # search_path fixed, temporary schema last: nothing the caller creates is looked up.
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {schema}.ledger_stagedline_truncate_alone(job bigint)
                RETURNS boolean
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
                BEGIN
                    BEGIN
                        LOCK TABLE ledger_importstagedline IN ACCESS EXCLUSIVE MODE NOWAIT;
                    EXCEPTION WHEN lock_not_available THEN
                        RETURN false;
                    END;
                    IF EXISTS (SELECT 1 FROM ledger_importstagedline WHERE job_id <> job) THEN
                        RETURN false;
                    END IF;
                    TRUNCATE ledger_importstagedline;
                    RETURN true;
                END;
                $$"""
        )
        cursor.execute(f"DROP FUNCTION IF EXISTS {schema}.ledger_stagedline_analyze()")


def drop(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP FUNCTION IF EXISTS ledger_stagedline_truncate_alone(bigint)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION {schema}.ledger_stagedline_analyze() RETURNS void
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
                BEGIN
                    ANALYZE ledger_importstagedline;
                END;
                $$"""
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0038_one_name_line_total")]

    operations = [migrations.RunPython(create, drop)]
