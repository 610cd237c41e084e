-- The role and databases of Carrel's development stack. Safe to run again:
-- deploy/local/stack runs it on every `up`, and deploy/compose.yaml runs it
-- once when the PostgreSQL volume is new.
--
-- carrel is a superuser so that tests can create and drop what they need;
-- that is acceptable for a stack that listens on loopback only, never
-- anywhere else.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'carrel') THEN
        CREATE ROLE carrel LOGIN SUPERUSER PASSWORD 'carrel';
    END IF;
END
$$;

-- One database per service, because nothing else may read a service's store,
-- and one for the integration tests.
SELECT format('CREATE DATABASE %I OWNER carrel', name)
FROM unnest(ARRAY[
    'carrel_profile',
    'carrel_teams',
    'carrel_resources',
    'carrel_matching',
    'carrel_gateway',
    'carrel_test'
]) AS name
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = name)
\gexec
