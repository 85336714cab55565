"""`python -m imbal_core`: profile, techniques, compare, resample. Same code path as the dashboard.

Exit 0 on success, 2 on bad input or when no technique could run (one readable line on stderr, never a
traceback), 1 when the reader of the output went away (`| head`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from imbal_core.data.class_profile import prepare, read_and_profile
from imbal_core.data.image_encoder import IMAGE_TARGET, to_frame
from imbal_core.data.images import load_image_zip, read_and_profile_images
from imbal_core.data.tables import load_table
from imbal_core.decide.costs import Costs
from imbal_core.errors import ImbalanceLabError, InputError
from imbal_core.nets.model import ModelSettings, automatic_seed_average
from imbal_core.present.report_html import comparison_report
from imbal_core.run.metric_names import METRIC_NAMES
from imbal_core.store.history import save_from_cli
from imbal_core.techniques.catalogue import (
    DEFAULT_IMAGE_TECHNIQUES,
    DEFAULT_TECHNIQUES,
    REGISTRY,
    applicable_techniques,
    get_technique,
    make_spec,
    parse_assignments,
    schemas_json,
)

EXIT_BAD_INPUT = 2
AUTOMATIC = "auto"  # --seed-average auto: imbal_core.nets.model.automatic_seed_average decides from the rows
ROW_CHOICES = ("all", "training")  # imbal_core.run.resampled_table.ROW_CHOICES, without importing scikit-learn


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse prints usage; keep it to one actionable line
        # prog is "imbal_core" for the top level and "imbal_core compare" for a command.
        raise InputError(f"{message}. Run `python -m {self.prog} --help` for usage.")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="imbal_core", description="Imbalance Lab, headless.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    profile = commands.add_parser("profile", help="Rows, columns, class counts and imbalance ratio.")
    profile.add_argument("data", help="A table (CSV, TSV, Parquet, .xlsx) or a ZIP of image class folders.")
    profile.add_argument("--target", help="The class column (a table; without it, one is suggested).")
    profile.add_argument("--json", action="store_true", help="Print JSON instead of text.")

    techniques = commands.add_parser("techniques", help="Technique ids and parameter schemas.")
    techniques.add_argument("--json", action="store_true", help="Print JSON instead of text.")

    compare = commands.add_parser("compare", help="Train and compare techniques.")
    compare.add_argument("data", help="A table (CSV, TSV, Parquet, .xlsx) or a ZIP of image class folders.")
    compare.add_argument("--target", help="The class column of a table (images: the folder names).")
    compare.add_argument(
        "--techniques",
        help="Comma-separated ids (default: baseline,class_weight,focal_loss,"
        "random_over,smote,random_under); 'all' runs every technique that applies to the data and names the "
        "ones left out, with why.",
    )
    compare.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="ID.NAME=VALUE",
        help="A technique's parameter, e.g. smote.k_neighbors=3; repeat for several (`techniques` lists them).",
    )
    compare.add_argument("--folds", type=int, help="K-fold cross-validation (robust mode); omit for one split.")
    compare.add_argument("--repeats", type=int, default=1, help="Repeats of the K-fold split (with --folds).")
    compare.add_argument(
        "--test-size", type=float, default=0.25, help="Share of rows held out for testing in one split (0.25)."
    )
    compare.add_argument("--epochs", type=int, help="Maximum epochs (early stopping usually ends sooner).")
    compare.add_argument(
        "--seed-average",
        default=AUTOMATIC,
        metavar="N|auto",
        help="Train N networks per technique (1 to 10), each from its own seed, and average their probabilities. "
        "'auto' (the default): 3 on a table of at most 3,000 rows (rows with a target), else 1 (images: 1). On 9 "
        "small real tables (150-3,000 rows) 3 lifted every default technique's mean PR-AUC to or above the "
        "pre-stacking engine's (with 1: random undersampling 0.027 below); on the 397-row medical sample (the "
        "dashboard's default techniques, 5-fold) it took 56-69 s against 52-55 s with 1 on a loaded 2-core "
        "machine (bench/RESULTS.md sections 15, 15c). A number you give wins.",
    )
    compare.add_argument(
        "--seed", type=int, default=0, help="Seed of the split and the networks (same seed, same numbers)."
    )
    compare.add_argument("--json", metavar="OUT", help="Write the JSON result to OUT ('-' for stdout).")
    compare.add_argument("--html", metavar="OUT", help="Write the offline HTML report (the dashboard's) to OUT.")
    compare.add_argument("--cost-fp", type=float, help="Cost of a false alarm (binary targets).")
    compare.add_argument("--cost-fn", type=float, help="Cost of a miss (binary targets).")
    compare.add_argument("--value-tp", type=float, default=0.0, help="Value of a caught case (default 0).")
    compare.add_argument("--volume", type=float, help="Cases per period, for daily costs and alerts.")
    compare.add_argument(
        "--period", choices=("day", "week", "month"), default="day", help="The period --volume counts cases in."
    )
    compare.add_argument(
        "--save",
        nargs="?",
        const="",
        metavar="NAME",
        help="Also save the run in the run history (IMBAL_LAB_HISTORY), owned by IMBAL_LAB_OWNER or 'cli'.",
    )
    compare.add_argument(
        "--references",
        action="store_true",
        help="Add scikit-learn reference learners (logistic regression, gradient boosting) on the same folds.",
    )
    compare.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Train the folds on the Dask cluster at ADDRESS (tcp://host:8786; default: IMBAL_LAB_SCHEDULER, "
        "else this process). Same seed, same numbers. See docs/scale-out.md.",
    )

    resample = commands.add_parser(
        "resample",
        help="Write a table resampled by one technique: original rows as read, synthetic rows marked.",
        description="Resample a table with one technique's rows stage and write it as CSV: original rows exactly "
        "as read (column order, types, values), then synthetic rows, with a 'synthetic' column marking them. "
        "Synthetic rows: integer columns rounded to whole numbers, categories kept as categories.",
    )
    resample.add_argument("data", help="The table to resample (CSV, TSV, Parquet, .xlsx).")
    resample.add_argument("--target", required=True, help="The class column.")
    resample.add_argument(
        "--technique",
        required=True,
        help="A technique with a rows stage, e.g. smote, random_over, random_under (`techniques` lists them).",
    )
    resample.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="A parameter of the technique, e.g. k_neighbors=3; repeat for several.",
    )
    resample.add_argument(
        "--rows",
        choices=ROW_CHOICES,
        default="all",
        help="Which rows to resample: 'all' (default) every row of the table; 'training' only the training rows "
        "of the first stratified split, as a network trains on them (the validation and test rows are left out).",
    )
    resample.add_argument(
        "--seed", type=int, default=0, help="Seed of the sampler (and of the split with --rows training)."
    )
    resample.add_argument("--out", required=True, help="Where to write the CSV.")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        arguments = build_parser().parse_args(argv)
        code = COMMANDS[arguments.command](arguments)
        sys.stdout.flush()  # inside the try: a reader that went away (`| head`) is seen here, not at exit
        return code
    except ImbalanceLabError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """The reader of stdout closed the pipe (`profile --json | head`): stop quietly, as Python's documentation
    on SIGPIPE recommends: point stdout at devnull so the flush at exit cannot raise again, and exit 1."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 1


