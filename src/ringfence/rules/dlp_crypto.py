"""DLP rules for wallet and card secrets whose shape alone is common (a byte array, a
JSON object, a short base58 word, a digit run): each is confirmed by what makes it a key
or a card. Written from the formats' public documentation (Solana CLI keypair files, Web3
Secret Storage v3, Bitcoin mini private keys, ISO/IEC 7813 magnetic-stripe tracks). All
values synthetic.
"""
from __future__ import annotations

from .dlp import DlpRule

# A Solana CLI keypair file (~/.config/solana/id.json): 64 byte values, the ed25519 seed
# then its public key. Generated for this example from a fixed hash, never used anywhere.
SOL_KEYPAIR = [68, 157, 53, 161, 210, 173, 196, 29, 6, 159, 60, 243, 1, 79, 120, 203, 91, 105, 226, 42, 145, 2, 45,
               91, 92, 200, 174, 89, 136, 134, 165, 167, 93, 213, 251, 4, 91, 235, 53, 162, 174, 77, 102, 22, 71, 34,
               117, 69, 86, 172, 173, 238, 213, 123, 201, 187, 87, 156, 40, 229, 221, 255, 42, 194]
SOL_TP = "[" + ",".join(map(str, SOL_KEYPAIR)) + "]"
SOL_TN = "[" + ",".join(map(str, SOL_KEYPAIR[:32] + SOL_KEYPAIR[32:][::-1])) + "]"  # public half not the seed's
KEYSTORE = ('{"address":"3f9c8d5e2a7b41c6d0e8f1a2b3c4d5e6f7a8b9c0","crypto":{"cipher":"aes-128-ctr",'
            '"ciphertext":"8c4fa2815d2802827283e0ad84173581569969e58b081006f7e3dfc967a64cb1",'
            '"cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},"kdf":"scrypt","kdfparams":{"dklen":32,'
            '"n":262144,"p":1,"r":8,"salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},'
            '"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},'
            '"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}')


# Bitcoin mini private keys (22, 26 and 30 characters) found by search from a fixed seed, and
# the same keys with the last character changed so that the "?" check fails.
MINI_TP = ("SxEFmVP6oMXDRRopDkAno9", "SfVXAdEKujVFkbr5zcyuSSughv", "SZ7CQkEGPXkJEWV3RBEGzEBagaCvCr")
MINI_TN = ("SxEFmVP6oMXDRRopDkAno1", "SfVXAdEKujVFkbr5zcyuSSugh1", "SZ7CQkEGPXkJEWV3RBEGzEBagaCvC1")
# JSON Web Keys (a P-256 key and an HMAC key, generated for these examples, never used anywhere)
JWK_D = "fDa2T77KIDnJ52xoGjlTYmn8wWbEn17ahWzmy5cyeks"
JWK_EC = ('{"kty":"EC","crv":"P-256","x":"rBbpQ-V_WNubhbEkW8RShNNwuPaApRv0DaoyYC0EtwY",'
          '"y":"5Ouut57DEDHd8pEzSzuk082Q2tnse8AVpI3acORiUKY","d":"' + JWK_D + '"}')
JWK_OCT = '{"kty":"oct","alg":"HS256","k":"R-UNmZ3JznV-sdlNdqtsorrKJZG9l5k2jJj7qxk-LNc"}'
# Track data around a Luhn-valid synthetic PAN (not a documented test number).
PAN = "4539578763621486"
TRACK1 = f"%B{PAN}^DOE/JANE A^2812101000000000000000000000000?"
TRACK2 = f";{PAN}=28121010000000000000?"


def _r(*a, **k) -> DlpRule:
    return DlpRule(*a, **k)


