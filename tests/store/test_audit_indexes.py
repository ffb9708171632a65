"""The audit rows of synced changes are found through their change (m0012): the key
index holds only the rows without one, and a row's history and the sign-in events read
through indexes, not the whole audit table."""

from __future__ import annotations

from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from tests.conftest import COMMUNE


def _plan(store: Store, sql: str, params: tuple[object, ...]) -> str:
    return " | ".join(str(r[3]) for r in store.db.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params))


def test_a_value_s_audit_rows_leave_the_key_index_to_the_change_log(commune_store: Store) -> None:
    village = commune_store.villages.add(COMMUNE, "Bản Pá Khoang")
    for n in (90, 95):
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", n))
    commune_store.users.add("admin", "Quản trị viên", "admin", "secret1")
    db = commune_store.db
    # every audit row of a change is in audit_change; only the others in audit_entity
    in_key_index = db.execute_sql(
        "SELECT count(*) FROM audit INDEXED BY audit_entity WHERE change_id IS NULL"
        " AND entity = 'user'"
    ).fetchone()[0]
    assert in_key_index >= 1
    assert db.execute_sql(
        "SELECT count(*) FROM audit WHERE change_id IS NOT NULL AND entity = 'value'"
    ).fetchone() == (2,)
    history = commune_store.values.history(village.id, "2019", "so_ho")
    assert [(h["old"], h["new"]) for h in history] == [(None, "90"), ("90", "95")]
    from desktop_app.store.repositories.values import ENTITY  # the history's own query

    key = '{"disagg":"","indicator":"so_ho","org_id":"x","period":"2019"}'
    plan = _plan(
        commune_store,
        "SELECT a.id FROM change c JOIN audit a ON a.change_id = c.id"
        " WHERE c.entity = ? AND c.entity_key = ?"
        " UNION ALL SELECT id FROM audit WHERE entity = ? AND entity_key = ?"
        " AND change_id IS NULL ORDER BY 1",
        (ENTITY, key, ENTITY, key),
    )
    assert "INDEX change_entity" in plan
    assert "INDEX audit_change" in plan
    assert "USING INDEX audit_entity" in plan
    assert "SCAN audit" not in plan
    plan = _plan(
        commune_store,
        "SELECT action FROM audit WHERE entity = 'user' AND entity_key = ?"
        " AND change_id IS NULL ORDER BY id DESC LIMIT 3",
        ('{"username":"admin"}',),
    )
    assert "USING INDEX audit_entity" in plan
