-- What a DAG's project needs installed in its virtualenv (leoflow.yaml
-- `dependencies:` or requirements.txt), as a JSON list. Not part of the
-- version hash: changing it re-installs, it does not make a new version.
ALTER TABLE dag ADD COLUMN dependencies TEXT NOT NULL DEFAULT '[]';
