"""Trusted timestamps (RFC 3161) over the commit that fixes a task's inputs and declaration.

The bureau controls every commit date and could rewrite the whole history after the lottery; a
time-stamping authority's clock it does not control (DESIGN §7). A token binds a statement naming
the task and a commit id (statement.py) to the TSA's time; validation (token.py) needs no network.

    statement.py  what exactly is timestamped
    token.py      TimeStampReq building and TimeStampResp validation (asn1crypto + cryptography)
    client.py     the HTTP POST to the TSA (stdlib urllib)
    files.py      where tokens live beside the task, and writing them
    check.py      the checks `validate` and `verify --history` run
"""
