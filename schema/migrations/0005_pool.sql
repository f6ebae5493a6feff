-- Airflow's pools: a task instance takes pool_slots of its pool's slots while
-- it is queued or running (and deferred, when include_deferred is set).
-- slots -1 means unlimited. default_pool always exists.
CREATE TABLE slot_pool (
  id {{id}},
  pool TEXT NOT NULL UNIQUE,
  slots INTEGER NOT NULL,
  description TEXT,
  include_deferred INTEGER NOT NULL DEFAULT 0
);
INSERT INTO slot_pool (pool, slots, description, include_deferred) VALUES ('default_pool', 128, 'Default pool', 0);
