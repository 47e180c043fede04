"""App-id mode: botbuilder's real JWT validation, offline, against locally seeded signing keys.

Every bad token is a 401 (botbuilder 4.17.1 alone answers 500 for several of them), the bot does
not run (no connector call, no conversation state) and a valid token works end to end.
"""

from __future__ import annotations

import pytest

from bot.core.identity import user_hash
from bot.core.store import conversation_key
from bot.testing.teams import APP_ID, PERSONAL_CONV, USER, Signer, TeamsHarness, personal_message

OTHER_APP = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


async def assert_refused(harness: TeamsHarness, authorization: str | None) -> None:
    activity = personal_message(harness.connector.url, "start")
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await harness.client.post("/api/messages", json=activity, headers=headers)
    assert response.status == 401, await response.text()
    assert harness.connector.calls == []  # no reply, no update, nothing
    hashed = user_hash(harness.services.settings.hash_key, "teams", USER["aadObjectId"])
    assert (await harness.store.load(conversation_key(hashed, "teams:personal"))).version == 0  # the bot never ran


async def test_valid_token_is_accepted_and_the_reply_is_authenticated(teams_auth: TeamsHarness,
                                                                     signer: Signer) -> None:
    token = signer.token(teams_auth.connector.url)
    messages = await teams_auth.send(personal_message(teams_auth.connector.url, "start"), token=token)
    assert messages
    assert all(m.conversation == PERSONAL_CONV for m in messages)
    # Outbound calls carry the bot's own token (from the offline credentials factory).
    assert {m.auth for m in messages} == {"Bearer fake"}


@pytest.mark.parametrize("case", [
    "missing", "empty-bearer", "garbage", "not-bearer", "three-parts", "wrong-issuer", "other-key", "unknown-kid",
    "wrong-audience", "expired", "serviceurl-mismatch", "no-serviceurl",
])
async def test_bad_tokens_are_401_and_the_bot_does_not_run(teams_auth: TeamsHarness, signer: Signer,
                                                          case: str) -> None:
    url = teams_auth.connector.url
    valid = signer.token(url)
    header = {
        "missing": None,
        "empty-bearer": "Bearer ",
        "garbage": "Bearer not.a.jwt",
        "not-bearer": f"Basic {valid}",
        "three-parts": f"Bearer {valid} extra",
        "wrong-issuer": "Bearer " + signer.token(url, iss="https://login.example.com/evil"),
        "other-key": "Bearer " + signer.token(url, key=signer.other_key),
        "unknown-kid": "Bearer " + signer.token(url, key=signer.other_key, kid="someone-elses-key"),
        "wrong-audience": "Bearer " + signer.token(url, aud=OTHER_APP),
        "expired": "Bearer " + signer.token(url, expires_in=-3600),
        "serviceurl-mismatch": "Bearer " + signer.token(url, serviceurl="https://smba.trafficmanager.net/uk/"),
        "no-serviceurl": "Bearer " + signer.token(url, serviceurl=""),
    }[case]
    await assert_refused(teams_auth, header)


async def test_valid_token_for_another_service_url_cannot_redirect_replies(teams_auth: TeamsHarness,
                                                                           signer: Signer) -> None:
    # A token Teams issued for its own service URL, replayed with a serviceUrl of the attacker's choosing.
    token = signer.token("https://smba.trafficmanager.net/uk/")
    response = await teams_auth.post(personal_message(teams_auth.connector.url, "start"), token=token)
    assert response.status == 401
    assert teams_auth.connector.calls == []


async def test_app_id_mode_mounts_without_dev(teams_auth: TeamsHarness) -> None:
    assert teams_auth.services.dev is False
    assert teams_auth.services.settings.microsoft_app_id == APP_ID
