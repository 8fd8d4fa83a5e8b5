"""Everyday storage with NetApp's own client (netapp_ontap.resources), unchanged: create, read,
modify and delete of SVMs, volumes, snapshots, qtrees, export policies, igroups and LUNs, against
the emulator's engine and its fresh cluster (aggr1, svm1). Called by drive.py with its `check`."""

from netapp_ontap.error import NetAppRestError
from netapp_ontap.resources import ExportPolicy, Igroup, Lun, Qtree, Snapshot, Svm, Volume

GIB = 1 << 30


def svms(check):
    """An SVM's life: create (a job, polled) with what ONTAP makes with it, read, modify, stop and
    start, refused delete while it has a data volume, delete with what goes with it."""
    svm = Svm(name="py_svm", comment="made", aggregates=[{"name": "aggr1"}], nfs={"enabled": True})
    svm.post(poll=True, poll_interval=0.2)
    check(svm.uuid is not None, "Svm.post (a job, polled)")
    svm = Svm(uuid=svm.uuid)
    svm.get(fields="*")
    check(svm.name == "py_svm" and svm.state == "running" and svm.language == "c.utf_8"
          and svm.ipspace.name == "Default" and svm.nfs.enabled and not svm.cifs.enabled,
          "Svm.get fields=*: the state, the documented defaults, the services asked for")
    check(Volume.count_collection(name="py_svm_root", **{"svm.name": "py_svm"}) == 1
          and ExportPolicy.count_collection(name="default", **{"svm.name": "py_svm"}) == 1,
          "a new SVM's root volume and default export policy")
    try:
        Svm(name="py_svm").post(poll=True)
        check(False, "a second SVM of the same name refused")
    except NetAppRestError as err:
        check(err.http_err_response.http_response.status_code == 409, "a second SVM of the same name refused (409)")
    svm.comment = "changed"
    svm.patch(poll=True, poll_interval=0.2)
    for state in ("stopped", "running"):
        svm.state = state
        svm.patch(poll=True, poll_interval=0.2)
        svm = Svm(uuid=svm.uuid)
        svm.get(fields="state,comment")
        check(svm.state == state and svm.comment == "changed", f"Svm.patch comment, state {state}")
    vol = Volume(name="py_svm_data", svm={"name": "py_svm"}, aggregates=[{"name": "aggr1"}], size=GIB)
    vol.post(poll=True, poll_interval=0.2)
    try:
        svm.delete(poll=True)
        check(False, "an SVM with a data volume is not deleted")
    except NetAppRestError as err:
        check("volumes" in str(err), "an SVM with a data volume is not deleted")
    vol.delete(poll=True, poll_interval=0.2)
    svm.delete(poll=True, poll_interval=0.2)
    check(Svm.count_collection(name="py_svm") == 0
          and Volume.count_collection(**{"svm.name": "py_svm"}) == 0
          and ExportPolicy.count_collection(**{"svm.name": "py_svm"}) == 0,
          "Svm.delete, its root volume and export policy with it")


def run(check):
    svms(check)
    vol = Volume(name="py_vol", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}], size=GIB)
    vol.post(poll=True, poll_interval=0.2)
    check(vol.uuid is not None, "Volume.post (a job, polled)")
    vol = Volume(uuid=vol.uuid)
    vol.get()
    check(vol.name == "py_vol" and vol.space.size == GIB, "Volume.get: size as space.size")
    vol.comment = "from netapp_ontap"
    vol.size = 2 * GIB
    vol.patch(poll=True, poll_interval=0.2)
    again = Volume(uuid=vol.uuid)
    again.get(fields="comment,space.size")
    check(again.comment == "from netapp_ontap" and again.space.size == 2 * GIB, "Volume.patch: comment, resize")
    try:
        Volume(name="py_huge", svm={"name": "svm1"}, aggregates=[{"name": "aggr1"}], size=2048 * GIB).post(poll=True)
        check(False, "a volume larger than its aggregate refused")
    except NetAppRestError as err:
        check("not enough space" in str(err), "a volume larger than its aggregate refused")

    snap = Snapshot(vol.uuid, name="py_snap", comment="first")
    snap.post(poll=True, poll_interval=0.2)
    snap = Snapshot(vol.uuid, uuid=snap.uuid)
    snap.get()
    check(snap.name == "py_snap" and snap.comment == "first", "Snapshot.post, get")
    snap.comment = "second"
    snap.patch(poll=True, poll_interval=0.2)
    snap.get(fields="comment")
    check(snap.comment == "second", "Snapshot.patch")
    snap.delete(poll=True, poll_interval=0.2)
    check(Snapshot.count_collection(vol.uuid, name="py_snap") == 0, "Snapshot.delete")

    qtree = Qtree(name="py_qt", volume={"name": "py_vol"}, svm={"name": "svm1"}, security_style="unix")
    qtree.post(poll=True, poll_interval=0.2)
    found = list(Qtree.get_collection(**{"volume.uuid": vol.uuid, "name": "py_qt"}))
    check(len(found) == 1, "Qtree.post, found by name")
    qtree = found[0]
    qtree.get()
    qtree.security_style = "ntfs"
    qtree.patch(poll=True, poll_interval=0.2)
    qtree.get(fields="security_style")
    check(qtree.security_style == "ntfs", "Qtree.patch")
    qtree.delete(poll=True, poll_interval=0.2)
    check(Qtree.count_collection(**{"volume.uuid": vol.uuid, "name": "py_qt"}) == 0, "Qtree.delete")

    defaults = list(ExportPolicy.get_collection(name="default"))
    check(len(defaults) == 2, "each SVM's default export policy")
    policy = ExportPolicy(name="py_exp", svm={"name": "svm1"})
    policy.post()
    policy.get()
    policy.name = "py_exp2"
    policy.patch()
    check(ExportPolicy.count_collection(name="py_exp2") == 1, "ExportPolicy.post, patch (rename)")
    policy.delete()
    check(ExportPolicy.count_collection(name="py_exp2") == 0, "ExportPolicy.delete")

    igroup = Igroup(name="py_ig", svm={"name": "svm1"}, os_type="linux", protocol="iscsi")
    igroup.post()
    igroup.get()
    igroup.os_type = "windows"
    igroup.patch()
    igroup.get(fields="os_type")
    check(igroup.os_type == "windows", "Igroup.post, get, patch")

    lun = Lun(name="/vol/py_vol/py_lun", svm={"name": "svm1"}, os_type="linux", space={"size": GIB // 4})
    lun.post(poll=True, poll_interval=0.2)
    lun.get()
    lun.comment = "data"
    lun.patch()
    lun.get(fields="comment")
    check(lun.comment == "data", "Lun.post, get, patch")
    lun.delete()
    igroup.delete()
    check(Lun.count_collection(name="/vol/py_vol/py_lun") == 0 and Igroup.count_collection(name="py_ig") == 0,
          "Lun.delete, Igroup.delete")

    vol.delete(poll=True, poll_interval=0.2)
    check(Volume.count_collection(name="py_vol") == 0, "Volume.delete")
