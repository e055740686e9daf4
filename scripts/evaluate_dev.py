"""Score the extractor on the dev articles (outside the repository) against scripts/gold/dev.json.

Usage::

    .venv/bin/python scripts/evaluate_dev.py                 # score table
    .venv/bin/python scripts/evaluate_dev.py --verbose       # + every FP/FN by article
    .venv/bin/python scripts/evaluate_dev.py --dev-dir DIR --format markdown

The articles live in ``../shared/dev-articles`` relative to the repository root; their text is
never copied into the project. Exit status 1 with a one-line message on bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEV_DIR = ROOT.parent / "shared" / "dev-articles"
DEFAULT_GOLD = ROOT / "scripts" / "gold" / "dev.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev-dir", type=Path, default=DEFAULT_DEV_DIR, help="dev articles")
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="gold JSON file")
    parser.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    parser.add_argument("--per-article", action="store_true", help="score each article too")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="list false positives and negatives"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from kg.evaluate import EvaluationError, evaluate, render_errors, render_scores

    args = parse_args(argv)
    try:
        result = evaluate(args.gold, [args.dev_dir])
    except (EvaluationError, OSError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        sys.stdout.write(render_scores(result, "json", args.per_article or args.verbose))
        return 0
    print(f"{len(result.articles)} dev articles from {args.dev_dir}")
    sys.stdout.write(render_scores(result, args.format, args.per_article))
    if args.verbose:
        sys.stdout.write("\nFalse positives (FP) and false negatives (FN):\n")
        sys.stdout.write(render_errors(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