def _is_image_zip(data: str) -> bool:
    return data.lower().endswith(".zip")


def _load_data(data: str, target: str | None):
    """(frame, target) for a table or for a ZIP of images (a frame of pixel columns that knows its shape)."""
    if _is_image_zip(data):
        if target not in (None, IMAGE_TARGET):
            raise InputError(
                f"--target {target!r} does not apply to a ZIP of images: the class of each image is its folder. "
                "Leave --target out."
            )
        return to_frame(load_image_zip(data)), IMAGE_TARGET
    if target is None:
        raise InputError(
            "--target is required for a table: name the column holding the classes "
            "(`python -m imbal_core profile DATA` suggests one)."
        )
    return load_table(data).frame, target


def _profile_images(arguments) -> int:
    _, profile = read_and_profile_images(arguments.data)
    if arguments.json:
        print(json.dumps(profile.to_dict(), indent=2))
        return 0
    print(
        f"{arguments.data}: {profile.rows} images of {profile.height}x{profile.width}x{profile.channels} "
        "(height x width x channels); each folder is a class"
    )
    print(f"Modality: {profile.modality}")
    _print_classes(profile)
    return 0


def _print_classes(profile) -> None:
    """Rows per class, the minority and the imbalance ratio, then notes: the same for tables and images."""
    for label, count in profile.class_counts.items():
        print(f"  {label:>20}  {count:>8}  {count / profile.rows:6.1%}")
    print(f"Minority class {profile.minority_class!r}; imbalance ratio {profile.imbalance_ratio:g}:1")
    for line in profile.notes + profile.warnings:
        print(f"note: {line}")


