"""``carrel-ops``: the operator's commands. ``carrel-ops --help`` lists them.

Each command reads the stack's addresses and the projection's names from the
same ``CARREL_`` variables the services read (``deploy/local/stack env``
prints them), does one job, and exits non-zero when that job is not done.
"""

import asyncio
import logging
import sys
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import orjson
import typer
from carrel_events.clients import create_topics, kafka_options
from carrel_projection.adapters.client import open_client
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from carrel_operator import consumer_groups
from carrel_operator import dead_letters as letters
from carrel_operator.adapters.event_stores import WRITE_SERVICES, opened
from carrel_operator.adapters.read_models import drop_version, read_indices
from carrel_operator.determinism import DeterminismReport, check_determinism
from carrel_operator.history import RecordedEvent, aggregate_history
from carrel_operator.offsets import parse_target
from carrel_operator.progress import Progress as Report
from carrel_operator.rebuild import RebuildReport, rebuild
from carrel_operator.relay_again import relay_again
from carrel_operator.reprojection import retry_and_reproject
from carrel_operator.settings import OperatorSettings
from carrel_operator.tail import tail
from carrel_operator.versions import ModelIndices, droppable

app = typer.Typer(help="Keep Carrel's read side right.", no_args_is_help=True)
offsets_app = typer.Typer(help="Move a consumer group's committed offsets.")
letters_app = typer.Typer(help="List, inspect and retry dead letters.")
app.add_typer(offsets_app, name="offsets")
app.add_typer(letters_app, name="dead-letters")
console = Console()

T = TypeVar("T")


