"""What the test provider says about a person."""


def userinfo(claims, user):
    claims["email"] = user.email
    claims["email_verified"] = True
    claims["given_name"] = user.first_name
    claims["family_name"] = user.last_name
    return claims


def id_token(id_token, user, **kwargs):
    # Groups as Entra ID's `groups` claim; a person whose last name is "Tweestaps" logged in with
    # two factors (RFC 8176 `amr`).
    id_token["groups"] = sorted(user.groups.values_list("name", flat=True))
    id_token["amr"] = ["pwd", "mfa"] if user.last_name == "Tweestaps" else ["pwd"]
    return id_token