def _profile(arguments) -> int:
    if _is_image_zip(arguments.data):
        return _profile_images(arguments)
    _, profile = read_and_profile(arguments.data, arguments.target)
    if arguments.json:
        print(json.dumps(_table_profile_document(profile), indent=2))
        return 0
    print(f"{arguments.data}: {profile.rows} rows, {profile.columns} columns, target {profile.target!r}")
    print("Modality: table")
    _print_column_types(profile.column_types())
    _print_classes(profile)
    return 0


def _table_profile_document(profile) -> dict:
    """The profile's JSON plus each feature column's type and use, as the Data page's column table lists them."""
    column_types = [{"column": name, "type": kind, "use": use} for name, kind, use in profile.column_types()]
    return profile.to_dict() | {"column_types": column_types}


def _print_column_types(column_types: list[tuple[str, str, str]]) -> None:
    """One line per feature column: name, type (numeric, categorical, text, dropped) and how it is used."""
    # Names up to 30 characters line up; a longer one is printed whole and pushes its own line along.
    width = min(max((len(name) for name, _, _ in column_types), default=6), 30)
    print("Columns (type, how it is used):")
    for name, kind, use in column_types:
        print(f"  {name:<{width}}  {kind:<11}  {use}")


def _techniques(arguments) -> int:
    if arguments.json:
        print(schemas_json())
        return 0
    for technique in REGISTRY.values():
        params = ", ".join(f"{param.name}={param.default}" for param in technique.params) or "no parameters"
        print(f"{technique.id:18} {technique.family:15} {params}")
    return 0


def _technique_specs(
    names: str | None,
    assignments: list[str],
    references: bool = False,
    images: bool = False,
    applicable: list[str] | None = None,
):
    """Specs for --techniques; for 'all', `applicable` is every technique that applies to the data."""
    if names in (None, ""):
        ids = list(DEFAULT_IMAGE_TECHNIQUES if images else DEFAULT_TECHNIQUES)
    elif names == "all":
        ids = list(applicable or [])
    else:
        ids = [name.strip() for name in names.split(",") if name.strip()]
    if references:
        ids += [technique.id for technique in REGISTRY.values() if technique.is_reference and technique.id not in ids]
    overrides = parse_assignments(assignments, ids)
    return [make_spec(technique_id, overrides.get(technique_id)) for technique_id in ids]


