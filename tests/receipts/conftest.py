import pytest


@pytest.fixture
def keypair(tmp_path):
    from ringfence.receipts.keys import write_keypair
    priv, pub_path, pub = write_keypair(str(tmp_path / "receipt.key"))
    return priv, pub_path, pub.hex()
