"""The application on PostgreSQL, with its vocabulary, directory and file store."""

from carrel_vocabulary import load_vocabulary

from carrel_resources.adapters.directory import PostgresDirectory
from carrel_resources.adapters.files import PostgresFileStore
from carrel_resources.adapters.tables import connect, creating_tables
from carrel_resources.application import ResourcesApplication
from carrel_resources.settings import ResourcesSettings


def build_application(settings: ResourcesSettings) -> ResourcesApplication:
    """Everything a process of the service needs; creates missing tables."""
    engine = connect(settings.database_url, settings.resources_schema)
    vocabulary = load_vocabulary(settings.data_dir)
    with creating_tables(engine):
        return ResourcesApplication(
            vocabulary=vocabulary,
            directory=PostgresDirectory(engine),
            files=PostgresFileStore(engine),
            env=settings.eventsourcing_env(),
            max_attachment_bytes=settings.max_attachment_bytes,
            on_close=engine.dispose,
        )