def _compare(arguments) -> int:
    # deferred: protocol imports scikit-learn; `profile` and `techniques` start without it
    from imbal_core.run.protocol import Protocol

    images = _is_image_zip(arguments.data)
    every = (arguments.techniques or "").strip() == "all"
    if not every:  # a misspelt id is refused before the data is read
        specs = _technique_specs(arguments.techniques, arguments.param, arguments.references and not images, images)
    if arguments.epochs is not None and not 1 <= arguments.epochs <= 1000:
        raise InputError(f"--epochs must be between 1 and 1000; got {arguments.epochs}.")
    protocol = Protocol(
        mode="quick" if arguments.folds is None else "cv",
        folds=arguments.folds or 5,
        repeats=arguments.repeats,
        test_size=arguments.test_size,
        seed=arguments.seed,
    )
    chosen_average = _seed_average_choice(arguments.seed_average)
    settings = ModelSettings()
    if arguments.epochs is not None:
        settings = replace(settings, max_epochs=arguments.epochs)
    costs = _costs(arguments)
    frame, target = _load_data(arguments.data, arguments.target)
    settings = _with_seed_average(settings, chosen_average, frame, target, images)
    left_out = None
    if every:
        applicable, left_out = _applicable_to(frame, target)
        specs = _technique_specs("all", arguments.param, arguments.references and not images, images, applicable)
        if left_out:
            print(f"note: {_left_out_sentence(left_out)}", file=sys.stderr)
    comparison = _run_with_progress(frame, target, specs, protocol, settings, arguments.scheduler)
    comparison.costs = costs
    if left_out:  # the HTML report, the history and the JSON's notes say it too
        comparison.notes.append(_left_out_sentence(left_out))
    document_text = _comparison_document(comparison, left_out)

    if arguments.json == "-":
        sys.stdout.write(document_text + "\n")
    elif arguments.json:
        Path(arguments.json).write_text(document_text + "\n")
        print(f"Wrote {arguments.json}", file=sys.stderr)
    if arguments.html:
        Path(arguments.html).write_text(comparison_report(comparison, Path(arguments.data).name), encoding="utf-8")
        print(f"Wrote {arguments.html}", file=sys.stderr)
    if arguments.save is not None:  # issue 15: the same history the dashboard keeps
        print(save_from_cli(comparison, Path(arguments.data), arguments.save), file=sys.stderr)
    if arguments.json != "-":
        print(_table_text(comparison))
    return _nothing_ran(comparison)


def _seed_average_choice(raw: str) -> int | None:
    """--seed-average as given: None for 'auto', else N from 1 to 10 (checked before the data is read)."""
    if str(raw).strip().lower() == AUTOMATIC:
        return None
    try:
        chosen = int(raw)
    except ValueError:
        chosen = None
    if chosen is None or not 1 <= chosen <= 10:
        raise InputError(f"--seed-average must be between 1 and 10, or 'auto'; got {raw!r}.")
    return chosen


def _with_seed_average(settings, chosen: int | None, frame, target: str, images: bool):
    """`settings` with the seed average to use: the person's, else the automatic one for this table's rows
    (the rows with a target, which the comparison trains and tests on)."""
    if chosen is not None:
        return replace(settings, seed_average=chosen)
    rows = 0
    if not images:
        rows = len(prepare(frame, target).labels)
    return replace(settings, seed_average=automatic_seed_average(rows, images), seed_average_automatic=True)


