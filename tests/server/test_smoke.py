def test_version_is_public(server):
    answer = server.http.get(server.url + "/version", headers={"x-access-tokens": ""})
    assert answer.status_code == 200
    assert answer.json()["version"]["api"] == 1
