-- Key/value facts about the deployment itself (e.g. when it was first set up), and
-- the first real migration that proves the runner end to end.
CREATE TABLE app_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