def _nothing_ran(comparison) -> int:
    """0 when a technique produced numbers; else one error line naming why each failed, and exit 2."""
    if any(result.failed is None for result in comparison.results):
        return 0
    reasons = "; ".join(f"{result.spec.technique_id}: {result.failed}" for result in comparison.results)
    print(f"error: No technique could run on this data. {reasons}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _applicable_to(frame, target) -> tuple[list[str], list[dict[str, str]]]:
    """'all' for this data: (ids that apply, the ones left out with why), from the registry's declarations."""
    # deferred: folds imports scikit-learn; `profile` and `techniques` start without it
    from imbal_core.run.folds import encode_dataset

    data = encode_dataset(frame, target)
    modality = "image" if data.image_shape else "table"
    return applicable_techniques(len(data.labels), modality, list(getattr(data.plan, "text", [])))


def _left_out_sentence(left_out: list[dict[str, str]]) -> str:
    """One line, e.g. "'all' left out 2 techniques that do not apply to this data: image_augment (...), ..."."""
    named = "; ".join(f"{item['technique']} ({item['reason']})" for item in left_out)
    count = "1 technique that does" if len(left_out) == 1 else f"{len(left_out)} techniques that do"
    return f"'all' left out {count} not apply to this data: {named}."


def _comparison_document(comparison, left_out: list[dict[str, str]] | None) -> str:
    """The comparison's JSON; after --techniques all, with `left_out`: each technique not run, and why."""
    # deferred: report imports scikit-learn; `profile` and `techniques` start without it
    from imbal_core.present.report import comparison_json_text, comparison_to_json

    if left_out is None:
        return comparison_json_text(comparison)
    return json.dumps(comparison_to_json(comparison) | {"left_out": left_out}, indent=2, allow_nan=False)


def _costs(arguments):
    """Costs from the flags; without --cost-fp and --cost-fn, the generic defaults (said in the JSON)."""
    given = {
        "false_alarm": arguments.cost_fp,
        "miss": arguments.cost_fn,
        "catch_value": arguments.value_tp,
        "volume": arguments.volume,
        "period": arguments.period,
    }
    return Costs(**{name: value for name, value in given.items() if value is not None})


def _run_with_progress(frame, target, specs, protocol, settings, scheduler=None):
    # deferred: evaluate imports scikit-learn; `profile` and `techniques` start without it
    from imbal_core.run.evaluate import run_comparison

    started = time.perf_counter()

    def report(event) -> None:
        if event.stage == "done":
            print(
                f"[{time.perf_counter() - started:6.1f}s] fold {event.fold_index + 1}/{event.n_folds} "
                f"{event.technique} done",
                file=sys.stderr,
            )

    return run_comparison(frame, target, specs, protocol, settings, on_progress=report, scheduler=scheduler)


def _table_text(comparison) -> str:
    columns = [name for name in METRIC_NAMES]
    header = f"{'technique':28}" + "".join(f"{name:>19}" for name in columns) + f"{'fit s':>8}"
    lines = [
        f"{comparison.dataset['rows']} rows, minority {comparison.dataset['minority_class']!r}, "
        f"ratio {comparison.dataset['imbalance_ratio']:g}:1, mode {comparison.protocol.mode}, "
        f"{comparison.wall_seconds:.1f}s",
        header,
    ]
    for result in comparison.results:
        cells = "".join(
            f"{result.metrics.get(name, float('nan')):>10.3f} ± {result.metrics_std.get(name, float('nan')):<6.3f}"
            for name in columns
        )
        lines.append(f"{result.spec.label[:28]:28}{cells}{result.fit_seconds:>8.1f}")
        for note in result.notes:
            lines.append(f"{'':4}note: {note}")
    return "\n".join(lines)


def _resample(arguments) -> int:
    # deferred: report and resampled_table import scikit-learn; `profile` and `techniques` start without it
    from imbal_core.present.report import to_csv_text
    from imbal_core.run.resampled_table import resample_table

    technique = get_technique(arguments.technique)
    # The same parser as `compare`: "k_neighbors=3" is read as "<technique>.k_neighbors=3", and a prefix
    # naming another technique is refused instead of silently dropped.
    qualified = [item if "." in item.partition("=")[0] else f"{technique.id}.{item}" for item in arguments.param]
    spec = make_spec(technique.id, parse_assignments(qualified, [technique.id]).get(technique.id))
    table = load_table(arguments.data)
    resampled = resample_table(table.frame, arguments.target, spec, arguments.seed, arguments.rows)
    Path(arguments.out).write_text(to_csv_text(resampled.frame))
    print(f"Wrote {len(resampled.frame):,} rows to {arguments.out}. {resampled.statement()}", file=sys.stderr)
    for note in resampled.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


COMMANDS = {"profile": _profile, "techniques": _techniques, "compare": _compare, "resample": _resample}
