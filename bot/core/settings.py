"""Process settings from the environment (secrets and wiring), via pydantic-settings.

The organisation's own choices (contacts, rota, retention) live in one YAML file instead:
see :mod:`bot.core.config`.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_HASH_KEY = "canishare-dev-only-not-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL"))
    config_path: Path | None = Field(default=None, validation_alias=AliasChoices("CANISHARE_CONFIG"))
    key_prefix: str = Field(default="canishare", validation_alias=AliasChoices("CANISHARE_KEY_PREFIX"))
    # HMAC key for user ids. Must be set (and kept stable) in any real deployment.
    hash_key: str = Field(default=DEV_HASH_KEY, validation_alias=AliasChoices("CANISHARE_HASH_KEY"))
    log_format: str = Field(default="text", validation_alias=AliasChoices("CANISHARE_LOG_FORMAT"))
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("CANISHARE_LOG_LEVEL"))
    port: int = Field(default=3978, validation_alias=AliasChoices("PORT"))
    host: str = Field(default="0.0.0.0", validation_alias=AliasChoices("CANISHARE_HOST"))
    web_token: str | None = Field(default=None, validation_alias=AliasChoices("CANISHARE_WEB_TOKEN"))

    slack_bot_token: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias=AliasChoices("SLACK_API_URL"))

    microsoft_app_id: str = Field(default="", validation_alias=AliasChoices("MicrosoftAppId", "MICROSOFT_APP_ID"))
    microsoft_app_password: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppPassword", "MICROSOFT_APP_PASSWORD")
    )
    microsoft_app_type: str = Field(
        default="MultiTenant", validation_alias=AliasChoices("MicrosoftAppType", "MICROSOFT_APP_TYPE")
    )
    microsoft_app_tenant_id: str = Field(
        default="", validation_alias=AliasChoices("MicrosoftAppTenantId", "MICROSOFT_APP_TENANT_ID")
    )
    # Where ``canishare doctor`` asks for a Bot Framework token (tests point it at a local fake).
    microsoft_login_url: str = Field(default="https://login.microsoftonline.com",
                                     validation_alias=AliasChoices("CANISHARE_MICROSOFT_LOGIN_URL"))


@functools.cache
def get_settings() -> Settings:
    return Settings()
