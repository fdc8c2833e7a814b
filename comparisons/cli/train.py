"""`triptych train`: one network trained with every backend from the same start."""

from __future__ import annotations

import reference
from reference import validate

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
    validate.check_train_args(
        args.lr, args.steps, args.batch_size, args.seed, None, len(data.x)
    )
    csv = files.output_path(args.csv, "--csv") if args.csv else None
    chosen = backends(args)
    batch = "full batch" if args.batch_size is None else f"batches of {args.batch_size}"
    print(
        f"Training {spec} on {data.name} ({len(data.x)} examples), "
        f"lr {args.lr}, {args.steps} steps, {batch}, seed {args.seed}"
    )
    table = train(
        data, spec, chosen, args.lr, args.steps, args.batch_size, args.seed, args.device
    )
    print(table.to_string(index=False, float_format=number))
    worst = table.max_diff_vs_backends.max()
    print(
        f"\nLargest loss difference between backends along the way: {worst:.3g}; "
        f"against the float64 oracle: {table.max_diff_vs_oracle.max():.3g}. "
        f"accuracy is on the whole data set; seconds include JIT compilation."
    )
    if csv:
        files.write_csv(table, csv)
        print(f"Wrote {csv}")
    return 0