CRYPTO_RULES: tuple[DlpRule, ...] = (
    _r("solana_keypair", "Solana keypair byte array (ed25519 seed and its public key, or named as a key)", "critical",
       r"\[\s*(?:\d{1,3}\s*,\s*){63}\d{1,3}\s*\]", validator="ed25519_keypair_array",
       prefilter=r"(?:\d{1,3}\s{0,2},\s{0,8}){16}",  # 16 values in a row: Hyperscan runs it ~free; a '['-led one is not
       tp=(SOL_TP, '{"keypair": ' + SOL_TP.replace(",", ", ") + "}", "[\n  " + SOL_TP[1:-1].replace(",", ",\n  ") + "\n]",
           '{"secretKey": ' + SOL_TN + "}"),
       tn=(SOL_TN, "[" + ",".join(["0"] * 64) + "]", "[" + ",".join(str(i) for i in range(64)) + "]",
           '{"pixels": ' + SOL_TN + "}")),
    _r("ethereum_keystore", "Ethereum keystore (Web3 Secret Storage) file", "critical",
       r'\\{0,2}"ciphertext\\{0,2}"\s{0,3}:\s{0,3}\\{0,2}"[0-9a-fA-F]{32,}', validator="web3_keystore",
       tp=(KEYSTORE, KEYSTORE.replace(",", ", ").replace(":", ": "), KEYSTORE.replace('"', '\\"')),  # also quoted in a string
       tn=('{"ciphertext": "' + "ab" * 32 + '", "note": "AES test vector"}',
           '{"crypto":{"cipher":"aes-128-ctr","kdf":"scrypt","mac":"00"}}')),
    _r("bitcoin_mini_key", "Bitcoin mini private key (SHA-256 \"?\" check verified)", "critical",
       r"\bS[1-9A-HJ-NP-Za-km-z]{21}(?:[1-9A-HJ-NP-Za-km-z]{4}){0,2}\b", validator="mini_private_key",
       min_entropy=3.5, min_classes=2, tp=MINI_TP + ("mini key: " + MINI_TP[0],),
       tn=MINI_TN + ("SomethingWithoutDigitsX", "S" + "1" * 21)),
    # Track 1 "%B<PAN>^NAME^YYMM<service>...?", track 2 ";<PAN>=YYMM<service>...?" and EMV's
    # track-2 equivalent (hex, "D" as the separator); a documented test PAN passes only in a
    # test-mode context, as for card numbers (public_ids.benign_hit).
    _r("card_track_data", "Payment card magnetic-stripe track data", "critical",
       r"(?<![A-Za-z0-9])%?B\d{12,19}\^[A-Za-z0-9 /.'-]{2,26}\^\d{7}[A-Za-z0-9 ]{0,60}\??"
       r"|;?(?<!\d)\d{12,19}[=D]\d{7}\d{0,30}[?F]?",  # the whole track, discretionary data included
       validator="card_track",
       tp=(TRACK1, TRACK2, f"swipe={PAN}=2812101", f"tag57={PAN}D28121010000000000F"),
       tn=(TRACK1.replace("4539578763621486", "4539578763621487"), f";{PAN}=2813101?", f";{PAN}=2812301?",
           "build 2025121012345678=2512101")),
    # A JSON Web Key holds its private part in "d" (RSA, EC, OKP) or "k" (symmetric "oct"), RFC 7517/7518;
    # a public JWK (every JWKS endpoint) has neither. Confirmed by a "kty" member in the same object.
    _r("jwk_private_key", "Private or symmetric JSON Web Key", "critical",
       r'\\{0,2}"(?:d|k|p|q|dp|dq)\\{0,2}"\s{0,3}:\s{0,3}\\{0,2}"(?P<s>[A-Za-z0-9_-]{22,})', validator="jwk_private",
       min_entropy=3.5,
       tp=(JWK_EC, JWK_EC.replace('"', '\\"'), '{"keys": [' + JWK_OCT + "]}"),
       tn=(JWK_EC.replace(',"d":"' + JWK_D + '"', ""), '{"d": "' + JWK_D + '", "note": "no key type"}')),
)
