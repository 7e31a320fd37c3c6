"""``territoire-abm game`` and ``territoire-abm explore``.

    territoire-abm game [host=127.0.0.1] [port=8765] [dir=game_sessions]
    territoire-abm game debrief code=<session code> [dir=game_sessions] [futures=100]
                               [lang=fr|en]  (default: the session's language)
    territoire-abm game replay code=<session code> [dir=game_sessions] [seed=<n>]
                               [scenario=tracc|ssp126|ssp245|ssp370|ssp585]
    territoire-abm explore [host=127.0.0.1] [port=8766]

The web app binds 127.0.0.1 unless ``host=0.0.0.0`` is given (players on the local network).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from territoire_abm.cli_options import HELP_FLAGS
from territoire_abm.errors import UserError

GAME_KEYS = ("host", "port", "dir")
DEBRIEF_KEYS = ("code", "dir", "futures", "workers", "lang")
REPLAY_KEYS = ("code", "dir", "seed", "scenario")


class _Help(Exception):
    """``--help`` anywhere on a game or explore command line."""


def _options(args: list[str], allowed: tuple[str, ...]) -> dict[str, str]:
    if any(arg in HELP_FLAGS for arg in args):
        raise _Help
    options = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep or key not in allowed:
            raise UserError("argument", arg, f"expected key=value with key in "
                            f"{', '.join(allowed)}")
        options[key] = value
    return options


def _port(value: str, default: int) -> int:
    try:
        port = int(value or default)
    except ValueError:
        raise UserError("port", value, "a port number in [1024, 65535]") from None
    if not 1024 <= port <= 65535:
        raise UserError("port", port, "a port number in [1024, 65535]")
    return port


def _host(value: str | None) -> str:
    host = value or "127.0.0.1"
    if host not in ("127.0.0.1", "localhost", "0.0.0.0"):
        raise UserError("host", host, "allowed: 127.0.0.1 (default), localhost, 0.0.0.0 "
                        "(local network)")
    return host


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses on the local network (none of 127.x), best guess first:
    the one the default route leaves by (a UDP socket's connect sends nothing), then the
    host name's."""
    import socket

    found = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        pass
    return [a for a in dict.fromkeys(found) if not a.startswith(("127.", "0."))]


def facilitator_key(root: Path) -> str:
    """The key of the facilitator link, kept in the sessions folder (stable across restarts)."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "facilitator.key"
    if not path.is_file():
        path.write_text(secrets.token_urlsafe(18), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def serve(app_module: str, host: str, port: int, env: dict[str, str]) -> None:
    """Serve a Solara app with uvicorn (assets from solara-assets: no CDN, no telemetry)."""
    os.environ.update(env)
    os.environ.update({"SOLARA_APP": app_module, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
                       "SERVER_NAME": host, "SERVER_PORT": str(port)})
    import uvicorn

    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level="warning")


def _with_help(command):
    """``command`` printing this module's usage (and exit 0) when asked for ``--help``."""
    def run(args: list[str]) -> int:
        try:
            return command(args)
        except _Help:
            print(__doc__)
            return 0

    run.__doc__ = command.__doc__
    return run


@_with_help
def game_main(args: list[str]) -> int:
    """``territoire-abm game [debrief|replay] key=value…``: serve the game or run a subcommand."""
    if args and args[0] == "debrief":
        return debrief_main(args[1:])
    if args and args[0] == "replay":
        return replay_main(args[1:])
    options = _options(args, GAME_KEYS)
    host, port = _host(options.get("host")), _port(options.get("port", ""), 8765)
    root = Path(options.get("dir") or "game_sessions").resolve()
    key = facilitator_key(root)
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    print(f"Workshop game at http://{shown}:{port}/  (players join here with the session code)")
    print(f"Facilitator link: http://{shown}:{port}/?key={key}")
    if host == "0.0.0.0":
        addresses = lan_addresses()
        print("Bound to every network interface: players on the local network open "
              + (" or ".join(f"http://{address}:{port}/" for address in addresses)
                 if addresses else "this machine's address (ip addr, or ipconfig on Windows) "
                 f"with :{port}/"))
    print(f"Sessions are saved in {root}. Stop with Ctrl+C; restarting resumes them.",
          flush=True)
    serve("territoire_abm.game.app", host, port,
          {"TERRITOIRE_ABM_GAME_DIR": str(root), "TERRITOIRE_ABM_GAME_KEY": key})
    return 0


def _session(options: dict[str, str]):
    from territoire_abm.game.store import Registry

    root = Path(options.get("dir") or "game_sessions")
    if not root.is_dir():  # reading a session creates no folder
        raise UserError("dir", str(root), "no sessions folder there; give dir= the folder "
                        "`territoire-abm game` saved the session in")
    return Registry(root).get(options.get("code"))


def debrief_main(args: list[str]) -> int:
    """``territoire-abm game debrief code=…``: write a session's debrief pack."""
    from territoire_abm.game.debrief import write_pack
    from territoire_abm.game.settings import LANGUAGES

    options = _options(args, DEBRIEF_KEYS)
    futures = _int(options, "futures", 100, 1, 10_000)
    workers = _int(options, "workers", 0, 0, 512) or None
    lang = options.get("lang") or None
    if lang is not None and lang not in LANGUAGES:
        raise UserError("lang", lang, f"allowed: {', '.join(LANGUAGES)}")
    folder = write_pack(_session(options), futures=futures, workers=workers, lang=lang)
    print(f"Debrief pack written to {folder}")
    return 0


def replay_main(args: list[str]) -> int:
    """Replay the session's decision log with RecordedController and print the headline
    indicators: the session again (its weather and injected events), or under the weather
    future ``seed=`` and the ``scenario=`` asked."""
    from territoire_abm.game.replay import replay_once
    from territoire_abm.game.roles import HEADLINE

    options = _options(args, REPLAY_KEYS)
    session = _session(options)
    seed = _int(options, "seed", 0, 0, 2**31 - 1) if options.get("seed") else None
    table = replay_once(session, seed=seed, scenario=options.get("scenario") or None)
    print(table[[c for c in HEADLINE if c in table]].round(3).to_string())
    return 0


def _int(options: dict[str, str], key: str, default: int, low: int, high: int) -> int:
    try:
        value = int(options.get(key) or default)
    except ValueError:
        raise UserError(key, options.get(key), f"a whole number in [{low}, {high}]") from None
    if not low <= value <= high:
        raise UserError(key, value, f"allowed range [{low}, {high}]")
    return value


@_with_help
def explore_main(args: list[str]) -> int:
    """``territoire-abm explore``: serve the model explorer."""
    options = _options(args, ("host", "port"))
    host, port = _host(options.get("host")), _port(options.get("port", ""), 8766)
    shown = "127.0.0.1" if host == "0.0.0.0" else host
    print(f"Model explorer at http://{shown}:{port}/", flush=True)
    serve("territoire_abm.game.explorer", host, port, {})
    return 0
