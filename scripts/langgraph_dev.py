"""`langgraph dev` for this project: the LangGraph API's in-memory server on langgraph.json, run from
data/langgraph-venv (scripts/langgraph-venv.sh builds it).

The same server `langgraph dev` starts (langgraph_api.cli.run_server), with blocking calls allowed: the agent's
stores use synchronous SQLAlchemy inside async nodes, as in the web app. Usage:
    "$(scripts/langgraph-venv.sh)/python" scripts/langgraph_dev.py [--host 127.0.0.1] [--port 2024]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from langgraph_api.cli import run_server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=2024)
    parser.add_argument("--config", default=str(ROOT / "langgraph.json"))
    parser.add_argument("--reload", action="store_true", help="restart on code changes")
    parser.add_argument(
        "--no-persistence", action="store_true", help="keep threads in memory only (no .langgraph_api/)"
    )
    args = parser.parse_args()
    config = json.loads(Path(args.config).read_text(encoding="utf-8"))
    run_server(
        args.host,
        args.port,
        args.reload,
        config.get("graphs", {}),
        env=config.get("env"),
        auth=config.get("auth"),
        allow_blocking=True,
        disable_persistence=args.no_persistence,
        open_browser=False,
    )


if __name__ == "__main__":
    main()
