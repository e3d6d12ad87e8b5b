"""`make bench`: a quick round on SQLite (1% scale), to check the bench works; see bench/README.md.

    python -m bench.run [--scale 0.01] [--runs 100]

For the real figures run bench.generate at full scale and bench.near_me against it (README).
"""

import argparse
from pathlib import Path

from bench import generate, near_me

OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args(argv)
    url = f"sqlite:///{OUT / 'quick.sqlite3'}"
    generate.main(["--database-url", url, "--scale", str(args.scale), "--force"])
    near_me.main(["--database-url", url, "--runs", str(args.runs)])


if __name__ == "__main__":
    main()