def _run(work: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(work)


class _Rate(ProgressColumn):
    """Units per second, as the rebuild's figure of merit."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f}/s")


@contextmanager
def _progress(what: str) -> Iterator[Report]:
    """A progress bar with rate and ETA; yields the callback work reports to."""
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(what, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=max(total, 1))

        yield report


def _fail(message: str) -> None:
    console.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


# Read models ---------------------------------------------------------------


@app.command("rebuild")
def rebuild_command(
    drop_old: Annotated[
        bool, typer.Option(help="Delete the previous version after the switch")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            help="Switch even when the document counts differ (never when an "
            "event failed in the rebuild)"
        ),
    ] = False,
) -> None:
    """Rebuild every read model from Kafka into new indices, then switch."""
    settings = OperatorSettings()
    with _progress("rebuild") as progress:
        report = _run(
            rebuild(settings, drop_old=drop_old, force=force, progress=progress)
        )
    _print_rebuild(report)
    if not report.switched:
        why = "events failed" if report.failed else "counts differ"
        _fail(
            f"{why}; v{report.version} kept beside the live version "
            f"(drop it with: carrel-ops drop-index {report.version})"
        )
    if report.not_repaired:
        _fail(
            "switched, but these aggregates of the switch window could not be "
            "re-projected: " + ", ".join(report.not_repaired)
        )


def _print_rebuild(report: RebuildReport) -> None:
    table = Table("model", "was live", "rebuilt documents", "live documents")
    expected = {d.model: d.expected for d in report.count_differences}
    for model, count in report.counts.items():
        live = expected.get(model, count)
        was = report.previous.get(model)
        table.add_row(model, f"v{was}" if was else "-", str(count), str(live))
    console.print(table)
    console.print(
        f"v{report.version}: {report.events} messages in {report.seconds:.1f}s "
        f"({report.events_per_second:,.0f}/s), {report.applied} applied, "
        f"{report.undecodable} undecodable, {len(report.failed)} failed; "
        f"group {report.group}"
    )
    for failed in report.failed[:50]:
        console.print(f"[red]failed: {failed}")
    if report.switched:
        console.print(
            f"aliases switched to v{report.version}; "
            f"{report.switch_window} messages arrived during the switch, "
            f"{report.repaired} aggregates re-projected from their history"
        )
    for name in report.dropped:
        console.print(f"dropped {name}")


@app.command("indices")
def indices_command() -> None:
    """List each read model's index versions and which one is live."""
    settings = OperatorSettings()
    found = _run(_indices(settings))
    table = Table("model", "versions", "live", "being built")
    for model in found:
        versions = ", ".join(f"v{v}" for v in model.versions) or "-"
        live = f"v{model.live}" if model.live else "-"
        building = f"v{model.building}" if model.building else ""
        table.add_row(model.model.value, versions, live, building)
    console.print(table)


async def _indices(settings: OperatorSettings) -> list[ModelIndices]:
    client = open_client(settings)
    try:
        return await read_indices(client, settings.index_prefix)
    finally:
        await client.close()


@app.command("drop-index")
def drop_index_command(
    version: Annotated[int, typer.Argument(help="The version to delete, e.g. 1")],
) -> None:
    """Delete one version of every read model's index; never the live one."""
    settings = OperatorSettings()
    try:
        dropped = _run(_drop(settings, version))
    except ValueError as error:
        _fail(f"refused: {error}")
    for name in dropped:
        console.print(f"dropped {name}")


async def _drop(settings: OperatorSettings, version: int) -> list[str]:
    client = open_client(settings)
    try:
        models = droppable(await read_indices(client, settings.index_prefix), version)
        return await drop_version(client, settings.index_prefix, models, version)
    finally:
        await client.close()


@app.command("determinism")
def determinism_command(
    keep: Annotated[bool, typer.Option(help="Keep the two scratch index sets")] = False,
) -> None:
    """Rebuild twice into scratch indices and compare every document."""
    settings = OperatorSettings()
    with _progress("replay") as progress:
        report = _run(check_determinism(settings, keep=keep, progress=progress))
    _print_determinism(report)
    if not report.deterministic:
        raise typer.Exit(1)


def _print_determinism(report: DeterminismReport) -> None:
    console.print(f"{report.events} messages, {report.documents} documents per build")
    for difference in report.differences[:50]:
        fields = ", ".join(difference.fields)
        console.print(
            f"  {difference.model}/{difference.doc_id}: {difference.kind} {fields}"
        )
    for failed in report.failed[:50]:
        console.print(f"[red]failed in a build: {failed}")
    verdict = "deterministic" if report.deterministic else "NOT deterministic"
    console.print(f"{len(report.differences)} differences: {verdict}")


# Events --------------------------------------------------------------------


@app.command("relay-again")
def relay_again_command(
    service: Annotated[str, typer.Argument(help="profile, teams or resources")],
    start: Annotated[int, typer.Option("--from", help="First notification id")],
    topic: Annotated[str, typer.Option(help="The topic to publish to")],
) -> None:
    """Publish a write service's events again, from a notification id.

    Stop the service's relay first when the topic was recreated empty, so
    that old events land before new ones.
    """
    settings = OperatorSettings()
    if service not in WRITE_SERVICES:
        _fail(f"unknown service {service}; one of {', '.join(WRITE_SERVICES)}")
    with opened(service, settings) as store, _progress("relay") as progress:
        report = _run(
            relay_again(
                store,
                topic=topic,
                start=start,
                kafka_bootstrap=kafka_options(settings),
                progress=progress,
            )
        )
    console.print(
        f"{report.relay}: notifications {report.first}..{report.last}, "
        f"{report.published} relayed to {topic}"
    )


@app.command("history")
def history_command(
    aggregate_id: Annotated[UUID, typer.Argument(help="Any aggregate's id")],
) -> None:
    """Show every stored event of one aggregate, in every write service."""
    settings = OperatorSettings()
    found = 0
    for service in WRITE_SERVICES:
        try:
            with opened(service, settings) as store:
                history = aggregate_history([store], aggregate_id)
        except Exception as error:
            console.print(f"[yellow]{service}: event store unreadable: {error}")
            continue
        for event in history:
            _print_recorded(event)
        found += len(history)
    if not found:
        _fail(f"no stored events of {aggregate_id} in any write service")


def _print_recorded(event: RecordedEvent) -> None:
    if event.envelope is None:
        console.print(
            f"{event.service} v{event.version} {event.name} (internal: never relayed)"
        )
    else:
        console.print(f"{event.service} v{event.version} {event.name}")
        console.print_json(event.envelope.model_dump_json())


@app.command("tail")
def tail_command(
    topic: Annotated[str, typer.Argument(help="e.g. teams.events")],
    from_beginning: Annotated[bool, typer.Option(help="Start at the start")] = False,
    limit: Annotated[int, typer.Option(help="Stop after N messages; 0: never")] = 0,
) -> None:
    """Print a topic's messages as decoded envelopes, as they arrive."""
    settings = OperatorSettings()
    with suppress(KeyboardInterrupt):
        _run(_tail(settings, topic, from_beginning, limit))


async def _tail(
    settings: OperatorSettings, topic: str, from_beginning: bool, limit: int
) -> None:
    seen = 0
    async for message in tail(
        kafka_options(settings), topic, from_beginning=from_beginning
    ):
        place = f"[{message.partition}]@{message.offset}"
        if message.event is None:
            console.print(f"{place} [yellow]{message.problem}[/yellow]")
        else:
            console.print(place, message.event.envelope.model_dump_json())
        seen += 1
        if limit and seen >= limit:
            return


# Topics --------------------------------------------------------------------


@app.command("topics")
def topics_command() -> None:
    """Create each event topic and its dead-letter twin, with the partitions and
    replication of the settings; topics already there are left as they are."""
    settings = OperatorSettings()
    made = _run(
        create_topics(
            kafka_options(settings),
            settings.projection_topics,
            settings.kafka_topic_partitions,
            settings.kafka_replication_factor,
        )
    )
    for topic in made:
        console.print(f"created {topic}")
    if not made:
        console.print("every topic was already there")


# Consumer groups -----------------------------------------------------------


@app.command("lag")
def lag_command(
    group: Annotated[str | None, typer.Option(help="Only this group")] = None,
) -> None:
    """Show each consumer group's lag per topic and partition."""
    settings = OperatorSettings()
    rows = _run(consumer_groups.group_lags(kafka_options(settings), group))
    table = Table("group", "topic", "partition", "committed", "end", "lag")
    for row in rows:
        committed = "-" if row.committed is None else str(row.committed)
        table.add_row(
            row.group,
            row.topic,
            str(row.partition),
            committed,
            str(row.end),
            str(row.lag),
        )
    console.print(table)


@offsets_app.command("reset")
def reset_command(
    group: Annotated[str, typer.Argument(help="The consumer group")],
    to: Annotated[str, typer.Option(help="earliest, latest or an ISO 8601 moment")],
    topic: Annotated[
        list[str] | None, typer.Option(help="Only these topics (repeatable)")
    ] = None,
    yes: Annotated[
        bool,
        typer.Option(help="Apply without asking; without it, a dry run or a question"),
    ] = False,
) -> None:
    """Plan a reset of a group's committed offsets; apply it with --yes, or when
    asked in a terminal. Elsewhere (a script, a pipe) it is a dry run."""
    settings = OperatorSettings()
    try:
        target = parse_target(to)
    except ValueError as error:
        _fail(str(error))
    plan = _run(
        consumer_groups.plan_reset(kafka_options(settings), group, target, topic or [])
    )
    table = Table("topic", "partition", "committed", "after reset", "change")
    for move in plan:
        current = "-" if move.current is None else str(move.current)
        change = "" if move.change is None else f"{move.change:+d}"
        table.add_row(
            move.topic, str(move.partition), current, str(move.target), change
        )
    console.print(table)
    if not plan:
        _fail(f"group {group} has nothing to reset (no commits, no --topic)")
    if not yes and not _stdin_is_a_terminal():
        console.print("dry run: nothing changed; add --yes to apply")
        return
    if not yes and not typer.confirm(
        f"Move the commits of group {group} as shown?", default=False
    ):
        console.print("nothing changed")
        return
    try:
        _run(consumer_groups.apply_reset(kafka_options(settings), group, plan))
    except consumer_groups.GroupIsActive as error:
        _fail(f"refused: {error}")
    console.print(f"group {group} reset")


def _stdin_is_a_terminal() -> bool:
    """Whether someone at a terminal can answer a question."""
    return sys.stdin.isatty()


# Dead letters --------------------------------------------------------------


def _dlq_topics(settings: OperatorSettings, topic: str | None) -> list[str]:
    if topic:
        return (
            [topic] if topic.endswith(".dlq") else letters.dead_letter_topics([topic])
        )
    return letters.dead_letter_topics(settings.projection_topics)


TopicOption = Annotated[
    str | None, typer.Option(help="A topic or its .dlq twin; all by default")
]


@letters_app.command("list")
def letters_list_command(topic: TopicOption = None) -> None:
    """List the dead letters, why they failed, and whether they were retried."""
    settings = OperatorSettings()
    found, retried = _run(_letters_and_retried(settings, _dlq_topics(settings, topic)))
    table = Table("letter", "from", "consumer", "error", "retried")
    for letter in found:
        table.add_row(
            letter.letter_id,
            letter.original_place,
            letter.consumer,
            letter.error[:60],
            "yes" if letter.letter_id in retried else "",
        )
    console.print(table)


async def _letters_and_retried(
    settings: OperatorSettings, topics: list[str]
) -> tuple[list[letters.DeadLetter], set[str]]:
    found = await letters.read_dead_letters(kafka_options(settings), topics)
    ledger = letters.RetryLedger(kafka_options(settings), settings.retry_ledger_topic)
    await ledger.ensure()
    return found, await ledger.retried()


@letters_app.command("show")
def letters_show_command(
    letter_id: Annotated[str, typer.Argument(help="TOPIC:PARTITION:OFFSET")],
) -> None:
    """Show one dead letter: its headers and its event, or its raw bytes."""
    settings = OperatorSettings()
    letter = _one_letter(settings, letter_id)
    console.print_json(orjson.dumps(letter.headers).decode())
    event = letter.event()
    if event is None:
        console.print(f"not decodable; raw value: {letter.value[:2000]!r}")
    else:
        console.print_json(event.envelope.model_dump_json())
    stamp = datetime.fromtimestamp(letter.timestamp_ms / 1000, UTC)
    console.print(f"dead-lettered at {stamp.isoformat()}")


def _one_letter(settings: OperatorSettings, letter_id: str) -> letters.DeadLetter:
    topic = letter_id.rsplit(":", 2)[0]
    for letter in _run(letters.read_dead_letters(kafka_options(settings), [topic])):
        if letter.letter_id == letter_id:
            return letter
    _fail(f"no dead letter {letter_id}")
    raise AssertionError("unreachable")


@letters_app.command("retry")
def letters_retry_command(
    letter_ids: Annotated[
        list[str] | None, typer.Argument(help="TOPIC:PARTITION:OFFSET ...")
    ] = None,
    all_letters: Annotated[
        bool, typer.Option("--all", help="Every letter of the topics")
    ] = False,
    topic: TopicOption = None,
    again: Annotated[
        bool, typer.Option(help="Publish letters that were already retried too")
    ] = False,
) -> None:
    """Publish dead letters back to their topics, each once, after a fix; the
    projection's own are also re-projected from their aggregate's history."""
    settings = OperatorSettings()
    if not letter_ids and not all_letters:
        _fail("name the letters to retry, or pass --all")
    found = _run(
        letters.read_dead_letters(kafka_options(settings), _dlq_topics(settings, topic))
    )
    wanted = set(letter_ids or [])
    chosen = found if all_letters else [x for x in found if x.letter_id in wanted]
    missing = wanted - {x.letter_id for x in chosen}
    if missing:
        _fail(f"no such dead letters: {', '.join(sorted(missing))}")
    report, repaired = _run(retry_and_reproject(settings, chosen, again=again))
    for letter_id in report.retried:
        console.print(f"retried {letter_id}")
    for letter_id in report.already_retried:
        console.print(f"already retried {letter_id} (pass --again to repeat)")
    for aggregate_id in repaired.reprojected:
        console.print(f"re-projected {aggregate_id} from its history")
    for aggregate_id in repaired.missing:
        console.print(f"[yellow]no event of {aggregate_id} left on its partition")
    if repaired.failed:
        _fail(
            "could not re-project (the live consumer kept changing them): "
            + ", ".join(repaired.failed)
            + "; retry them with --again"
        )


def main() -> None:
    """The console script's entry point."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    app()


if __name__ == "__main__":
    main()
