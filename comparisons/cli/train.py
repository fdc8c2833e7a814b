"""`triptych train`: one network trained with every backend from the same start."""

from __future__ import annotations

import reference
from reference import validate

from .. import backends as registry
from .. import files
from ..training import default_spec, train
from .common import (
    add_backend_flags,
    add_csv_flag,
    add_network_flags,
    backends,
    batch_size,
    default,
    number,
)


def add_parser(commands) -> None:
    p = commands.add_parser(
        "train",
        help="train one network with every backend from the same start",
        description="Train one spec with every available backend from the same "
        "initial parameters on the same minibatches; print per backend the first "
        "and final loss, the accuracy (classification), and the largest loss "
        "difference along the way against the other backends and the float64 oracle.",
    )
    p.add_argument(
        "--dataset",
        default=default(train, "dataset"),
        choices=list(reference.data.DATASETS),
    )
    add_network_flags(
        p,
        sizes="default: n_features,32,n_outputs",
        activation="default: tanh",
        output="default: softmax to classify, identity to regress",
        loss="default: cross_entropy to classify, mse to regress",
    )
    p.add_argument(
        "--dtype", choices=reference.DTYPES, default=default(default_spec, "dtype")
    )
    for flag, kind, what in (
        ("lr", float, "learning rate"),
        ("steps", int, "gradient steps"),
    ):
        value = default(train, flag)
        p.add_argument(f"--{flag}", type=kind, default=value, help=f"{what} ({value})")
    p.add_argument(
        "--batch-size",
        type=batch_size,
        default=default(train, "batch_size"),
        help="minibatch size, or 'full' for the whole set (default: 64)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=default(train, "seed"),
        help="init and batch order (default: 0)",
    )
    add_backend_flags(p)
    add_csv_flag(p, "also write the table here")
    p.set_defaults(run=run)


def run(args) -> int:
    data = reference.data.load(args.dataset)
    fields = dict(sizes=args.sizes, activation=args.activation, output=args.output)
    spec = default_spec(data, dtype=args.dtype, loss=args.loss, **fields)
    validate.check_int("steps", args.steps, 1)  # a table of no steps says nothing
    validate.check_train_args(
        args.lr, args.steps, args.batch_size, args.seed, None, len(data.x)
    )
    csv = files.output_path(args.csv, "--csv") if args.csv else None
    chosen = backends(args)
    registry.resolve(chosen)  # a backend that is not one: refused before the header
    batch = "full batch" if args.batch_size is None else f"batches of {args.batch_size}"
    print(
        f"Training {spec} on {data.name} ({len(data.x)} examples), "
        f"lr {args.lr}, {args.steps} steps, {batch}, seed {args.seed}"
    )
    table = train(
        data, spec, chosen, args.lr, args.steps, args.batch_size, args.seed, args.device
    )
    shown = table.assign(diverged_at=table.diverged_at.astype(object).fillna("-"))
    print(shown.to_string(index=False, float_format=number, na_rep="-"))
    print("\n" + summary(table))
    if csv:
        files.write_csv(table, csv)
        print(f"Wrote {csv}")
    return 1 if table.seconds.isna().any() else 0  # a backend raised


def summary(table) -> str:
    """The largest differences in words, which runs diverged, which raised."""
    between, oracle = table.max_diff_vs_backends.max(), table.max_diff_vs_oracle.max()
    lines = [
        "Largest loss difference between backends along the way: "
        + (f"{between:.3g}" if between == between else "none (no two curves)")
        + "; against the float64 oracle: "
        + (f"{oracle:.3g}." if oracle == oracle else "none.")
    ]
    diverged = table[table.diverged_at.notna()]
    if len(diverged):
        where = ", ".join(
            f"{r.backend} at step {r.diverged_at}" for r in diverged.itertuples()
        )
        lines.append(
            f"Diverged: {where}. The differences cover only the steps before a "
            f"divergence; after it the losses are not meaningful to compare."
        )
    for row in table[table.seconds.isna()].itertuples():  # raised: no time
        lines.append(f"{row.backend} failed: {row.note}")
    lines.append("accuracy is on the whole data set; seconds include JIT compilation.")
    return "\n".join(lines)
