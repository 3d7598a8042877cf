"""Commands for the web app: `exhibit serve` and `exhibit user add|ls|passwd`."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from exhibit.cli.common import ArchiveOpt, JsonOpt, archive_path, console, open_archive, out, print_json
from exhibit.errors import UserError

RoleOpt = Annotated[str, typer.Option("--role", help="viewer, investigator or admin.")]
StdinOpt = Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin "
                                        "(else one is generated and printed).")]


def _password(from_stdin: bool) -> tuple[str, bool]:
    """(password, generated?)"""
    from exhibit.web.accounts import generate_password

    if from_stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
        if not pw:
            raise UserError("--password-stdin: no password on stdin.")
        return pw, False
    return generate_password(), True


def register(app: typer.Typer) -> None:
    """Add this capability's commands to the root app."""
    user = typer.Typer(help="Web app accounts: admin, investigator, viewer.", no_args_is_help=True)

    @user.command("add")
    def user_add(name: str, role: RoleOpt = "viewer", password_stdin: StdinOpt = False,
                 archive: ArchiveOpt = None) -> None:
        """Create a web account; prints the generated password unless --password-stdin."""
        from exhibit.web import accounts

        pw, generated = _password(password_stdin)
        with open_archive(archive) as arch:
            accounts.add_user(arch, name, role, pw)
        console.print(f"added {name} ({role})")
        if generated:
            out.print(pw, highlight=False)

    @user.command("passwd")
    def user_passwd(name: str, password_stdin: StdinOpt = False, archive: ArchiveOpt = None) -> None:
        """Set a new password (ends the user's sessions); prints it if generated."""
        from exhibit.web import accounts

        pw, generated = _password(password_stdin)
        with open_archive(archive) as arch:
            accounts.set_password(arch, name, pw)
        console.print(f"new password set for {name}")
        if generated:
            out.print(pw, highlight=False)

    @user.command("ls")
    def user_ls(json_out: JsonOpt = False, archive: ArchiveOpt = None) -> None:
        """The web accounts and their roles."""
        from exhibit.web import accounts

        with open_archive(archive) as arch:
            rows = accounts.users(arch)
        if json_out:
            print_json(rows)
            return
        for r in rows:
            out.print(f"{r['name']}\t{r['role']}\t{r['created']}", highlight=False)

    app.add_typer(user, name="user")

    @app.command("serve")
    def serve(host: Annotated[str, typer.Option(help="Address to listen on; loopback by default.")] = "127.0.0.1",
              port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
              tls_cert: Annotated[str | None, typer.Option(help="Serve HTTPS with this certificate (PEM).")] = None,
              tls_key: Annotated[str | None, typer.Option(help="Private key for --tls-cert (PEM).")] = None,
              behind_tls: Annotated[bool, typer.Option(help="A TLS proxy is in front: mark cookies Secure.")] = False,
              demo_admin: Annotated[bool, typer.Option(
                  help="Give the user `admin` a new random password and print it (for `make demo`).")] = False,
              workers: Annotated[int, typer.Option(
                  help="Worker processes (team mode on PostgreSQL; a SQLite catalog has one writer, so one).")] = 1,
              db_role: Annotated[str | None, typer.Option(
                  help="Team mode: act as this PostgreSQL role (`exhibit catalog grant-app ROLE`), which cannot "
                       "alter custody events.")] = None,
              archive: ArchiveOpt = None) -> None:
        """The web app, on loopback unless --host says otherwise."""
        import uvicorn

        from exhibit.web import accounts
        from exhibit.web.app import create_app
        from exhibit.web.settings import WebSettings

        root = archive_path(archive)
        if bool(tls_cert) != bool(tls_key):
            raise UserError("--tls-cert and --tls-key go together.")
        with open_archive(root) as arch:
            accounts.ensure_schema(arch)
            if demo_admin:
                pw = accounts.generate_password()
                if any(u["name"] == "admin" for u in accounts.users(arch)):
                    accounts.set_password(arch, "admin", pw)
                else:
                    accounts.add_user(arch, "admin", "admin", pw)
            elif not accounts.has_admin(arch):
                console.print("no admin account yet: `exhibit user add NAME --role admin` creates one.")
        scheme = "https" if tls_cert else "http"
        shown = f"[{host}]" if ":" in host else host
        out.print(f"exhibit web app: {scheme}://{shown}:{port}/", highlight=False)
        if demo_admin:
            out.print(f"sign in as: admin\npassword:   {pw}", highlight=False)
        if host not in ("127.0.0.1", "localhost", "::1") and not (tls_cert or behind_tls):
            console.print("[yellow]warning:[/] listening beyond loopback without TLS; passwords and session "
                          "cookies cross the network in clear. Use --tls-cert/--tls-key or a TLS proxy (--behind-tls).")
        settings = WebSettings(secure_cookies=bool(tls_cert) or behind_tls, db_role=db_role)
        if workers < 1:
            raise UserError(f"--workers {workers}: give 1 or more.")
        if workers == 1:
            uvicorn.run(create_app(root, settings), host=host, port=port, ssl_certfile=tls_cert, ssl_keyfile=tls_key,
                        log_level="warning", proxy_headers=behind_tls, server_header=False)
            return
        import dataclasses
        import json
        import os

        from exhibit.web.app import WORKER_ARCHIVE_ENV, WORKER_SETTINGS_ENV

        os.environ[WORKER_ARCHIVE_ENV] = str(root.resolve())
        os.environ[WORKER_SETTINGS_ENV] = json.dumps(dataclasses.asdict(settings))
        uvicorn.run("exhibit.web.app:app_for_worker", factory=True, workers=workers, host=host, port=port,
                    ssl_certfile=tls_cert, ssl_keyfile=tls_key, log_level="warning", proxy_headers=behind_tls,
                    server_header=False)
