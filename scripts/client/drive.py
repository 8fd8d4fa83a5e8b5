"""Drives the ONTAP emulator with NetApp's own client (netapp_ontap), unchanged.

Usage: python drive.py BASE_URL   (e.g. http://127.0.0.1:18080 or https://127.0.0.1:18443)
Exits non-zero on the first failure.
"""

import sys
import urllib.parse

from netapp_ontap import HostConnection, config
from netapp_ontap.error import NetAppRestError

import storage
from netapp_ontap.resources import (
    Account,
    AccountPassword,
    IscsiCredentials,
    NdmpPassword,
    SecurityConfig,
    Svm,
)

SVM1 = "19d04b8e-94d7-11e8-8370-005056b48fd2"


def check(cond, what):
    if not cond:
        raise SystemExit(f"FAIL: {what}")
    print(f"ok: {what}")


def main(base):
    url = urllib.parse.urlparse(base)
    conn = HostConnection(
        url.hostname,
        username="admin",
        password="Netapp1!",
        verify=False,
        port=url.port,
        scheme=url.scheme,
    )
    config.CONNECTION = conn

    # SVMs
    svms = {s.name: s.uuid for s in Svm.get_collection()}
    check(svms.get("svm1") == SVM1 and "svm2" in svms, f"Svm.get_collection lists svm1 and svm2 ({svms})")

    # iSCSI credentials: create, get, patch, paging, delete
    names = [f"iqn.1995-08.com.example:client{i}" for i in range(5)]
    for n in names:
        cred = IscsiCredentials(svm={"name": "svm1"}, initiator=n, authentication_type="none")
        cred.post()
        check(cred.svm.uuid == SVM1 and cred.initiator == n, f"IscsiCredentials.post {n} (keys from Location)")
    cred = IscsiCredentials(svm={"uuid": SVM1}, initiator=names[0])
    cred.get()
    check(cred.authentication_type == "none", "IscsiCredentials.get")
    cred.authentication_type = "chap"
    cred.chap = {"inbound": {"user": "user1", "password": "password1"}}
    cred.patch()
    again = IscsiCredentials(svm={"uuid": SVM1}, initiator=names[0])
    again.get(fields="*")
    check(again.authentication_type == "chap" and again.chap.inbound.user == "user1", "IscsiCredentials.patch to CHAP")
    check(not hasattr(again.chap.inbound, "password"), "CHAP password not returned")
    paged = list(IscsiCredentials.get_collection(max_records=2, **{"svm.name": "svm1"}))
    got = sorted(c.initiator for c in paged)
    check(got == sorted(names + ["default"]), f"collection paging with max_records=2 ({len(got)} records)")
    count = IscsiCredentials.count_collection()
    check(count == 7, f"IscsiCredentials.count_collection ({count})")
    try:
        IscsiCredentials(svm={"name": "svm1"}, initiator=names[1], authentication_type="none").post()
        check(False, "duplicate refused")
    except NetAppRestError as err:
        check(err.http_err_response.http_response.status_code == 409, f"duplicate refused: {err}")
    for n in names:
        IscsiCredentials(svm={"uuid": SVM1}, initiator=n).delete()
    check(IscsiCredentials.count_collection() == 2, "IscsiCredentials.delete")

    # Accounts and AccountPassword
    acct = Account(
        name="clientuser",
        owner={"name": "svm1"},
        role={"name": "vsadmin"},
        applications=[{"application": "http", "authentication_methods": ["password"]}],
        password="First123!",
    )
    acct.post()
    check(acct.owner.uuid == SVM1 and acct.name == "clientuser", "Account.post (throwaway account)")
    AccountPassword(name="clientuser", owner={"name": "svm1"}, password="Second456!").post()
    own = HostConnection(url.hostname, username="clientuser", password="Second456!", verify=False, port=url.port, scheme=url.scheme)
    with own:
        mine = list(IscsiCredentials.get_collection())
    check(len(mine) == 1 and mine[0].svm.name == "svm1", "new password works at once; SVM scope")
    try:
        AccountPassword(name="clientuser", owner={"name": "svm1"}, password="Second456!").post()
        check(False, "same password refused")
    except NetAppRestError as err:
        check("7077925" in str(err) or err.http_err_response.http_response.json()["error"]["code"] == "7077925", "7077925 for the old password")

    # NDMP password
    ndmp = NdmpPassword(svm={"uuid": SVM1}, user="clientuser")
    ndmp.get()
    check(len(ndmp.password) == 16, "NdmpPassword.get")
    acct.delete()
    check(Account.count_collection(name="clientuser") == 0, "Account.delete")

    # Security config: GET, PATCH with poll=True, then back
    sec = SecurityConfig()
    sec.get(fields="fips")
    check(sec.fips.enabled is False, "SecurityConfig.get fields=fips")
    sec = SecurityConfig()
    sec.fips = {"enabled": True}
    sec.patch(poll=True, poll_interval=0.2)
    sec = SecurityConfig()
    sec.get()
    check(sec.fips.enabled is True, "SecurityConfig.patch(poll=True) enables FIPS")
    sec = SecurityConfig()
    sec.fips = {"enabled": False}
    sec.patch(poll=True, poll_interval=0.2, return_timeout=30)
    sec = SecurityConfig()
    sec.get()
    check(sec.fips.enabled is False, "SecurityConfig.patch(poll=True, return_timeout=30) back")

    # Everyday storage over the engine: volumes, snapshots, qtrees, export policies, igroups, LUNs
    storage.run(check)
    print("ALL OK")


if __name__ == "__main__":
    main(sys.argv[1])
