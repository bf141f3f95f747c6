from typing import Any

from django.db import migrations

# One round trip for what took six: recording a transaction's events used to switch the
# connection to the system identity, lock the groups, read their last ids, insert the events,
# insert their groups and switch back. The function does the same in one statement, in the
# same order (the locks first, sorted, so writers sharing groups cannot deadlock), as the
# tables' owner (SECURITY DEFINER, search_path pinned) with every outbox row in sight for its
# own duration only (SET hotgigs.sees_all: the owner is held by the policies too, under FORCE).
# It writes nothing but outbox rows, exactly as given; who may read them stays the policies'
# business. The application's role is granted EXECUTE by hotgigs.tenancy.roles.grant_app_role.
# The last id of a group is read by one index probe per group (max over the (group, event_id)
# index) instead of aggregating every row of the groups.
CREATE = """
CREATE OR REPLACE FUNCTION hotgigs_outbox_append(events jsonb, created timestamptz)
RETURNS TABLE (recorded_id bigint, previous jsonb)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
SET hotgigs.sees_all = 'on'
AS $$
DECLARE
  item jsonb;
  lock_group text;
  last_ids jsonb;
BEGIN
  FOR lock_group IN
    SELECT DISTINCT g.name COLLATE "C" FROM jsonb_array_elements(events) AS e(value),
      jsonb_array_elements_text(e.value -> 'groups') AS g(name) ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(lock_group, 0));
  END LOOP;
  SELECT coalesce(jsonb_object_agg(l.name, l.last_id) FILTER (WHERE l.last_id IS NOT NULL), '{}'::jsonb)
    INTO last_ids
    FROM (
      SELECT g.name, (SELECT max(og.event_id) FROM public.realtime_outboxeventgroup og WHERE og."group" = g.name) AS last_id
      FROM (SELECT DISTINCT gs.name FROM jsonb_array_elements(events) AS e(value),
              jsonb_array_elements_text(e.value -> 'groups') AS gs(name)) AS g
    ) AS l;
  FOR item IN SELECT e.value FROM jsonb_array_elements(events) WITH ORDINALITY AS e(value, n) ORDER BY e.n
  LOOP
    INSERT INTO public.realtime_outboxevent AS o
      (channel, type, data, groups, organization_id, context, created_at, dispatch_due_at,
       dispatch_pending, dispatch_attempts, dispatch_error)
    VALUES (item ->> 'channel', item ->> 'type', item -> 'data', item -> 'groups',
            (item ->> 'organization_id')::bigint, item -> 'context', created,
            CASE WHEN (item ->> 'dispatch')::boolean THEN created END, NULL, 0, '')
    RETURNING o.id INTO recorded_id;
    INSERT INTO public.realtime_outboxeventgroup (event_id, "group")
      SELECT recorded_id, g.name FROM jsonb_array_elements_text(item -> 'groups') AS g(name);
    SELECT coalesce(jsonb_object_agg(g.name, last_ids -> g.name), '{}'::jsonb) INTO previous
      FROM jsonb_array_elements_text(item -> 'groups') AS g(name) WHERE last_ids ? g.name;
    SELECT last_ids || coalesce(jsonb_object_agg(g.name, recorded_id), '{}'::jsonb) INTO last_ids
      FROM jsonb_array_elements_text(item -> 'groups') AS g(name);
    RETURN NEXT;
  END LOOP;
END $$;
REVOKE ALL ON FUNCTION hotgigs_outbox_append(jsonb, timestamptz) FROM PUBLIC;
"""

DROP = "DROP FUNCTION IF EXISTS hotgigs_outbox_append(jsonb, timestamptz);"


def _run(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    """``hotgigs_outbox_append``: a transaction's events recorded in one statement (PostgreSQL
    only; elsewhere the outbox writes through the ORM)."""

    dependencies = [("events", "0002_row_level_security")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
