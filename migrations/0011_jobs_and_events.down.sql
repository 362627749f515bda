-- Reverts 0011. Jobs still queued and events not yet delivered are dropped with the tables.
DROP TABLE events;
DROP TABLE jobs;
