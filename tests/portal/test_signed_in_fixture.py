"""The signed_in fixture really yields a session flask-login accepts."""


def test_signed_in_client_reaches_the_back_office(signed_in, client):
    assert signed_in("editor_a").get("/beheer/").status_code == 200
    assert client.get("/beheer/").status_code == 302
