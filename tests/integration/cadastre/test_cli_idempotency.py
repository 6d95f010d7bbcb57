"""`maadan cadastre apply --idempotency-key` files at most once (issue 18 item 1), on every backend."""

from tests.integration.cadastre.conftest import square

JV = ["--holder", "US Strategic Metals=60:US:foreign", "--holder", "Frontier Works Organisation=40:PK:state-owned"]


def test_a_rerun_with_the_key_prints_the_first_receipt_and_files_nothing(copy_cli, area_file):
    path = area_file(square(64.0, 28.8))
    first = copy_cli.json("cadastre", "apply", str(path), "--type", "EL", "--mineral", "copper", *JV)
    key = first["idempotency_key"]
    assert len(key) == 36 and first["replayed"] is False  # a key is made when none is given
    again = copy_cli.json("cadastre", "apply", str(path), "--type", "EL", "--mineral", "copper", *JV,
                          "--idempotency-key", key)
    assert again["replayed"] is True
    assert (again["number"], again["received_at"]) == (first["number"], first["received_at"])
    listed = copy_cli.json("cadastre", "applications")["items"]
    assert [a["number"] for a in listed] == [first["number"]]
    code, out, err = copy_cli("cadastre", "apply", str(path), "--type", "EL", "--mineral", "copper", *JV)
    assert code == 0 and "Idempotency key:" in out  # without the key: a new filing, its own key printed
    assert copy_cli("audit", "verify")[0] == 0


def test_the_key_with_other_input_or_malformed_is_refused(copy_cli, area_file):
    path = area_file(square(64.0, 28.8))
    copy_cli.json("cadastre", "apply", str(path), "--type", "EL", "--mineral", "copper", *JV, "--idempotency-key", "k1")
    code, out, err = copy_cli("cadastre", "apply", str(area_file(square(65.0, 28.5))), "--type", "EL",
                              "--mineral", "copper", *JV, "--idempotency-key", "k1")
    assert code == 3 and "different input" in err
    code, out, err = copy_cli("cadastre", "apply", str(path), "--type", "EL", "--mineral", "copper", *JV,
                              "--idempotency-key", "has space")
    assert code == 2 and "--idempotency-key" in err
    assert len(copy_cli.json("cadastre", "applications")["items"]) == 1
