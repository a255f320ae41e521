"""Sign-in limits a stranger cannot turn into a lock-out: failures count per account and
address (5 a minute), per address (10) and per account from everywhere (a ceiling of 30,
above what one address can reach). The burst test prints its figures."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.support import csrf_from


def _attempt(client, email: str, password: str, address: str) -> int:
    env = {"REMOTE_ADDR": address}
    token = csrf_from(client.get("/auth/login", environ_base=env).get_data(as_text=True))
    response = client.post(
        "/auth/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=env,
    )
    return response.status_code


def test_a_strangers_burst_does_not_lock_the_owner_out(app, make_user, capsys):
    owner = make_user()
    stranger = app.test_client()
    tried = 0
    while _attempt(stranger, owner.email, "guess", "198.51.100.7") == 200:
        tried += 1
        assert tried < 50, "the stranger was never refused"
    assert tried == 5  # the sixth wrong password from that address is refused (429)
    # The stranger's address is refused even with the right password...
    assert _attempt(stranger, owner.email, PASSWORD, "198.51.100.7") == 429
    # ...but the owner, from their own address, signs in at once.
    assert _attempt(app.test_client(), owner.email, PASSWORD, "203.0.113.20") == 302
    with capsys.disabled():
        print(
            f"\nsign-in burst: {tried} wrong passwords from one address, then 429; "
            "the owner's right password from another address: 302 (signed in)"
        )


def test_the_per_account_ceiling_needs_many_addresses(app, make_user):
    """Thirty failures a minute for one account, from six addresses or more, do refuse it
    everywhere: the ceiling against a distributed guess."""
    owner = make_user()
    client = app.test_client()
    for n in range(6):
        codes = [_attempt(client, owner.email, "guess", f"198.51.100.{n}") for _ in range(5)]
        assert codes == [200] * 5
    assert _attempt(app.test_client(), owner.email, PASSWORD, "203.0.113.21") == 429
