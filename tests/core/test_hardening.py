"""Security headers, request ids and proxy handling on every response."""


def test_security_headers_on_pages(client):
    response = client.get("/account/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_inline_script_carries_the_csp_nonce(client):
    response = client.get("/account/sign-in")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.data.decode()


def test_hsts_over_https(client):
    response = client.get("/healthz", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_request_id_is_returned_and_a_proxy_one_kept(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 16
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-abc-12345"}).headers["X-Request-ID"] == "proxy-abc-12345"
    unsafe = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert unsafe.headers["X-Request-ID"] != "<script>alert(1)</script>"


def test_proxy_fix_trusts_forwarded_proto_when_configured(make_app):
    app = make_app(PROXY_FIX_COUNT=1)
    response = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_forwarded_headers_are_ignored_without_proxy_fix(client):
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_nul_characters_are_dropped_from_form_and_query_values(app) -> None:
    # PostgreSQL refuses text with NUL bytes; nobody types one, so they never reach the forms.
    from flask import request

    with app.test_request_context("/?q=a%00b", method="POST", data={"name": "Ann\x00 Jones", "x\x00": "1"}):
        assert request.form["name"] == "Ann Jones"
        assert request.form["x"] == "1"
        assert request.args["q"] == "ab"
