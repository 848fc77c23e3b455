"""deploy/nginx/learnhub.conf, checked with `nginx -t` and driven on loopback in front of gunicorn.

The example is rendered with loopback ports, a self-signed certificate made here, the
checkout's static folder and temporary log paths; every other line is used as shipped. Skipped
when nginx is not installed (Debian: apt-get install nginx), except in CI, where .ci/run
installs it and a missing nginx is an error.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from benchmarks.load import ROOT, Server, free_port
from tests.conftest import PASSWORD

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
EXAMPLE = ROOT / "deploy" / "nginx" / "learnhub.conf"

pytestmark = [
    pytest.mark.load,
    pytest.mark.skipif(
        NGINX is None and not os.environ.get("CI"),
        reason="nginx is not installed (Debian: apt-get install nginx); .ci/run installs it",
    ),
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),  # the 444 probes
]


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"the example no longer contains {old!r}: update this test with it"
    return text.replace(old, new)


def render(tmp: Path, *, http_port: int, https_port: int, upstream_port: int, cert: Path, key: Path) -> Path:
    """The example with loopback ports and test paths; returns a complete nginx.conf."""
    site = EXAMPLE.read_text()
    site = re.sub(r"^\s*listen \[::\]:.*\n", "", site, flags=re.MULTILINE)  # no IPv6 in the sandbox
    site = _replace(site, "listen 80", f"listen 127.0.0.1:{http_port}")
    site = _replace(site, "listen 443", f"listen 127.0.0.1:{https_port}")
    site = _replace(site, "server_name learnhub.example.org;", "server_name localhost;")
    site = _replace(site, "https://learnhub.example.org$request_uri", f"https://localhost:{https_port}$request_uri")
    site = _replace(site, "server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream_port};")
    site = _replace(site, "/etc/ssl/learnhub/fullchain.pem", str(cert))
    site = _replace(site, "/etc/ssl/learnhub/privkey.pem", str(key))
    site = _replace(site, "/srv/learnhub/learnhub/static/", str(ROOT / "learnhub" / "static") + "/")
    site = _replace(site, "/var/log/nginx/", str(tmp) + "/")
    (tmp / "learnhub.conf").write_text(site)
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/learnhub.conf;
}}
"""
    )
    return conf


def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited:\n{log.read_text() if log.exists() else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("nginx did not start listening")


def _no_answer(url: str, host: str) -> bool:
    """True when the server closes the connection without any HTTP response (nginx's 444)."""
    try:
        requests.get(url, headers={"Host": host}, verify=False, timeout=10, allow_redirects=False)
    except requests.ConnectionError:
        return True
    return False


def test_the_example_passes_nginx_t_and_serves_a_sign_in_on_a_non_default_port(app, make_user, database_url, tmp_path):
    assert NGINX is not None, "nginx is not installed (CI installs it in .ci/run)"
    email = "nginx.user@example.org"
    make_user(email)
    http_port, https_port = free_port(), free_port()
    cert, key = self_signed(tmp_path)
    env = {"LEARNHUB_PROXY_FIX_COUNT": "1", "LEARNHUB_PREFERRED_URL_SCHEME": "https", "LEARNHUB_LOG_FORMAT": "json"}
    with Server(database_url, tmp_path, workers=1, env=env) as server:
        conf = render(tmp_path, http_port=http_port, https_port=https_port, upstream_port=server.port, cert=cert, key=key)
        check = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        nginx = subprocess.Popen([NGINX, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_for_port(https_port, nginx, tmp_path / "error.log")
            _wait_for_port(http_port, nginx, tmp_path / "error.log")
            base = f"https://localhost:{https_port}"

            # Any other Host gets no answer at all, on HTTPS and on HTTP, so no link is ever
            # built from it; nginx does not name its version.
            assert _no_answer(base + "/account/password/forgot", "evil.example")
            assert _no_answer(f"http://127.0.0.1:{http_port}/", "evil.example")
            assert _no_answer(f"http://127.0.0.1:{http_port}/", "127.0.0.1")

            # HTTP → HTTPS on the configured name, keeping the path.
            redirect = requests.get(
                f"http://127.0.0.1:{http_port}/account/sign-in?x=1",
                headers={"Host": "localhost"},
                allow_redirects=False,
                timeout=10,
            )
            assert redirect.status_code == 301
            assert redirect.headers["Location"] == f"{base}/account/sign-in?x=1"
            assert redirect.headers["Server"] == "nginx"

            browser = requests.Session()
            browser.trust_env = False  # a CA bundle from the environment would replace ours
            browser.verify = str(cert)
            page = browser.get(base + "/account/sign-in", timeout=30)
            assert page.status_code == 200
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
            # The form posts to the non-default port: the same-site (Referer) check passes
            # only because nginx forwards the port.
            signed_in = browser.post(
                base + "/account/sign-in",
                data={"csrf_token": token, "email": email, "password": PASSWORD},
                headers={"Referer": base + "/account/sign-in", "Origin": base},
                allow_redirects=False,
                timeout=30,
            )
            assert signed_in.status_code == 302, signed_in.text[:2000]
            assert signed_in.headers["Location"] in ("/", f"{base}/")
            cookie = signed_in.headers["Set-Cookie"]
            assert "Secure" in cookie
            assert "HttpOnly" in cookie
            home = browser.get(base + "/", timeout=30)
            assert home.status_code == 200
            assert "Sign out" in home.text

            # nginx's request id reaches the app (response header) and the access log.
            request_id = home.headers["X-Request-ID"]
            assert re.fullmatch(r"[0-9a-f]{32}", request_id)
            access_log = tmp_path / "learnhub-access.log"
            deadline = time.monotonic() + 10  # nginx writes the line just after the response
            while request_id not in access_log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert request_id in access_log.read_text()

            # The secret of a reset link is in neither nginx's nor gunicorn's access log, and
            # gunicorn's lines are JSON with nginx's request id.
            reset = browser.get(base + "/account/password/reset/SECRET-TOKEN-123", timeout=30)
            deadline = time.monotonic() + 10
            while reset.headers["X-Request-ID"] not in server.log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            gunicorn_lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
            (access,) = [line for line in gunicorn_lines if line.get("request_id") == reset.headers["X-Request-ID"]]
            assert access["logger"] == "gunicorn.access"
            assert access["path"] == "/account/password/reset/[redacted]"
            assert access["status"] == 410
            assert any(line["request_id"] == request_id for line in gunicorn_lines)
            assert "SECRET-TOKEN-123" not in server.log.read_text()
            while "[redacted]" not in access_log.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert "/account/password/reset/[redacted]" in access_log.read_text()
            assert "SECRET-TOKEN-123" not in access_log.read_text()

            # Static files come from nginx: fingerprinted URLs cached for a year.
            css = re.search(r'href="(/static/css/main\.css\?v=[0-9a-f]+)"', home.text).group(1)
            static = browser.get(base + css, timeout=10)
            assert static.status_code == 200
            assert "immutable" in static.headers["Cache-Control"]
            assert "max-age=31536000" in static.headers["Cache-Control"]
            assert "X-Request-ID" not in static.headers  # not proxied to gunicorn

            # A 3 MB upload reaches the app (nginx's default would answer its own bare 413).
            big = browser.post(
                base + "/account/sign-in",
                data={"email": "x" * (3 * 1024 * 1024)},
                headers={"Referer": base + "/account/sign-in"},
                timeout=30,
            )
            assert "Content-Security-Policy" in big.headers
            assert big.status_code != 413
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)
