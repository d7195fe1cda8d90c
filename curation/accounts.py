"""Accounts: what follows a password change.

`RevokeApiTokensOnPasswordChange` sits in AUTH_PASSWORD_VALIDATORS, whose `password_changed`
hook Django calls after every saved password change (the admin's forms, `changepassword`,
password resets): the user's API tokens are deleted, so a token taken with the old password
stops working at once.
"""

from __future__ import annotations

from rest_framework.authtoken.models import Token


def revoke_api_tokens(user) -> int:
    """Delete every API token of `user`; returns how many there were."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


class RevokeApiTokensOnPasswordChange:
    """Not a rule on passwords: it accepts every password and acts once one is changed."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            revoke_api_tokens(user)

    def get_help_text(self):
        return ""
