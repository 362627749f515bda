#!/usr/bin/env python3
"""Makes pyjwt_tokens.json: tokens signed by PyJWT, an implementation independent of ours,
for JWTSignerTests.pyjwtFixtures to verify with a fixed `now`.

Run once, by hand, and commit the output; the tests never run Python:

    python3 -m venv /tmp/pyjwt-venv && /tmp/pyjwt-venv/bin/pip install pyjwt==2.15.1
    /tmp/pyjwt-venv/bin/python Tests/CryptoTests/Fixtures/make_pyjwt_tokens.py \
        > Tests/CryptoTests/Fixtures/pyjwt_tokens.json

Every time is fixed, so the output is the same on every run. Payload keys are inserted in
sorted order, as JWTSigner.sign writes them, so for "valid" tokens our own signature must
equal PyJWT's byte for byte (PyJWT sorts header keys itself).
"""
import json

import jwt

SECRET = "storefront-pyjwt-fixture-secret-not-for-production"  # 50 bytes, test only
OTHER_SECRET = "a-different-secret-of-at-least-thirty-two-bytes"
ISSUER = "storefront"
AUDIENCE = "storefront-api"
NOW = 1767225600  # 2026-01-01T00:00:00Z
LEEWAY = 30


def claims(**overrides):
    base = {
        "aud": AUDIENCE,
        "exp": NOW + 840,
        "iat": NOW - 60,
        "iss": ISSUER,
        "jti": "0b7c8e4e-7d1f-4a55-9c39-3f7f0c2d2a10",
        "role": "customer",
        "sub": "6f1c2a9e-2b7d-4f0e-8d7a-1e5b9c3d4a21",
    }
    base.update(overrides)
    return dict(sorted((k, v) for k, v in base.items() if v is not None))


CASES = [
    # (name, payload, key, algorithm, extra headers, expected outcome)
    ("valid", claims(), SECRET, "HS256", None, "valid"),
    ("valid_admin_with_nbf", claims(role="admin", nbf=NOW - 60), SECRET, "HS256", None, "valid"),
    ("valid_audience_array", claims(aud=["other-api", AUDIENCE]), SECRET, "HS256", None, "valid"),
    ("valid_within_exp_leeway", claims(exp=NOW - 29), SECRET, "HS256", None, "valid"),
    ("valid_extra_claims_ignored", claims(scope="x", email="a@example.com"), SECRET, "HS256",
     None, "valid"),
    ("expired", claims(iat=NOW - 1000, exp=NOW - 30), SECRET, "HS256", None, "expired"),
    ("not_yet_valid", claims(nbf=NOW + 31), SECRET, "HS256", None, "notYetValid"),
    ("issued_in_future", claims(iat=NOW + 31, exp=NOW + 900), SECRET, "HS256", None,
     "issuedInFuture"),
    ("wrong_issuer", claims(iss="someone-else"), SECRET, "HS256", None, "wrongIssuer"),
    ("wrong_audience", claims(aud="other-api"), SECRET, "HS256", None, "wrongAudience"),
    ("wrong_secret", claims(), OTHER_SECRET, "HS256", None, "badSignature"),
    ("hs512_same_secret", claims(), SECRET, "HS512", None, "unsupportedAlgorithm"),
    ("hs384_same_secret", claims(), SECRET, "HS384", None, "unsupportedAlgorithm"),
    ("kid_header", claims(), SECRET, "HS256", {"kid": "k1"}, "unsupportedHeader"),
    ("missing_jti", claims(jti=None), SECRET, "HS256", None, "malformed"),
    ("string_exp", claims(exp=str(NOW + 840)), SECRET, "HS256", None, "malformed"),
]


def main():
    tokens = []
    for name, payload, key, algorithm, headers, expect in CASES:
        token = jwt.encode(payload, key, algorithm=algorithm, headers=headers)
        entry = {"name": name, "token": token, "expect": expect}
        if expect == "valid":
            entry["claims"] = payload
        tokens.append(entry)
    fixture = {
        "generator": f"PyJWT {jwt.__version__} via make_pyjwt_tokens.py",
        "secret": SECRET,
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "now": NOW,
        "leeway": LEEWAY,
        "tokens": tokens,
    }
    print(json.dumps(fixture, indent=2))


if __name__ == "__main__":
    main()
